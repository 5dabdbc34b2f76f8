/**
 * The arXiv API client against the local replay of arXiv's recorded answers (test/support/arxiv-replay.ts), over
 * real HTTP: what it asks, how it identifies itself, its spacing and single connection, its retries, and how it
 * tells "unknown id" from "malformed id" from "arXiv unavailable".
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type ArxivApiClient,
  type ArxivApiClientOptions,
  ArxivMalformedIdError,
  ArxivUnavailableError,
  createArxivApiClient,
  MAX_IDS_PER_REQUEST,
  MIN_REQUEST_SPACING_MS,
  parseRetryAfter,
  retryDelayMs,
} from '../src/ingest/arxiv-api-client.ts';
import { type ArxivReplay, startArxivReplay } from './support/arxiv-replay.ts';

const BASE_URL = 'http://papers.test';
/** Short waits so that the suite runs fast; the real defaults are tested once below. */
const FAST: Partial<ArxivApiClientOptions> = {
  minRequestSpacingMs: 40,
  backoffBaseMs: 30,
  requestTimeoutMs: 400,
  maxAttempts: 3,
};

let replay: ArxivReplay;
const clients: ArxivApiClient[] = [];

beforeAll(async () => {
  replay = await startArxivReplay();
});
afterAll(async () => {
  await replay?.close();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  replay.requests.length = 0;
});

function client(options: Partial<ArxivApiClientOptions> = {}): ArxivApiClient {
  const made = createArxivApiClient({ endpoint: replay.url, baseUrl: BASE_URL, ...FAST, ...options });
  clients.push(made);
  return made;
}

describe('the replay server', () => {
  it('answers like arXiv: a recording, the empty answer, and the 400 error feed', async () => {
    const one = await fetch(`${replay.url}?id_list=1605.08386`);
    expect(one.status).toBe(200);
    expect(await one.text()).toContain('Heat-bath random walks with Markov bases');
    const unknown = await fetch(`${replay.url}?id_list=0000.0000`);
    expect(await unknown.text()).toContain('<opensearch:totalResults>0</opensearch:totalResults>');
    const malformed = await fetch(`${replay.url}?id_list=abc`);
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).toContain('incorrect id format for abc');
    expect(replay.requests.map((r) => r.served)).toEqual(['replay', 'empty', 'error-400']);
  });
});

