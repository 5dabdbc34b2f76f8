/**
 * The one way Paperboy talks to arXiv's API (`PAPERBOY_ARXIV_API_URL`, https://export.arxiv.org/api/query): looking
 * papers up by id, for submissions now and for the daily ingest later. It keeps arXiv's etiquette
 * (https://info.arxiv.org/help/api/tou.html), whoever calls it and however often:
 *
 * - one connection: a keep-alive agent with a single socket;
 * - one request at a time, and at least MIN_REQUEST_SPACING_MS between them, measured from the END of the previous
 *   request (its answer fully read, or its failure) to the start of the next, so a slow answer never shortens the gap;
 * - retries with exponential backoff on 429, 5xx, timeouts, dropped connections and broken answers (an HTML page
 *   instead of Atom, truncated XML), honouring `Retry-After` (seconds or an HTTP date) when arXiv sends one; while a
 *   request waits to retry, the whole client waits (arXiv asked everyone to slow down, not just this request);
 * - a timeout per request, and a User-Agent naming the instance: `Paperboy/0.1 (+https://papers.example.org)`;
 * - `id_list` in batches of at most MAX_IDS_PER_REQUEST ids, with `max_results` to match (arXiv's default is 10).
 *
 * Answers are parsed by the same Atom parser as `paperboy import` (arxiv-atom.ts). Three outcomes are told apart:
 * an id arXiv does not know (it answers 200 and leaves the id out: `unknown` in the result), a malformed id (arXiv's
 * HTTP 400 error feed: ArxivMalformedIdError), and arXiv being unavailable after the retries (ArxivUnavailableError).
 */
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { parseArxivId } from '../domain/arxiv-id.ts';
import type { PaperRecord } from '../domain/paper.ts';
import { parseArxivAtom } from './arxiv-atom.ts';
import { ImportSourceError, type ParseEvent } from './events.ts';
import { firstHeader, getWhole, looksLikeHtml, type WholeAnswer } from './polite-http.ts';

/** arXiv asks for no more than one request every three seconds. */
export const MIN_REQUEST_SPACING_MS = 3_000;
/** Ids per `id_list` request: arXiv serves up to this many comfortably in one answer. */
export const MAX_IDS_PER_REQUEST = 100;
/** What the User-Agent starts with; the instance's base URL follows in parentheses. */
export const USER_AGENT_PRODUCT = 'Paperboy/0.1';
/** How long one request may take, connection to last byte, by default. */
const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
/** Tries per request (the first and the retries), by default. */
const DEFAULT_MAX_ATTEMPTS = 3;
/** The first retry waits this long, each next one twice as long (unless Retry-After asks for longer). */
const DEFAULT_BACKOFF_BASE_MS = 3_000;
/** A Retry-After longer than this is not waited for: the caller hears "unavailable" with the delay. */
const DEFAULT_MAX_RETRY_WAIT_MS = 120_000;
/** Answers larger than this are not arXiv's (100 entries are about 250 KB). */
const MAX_ANSWER_BYTES = 16 * 1_048_576;
const MS_PER_SECOND = 1_000;
/** Statuses that mean "try again later". */
const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);

/** What a look-up found. */
export interface ArxivLookup {
  /** The papers arXiv returned, by canonical id (no version). */
  records: Map<string, PaperRecord>;
  /** Requested ids arXiv left out of its answer: it does not know them. */
  unknown: string[];
  /** Entries in arXiv's answer that could not be read, with where and why. */
  rejected: { position: string; reason: string }[];
}

/** Looks papers up on arXiv; the web app and the ingest share one per process. */
export interface ArxivApiClient {
  /** Metadata for these ids (canonical or versioned; duplicates are asked once), in batches of at most 100. */
  lookUpIds(ids: readonly string[]): Promise<ArxivLookup>;
  /** Closes the connection. */
  close(): Promise<void>;
}

/** arXiv refused an id as malformed (its HTTP 400 error feed), e.g. "incorrect id format for abc". */
export class ArxivMalformedIdError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArxivMalformedIdError';
  }
}

/** arXiv could not be reached or answered nonsense, after the retries. */
export class ArxivUnavailableError extends Error {
  constructor(
    message: string,
    /** arXiv's own Retry-After, in seconds, when it gave one. */
    readonly retryAfterSeconds: number | null,
    readonly attempts: number,
  ) {
    super(message);
    this.name = 'ArxivUnavailableError';
  }
}

