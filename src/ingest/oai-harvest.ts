/**
 * Backfill from arXiv's OAI-PMH endpoint (`PAPERBOY_ARXIV_OAI_URL`, https://oaipmh.arxiv.org/oai): every record in
 * `arXivRaw` (the format with every version and its date) whose datestamp lies between two days, optionally in one
 * set (`cs`, `math`, `physics:hep-th`), page after page by resumption token. A harvest of a year is thousands of pages
 * over hours, so it must survive being stopped:
 *
 * - each page is fetched whole, checked (XML complete, no OAI error), then written by the import pipeline
 *   (import-stream.ts: batches of BATCH_SIZE_RECORDS, one transaction each, records merged with what is stored);
 * - after a page is committed, the token of the next page is saved (IngestStore state, keyed by from/until/set), so a
 *   harvest killed at any point starts again, with the same arguments, at the page where it stopped; the key is
 *   deleted when the list is complete; a page written twice (killed between its commit and the save) is harmless,
 *   because writing a record again changes nothing;
 * - arXiv paces harvesters with 503 and `Retry-After`: the wait is honoured, and 429, other 5xx, timeouts, dropped
 *   connections, HTML error pages and truncated XML are retried with doubling backoff, with the same etiquette as the
 *   API client (arxiv-api-client.ts: its User-Agent, its Retry-After parsing, one connection, spacing between
 *   requests measured from the end of the previous one);
 * - OAI errors: `noRecordsMatch` is an empty harvest, not a failure; `badResumptionToken` (a saved token expires
 *   after a while), `badArgument` and the others end the run with the server's own words.
 *
 * Every run is recorded (source 'oai') with its parameters, counts, errors and outcome.
 */
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { IngestCounts, IngestStore } from '../storage/ingest-store.ts';
import type { PaperStore } from '../storage/paper-store.ts';
import { arxivUserAgent, MIN_REQUEST_SPACING_MS, parseRetryAfter, retryDelayMs } from './arxiv-api-client.ts';
import type { ParseEvent } from './events.ts';
import { type ImportMessage, importStream } from './import-stream.ts';
import { bytesInput } from './input.ts';
import { OaiPmhError, parseOaiPmh } from './oai-pmh.ts';
import { getWhole, looksLikeHtml, type WholeAnswer } from './polite-http.ts';

/** The metadata format harvested: the only one with every version's date. */
export const OAI_METADATA_PREFIX = 'arXivRaw';
/** How long one page may take, connection to last byte (a page of 1000 records is about 2 MB). */
const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;
/** Tries per page; arXiv's 503 + Retry-After pacing uses some of them, so there are more than for the API. */
const DEFAULT_MAX_ATTEMPTS = 8;
/** The first retry without a Retry-After waits this long, each next one twice as long. */
const DEFAULT_BACKOFF_BASE_MS = 5_000;
/** A Retry-After longer than this is not waited out: the run stops, and resumes when run again. */
const DEFAULT_MAX_RETRY_WAIT_MS = 600_000;
/** Pages larger than this are not arXiv's. */
const MAX_PAGE_BYTES = 64 * 1_048_576;
/** Statuses that mean "try again later". */
const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** arXiv's set names: an archive (`cs`), or a group and archive (`physics:hep-th`). */
const SET_SPEC = /^[a-z][a-z-]*(?::[a-z][a-z.-]*)*$/i;

/** What to harvest. */
export interface OaiHarvestRange {
  /** First datestamp, YYYY-MM-DD (inclusive). */
  from: string;
  /** Last datestamp, YYYY-MM-DD (inclusive). */
  until: string;
  /** An OAI set (`cs`), or null for all of arXiv. */
  set: string | null;
}

/** How to harvest: the range, arXiv's endpoint, and knobs tests turn (defaults are arXiv's etiquette). */
export interface OaiHarvestOptions extends OaiHarvestRange {
  /** The OAI-PMH endpoint itself (config.arxivOaiUrl). */
  endpoint: string;
  /** The instance's public address, named in the User-Agent. */
  baseUrl: string;
  timeZone: string;
  /** Ignore a saved resumption token and start from the first page. */
  restart?: boolean;
  minRequestSpacingMs?: number;
  requestTimeoutMs?: number;
  maxAttempts?: number;
  backoffBaseMs?: number;
  maxRetryWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** A saved token was found: the harvest continues at `page`. */
  onResume?: (resume: OaiResume) => void;
  /** A page was committed. */
  onPage?: (progress: OaiHarvestProgress) => void;
  /** A request failed and will be tried again after `waitMs`. */
  onRetry?: (retry: { page: number; attempt: number; reason: string; waitMs: number }) => void;
  /** Each skipped or deleted record, as it happens (positions are within the page). */
  onMessage?: (page: number, message: ImportMessage) => void;
}