describe('looking papers up', () => {
  it('fetches a paper with the right query and User-Agent', async () => {
    const found = await client().lookUpIds(['1605.08386v1']);
    const record = found.records.get('1605.08386');
    expect(record).toMatchObject({
      id: '1605.08386',
      title: 'Heat-bath random walks with Markov bases',
      authors: ['Caprice Stanley', 'Tobias Windisch'],
      comments: '20 pages, 3 figures',
    });
    expect(record?.categories[0]).toBe('math.CO');
    expect(record?.versions[0]).toMatchObject({ version: 1 });
    expect(found.unknown).toEqual([]);
    const [request] = replay.requests;
    expect(request?.headers['user-agent']).toBe('Paperboy/0.1 (+http://papers.test)');
    const url = new URL(request!.url, 'http://x');
    expect(url.pathname).toBe('/api/query');
    expect(url.searchParams.get('id_list')).toBe('1605.08386');
    expect(url.searchParams.get('max_results')).toBe('1');
  });

  it('reports the ids arXiv silently leaves out as unknown', async () => {
    const found = await client().lookUpIds(['2401.99999', '1707.08567']);
    expect([...found.records.keys()]).toEqual(['1707.08567']);
    expect(found.unknown).toEqual(['2401.99999']);
    expect(replay.requests[0]?.served).toBe('replay');
    const nothing = await client().lookUpIds(['2401.99999']);
    expect(nothing.records.size).toBe(0);
    expect(nothing.unknown).toEqual(['2401.99999']);
  });

  it('asks in batches of at most 100 ids, each id once', async () => {
    const known = replay.knownIds();
    expect(known.length).toBeGreaterThan(MAX_IDS_PER_REQUEST);
    const ids = [...known, known[0]!, '2401.99999'];
    const found = await client().lookUpIds(ids);
    expect(found.records.size).toBe(known.length);
    expect(found.unknown).toEqual(['2401.99999']);
    const batches = replay.requests.map((r) => r.ids.length);
    expect(batches).toEqual([MAX_IDS_PER_REQUEST, known.length + 1 - MAX_IDS_PER_REQUEST]);
    const maxResults = replay.requests.map((r) => new URL(r.url, 'http://x').searchParams.get('max_results'));
    expect(maxResults).toEqual(batches.map(String));
  });

  it('refuses ids it can tell are malformed without asking arXiv', async () => {
    await expect(client().lookUpIds(['0811.36489'])).rejects.toThrow(ArxivMalformedIdError);
    // arXiv answers this one by leaving it out (the recording), but 2008 ids have four digits: it cannot exist.
    await expect(client().lookUpIds(['0808.05394', '1707.08567'])).rejects.toThrow(/have 4 digits after the dot/);
    expect(replay.requests).toHaveLength(0);
  });

  it("tells arXiv's 400 error feed (a malformed id) apart, without retrying", async () => {
    const arxiv = client();
    // An id arXiv itself refuses: replay its error feed for a request our own check let through.
    replay.failNext({ kind: 'error-feed', id: '2206.00927' });
    await expect(arxiv.lookUpIds(['2206.00927'])).rejects.toThrow(/incorrect id format for 2206\.00927/);
    expect(replay.requests).toHaveLength(1);
  });
});

describe('etiquette', () => {
  it('sends one request at a time on one connection, spaced from the end of the previous one', async () => {
    const arxiv = client({ minRequestSpacingMs: 150 });
    await Promise.all([
      arxiv.lookUpIds(['1605.08386']),
      arxiv.lookUpIds(['1707.08567']),
      arxiv.lookUpIds(['2401.99999']),
    ]);
    const requests = replay.requests;
    expect(requests).toHaveLength(3);
    for (let i = 1; i < requests.length; i += 1) {
      expect(requests[i]!.receivedAt - requests[i - 1]!.answeredAt!).toBeGreaterThanOrEqual(150 - 1);
    }
    expect(new Set(requests.map((r) => r.connection)).size).toBe(1);
  });

  it(
    `keeps the real default spacing of ${MIN_REQUEST_SPACING_MS} ms between two requests`,
    async () => {
      const arxiv = createArxivApiClient({ endpoint: replay.url, baseUrl: BASE_URL });
      clients.push(arxiv);
      await arxiv.lookUpIds(['1605.08386']);
      await arxiv.lookUpIds(['1707.08567']);
      const [first, second] = replay.requests;
      expect(second!.receivedAt - first!.answeredAt!).toBeGreaterThanOrEqual(MIN_REQUEST_SPACING_MS - 1);
    },
    MIN_REQUEST_SPACING_MS + 10_000,
  );
});

