/**
 * arXiv's announcement feed (https://rss.arxiv.org/rss/<categories joined by +>; the format is documented at
 * https://info.arxiv.org/help/rss_specifications.html): RSS 2.0 with one `<item>` per announced paper. What the daily
 * ingest needs from it is the list of ids and how each was announced (`arxiv:announce_type`: new, cross, replace,
 * replace-cross); the full metadata comes from the API afterwards, because the feed lacks versions' dates, comments
 * and journal references. The channel's pubDate dates the announcement; on weekends and holidays the channel has no
 * items.
 *
 * Reading it keeps the same etiquette as the API client (arxiv-api-client.ts): a User-Agent naming the instance, a
 * timeout, and retries with exponential backoff on 429/5xx, timeouts, dropped connections, HTML pages and truncated
 * XML, honouring Retry-After. A feed that cannot be read whole is an error: the ingest never works from half a list.
 */
import { parseArxivId } from '../domain/arxiv-id.ts';
import { splitAuthorList } from '../domain/authors.ts';
import { cleanTitle, collapseWhitespace } from '../domain/text.ts';
import { arxivUserAgent, parseRetryAfter, retryDelayMs } from './arxiv-api-client.ts';
import { ImportSourceError } from './events.ts';
import { streamXmlRecords, type XmlElement } from './xml-records.ts';

/** How a paper appears in an announcement. */
export type AnnounceType = 'new' | 'cross' | 'replace' | 'replace-cross';
const ANNOUNCE_TYPES: ReadonlySet<string> = new Set(['new', 'cross', 'replace', 'replace-cross']);

/** One announced paper, as the feed describes it. */
export interface ArxivRssItem {
  /** Canonical arXiv id, without version. */
  id: string;
  /** The announced version (1 for a new paper), when the feed names it. */
  version: number | null;
  announceType: AnnounceType;
  title: string;
  authors: string[];
  categories: string[];
  /** Where the item is in the feed: `item 3 (line 40)`. */
  position: string;
}

/** A whole feed. */
export interface ArxivRssFeed {
  title: string | null;
  description: string | null;
  /** The channel's pubDate as an ISO instant: the date of the announcement it carries (null when absent). */
  publishedAt: string | null;
  items: ArxivRssItem[];
  /** Items that could not be read (no usable id, an unknown announce type), with where and why. */
  rejected: { position: string; reason: string }[];
}

/** The feed could not be read; `transient` when trying again later may help (a cut-off answer, an HTML page). */
export class ArxivFeedError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'ArxivFeedError';
  }
}

/** The feed could not be fetched and read after the retries. */
export class ArxivFeedUnavailableError extends Error {
  constructor(
    message: string,
    readonly attempts: number,
  ) {
    super(message);
    this.name = 'ArxivFeedUnavailableError';
  }
}

const GUID_PREFIX = /^oai:arXiv\.org:/i;
const ABS_LINK = /^https?:\/\/(?:export\.)?arxiv\.org\/abs\/(.+)$/;
const DESCRIPTION_HEADER = /^\s*arXiv:(\S+)\s+Announce Type:\s*([a-z-]+)/i;

/** The feed's address for these categories: `${base}/rss/cs.LG+cs.CV`. */
export function arxivRssFeedUrl(feedBaseUrl: string, categories: readonly string[]): string {
  return `${feedBaseUrl.replace(/\/+$/, '')}/rss/${categories.join('+')}`;
}

/**
 * Reads a whole feed. Throws ArxivFeedError when the document is not an RSS feed (an HTML page: transient) or
 * ends early or breaks (transient); single unreadable items are reported in `rejected` and the rest is kept.
 */