export interface ArxivApiClientOptions {
  /** The query endpoint, e.g. https://export.arxiv.org/api/query. */
  endpoint: string;
  /** The instance's public address, named in the User-Agent. */
  baseUrl: string;
  /** Least time between the end of one request and the start of the next, in ms (tests shorten it). */
  minRequestSpacingMs?: number;
  requestTimeoutMs?: number;
  maxAttempts?: number;
  backoffBaseMs?: number;
  maxRetryWaitMs?: number;
  /** A monotonic clock in ms (performance.now by default). */
  now?: () => number;
  /** Waiting (setTimeout by default); tests may record the waits. */
  sleep?: (ms: number) => Promise<void>;
}

/** The client for an endpoint and instance (see the module comment for its behaviour). */
export function createArxivApiClient(options: ArxivApiClientOptions): ArxivApiClient {
  return new HttpArxivApiClient(options);
}

/** The User-Agent arXiv sees: who we are and where to find the instance. */
export function arxivUserAgent(baseUrl: string): string {
  return `${USER_AGENT_PRODUCT} (+${baseUrl})`;
}

/**
 * A Retry-After header in milliseconds from `nowMs` (wall clock): delta-seconds (`120`) or an HTTP date
 * (`Wed, 21 Oct 2026 07:28:00 GMT`); null when absent or unreadable; never negative.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number = Date.now()): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * MS_PER_SECOND;
  if (!/[a-z]/i.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}

/** How long to wait before try number `attempt` (2, 3, ...): doubling from the base, or Retry-After when longer. */
export function retryDelayMs(attempt: number, backoffBaseMs: number, retryAfterMs: number | null): number {
  const backoff = backoffBaseMs * 2 ** Math.max(0, attempt - 2);
  return Math.max(backoff, retryAfterMs ?? 0);
}

/** One try's outcome, before deciding whether to retry. */
type Attempt =
  | { kind: 'events'; events: ParseEvent[] }
  | { kind: 'malformed'; message: string }
  | { kind: 'transient'; reason: string; retryAfterMs: number | null }
  | { kind: 'fatal'; reason: string };

class HttpArxivApiClient implements ArxivApiClient {
  private readonly endpoint: URL;
  private readonly agent: http.Agent;
  private readonly userAgent: string;
  private readonly spacingMs: number;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly maxRetryWaitMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** The tail of the queue of requests: each starts when the one before has finished. */
  private queue: Promise<unknown> = Promise.resolve();
  /** When the previous request ended (monotonic ms), or null before the first. */
  private lastEndedAt: number | null = null;

