import { describe, expect, it } from 'vitest';
import { buildPaperRecord, type SourcePaperFields, splitCategories } from './record-builder.ts';

const fields = (overrides: Partial<SourcePaperFields> = {}): SourcePaperFields => ({
  id: '2206.00927',
  title: 'DPM-Solver',
  abstract: 'An abstract.',
  authors: ['Cheng Lu'],
  categories: ['cs.LG', 'stat.ML', 'cs.LG'],
  versions: [
    { version: 'v2', created: 'Thu, 13 Oct 2022 12:00:00 GMT' },
    { version: 'v1', created: 'Thu, 2 Jun 2022 17:42:30 GMT' },
  ],
  ...overrides,
});

describe('buildPaperRecord', () => {
  it('cleans and normalises a good record, leaving unknown fields null', () => {
    expect(buildPaperRecord(fields({ id: '2206.00927v2', comments: ' 22 pages\n  ' }))).toEqual({
      ok: true,
      record: {
        id: '2206.00927',
        title: 'DPM-Solver',
        abstract: 'An abstract.',
        authors: ['Cheng Lu'],
        categories: ['cs.LG', 'stat.ML'],
        versions: [
          { version: 1, created: '2022-06-02T17:42:30.000Z' },
          { version: 2, created: '2022-10-13T12:00:00.000Z' },
        ],
        comments: '22 pages',
        journalRef: null,
        doi: null,
        reportNo: null,
        license: null,
        submitter: null,
        githubRepo: null,
        projectPage: null,
      },
    });
  });

  it.each([
    [{ id: undefined }, 'no arXiv id'],
    [{ id: 2206.00927 }, 'the arXiv id is not text (number)'],
    [{ id: '0811.36489' }, "invalid arXiv id: '0811.36489' is malformed: ids from 0811 have 4 digits after the dot"],
    [{ title: undefined }, '2206.00927 has no title'],
    [{ title: ' \n ' }, '2206.00927 has no title'],
    [{ abstract: ['not', 'text'] }, '2206.00927: the abstract is not text'],
    [{ versions: [{ version: 'first', created: null }] }, "2206.00927: version 'first' is not vN"],
    [{ versions: [{ version: 'v1', created: 'yesterday' }] }, "2206.00927: v1 has an unreadable date 'yesterday'"],
    [{ title: 'Nul\u0000byte' }, '2206.00927 contains a NUL character'],
  ])('rejects %o: %s', (overrides, reason) => {
    expect(buildPaperRecord(fields(overrides as Partial<SourcePaperFields>))).toEqual({ ok: false, reason });
  });

  it('keeps a version whose date is unknown, and only http(s) links', () => {
    const result = buildPaperRecord(
      fields({
        versions: [{ version: 1, created: null }],
        githubRepo: 'javascript:alert(1)',
        projectPage: 'https://example.org/project',
      }),
    );
    expect(result).toMatchObject({
      ok: true,
      record: {
        versions: [{ version: 1, created: null }],
        githubRepo: null,
        projectPage: 'https://example.org/project',
      },
    });
  });
});

describe('splitCategories', () => {
  it("splits arXiv's space-separated list, primary first", () => {
    expect(splitCategories('math.CO  cs.CG\n')).toEqual(['math.CO', 'cs.CG']);
    expect(splitCategories(null)).toEqual([]);
  });
});