export async function parseArxivRss(chunks: AsyncIterable<Uint8Array>): Promise<ArxivRssFeed> {
  const feed: ArxivRssFeed = { title: null, description: null, publishedAt: null, items: [], rejected: [] };
  const events = streamXmlRecords(chunks, {
    recordName: 'item',
    otherNames: new Set(['title', 'description', 'pubDate']),
  });
  try {
    for await (const event of events) {
      switch (event.kind) {
        case 'root':
          if (event.element.name.toLowerCase() === 'html') {
            throw new ArxivFeedError('it answered with an HTML page instead of the RSS feed', true);
          }
          if (event.element.name !== 'rss') {
            throw new ArxivFeedError(`expected an RSS feed, found <${event.element.qualifiedName}>`, false);
          }
          break;
        case 'element':
          readChannelElement(feed, event.element);
          break;
        case 'record': {
          const position = `item ${event.index} (line ${event.line})`;
          const item = readItem(event.element, position);
          if ('reason' in item) feed.rejected.push(item);
          else feed.items.push(item);
          break;
        }
        case 'stopped':
          throw new ArxivFeedError(`the feed was cut short (line ${event.line}: ${event.reason})`, true);
        case 'invalid-utf8-outside':
          break;
      }
    }
  } catch (error) {
    if (error instanceof ImportSourceError) throw new ArxivFeedError(error.message, false);
    throw error;
  }
  return feed;
}

function readChannelElement(feed: ArxivRssFeed, element: XmlElement): void {
  const value = collapseWhitespace(element.text);
  if (element.name === 'title' && feed.title === null) feed.title = value;
  else if (element.name === 'description' && feed.description === null) feed.description = value;
  else if (element.name === 'pubDate' && feed.publishedAt === null) {
    const date = new Date(value);
    feed.publishedAt = Number.isNaN(date.getTime()) ? null : date.toISOString();
  }
}

function readItem(item: XmlElement, position: string): ArxivRssItem | { position: string; reason: string } {
  const text = (name: string) => item.children.find((c) => c.name === name)?.text.trim() ?? '';
  const header = DESCRIPTION_HEADER.exec(text('description'));
  // The guid is the id with its version; the link and the description's header say it too.
  const candidates = [
    text('guid').replace(GUID_PREFIX, ''),
    header?.[1] ?? '',
    ABS_LINK.exec(text('link'))?.[1] ?? '',
  ].filter((c) => c !== '');
  if (candidates.length === 0) return { position, reason: 'no arXiv id (no guid, link or description header)' };
  const id = parseArxivId(candidates[0]!);
  if (!id.ok) return { position, reason: `invalid arXiv id: ${id.reason}` };
  const type = (text('announce_type') || header?.[2] || '').toLowerCase();
  if (!ANNOUNCE_TYPES.has(type)) {
    return { position, reason: `${id.value.id}: unknown announce type '${type || '(none)'}'` };
  }
  return {
    id: id.value.id,
    version: id.value.version,
    announceType: type as AnnounceType,
    title: cleanTitle(text('title')),
    authors: splitAuthorList(text('creator')),
    categories: item.children.filter((c) => c.name === 'category').map((c) => c.text.trim()),
    position,
  };
}

/** How patiently to fetch a feed. */
export interface ArxivRssFetchOptions {
  /** The instance's public address, named in the User-Agent. */
  instanceBaseUrl: string;
  requestTimeoutMs?: number;
  maxAttempts?: number;
  backoffBaseMs?: number;
  /** A Retry-After longer than this is not waited for: the fetch fails saying so. */
  maxRetryWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Stops waiting between tries (a worker shutting down). */
  signal?: AbortSignal;
}

/** What one fetch found, with how many requests it took. */
export interface ArxivRssFetch {
  feed: ArxivRssFeed;
  attempts: number;
}

/** A feed is small (2,000 items at most, about 4 MB): a slow one gets this long, connection to last byte. */
const DEFAULT_FEED_TIMEOUT_MS = 30_000;
const DEFAULT_FEED_ATTEMPTS = 4;
/** The first retry waits this long, each next one twice as long (arXiv asks for 3 s between requests). */
const DEFAULT_FEED_BACKOFF_MS = 3_000;
const DEFAULT_FEED_MAX_RETRY_WAIT_MS = 300_000;
/** Statuses that mean "try again later". */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);
/** Larger answers are not arXiv's feed. */
const MAX_FEED_BYTES = 32 * 1_048_576;

type FeedAttempt =
  | { kind: 'feed'; feed: ArxivRssFeed }
  | { kind: 'transient'; reason: string; retryAfterMs: number | null }
  | { kind: 'fatal'; reason: string };