  constructor(options: ArxivApiClientOptions) {
    this.endpoint = new URL(options.endpoint);
    const Agent = this.endpoint.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
    this.userAgent = arxivUserAgent(options.baseUrl);
    this.spacingMs = options.minRequestSpacingMs ?? MIN_REQUEST_SPACING_MS;
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    this.backoffBaseMs = options.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS;
    this.maxRetryWaitMs = options.maxRetryWaitMs ?? DEFAULT_MAX_RETRY_WAIT_MS;
    this.now = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async lookUpIds(ids: readonly string[]): Promise<ArxivLookup> {
    const wanted: string[] = [];
    for (const raw of ids) {
      const parsed = parseArxivId(raw);
      if (!parsed.ok) throw new ArxivMalformedIdError(parsed.reason);
      if (!wanted.includes(parsed.value.id)) wanted.push(parsed.value.id);
    }
    const result: ArxivLookup = { records: new Map(), unknown: [], rejected: [] };
    for (let start = 0; start < wanted.length; start += MAX_IDS_PER_REQUEST) {
      const batch = wanted.slice(start, start + MAX_IDS_PER_REQUEST);
      const query = new URLSearchParams({ id_list: batch.join(','), start: '0', max_results: String(batch.length) });
      for (const event of await this.query(query)) {
        if (event.kind === 'record') result.records.set(event.record.id, event.record);
        else if (event.kind === 'rejected') result.rejected.push({ position: event.position, reason: event.reason });
      }
      result.unknown.push(...batch.filter((id) => !result.records.has(id)));
    }
    return result;
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }

  /** One API query, queued behind the others, tried until it succeeds, fails for good, or runs out of tries. */
  private query(params: URLSearchParams): Promise<ParseEvent[]> {
    const run = this.queue.then(() => this.withRetries(params));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async withRetries(params: URLSearchParams): Promise<ParseEvent[]> {
    const url = new URL(this.endpoint);
    for (const [name, value] of params) url.searchParams.set(name, value);
    let retryWait = 0;
    let lastRetryAfterMs: number | null = null;
    for (let attempt = 1; ; attempt += 1) {
      await this.waitForTurn(retryWait);
      let outcome: Attempt;
      try {
        outcome = await this.tryOnce(url);
      } finally {
        this.lastEndedAt = this.now();
      }
      if (outcome.kind === 'events') return outcome.events;
      if (outcome.kind === 'malformed') throw new ArxivMalformedIdError(outcome.message);
      const retryAfterSeconds = (ms: number | null) => (ms === null ? null : Math.ceil(ms / MS_PER_SECOND));
      if (outcome.kind === 'fatal') {
        throw new ArxivUnavailableError(`arXiv's API failed: ${outcome.reason}`, null, attempt);
      }
      lastRetryAfterMs = outcome.retryAfterMs;
      if (attempt >= this.maxAttempts || (outcome.retryAfterMs ?? 0) > this.maxRetryWaitMs) {
        throw new ArxivUnavailableError(
          `arXiv's API is unavailable after ${attempt} ${attempt === 1 ? 'try' : 'tries'}: ${outcome.reason}`,
          retryAfterSeconds(lastRetryAfterMs),
          attempt,
        );
      }
      retryWait = retryDelayMs(attempt + 1, this.backoffBaseMs, outcome.retryAfterMs);
    }
  }

  /** Waits until the spacing since the previous request, and any retry delay, have both passed. */
  private async waitForTurn(retryWaitMs: number): Promise<void> {
    const sinceLast = this.lastEndedAt === null ? Number.POSITIVE_INFINITY : this.now() - this.lastEndedAt;
    const spacingLeft = Math.max(0, this.spacingMs - sinceLast);
    const wait = Math.max(spacingLeft, retryWaitMs);
    if (wait > 0) await this.sleep(wait);
  }

  private async tryOnce(url: URL): Promise<Attempt> {
    let answer: WholeAnswer;
    try {
      answer = await this.send(url);
    } catch (error) {
      return { kind: 'transient', reason: (error as Error).message, retryAfterMs: null };
    }
    const { status, headers, body } = answer;
    if (RETRYABLE_STATUSES.has(status)) {
      return {
        kind: 'transient',
        reason: `it answered HTTP ${status}`,
        retryAfterMs: parseRetryAfter(firstHeader(headers['retry-after'])),
      };
    }
    if (status !== 200 && status !== 400) return { kind: 'fatal', reason: `it answered HTTP ${status}` };
    if (looksLikeHtml(headers, body)) {
      return { kind: 'transient', reason: 'it answered with an HTML page instead of an Atom feed', retryAfterMs: null };
    }
    let events: ParseEvent[];
    try {
      events = await collect(parseArxivAtom(oneChunk(body)));
    } catch (error) {
      if (error instanceof ImportSourceError && error.message.startsWith('arXiv API error')) {
        const message = error.message.replace(/^arXiv API error:\s*/, '');
        return status === 400 || /incorrect id|malformed/i.test(message)
          ? { kind: 'malformed', message }
          : { kind: 'fatal', reason: error.message };
      }
      return {
        kind: 'transient',
        reason: `its answer could not be read (${(error as Error).message})`,
        retryAfterMs: null,
      };
    }
    const stopped = events.find((e) => e.kind === 'stopped');
    if (stopped)
      return { kind: 'transient', reason: `its answer was cut short (${stopped.reason})`, retryAfterMs: null };
    if (status === 400) return { kind: 'fatal', reason: 'it answered HTTP 400 without saying why' };
    return { kind: 'events', events };
  }

  /** One GET on the shared connection; the whole answer is read (up to MAX_ANSWER_BYTES) within the timeout. */
  private send(url: URL): Promise<WholeAnswer> {
    return getWhole(url, {
      agent: this.agent,
      userAgent: this.userAgent,
      accept: 'application/atom+xml',
      timeoutMs: this.timeoutMs,
      maxBytes: MAX_ANSWER_BYTES,
    });
  }
}

async function* oneChunk(body: Buffer): AsyncGenerator<Uint8Array> {
  yield body;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
