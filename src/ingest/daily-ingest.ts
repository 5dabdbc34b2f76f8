/**
 * One run of the daily announcement ingest: read arXiv's announcement feed for the followed categories, fetch every
 * announced paper's full metadata from the API (batches of up to 100 ids, through the one API client and its
 * etiquette), then upsert the papers (a replacement merges its new version into what is stored) and, when the
 * instance lists automatically, list the new and cross-listed papers on the announcement's day. Everything is
 * fetched before anything is written, so a feed or API failure writes nothing; the writes are the same batched
 * transactions as `paperboy import`, so running the same announcement twice changes nothing the second time.
 *
 * Each run is recorded in IngestStore (source 'daily'): what it was asked, its counts, its errors (ids arXiv's API did
 * not return are named, never dropped silently), and its status: ok, partial (some papers missing or unreadable),
 * failed (nothing could be done), or interrupted (the worker was stopped).
 */
import { dayInTimeZone } from '../domain/announcement.ts';
import { announcementAtOrBefore, announcementOfFeedDate } from '../domain/ingest-schedule.ts';
import type { PaperRecord } from '../domain/paper.ts';
import type { IngestCounts, IngestRunStatus, IngestStore } from '../storage/ingest-store.ts';
import type { Listing, PaperStore } from '../storage/paper-store.ts';
import {
  type ArxivApiClient,
  ArxivMalformedIdError,
  ArxivUnavailableError,
  MAX_IDS_PER_REQUEST,
} from './arxiv-api-client.ts';
import {
  type AnnounceType,
  ArxivFeedUnavailableError,
  type ArxivRssFetchOptions,
  arxivRssFeedUrl,
  fetchArxivRss,
} from './arxiv-rss.ts';
import { BATCH_SIZE_RECORDS } from './import-stream.ts';

/** What a daily run needs from the program. */
export interface DailyIngestDependencies {
  store: PaperStore;
  ingestStore: IngestStore;
  /** The process's arXiv API client (the caller owns and closes it). */
  arxiv: ArxivApiClient;
}

/** What to ingest, and how. */
export interface DailyIngestOptions {
  /** arXiv categories whose announcement to read (config.categories, or --categories). */
  categories: string[];
  /** Base of arXiv's feeds (config.arxivRssUrl). */
  feedBaseUrl: string;
  /** The instance's public address, for the User-Agent (config.baseUrl). */
  instanceBaseUrl: string;
  /** 'auto' lists new and cross-listed papers on the daily feed; 'submissions' only catalogues them. */
  listingMode: 'auto' | 'submissions';
  /** The instance's time zone, for the listing day. */
  timeZone: string;
  /** The run's clock (tests pin it). */
  now?: () => Date;
  /** Patience with the feed (timeouts, retries); the instance URL is taken from above. */
  feedFetch?: Omit<ArxivRssFetchOptions, 'instanceBaseUrl' | 'signal'>;
  /** Stops the run between steps (a worker shutting down): nothing more is written, the run is 'interrupted'. */
  signal?: AbortSignal;
  /** How many announced papers have been looked up so far, of how many. */
  onProgress?: (progress: { done: number; total: number }) => void;
}

/** What a run did. */
export interface DailyIngestResult {
  runId: number;
  status: Exclude<IngestRunStatus, 'running'>;
  counts: Required<Pick<IngestCounts, DailyCount>>;
  errors: string[];
  feedUrl: string;
  /** The announcement the feed carried (ISO instant, 20:00 New York time), when the feed dated it. */
  announcement: string | null;
  /** The feed day its papers are listed on (instance time zone), when the feed was read. */
  listedOn: string | null;
  /** Why the run failed or stopped, as one sentence; null when it ran to the end. */
  failure: string | null;
  listingMode: 'auto' | 'submissions';
}

type DailyCount =
  | 'announced'
  | 'fetched'
  | 'inserted'
  | 'updated'
  | 'unchanged'
  | 'listed'
  | 'missing'
  | 'skipped'
  | 'withdrawn'
  | 'requests';

