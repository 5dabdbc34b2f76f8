/**
 * The database the HTTP benchmark serves: SYNTHETIC papers (see synthetic-arxiv.ts) written through Paperboy's own
 * store, listed on the daily feed at a fixed number per day, like a busy instance.
 */
import type { PaperRecord } from '../src/domain/paper.ts';
import { openDatabase } from '../src/storage/database.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { KyselyPaperStore, type Listing } from '../src/storage/paper-store.ts';
import { generateSnapshotRecords, type SnapshotRecord } from './synthetic-arxiv.ts';

export interface HttpFixture {
  /** The day whose page and API answer are loaded. */
  benchDay: string;
  papersPerDay: number;
  days: number;
  /** Ids listed on the bench day, to check that the page really shows them. */
  benchDayPaperIds: string[];
}

/** Papers listed per feed day (a busy day on huggingface.co/papers). */
const PAPERS_PER_DAY = 50;
/** Days of listings around the bench day. */
const LISTED_DAYS = 40;
/** The first listed day; the bench day is in the middle of the range. */
const FIRST_DAY_UTC_MS = Date.UTC(2024, 2, 1);
const MS_PER_DAY = 86_400_000;
/** Papers written per store call. */
const UPSERT_BATCH_PAPERS = 500;

/** Fills the SQLite file at `path` (created) and returns what was listed where. */
export async function buildHttpFixture(path: string): Promise<HttpFixture> {
  const handle = openDatabase({ dialect: 'sqlite', path });
  try {
    await migrateToLatest(handle.db);
    const store = new KyselyPaperStore(handle.db);
    const records = [...generateSnapshotRecords(PAPERS_PER_DAY * LISTED_DAYS)].map(snapshotToPaperRecord);
    for (let start = 0; start < records.length; start += UPSERT_BATCH_PAPERS) {
      await store.upsertPapers(records.slice(start, start + UPSERT_BATCH_PAPERS));
    }
    const benchDayIndex = Math.floor(LISTED_DAYS / 2);
    const listings: Listing[] = records.map((record, index) => {
      const dayIndex = Math.floor(index / PAPERS_PER_DAY);
      const submittedAt = new Date(FIRST_DAY_UTC_MS + dayIndex * MS_PER_DAY + (index % PAPERS_PER_DAY) * 60_000);
      return {
        paperId: record.id,
        listedOn: isoDay(FIRST_DAY_UTC_MS + dayIndex * MS_PER_DAY),
        submittedAt: submittedAt.toISOString(),
        source: 'import',
        submittedByUserId: null,
        comment: null,
      };
    });
    await store.addListings(listings);
    const benchDay = isoDay(FIRST_DAY_UTC_MS + benchDayIndex * MS_PER_DAY);
    return {
      benchDay,
      papersPerDay: PAPERS_PER_DAY,
      days: LISTED_DAYS,
      benchDayPaperIds: listings.filter((l) => l.listedOn === benchDay).map((l) => l.paperId),
    };
  } finally {
    await handle.close();
  }
}

/** The snapshot record as Paperboy's domain record (a plain mapping; the importer's own rules may differ). */
function snapshotToPaperRecord(record: SnapshotRecord): PaperRecord {
  return {
    id: record.id,
    title: record.title.replace(/\s+/g, ' ').trim(),
    abstract: record.abstract.trim(),
    authors: record.authors_parsed.map(([last, first, suffix]) => [first, last, suffix].filter(Boolean).join(' ')),
    categories: record.categories.split(' '),
    versions: record.versions.map((v) => ({
      version: Number(v.version.slice(1)),
      created: new Date(v.created).toISOString(),
    })),
    comments: record.comments,
    journalRef: record['journal-ref'],
    doi: record.doi,
    reportNo: record['report-no'],
    license: record.license,
    submitter: record.submitter,
    githubRepo: null,
    projectPage: null,
  };
}

function isoDay(utcMs: number): string {
  return new Date(utcMs).toISOString().slice(0, 10);
}
