/**
 * The import pipeline for one input: detect the format, parse it as a stream of events, write valid records in
 * batches (one transaction each), list them on the daily feed when asked, and account for every record. It knows
 * nothing of the command line: progress and messages go to callbacks, and the result is a summary.
 */
import type { PaperRecord } from '../domain/paper.ts';
import type { Listing, ListingSource, PaperStore, UpsertCounts } from '../storage/paper-store.ts';
import { parseArxivAtom } from './arxiv-atom.ts';
import type { ParseEvent, Position, SourceNote } from './events.ts';
import { ACCEPTED_FORMATS_TEXT, detectFormat, FORMAT_LABELS, type ImportFormat } from './format-detection.ts';
import { parseHfDailyPapers } from './hf-daily-papers.ts';
import { countBytes, type ImportInput, type PeekedInput, peekInput } from './input.ts';
import { parseArxivJsonLines } from './json-lines.ts';
import { featuredListingTimes, type ListingTime } from './listing-day.ts';
import { parseOaiPmh } from './oai-pmh.ts';
import { planUpsert } from './upsert-plan.ts';

/** Records per write transaction: large enough to amortise the commit, small enough to keep memory flat. */
export const BATCH_SIZE_RECORDS = 500;
/** How often (in parsed records) progress is reported between batches. */
const PROGRESS_EVERY_RECORDS = 100;

/** The parser for each format. Both JSON-lines formats share one parser: the sample is a subset of the snapshot. */
export const PARSERS: Readonly<
  Record<ImportFormat, (chunks: AsyncIterable<Uint8Array>) => AsyncGenerator<ParseEvent>>
> = {
  'arxiv-snapshot': parseArxivJsonLines,
  'paperboy-sample': parseArxivJsonLines,
  'oai-pmh': parseOaiPmh,
  'arxiv-atom': parseArxivAtom,
  'hf-daily-papers': parseHfDailyPapers,
};

/** How to import one input. */
export interface ImportOptions {
  /** Also list each imported paper on the daily feed (see listing-day.ts). */
  feature?: boolean;
  /** Parse, validate and compare with the database, but write nothing. */
  dryRun?: boolean;
  /** The instance's time zone, for feed days. */
  timeZone: string;
  /** The import's time (tests pin it). */
  now?: Date;
  /** The format when already known; otherwise detected from the first bytes. */
  format?: ImportFormat;
  /** Who the listings are attributed to; `import` by default. */
  listingSource?: ListingSource;
  batchSizeRecords?: number;
  onProgress?: (progress: ImportProgress) => void;
  /** Each skipped record, deletion, warning and early stop, as it happens. */
  onMessage?: (message: ImportMessage) => void;
  /**
   * Awaited after each batch is committed (never in a dry run), with the position of the batch's last record and
   * the counts so far: a resumable import saves there how far it got (see snapshot-resume.ts).
   */
  onBatchCommitted?: (committed: { lastPosition: Position; summary: Readonly<ImportSummary> }) => Promise<void>;
}

/** How far an import has got, for a progress display. */
export interface ImportProgress {
  bytesRead: number;
  /** Records seen so far (imported or skipped). */
  records: number;
}

/** A line for the user about one record or place in the input (`record 7 (line 130)`). */
export interface ImportMessage {
  kind: 'skipped' | 'deleted' | 'warning' | 'stopped';
  position: Position;
  text: string;
}

/** What happened to one input: the counts behind its summary line (see summary.ts). */
export interface ImportSummary {
  name: string;
  format: ImportFormat;
  formatLabel: string;
  dryRun: boolean;
  feature: boolean;
  /** Valid records read (each was written, or would be in a dry run). */
  imported: number;
  inserted: number;
  updated: number;
  unchanged: number;
  /** Records rejected (bad JSON, bad id, no title, bad bytes, cut off by a truncation). */
  skipped: number;
  /** Records the source marks as deleted. */
  deleted: number;
  /** Papers newly listed on the daily feed (with `feature`). */
  listed: number;
  /** Papers that already had a listing and kept it. */
  alreadyListed: number;
  /** Set when the input ended early or broke: the rest was not read. */
  stopped: { position: Position; reason: string } | null;
  notes: SourceNote[];
  elapsedMs: number;
}

/** The input is not in a format we read; nothing was written. */
export class UnknownFormatError extends Error {
  constructor(
    readonly inputName: string,
    readonly found: string,
  ) {
    super(`${inputName} is ${found}, not a format paperboy imports (accepted: ${ACCEPTED_FORMATS_TEXT})`);
    this.name = 'UnknownFormatError';
  }
}

/** Writing to the database failed; batches before the failing one are committed. */
export class ImportDatabaseError extends Error {
  constructor(
    readonly inputName: string,
    readonly recordsWritten: number,
    override readonly cause: unknown,
  ) {
    const detail = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    super(`database error while importing ${inputName} (${recordsWritten} records written before it): ${detail}`);
    this.name = 'ImportDatabaseError';
  }
}

