import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseArxivAtom } from './arxiv-atom.ts';
import type { ParseEvent } from './events.ts';

async function* inChunks(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function parse(source: string | Buffer, chunkSize = 64 * 1024): Promise<ParseEvent[]> {
  const bytes =
    typeof source === 'string'
      ? readFileSync(new URL(`../../test/fixtures/arxiv/api/${source}`, import.meta.url))
      : source;
  const events: ParseEvent[] = [];
  for await (const event of parseArxivAtom(inChunks(bytes, chunkSize))) events.push(event);
  return events;
}

describe('parseArxivAtom', () => {
  it('reads a search answer: ids without versions, primary category first, versions from the id', async () => {
    const events = await parse('search-testing-100.xml');
    const records = events.flatMap((e) => (e.kind === 'record' ? [e.record] : []));
    expect(records).toHaveLength(100);
    expect(records[0]).toEqual({
      id: '2202.12139',
      title: 'Testing Deep Learning Models: A First Comparative Study of Multiple Testing Techniques',
      abstract: expect.stringMatching(/^Deep Learning \(DL\) has revolutionized .* discuss its results\.$/),
      authors: ['Mohit Kumar Ahuja', 'Arnaud Gotlieb', 'Helge Spieker'],
      categories: ['cs.SE', 'cs.LG'],
      versions: [{ version: 1, created: '2022-02-24T15:05:19.000Z' }],
      comments: 'Artificial Intelligence in Software Testing 2022 workshop @ ICST 2022',
      journalRef:
        'Artificial Intelligence in Software Testing @ 2022 IEEE International Conference on Software Testing, Verification and Validation Workshops (ICSTW)',
      doi: '10.1109/ICSTW55395.2022.00035',
      reportNo: null,
      license: null,
      submitter: null,
      githubRepo: null,
      projectPage: null,
    });
    const revised = records.find((r) => r.id === '2409.05654');
    expect(revised?.versions).toEqual([
      { version: 1, created: '2024-09-09T14:21:19.000Z' },
      { version: 9, created: '2025-05-08T20:52:40.000Z' },
    ]);
    expect(records.find((r) => r.id === '2405.13786')?.authors[0]).toBe('Aurora Ramírez');
    expect(events.at(-1)).toEqual({
      kind: 'note',
      note: { kind: 'atom-totals', totalResults: 214881, startIndex: 0, itemsPerPage: 100 },
    });
  });

  it('reads the answer for ids where one does not exist, and the empty answer', async () => {
    const pair = await parse('id-0808.05394-1707.08567.xml');
    expect(pair.filter((e) => e.kind === 'record').map((e) => e.kind === 'record' && e.record.id)).toEqual([
      '1707.08567',
    ]);
    expect(await parse('id-0000.0000-empty.xml')).toEqual([
      { kind: 'note', note: { kind: 'atom-totals', totalResults: 0, startIndex: 0, itemsPerPage: 100 } },
    ]);
  });

  it("turns the API's error feed into one error line", async () => {
    await expect(parse('id-abc-error-400.xml')).rejects.toThrow(/^arXiv API error: incorrect id format for abc$/);
  });

  it('rejects an entry whose id is not an arXiv abstract URL', async () => {
    const feed = Buffer.from(
      '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">' +
        '<entry><id>http://example.org/1</id><title>T</title></entry>' +
        '<entry><id>http://arxiv.org/abs/2401.0001v1</id><title>T</title></entry></feed>',
    );
    expect(await parse(feed, 5)).toEqual([
      { kind: 'rejected', position: 'entry 1 (line 1)', reason: "'http://example.org/1' is not an arXiv abstract URL" },
      {
        kind: 'rejected',
        position: 'entry 2 (line 1)',
        reason: "invalid arXiv id: '2401.0001v1' is malformed: ids from 2401 have 5 digits after the dot",
      },
    ]);
  });
});