describe('retries', () => {
  it('waits as long as Retry-After asks after a 429, then succeeds', async () => {
    replay.failNext({ kind: 'status', status: 429, retryAfter: '1' });
    const found = await client().lookUpIds(['1605.08386']);
    expect(found.records.has('1605.08386')).toBe(true);
    const [refused, served] = replay.requests;
    expect(refused?.served).toBe('status-429');
    expect(served!.receivedAt - refused!.answeredAt!).toBeGreaterThanOrEqual(1_000 - 1);
  });

  it('backs off exponentially on repeated 503s and then reports arXiv unavailable', async () => {
    const waits: number[] = [];
    const arxiv = client({
      backoffBaseMs: 1_000,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    replay.failNext({ kind: 'status', status: 503 }, 3);
    const error = await arxiv.lookUpIds(['1605.08386']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArxivUnavailableError);
    expect((error as ArxivUnavailableError).attempts).toBe(3);
    expect((error as Error).message).toMatch(/unavailable after 3 tries: it answered HTTP 503/);
    expect(waits).toEqual([1_000, 2_000]);
    expect(replay.requests).toHaveLength(3);
  });

  it('honours Retry-After given as an HTTP date', async () => {
    const waits: number[] = [];
    const arxiv = client({
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    replay.failNext({ kind: 'status', status: 503, retryAfter: new Date(Date.now() + 5_000).toUTCString() });
    await arxiv.lookUpIds(['1605.08386']);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(3_000);
    expect(waits[0]).toBeLessThanOrEqual(5_000);
  });

  it('gives up at once when Retry-After is longer than it will wait, passing the delay on', async () => {
    replay.failNext({ kind: 'status', status: 429, retryAfter: '3600' });
    const error = await client()
      .lookUpIds(['1605.08386'])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArxivUnavailableError);
    expect((error as ArxivUnavailableError).retryAfterSeconds).toBe(3600);
    expect(replay.requests).toHaveLength(1);
  });

  it('times out a request that hangs, and retries it', async () => {
    replay.failNext({ kind: 'hang' });
    const found = await client({ requestTimeoutMs: 300 }).lookUpIds(['1605.08386']);
    expect(found.records.has('1605.08386')).toBe(true);
    expect(replay.requests.map((r) => r.served)).toEqual(['hang', 'replay']);
  });

  it('reports a timeout on every try as arXiv unavailable', async () => {
    replay.failNext({ kind: 'hang' }, 2);
    const started = Date.now();
    const error = await client({ requestTimeoutMs: 200, maxAttempts: 2 })
      .lookUpIds(['1605.08386'])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArxivUnavailableError);
    expect((error as Error).message).toMatch(/no complete answer within 200 ms/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it('retries an HTML error page, and reports it when it persists', async () => {
    replay.failNext({ kind: 'html' });
    expect((await client().lookUpIds(['1605.08386'])).records.size).toBe(1);
    replay.requests.length = 0;
    replay.failNext({ kind: 'html', status: 502 }, 1);
    replay.failNext({ kind: 'html' }, 2);
    const error = await client()
      .lookUpIds(['1605.08386'])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArxivUnavailableError);
    expect((error as Error).message).toMatch(/HTML page instead of an Atom feed/);
  });

  it('retries a truncated answer', async () => {
    replay.failNext({ kind: 'truncated' });
    const found = await client().lookUpIds(['1605.08386']);
    expect(found.records.get('1605.08386')?.title).toBe('Heat-bath random walks with Markov bases');
    expect(replay.requests.map((r) => r.served)).toEqual(['truncated', 'replay']);
  });

  it('does not retry an answer that will not change (HTTP 403)', async () => {
    replay.failNext({ kind: 'status', status: 403 });
    await expect(client().lookUpIds(['1605.08386'])).rejects.toThrow(/it answered HTTP 403/);
    expect(replay.requests).toHaveLength(1);
  });

  it('reports an unreachable server as unavailable', async () => {
    const arxiv = client({ endpoint: 'http://127.0.0.1:9/api/query', maxAttempts: 2 });
    await expect(arxiv.lookUpIds(['1605.08386'])).rejects.toThrow(ArxivUnavailableError);
  });
});

describe('Retry-After and backoff arithmetic', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-11-29T12:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Sun, 29 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 29 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
  });

  it('doubles from the base, unless Retry-After asks for longer', () => {
    expect([2, 3, 4].map((attempt) => retryDelayMs(attempt, 3_000, null))).toEqual([3_000, 6_000, 12_000]);
    expect(retryDelayMs(2, 3_000, 10_000)).toBe(10_000);
    expect(retryDelayMs(3, 3_000, 1_000)).toBe(6_000);
  });
});