/** Announce types that put a paper on the day's list (a replacement is news about an older paper). */
const LISTED_TYPES: ReadonlySet<AnnounceType> = new Set(['new', 'cross']);
/** When a paper appears several times (one item per category feed), the strongest appearance wins. */
const TYPE_STRENGTH: Readonly<Record<AnnounceType, number>> = { new: 4, cross: 3, replace: 2, 'replace-cross': 1 };
/**
 * How arXiv marks a withdrawal: the new version's comments or abstract say so ("This paper has been withdrawn by
 * the authors", "withdrawn by arXiv administrators").
 */
const WITHDRAWN_NOTICE = /\b(?:(?:has|have)\s+(?:now\s+)?been|was|is being|is)\s+withdrawn\b|\bwithdrawn by\b/i;

/** Whether arXiv now describes a paper as withdrawn (its record is kept, as arXiv keeps the page). */
export function looksWithdrawn(record: Pick<PaperRecord, 'comments' | 'abstract'>): boolean {
  return WITHDRAWN_NOTICE.test(record.comments ?? '') || WITHDRAWN_NOTICE.test(record.abstract);
}

/** Runs the daily ingest once and records it; never throws for arXiv's faults (they are the run's outcome). */
export async function runDailyIngest(
  dependencies: DailyIngestDependencies,
  options: DailyIngestOptions,
): Promise<DailyIngestResult> {
  const { store, ingestStore, arxiv } = dependencies;
  const now = options.now ?? (() => new Date());
  const feedUrl = arxivRssFeedUrl(options.feedBaseUrl, options.categories);
  const runId = await ingestStore.startRun('daily', {
    categories: options.categories,
    feedUrl,
    listingMode: options.listingMode,
  });
  const counts: DailyIngestResult['counts'] = {
    announced: 0,
    fetched: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    listed: 0,
    missing: 0,
    skipped: 0,
    withdrawn: 0,
    requests: 0,
  };
  const errors: string[] = [];
  const result: DailyIngestResult = {
    runId,
    status: 'ok',
    counts,
    errors,
    feedUrl,
    announcement: null,
    listedOn: null,
    failure: null,
    listingMode: options.listingMode,
  };
  const finish = async (status: DailyIngestResult['status'], failure: string | null = null) => {
    result.status = status;
    result.failure = failure;
    if (failure) errors.unshift(failure);
    await ingestStore.updateRun(runId, { status, counts, errors });
    return result;
  };
  const stopped = () => options.signal?.aborted ?? false;

  // 1. The announcement: which papers, and how each was announced.
  let announced: Map<string, AnnounceType>;
  try {
    const fetched = await fetchArxivRss(feedUrl, {
      ...options.feedFetch,
      instanceBaseUrl: options.instanceBaseUrl,
      signal: options.signal,
    });
    counts.requests += fetched.attempts;
    const { feed } = fetched;
    for (const rejected of feed.rejected) errors.push(`feed ${rejected.position}: ${rejected.reason}`);
    counts.skipped += feed.rejected.length;
    announced = strongestAppearances(feed.items);
    const announcement =
      feed.publishedAt !== null ? announcementOfFeedDate(new Date(feed.publishedAt)) : announcementAtOrBefore(now());
    result.announcement = feed.publishedAt !== null ? announcement.toISOString() : null;
    result.listedOn = dayInTimeZone(announcement, options.timeZone);
    counts.announced = announced.size;
    if (stopped()) return await finish('interrupted', 'stopped before anything was written');

    // 2. Full metadata for every announced paper, before anything is written.
    const ids = [...announced.keys()];
    const records = new Map<string, PaperRecord>();
    options.onProgress?.({ done: 0, total: ids.length });
    for (let start = 0; start < ids.length; start += MAX_IDS_PER_REQUEST) {
      if (stopped()) return await finish('interrupted', 'stopped before anything was written');
      const batch = ids.slice(start, start + MAX_IDS_PER_REQUEST);
      const lookup = await arxiv.lookUpIds(batch);
      counts.requests += 1;
      for (const [id, record] of lookup.records) records.set(id, record);
      for (const id of lookup.unknown) {
        errors.push(`${id}: announced (${announced.get(id)}) but arXiv's API did not return it`);
      }
      for (const rejected of lookup.rejected) {
        errors.push(`arXiv's API answer, ${rejected.position}: ${rejected.reason}`);
      }
      counts.missing += lookup.unknown.length;
      counts.skipped += lookup.rejected.length;
      options.onProgress?.({ done: Math.min(ids.length, start + batch.length), total: ids.length });
    }
    counts.fetched = records.size;
    counts.withdrawn = [...records.values()].filter(looksWithdrawn).length;

    // 3. Papers and their listings, in the import's batched transactions.
    const all = [...records.values()];
    for (let start = 0; start < all.length; start += BATCH_SIZE_RECORDS) {
      if (stopped()) return await finish('interrupted', `stopped after writing ${start} of ${all.length} papers`);
      const batch = all.slice(start, start + BATCH_SIZE_RECORDS);
      const listings: Listing[] =
        options.listingMode === 'auto'
          ? batch
              .filter((record) => LISTED_TYPES.has(announced.get(record.id)!))
              .map((record) => ({
                paperId: record.id,
                listedOn: result.listedOn!,
                submittedAt: announcement.toISOString(),
                source: 'ingest',
                submittedByUserId: null,
                comment: null,
              }))
          : [];
      const written = await store.upsertPapersAndListings(batch, listings);
      counts.inserted += written.counts.inserted;
      counts.updated += written.counts.updated;
      counts.unchanged += written.counts.unchanged;
      counts.listed += written.listed;
    }
  } catch (error) {
    return await finish('failed', failureSentence(error));
  }
  return await finish(counts.missing + counts.skipped > 0 ? 'partial' : 'ok');
}

