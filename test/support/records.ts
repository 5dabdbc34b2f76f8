/** Paper records and listings for tests that need one but not a particular one. */
import type { PaperRecord } from '../../src/domain/paper.ts';
import type { Listing } from '../../src/storage/paper-store.ts';

/** A record with every field set, for tests that need a paper but not a particular one. */
export function testRecord(id: string, overrides: Partial<PaperRecord> = {}): PaperRecord {
  return {
    id,
    title: `Title of ${id}`,
    abstract: 'We study $x^2$ and more.',
    authors: ['Ada Lovelace', 'Charles Babbage'],
    categories: ['cs.LG'],
    versions: [{ version: 1, created: '2024-01-02T03:04:05.000Z' }],
    comments: null,
    journalRef: null,
    doi: null,
    reportNo: null,
    license: null,
    submitter: null,
    githubRepo: null,
    projectPage: null,
    ...overrides,
  };
}

export function testListing(paperId: string, listedOn: string, submittedAt = `${listedOn}T12:00:00.000Z`): Listing {
  return { paperId, listedOn, submittedAt, source: 'import', submittedByUserId: null, comment: null };
}