/** Where an interrupted harvest picks up. */
export interface OaiResume {
  page: number;
  token: string;
  /** Records the earlier runs harvested (by arXiv's cursor), when known. */
  cursor: number | null;
  completeListSize: number | null;
  savedAt: string;
}

/** After each page: how far the list is done. */
export interface OaiHarvestProgress {
  page: number;
  /** Records (and deletions) read by this run. */
  records: number;
  /** Records of the whole list done so far (arXiv's cursor plus this page), when arXiv says. */
  listDone: number | null;
  completeListSize: number | null;
}

/** Counts of one run; `deleted` (records arXiv removed) is ours, next to the shared IngestCounts. */
export type OaiHarvestCounts = Required<
  Pick<IngestCounts, 'pages' | 'requests' | 'fetched' | 'inserted' | 'updated' | 'unchanged' | 'skipped'>
> & { deleted: number };

/** What one run did. */
export interface OaiHarvestResult {
  runId: number;
  counts: OaiHarvestCounts;
  /** Set when this run continued a saved harvest. */
  resumed: OaiResume | null;
  /** arXiv said nothing matches the range (noRecordsMatch). */
  noRecordsMatch: boolean;
  completeListSize: number | null;
  /** 'partial' when some records were skipped. */
  status: 'ok' | 'partial';
  elapsedMs: number;
}

/** The harvest could not go on; the run is recorded as failed and a saved token stays for the next run. */
export class OaiHarvestError extends Error {
  constructor(
    message: string,
    /** The OAI error code when arXiv answered one (badResumptionToken, badArgument, ...). */
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = 'OaiHarvestError';
  }
}

/** What is saved after each committed page. */
interface SavedHarvest {
  token: string;
  /** The page the token fetches (the first is 1). */
  page: number;
  cursor: number | null;
  completeListSize: number | null;
  runId: number;
  savedAt: string;
}

/** The state key of a harvest: one saved position per range and set. */
export function oaiStateKey(range: OaiHarvestRange): string {
  return `oai:${OAI_METADATA_PREFIX}:${range.from}:${range.until}:${range.set ?? '*'}`;
}

/** Why a range cannot be harvested (not real days, from after until, a malformed set), or null when it can. */
export function checkHarvestRange(range: OaiHarvestRange): string | null {
  for (const [name, value] of [
    ['--from', range.from],
    ['--until', range.until],
  ] as const) {
    if (!isRealDay(value)) return `${name} must be a date as YYYY-MM-DD, not '${value}'`;
  }
  if (range.from > range.until) return `--from ${range.from} is after --until ${range.until}`;
  if (range.set !== null && !SET_SPEC.test(range.set)) {
    return `--set must be an arXiv set such as cs, math or physics:hep-th, not '${range.set}'`;
  }
  return null;
}