/** Each announced paper once, with its strongest announce type, in feed order. */
function strongestAppearances(
  items: ReadonlyArray<{ id: string; announceType: AnnounceType }>,
): Map<string, AnnounceType> {
  const byId = new Map<string, AnnounceType>();
  for (const item of items) {
    const had = byId.get(item.id);
    if (had === undefined || TYPE_STRENGTH[item.announceType] > TYPE_STRENGTH[had])
      byId.set(item.id, item.announceType);
  }
  return byId;
}

function failureSentence(error: unknown): string {
  if (error instanceof ArxivFeedUnavailableError) return `${error.message}; nothing was written`;
  if (error instanceof ArxivUnavailableError) return `${error.message}; nothing was written`;
  if (error instanceof ArxivMalformedIdError) return `arXiv's API refused an id: ${error.message}; nothing was written`;
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return `the ingest failed: ${message}`;
}

/**
 * The run's summary line, e.g. `cs.LG+cs.CV, announcement of 2026-02-19: 6 announced, 6 fetched (4 new, 1 updated,
 * 1 unchanged), 4 listed on the daily feed, 0 missing`.
 */
export function formatDailySummary(result: DailyIngestResult, categories: readonly string[]): string {
  const { counts } = result;
  const day = result.listedOn ? `, announcement of ${result.listedOn}` : '';
  const parts = [
    `${counts.announced} announced`,
    `${counts.fetched} fetched (${counts.inserted} new, ${counts.updated} updated, ${counts.unchanged} unchanged)`,
  ];
  parts.push(
    result.listingMode === 'auto'
      ? `${counts.listed} listed on the daily feed`
      : 'none listed (PAPERBOY_LISTING=submissions: papers are listed when someone submits them)',
  );
  parts.push(`${counts.missing} missing`);
  if (counts.skipped > 0) parts.push(`${counts.skipped} unreadable`);
  if (counts.withdrawn > 0) parts.push(`${counts.withdrawn} withdrawn`);
  if (result.status === 'interrupted') parts.push('interrupted');
  return `${categories.join('+')}${day}: ${parts.join(', ')}`;
}