/** Fetches and reads the feed at `url`, retrying as the module comment says; throws ArxivFeedUnavailableError. */
export async function fetchArxivRss(url: string, options: ArxivRssFetchOptions): Promise<ArxivRssFetch> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_FEED_ATTEMPTS);
  const backoffBaseMs = options.backoffBaseMs ?? DEFAULT_FEED_BACKOFF_MS;
  const maxRetryWaitMs = options.maxRetryWaitMs ?? DEFAULT_FEED_MAX_RETRY_WAIT_MS;
  const sleep = options.sleep ?? ((ms: number) => abortableSleep(ms, options.signal));
  for (let attempt = 1; ; attempt += 1) {
    const outcome = await tryFeedOnce(url, options);
    if (outcome.kind === 'feed') return { feed: outcome.feed, attempts: attempt };
    if (outcome.kind === 'fatal') {
      throw new ArxivFeedUnavailableError(`arXiv's announcement feed failed: ${outcome.reason}`, attempt);
    }
    const tooLong = (outcome.retryAfterMs ?? 0) > maxRetryWaitMs;
    if (attempt >= maxAttempts || tooLong || options.signal?.aborted) {
      const asked = tooLong ? ` (it asked to wait ${Math.ceil((outcome.retryAfterMs ?? 0) / 1000)} s)` : '';
      throw new ArxivFeedUnavailableError(
        `arXiv's announcement feed is unavailable after ${attempt} ${attempt === 1 ? 'try' : 'tries'}: ` +
          `${outcome.reason}${asked}`,
        attempt,
      );
    }
    await sleep(retryDelayMs(attempt + 1, backoffBaseMs, outcome.retryAfterMs));
    if (options.signal?.aborted) {
      throw new ArxivFeedUnavailableError(
        `stopped before arXiv's announcement feed could be read: ${outcome.reason}`,
        attempt,
      );
    }
  }
}

async function tryFeedOnce(url: string, options: ArxivRssFetchOptions): Promise<FeedAttempt> {
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_FEED_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  let response: Response;
  let body: Uint8Array;
  try {
    response = await fetch(url, {
      headers: {
        'user-agent': arxivUserAgent(options.instanceBaseUrl),
        accept: 'application/rss+xml, application/xml;q=0.9',
      },
      signal: timeout,
    });
    body = await readBody(response);
  } catch (error) {
    const reason = timeout.aborted ? `no complete answer within ${timeoutMs} ms` : describeFetchError(error);
    return { kind: 'transient', reason, retryAfterMs: null };
  }
  if (RETRYABLE_STATUSES.has(response.status)) {
    return {
      kind: 'transient',
      reason: `it answered HTTP ${response.status}`,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after') ?? undefined),
    };
  }
  if (response.status !== 200) return { kind: 'fatal', reason: `it answered HTTP ${response.status}` };
  if (/html/i.test(response.headers.get('content-type') ?? '')) {
    return { kind: 'transient', reason: 'it answered with an HTML page instead of the RSS feed', retryAfterMs: null };
  }
  try {
    return { kind: 'feed', feed: await parseArxivRss(oneChunk(body)) };
  } catch (error) {
    if (error instanceof ArxivFeedError) {
      return error.transient
        ? { kind: 'transient', reason: error.message, retryAfterMs: null }
        : { kind: 'fatal', reason: error.message };
    }
    throw error;
  }
}

async function readBody(response: Response): Promise<Uint8Array> {
  const size = Number(response.headers.get('content-length') ?? 0);
  if (size > MAX_FEED_BYTES) throw new Error(`the answer is larger than ${MAX_FEED_BYTES} bytes`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > MAX_FEED_BYTES) throw new Error(`the answer is larger than ${MAX_FEED_BYTES} bytes`);
  return bytes;
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `${cause.code} (${cause.message ?? 'network error'})`;
  return error instanceof Error ? error.message : String(error);
}

/** Waits `ms`, or less when the signal aborts (the caller then sees `signal.aborted` and gives up). */
function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

async function* oneChunk(body: Uint8Array): AsyncGenerator<Uint8Array> {
  yield body;
}