function isRealDay(text: string): boolean {
  const match = DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Harvests the range into the store, resuming a saved harvest unless `restart`; see the module comment. */
export async function harvestOai(
  stores: { papers: PaperStore; ingest: IngestStore },
  options: OaiHarvestOptions,
): Promise<OaiHarvestResult> {
  const startedAt = performance.now();
  const problem = checkHarvestRange(options);
  if (problem) throw new OaiHarvestError(problem);
  const key = oaiStateKey(options);
  if (options.restart) await stores.ingest.deleteState(key);
  const saved = await stores.ingest.getState<SavedHarvest>(key);
  const resumed: OaiResume | null = saved
    ? {
        page: saved.page,
        token: saved.token,
        cursor: saved.cursor,
        completeListSize: saved.completeListSize,
        savedAt: saved.savedAt,
      }
    : null;
  if (saved) await markInterrupted(stores.ingest, saved.runId);

  const runId = await stores.ingest.startRun('oai', {
    from: options.from,
    until: options.until,
    set: options.set,
    endpoint: options.endpoint,
    ...(resumed ? { resumedAtPage: resumed.page, resumptionToken: resumed.token } : {}),
  });
  const counts: OaiHarvestCounts = {
    pages: 0,
    requests: 0,
    fetched: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    skipped: 0,
    deleted: 0,
  };
  const errors: string[] = [];
  if (resumed) options.onResume?.(resumed);
  const client = new OaiClient(options, () => {
    counts.requests += 1;
  });
  let token = resumed?.token ?? null;
  let page = resumed?.page ?? 1;
  let completeListSize = resumed?.completeListSize ?? null;
  let noRecordsMatch = false;
  try {
    for (;;) {
      const url = pageUrl(options, token);
      const { events, body } = await client.fetchPage(url, page);
      const next = resumptionOf(events);
      noRecordsMatch = events.some((e) => e.kind === 'note' && e.note.kind === 'oai-no-records');
      const summary = await importStream(stores.papers, bytesInput(`page ${page}`, body), {
        format: 'oai-pmh',
        timeZone: options.timeZone,
        onMessage: (message) => {
          if (message.kind === 'skipped' && errors.length < 50) {
            errors.push(`page ${page}: ${message.position}: ${message.text}`);
          }
          options.onMessage?.(page, message);
        },
      });
      counts.pages += 1;
      counts.fetched += summary.imported + summary.skipped + summary.deleted;
      counts.inserted += summary.inserted;
      counts.updated += summary.updated;
      counts.unchanged += summary.unchanged;
      counts.skipped += summary.skipped;
      counts.deleted += summary.deleted;
      if (next?.completeListSize != null) completeListSize = next.completeListSize;
      options.onPage?.({
        page,
        records: counts.fetched,
        listDone: next?.cursor != null ? next.cursor + summary.imported + summary.skipped + summary.deleted : null,
        completeListSize,
      });
      if (!next || next.token === '') {
        await stores.ingest.deleteState(key);
        break;
      }
      token = next.token;
      page += 1;
      const state: SavedHarvest = {
        token,
        page,
        cursor: next.cursor === null ? null : next.cursor + summary.imported + summary.skipped + summary.deleted,
        completeListSize,
        runId,
        savedAt: new Date().toISOString(),
      };
      await stores.ingest.setState(key, state);
      await stores.ingest.updateRun(runId, { status: 'running', counts, errors });
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await stores.ingest.updateRun(runId, { status: 'failed', counts, errors: [message, ...errors] });
    throw error;
  } finally {
    client.close();
  }
  const status = counts.skipped > 0 ? 'partial' : 'ok';
  await stores.ingest.updateRun(runId, { status, counts, errors });
  return {
    runId,
    counts,
    resumed,
    noRecordsMatch,
    completeListSize,
    status,
    elapsedMs: performance.now() - startedAt,
  };
}

/** A run that was cut off (killed, crashed) still says 'running': say what became of it. */
async function markInterrupted(ingest: IngestStore, runId: number): Promise<void> {
  const runs = await ingest.listRuns({ limit: 20, source: 'oai' });
  const run = runs.find((r) => r.id === runId);
  if (run?.status === 'running') await ingest.updateRun(runId, { status: 'interrupted', counts: run.counts });
}

/** The first page asks for the range; every later one sends only the token, as OAI-PMH requires. */
function pageUrl(options: OaiHarvestOptions, token: string | null): URL {
  const url = new URL(options.endpoint);
  url.searchParams.set('verb', 'ListRecords');
  if (token !== null) {
    url.searchParams.set('resumptionToken', token);
    return url;
  }
  url.searchParams.set('metadataPrefix', OAI_METADATA_PREFIX);
  url.searchParams.set('from', options.from);
  url.searchParams.set('until', options.until);
  if (options.set !== null) url.searchParams.set('set', options.set);
  return url;
}

function resumptionOf(events: ParseEvent[]) {
  for (const event of events) {
    if (event.kind === 'note' && event.note.kind === 'oai-resumption') return event.note;
  }
  return null;
}

/** A page that arrived whole: its bytes (for the import pipeline) and what they parse to. */
interface FetchedPage {
  body: Buffer;
  events: ParseEvent[];
}

/** One try's outcome. */
type Attempt =
  | { kind: 'page'; page: FetchedPage }
  | { kind: 'transient'; reason: string; retryAfterMs: number | null }
  | { kind: 'fatal'; error: OaiHarvestError };

/**
 * The HTTP side: one keep-alive connection, one request at a time, spacing from the end of the previous request,
 * retries with backoff honouring Retry-After. A page counts as fetched only when it parses to the end.
 */
class OaiClient {
  private readonly agent: http.Agent;
  private readonly userAgent: string;
  private readonly spacingMs: number;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly maxRetryWaitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private lastEndedAt: number | null = null;

  constructor(
    private readonly options: OaiHarvestOptions,
    private readonly onRequest: () => void,
  ) {
    const Agent = new URL(options.endpoint).protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
    this.userAgent = arxivUserAgent(options.baseUrl);
    this.spacingMs = options.minRequestSpacingMs ?? MIN_REQUEST_SPACING_MS;
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    this.backoffBaseMs = options.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS;
    this.maxRetryWaitMs = options.maxRetryWaitMs ?? DEFAULT_MAX_RETRY_WAIT_MS;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** The page, once it arrived whole; throws OaiHarvestError when it cannot be had. */
  async fetchPage(url: URL, page: number): Promise<FetchedPage> {
    let retryWait = 0;
    for (let attempt = 1; ; attempt += 1) {
      const sinceLast = this.lastEndedAt === null ? Number.POSITIVE_INFINITY : performance.now() - this.lastEndedAt;
      const wait = Math.max(this.spacingMs - sinceLast, retryWait);
      if (wait > 0) await this.sleep(wait);
      let outcome: Attempt;
      try {
        this.onRequest();
        outcome = await this.tryOnce(url);
      } finally {
        this.lastEndedAt = performance.now();
      }
      if (outcome.kind === 'page') return outcome.page;
      if (outcome.kind === 'fatal') throw outcome.error;
      const tooLong = (outcome.retryAfterMs ?? 0) > this.maxRetryWaitMs;
      if (attempt >= this.maxAttempts || tooLong) {
        const after =
          outcome.retryAfterMs !== null ? ` (it asked to wait ${Math.ceil(outcome.retryAfterMs / 1000)} s)` : '';
        throw new OaiHarvestError(
          `arXiv's OAI-PMH server is unavailable after ${attempt} ${attempt === 1 ? 'try' : 'tries'} at page ` +
            `${page}: ${outcome.reason}${after}; run the same command again to resume at this page`,
        );
      }
      retryWait = retryDelayMs(attempt + 1, this.backoffBaseMs, outcome.retryAfterMs);
      this.options.onRetry?.({ page, attempt, reason: outcome.reason, waitMs: retryWait });
    }
  }

  close(): void {
    this.agent.destroy();
  }

  private async tryOnce(url: URL): Promise<Attempt> {
    let answer: { status: number; headers: http.IncomingHttpHeaders; body: Buffer };
    try {
      answer = await this.send(url);
    } catch (error) {
      return { kind: 'transient', reason: (error as Error).message, retryAfterMs: null };
    }
    const { status, headers, body } = answer;
    if (RETRYABLE_STATUSES.has(status)) {
      const retryAfter = headers['retry-after'];
      return {
        kind: 'transient',
        reason: `it answered HTTP ${status}`,
        retryAfterMs: parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter),
      };
    }
    if (status !== 200) {
      return { kind: 'fatal', error: new OaiHarvestError(`arXiv's OAI-PMH server answered HTTP ${status}`) };
    }
    if (looksLikeHtml(headers, body)) {
      return { kind: 'transient', reason: 'it answered with an HTML page instead of OAI-PMH XML', retryAfterMs: null };
    }
    const events: ParseEvent[] = [];
    try {
      for await (const event of parseOaiPmh(oneChunk(body))) events.push(event);
    } catch (error) {
      const code = error instanceof OaiPmhError ? error.code : null;
      const hint =
        code === 'badResumptionToken' ? '; the saved position may have expired: run again with --restart' : '';
      return {
        kind: 'fatal',
        error: new OaiHarvestError(
          `arXiv's OAI-PMH server refused the request: ${(error as Error).message}${hint}`,
          code,
        ),
      };
    }
    const stopped = events.find((e) => e.kind === 'stopped');
    if (stopped?.kind === 'stopped') {
      return { kind: 'transient', reason: `the page was cut short (${stopped.reason})`, retryAfterMs: null };
    }
    return { kind: 'page', page: { body, events } };
  }

  /** One GET on the shared connection; the whole answer is read (up to MAX_PAGE_BYTES) within the timeout. */
  private send(url: URL): Promise<WholeAnswer> {
    return getWhole(url, {
      agent: this.agent,
      userAgent: this.userAgent,
      accept: 'text/xml',
      timeoutMs: this.timeoutMs,
      maxBytes: MAX_PAGE_BYTES,
    });
  }
}

async function* oneChunk(body: Buffer): AsyncGenerator<Uint8Array> {
  yield body;
}
