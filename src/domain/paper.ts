/**
 * The paper as Paperboy knows it, independent of where it came from (snapshot, OAI-PMH, API, Hugging Face) and of
 * how it is stored. Metadata from arXiv is never invented: what a source does not say stays `null` (or empty).
 */
import { preferExplicitLink } from './paper-links.ts';

export interface PaperVersion {
  /** 1 for v1. */
  version: number;
  /**
   * When arXiv received this version: an ISO 8601 UTC timestamp (`2007-04-02T19:18:42.000Z`) when the source
   * gives the time, a bare date (`2023-08-13`) when it gives only the day, `null` when unknown.
   */
  created: string | null;
}

/** One paper's metadata, as imported or ingested. */
export interface PaperRecord {
  /** Canonical arXiv id, without version. */
  id: string;
  title: string;
  abstract: string;
  /** Author names in order. */
  authors: string[];
  /** arXiv categories, primary first; empty when unknown. */
  categories: string[];
  /** Known versions, ascending by number; empty when unknown. */
  versions: PaperVersion[];
  comments: string | null;
  journalRef: string | null;
  doi: string | null;
  reportNo: string | null;
  license: string | null;
  /** The arXiv account that submitted it (not a Paperboy user). */
  submitter: string | null;
  githubRepo: string | null;
  projectPage: string | null;
}

/** A stored paper: the record plus what Paperboy keeps about it. */
export interface Paper extends PaperRecord {
  /** First version's timestamp (ISO, UTC), when known; a date-only first version is midnight UTC of that day. */
  firstVersionAt: string | null;
  /** Latest known version's timestamp, same convention. */
  latestVersionAt: string | null;
  upvotes: number;
  numComments: number;
  /** When this instance first stored the paper. */
  createdAt: string;
  updatedAt: string;
  /** When an admin hid the paper (it leaves every feed); null for visible papers. */
  hiddenAt: string | null;
}

const LINK_FIELDS = ['githubRepo', 'projectPage'] as const;

const NULLABLE_FIELDS = [
  'comments',
  'journalRef',
  'doi',
  'reportNo',
  'license',
  'submitter',
  'githubRepo',
  'projectPage',
] as const;

/** The highest version number a record knows, 0 when it knows none. */
export function latestVersionNumber(record: Pick<PaperRecord, 'versions'>): number {
  return record.versions.reduce((max, v) => Math.max(max, v.version), 0);
}

/**
 * Merges what a source says about a paper into what we already have, so that importing sources in any order, or the
 * same source twice, converges on the same record:
 * - versions are the union by number; a version's date is kept when known (a full timestamp beats a bare date);
 * - descriptive fields come from the record describing the newest version (ties go to the incoming record), but a
 *   field that source leaves unknown keeps the value we had: unknown never erases known.
 */
export function mergePaperRecords(existing: PaperRecord | null, incoming: PaperRecord): PaperRecord {
  if (!existing) return { ...incoming, versions: normaliseVersions(incoming.versions) };
  const incomingIsNewer = latestVersionNumber(incoming) >= latestVersionNumber(existing);
  const [primary, secondary] = incomingIsNewer ? [incoming, existing] : [existing, incoming];
  const merged: PaperRecord = {
    id: existing.id,
    title: primary.title || secondary.title,
    abstract: primary.abstract || secondary.abstract,
    authors: primary.authors.length > 0 ? primary.authors : secondary.authors,
    categories: primary.categories.length > 0 ? primary.categories : secondary.categories,
    versions: normaliseVersions([...existing.versions, ...incoming.versions]),
    comments: null,
    journalRef: null,
    doi: null,
    reportNo: null,
    license: null,
    submitter: null,
    githubRepo: null,
    projectPage: null,
  };
  for (const field of NULLABLE_FIELDS) merged[field] = primary[field] ?? secondary[field];
  // A link the source or a submitter gave is never replaced by one merely found in the abstract or comments.
  for (const field of LINK_FIELDS) merged[field] = preferExplicitLink(primary, secondary, field);
  return merged;
}

/** Sorts versions by number and folds duplicates, keeping the most precise date known for each. */
export function normaliseVersions(versions: PaperVersion[]): PaperVersion[] {
  const byNumber = new Map<number, PaperVersion>();
  for (const v of versions) {
    const had = byNumber.get(v.version);
    byNumber.set(v.version, { version: v.version, created: moreExactDate(had?.created ?? null, v.created) });
  }
  return [...byNumber.values()].sort((a, b) => a.version - b.version);
}

function moreExactDate(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return b.length > a.length ? b : a;
}

/** A version date as a full ISO timestamp: a bare date becomes midnight UTC of that day. */
export function versionTimestamp(created: string | null): string | null {
  if (created === null) return null;
  return created.length === 10 ? `${created}T00:00:00.000Z` : created;
}

/** First- and latest-version timestamps of a record, for storage and sorting. */
export function versionBounds(record: Pick<PaperRecord, 'versions'>): {
  firstVersionAt: string | null;
  latestVersionAt: string | null;
} {
  const first = record.versions.find((v) => v.version === 1);
  const latest = record.versions[record.versions.length - 1];
  return {
    firstVersionAt: versionTimestamp(first?.created ?? null),
    latestVersionAt: versionTimestamp(latest?.created ?? null),
  };
}

/** Whether two records say the same thing (used to keep a re-import from touching unchanged rows). */
export function sameRecord(a: PaperRecord, b: PaperRecord): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(r: PaperRecord): unknown[] {
  return [r.id, r.title, r.abstract, r.authors, r.categories, r.versions, ...NULLABLE_FIELDS.map((field) => r[field])];
}