/** Detects the format of a peeked input, or throws UnknownFormatError naming what was found. */
export function requireFormat(input: PeekedInput): ImportFormat {
  const detection = detectFormat(input.head, input.headIsComplete);
  if (!detection.ok) throw new UnknownFormatError(input.name, detection.found);
  return detection.format;
}

/** Imports one input into the store and returns what happened. */
export async function importStream(
  store: PaperStore,
  input: ImportInput | PeekedInput,
  options: ImportOptions,
): Promise<ImportSummary> {
  const startedAt = performance.now();
  const now = options.now ?? new Date();
  const peeked = 'head' in input ? input : await peekInput(input);
  let format: ImportFormat;
  try {
    format = options.format ?? requireFormat(peeked);
  } catch (error) {
    await peeked.close();
    throw error;
  }
  const summary: ImportSummary = {
    name: input.name,
    format,
    formatLabel: FORMAT_LABELS[format],
    dryRun: options.dryRun ?? false,
    feature: options.feature ?? false,
    imported: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    skipped: 0,
    deleted: 0,
    listed: 0,
    alreadyListed: 0,
    stopped: null,
    notes: [],
    elapsedMs: 0,
  };
  const batchSize = options.batchSizeRecords ?? BATCH_SIZE_RECORDS;
  let bytesRead = 0;
  let batch: Array<{ record: PaperRecord; listedAt: string | null }> = [];
  let written = 0;
  let lastPosition: Position = '';
  const progress = () => options.onProgress?.({ bytesRead, records: summary.imported + summary.skipped });
  const message = (kind: ImportMessage['kind'], position: Position, text: string) =>
    options.onMessage?.({ kind, position, text });

  const listingTime = featuredListingTimes({ timeZone: options.timeZone, now });
  const flush = async () => {
    if (batch.length === 0) return;
    const records = batch.map((entry) => entry.record);
    try {
      let counts: UpsertCounts;
      if (summary.dryRun) {
        counts = await planUpsert(store, records);
        if (summary.feature) await countWouldBeListed(store, batch, summary);
      } else {
        const listings = summary.feature ? featuredListings(batch, listingTime, options) : [];
        const result = await store.upsertPapersAndListings(records, listings);
        counts = result.counts;
        summary.listed += result.listed;
        summary.alreadyListed += listings.length - result.listed;
      }
      summary.inserted += counts.inserted;
      summary.updated += counts.updated;
      summary.unchanged += counts.unchanged;
    } catch (error) {
      throw new ImportDatabaseError(input.name, written, error);
    }
    written += summary.dryRun ? 0 : records.length;
    batch = [];
    if (!summary.dryRun) await options.onBatchCommitted?.({ lastPosition, summary });
    progress();
  };

  for await (const event of PARSERS[format](countBytes(peeked.chunks, (total) => (bytesRead = total)))) {
    switch (event.kind) {
      case 'record':
        summary.imported += 1;
        lastPosition = event.position;
        batch.push({ record: event.record, listedAt: event.listedAt });
        if (batch.length >= batchSize) await flush();
        else if (summary.imported % PROGRESS_EVERY_RECORDS === 0) progress();
        break;
      case 'rejected':
        summary.skipped += 1;
        message('skipped', event.position, event.reason);
        break;
      case 'deleted':
        summary.deleted += 1;
        message('deleted', event.position, `deleted on arXiv (${event.identifier})`);
        break;
      case 'stopped':
        summary.stopped = { position: event.position, reason: event.reason };
        message('stopped', event.position, `stopped reading: ${event.reason}`);
        break;
      case 'note':
        summary.notes.push(event.note);
        if (event.note.kind === 'warning') message('warning', event.note.position, event.note.message);
        break;
    }
  }
  await flush();
  progress();
  summary.elapsedMs = performance.now() - startedAt;
  return summary;
}

type BatchEntry = { record: PaperRecord; listedAt: string | null };

/** Each paper of a batch once (its first record), in order. */
function firstOfEachPaper(batch: ReadonlyArray<BatchEntry>): BatchEntry[] {
  const firstById = new Map<string, BatchEntry>();
  for (const entry of batch) if (!firstById.has(entry.record.id)) firstById.set(entry.record.id, entry);
  return [...firstById.values()];
}

/** The listings `--feature` gives a batch's papers (a paper already listed keeps its own; the store skips it). */
function featuredListings(
  batch: ReadonlyArray<BatchEntry>,
  listingTime: (record: PaperRecord, listedAt: string | null) => ListingTime,
  options: ImportOptions,
): Listing[] {
  return firstOfEachPaper(batch).map(({ record, listedAt }) => ({
    paperId: record.id,
    ...listingTime(record, listedAt),
    source: options.listingSource ?? 'import',
    submittedByUserId: null,
    comment: null,
  }));
}

/** In a dry run: how many of a batch's papers would be newly listed, and how many keep their listing. */
async function countWouldBeListed(
  store: PaperStore,
  batch: ReadonlyArray<BatchEntry>,
  summary: ImportSummary,
): Promise<void> {
  for (const { record } of firstOfEachPaper(batch)) {
    if (await store.getListing(record.id)) summary.alreadyListed += 1;
    else summary.listed += 1;
  }
}
