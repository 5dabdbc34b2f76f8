/**
 * The daily announcement ingest in process, on SQLite and PostgreSQL, against local replays of arXiv's feed
 * (test/support/arxiv-rss-replay.ts) and API (test/support/arxiv-replay.ts) over real HTTP: listing or only
 * cataloguing, idempotency, replacements and withdrawals, missing ids, and every fault of the feed and the API.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type ArxivApiClient,
  type ArxivApiClientOptions,
  createArxivApiClient,
} from '../src/ingest/arxiv-api-client.ts';
import {
  type DailyIngestOptions,
  formatDailySummary,
  looksWithdrawn,
  runDailyIngest,
} from '../src/ingest/daily-ingest.ts';
import { type DatabaseHandle, openDatabase } from '../src/storage/database.ts';
import { KyselyIngestStore } from '../src/storage/ingest-store.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { KyselyPaperStore } from '../src/storage/paper-store.ts';
import { type ArxivReplay, startArxivReplay } from './support/arxiv-replay.ts';
import {
  type ArxivRssReplay,
  startArxivRssReplay,
  UNKNOWN_ID_FEED,
  WEEKDAY_FEED,
  WEEKEND_FEED,
  WITHDRAWN_FEED,
} from './support/arxiv-rss-replay.ts';
import { databaseKinds, type TestDatabaseKind } from './support/databases.ts';
import { testListing, testRecord } from './support/records.ts';

const BASE_URL = 'http://papers.test';
const NOW = new Date('2026-02-20T02:00:00Z');
/** Short waits so that the suite runs fast. */
const FAST_API: Partial<ArxivApiClientOptions> = {
  minRequestSpacingMs: 20,
  backoffBaseMs: 20,
  requestTimeoutMs: 500,
  maxAttempts: 3,
};
const FAST_FEED = { backoffBaseMs: 20, requestTimeoutMs: 500, maxAttempts: 3 };
/** Thursday 2026-02-19 20:00 New York time, the announcement the weekday feed (dated Friday 00:00) carries. */
const THURSDAY_ANNOUNCEMENT = '2026-02-20T01:00:00.000Z';

let api: ArxivReplay;
let rss: ArxivRssReplay;
const opened: DatabaseHandle[] = [];
const clients: ArxivApiClient[] = [];

beforeAll(async () => {
  api = await startArxivReplay();
  rss = await startArxivRssReplay({ upstreamApiUrl: api.url });
});
afterAll(async () => {
  await rss?.close();
  await api?.close();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(opened.splice(0).map((h) => h.close()));
  api.requests.length = 0;
  rss.requests.length = 0;
  rss.useFeed(WEEKDAY_FEED);
});

async function setUp(kind: TestDatabaseKind, apiUrl: string = api.url) {
  const { url } = await kind.create();
  const handle = openDatabase(url);
  opened.push(handle);
  await migrateToLatest(handle.db);
  const store = new KyselyPaperStore(handle.db, () => NOW);
  const ingestStore = new KyselyIngestStore(handle.db, () => NOW);
  const arxiv = createArxivApiClient({ endpoint: apiUrl, baseUrl: BASE_URL, ...FAST_API });
  clients.push(arxiv);
  const ingest = (options: Partial<DailyIngestOptions> = {}) =>
    runDailyIngest(
      { store, ingestStore, arxiv },
      {
        categories: ['cs.LG', 'cs.CV'],
        feedBaseUrl: rss.url,
        instanceBaseUrl: BASE_URL,
        listingMode: 'auto',
        timeZone: 'America/New_York',
        now: () => NOW,
        feedFetch: FAST_FEED,
        ...options,
      },
    );
  const tables = async () => ({
    papers: await handle.db.selectFrom('papers').selectAll().orderBy('id').execute(),
    listings: await handle.db.selectFrom('listings').selectAll().orderBy('paper_id').execute(),
  });
  return { handle, store, ingestStore, ingest, tables };
}

const ZERO = {
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

describe.each(databaseKinds())('the daily ingest on $name', (kind) => {
  it.skipIf(!kind.available)(
    "ingests a weekday feed and lists its new and cross-listed papers on the announcement's day",
    async () => {
      const db = await setUp(kind);
      const result = await db.ingest();
      expect(result.status).toBe('ok');
      expect(result.errors).toEqual([]);
      expect(result.counts).toEqual({
        ...ZERO,
        announced: 6,
        fetched: 6,
        inserted: 6,
        listed: 4,
        requests: 2,
      });
      expect(result.announcement).toBe(THURSDAY_ANNOUNCEMENT);
      expect(result.listedOn).toBe('2026-02-19');
      const { papers, listings } = await db.tables();
      expect(papers.map((p) => p.id)).toEqual([
        '1907.06632',
        '2103.02870',
        '2301.05651',
        '2405.11454',
        '2503.23466',
        '2602.15552',
      ]);
      expect(listings.map((l) => [l.paper_id, l.listed_on, l.submitted_at, l.source])).toEqual([
        ['1907.06632', '2026-02-19', THURSDAY_ANNOUNCEMENT, 'ingest'],
        ['2301.05651', '2026-02-19', THURSDAY_ANNOUNCEMENT, 'ingest'],
        ['2503.23466', '2026-02-19', THURSDAY_ANNOUNCEMENT, 'ingest'],
        ['2602.15552', '2026-02-19', THURSDAY_ANNOUNCEMENT, 'ingest'],
      ]);
      // One feed request and one API request for the six ids, both naming the instance.
      expect(rss.feedRequests().map((r) => r.url)).toEqual(['/rss/cs.LG+cs.CV']);
      expect(rss.feedRequests()[0]?.headers['user-agent']).toBe('Paperboy/0.1 (+http://papers.test)');
      expect(api.requests.map((r) => r.ids.length)).toEqual([6]);
      expect(api.requests[0]?.headers['user-agent']).toBe('Paperboy/0.1 (+http://papers.test)');
      // The run is recorded for admins and /metrics.
      const [run] = await db.ingestStore.listRuns({ limit: 5 });
      expect(run).toMatchObject({
        id: result.runId,
        source: 'daily',
        status: 'ok',
        params: { categories: ['cs.LG', 'cs.CV'], feedUrl: `${rss.url}/rss/cs.LG+cs.CV`, listingMode: 'auto' },
        counts: result.counts,
        errors: [],
      });
      expect(run?.finishedAt).toBe(NOW.toISOString());
      expect(formatDailySummary(result, ['cs.LG', 'cs.CV'])).toBe(
        'cs.LG+cs.CV, announcement of 2026-02-19: 6 announced, 6 fetched (6 new, 0 updated, 0 unchanged), ' +
          '4 listed on the daily feed, 0 missing',
      );
    },
  );

  it.skipIf(!kind.available)('lists on the day of the instance time zone', async () => {
    const db = await setUp(kind);
    const result = await db.ingest({ timeZone: 'Europe/Paris' });
    expect(result.listedOn).toBe('2026-02-20');
    expect(new Set((await db.tables()).listings.map((l) => l.listed_on))).toEqual(new Set(['2026-02-20']));
  });

  it.skipIf(!kind.available)('only catalogues the papers when the instance lists by submission', async () => {
    const db = await setUp(kind);
    const result = await db.ingest({ listingMode: 'submissions' });
    expect(result.status).toBe('ok');
    expect(result.counts).toMatchObject({ announced: 6, fetched: 6, inserted: 6, listed: 0 });
    const { papers, listings } = await db.tables();
    expect(papers).toHaveLength(6);
    expect(listings).toEqual([]);
    expect(formatDailySummary(result, ['cs.LG', 'cs.CV'])).toContain('none listed (PAPERBOY_LISTING=submissions');
  });

  it.skipIf(!kind.available)('changes nothing when the same feed is ingested twice', async () => {
    const db = await setUp(kind);
    await db.ingest();
    const before = await db.tables();
    const version = await db.store.dataVersion();
    const second = await db.ingest();
    expect(second.status).toBe('ok');
    expect(second.counts).toMatchObject({ announced: 6, fetched: 6, inserted: 0, updated: 0, unchanged: 6, listed: 0 });
    expect(await db.tables()).toEqual(before);
    expect(await db.store.dataVersion()).toBe(version);
    expect((await db.ingestStore.listRuns({ limit: 5 })).map((r) => r.status)).toEqual(['ok', 'ok']);
  });

  it.skipIf(!kind.available)('merges a replacement as a new version and keeps the paper’s listing', async () => {
    const db = await setUp(kind);
    // What an earlier announcement brought: version 1 only, listed in May 2024.
    await db.store.upsertPapersAndListings(
      [
        testRecord('2405.11454', {
          title: 'Gradient Testing and Estimation by Comparisons',
          versions: [{ version: 1, created: '2024-05-19T05:39:46.000Z' }],
          categories: ['cs.LG', 'cs.DS', 'math.OC'],
        }),
      ],
      [testListing('2405.11454', '2024-05-20')],
    );
    const result = await db.ingest();
    expect(result.counts).toMatchObject({ inserted: 5, updated: 1, listed: 4 });
    const paper = await db.store.getPaper('2405.11454');
    expect(paper?.versions).toEqual([
      { version: 1, created: '2024-05-19T05:39:46.000Z' },
      { version: 2, created: '2026-02-19T18:33:13.000Z' },
    ]);
    expect(paper?.authors).toHaveLength(5);
    expect((await db.store.getListing('2405.11454'))?.listedOn).toBe('2024-05-20');
  });

  it.skipIf(!kind.available)('updates a withdrawn paper as arXiv now describes it', async () => {
    const db = await setUp(kind, rss.apiUrl);
    await db.store.upsertPapers([
      testRecord('0704.0156', {
        title: 'Nonlinear force-free coronal magnetic field extrapolation scheme',
        abstract: 'The text of the first version.',
        categories: ['astro-ph'],
        versions: [{ version: 1, created: '2007-04-02T12:02:40.000Z' }],
      }),
    ]);
    rss.useFeed(WITHDRAWN_FEED);
    const result = await db.ingest({ categories: ['astro-ph'] });
    expect(result.status).toBe('ok');
    expect(result.counts).toMatchObject({ announced: 1, fetched: 1, updated: 1, withdrawn: 1, listed: 0 });
    expect(result.listedOn).toBe('2008-03-05');
    const paper = await db.store.getPaper('0704.0156');
    expect(paper?.abstract).toBe('This paper has been withdrawn by the authors.');
    expect(paper?.comments).toMatch(/^This paper has been withdrawn by the authors\./);
    expect(paper?.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(rss.requests.map((r) => r.served)).toEqual([
      'feed:astro-ph-withdrawn.xml',
      'api-overlay:api-0704.0156-withdrawn.xml',
    ]);
  });

  it.skipIf(!kind.available)(
    'reports an id the API does not return as missing, and ingests the rest (partial)',
    async () => {
      const db = await setUp(kind);
      rss.useFeed(UNKNOWN_ID_FEED);
      const result = await db.ingest();
      expect(result.status).toBe('partial');
      expect(result.counts).toMatchObject({ announced: 2, fetched: 1, inserted: 1, listed: 1, missing: 1 });
      expect(result.errors).toEqual(["2602.99999: announced (new) but arXiv's API did not return it"]);
      expect((await db.tables()).papers.map((p) => p.id)).toEqual(['2301.05651']);
      const [run] = await db.ingestStore.listRuns({ limit: 1 });
      expect(run).toMatchObject({ status: 'partial', errors: result.errors });
      expect(formatDailySummary(result, ['cs.LG', 'cs.CV'])).toContain('1 missing');
    },
  );

  it.skipIf(!kind.available)('waits out 429 and 503 with Retry-After on the feed, then succeeds', async () => {
    const db = await setUp(kind);
    const waits: number[] = [];
    rss.failNext({ kind: 'status', status: 429, retryAfter: '1' });
    rss.failNext({ kind: 'status', status: 503, retryAfter: '2' });
    const result = await db.ingest({
      feedFetch: { ...FAST_FEED, sleep: async (ms) => void waits.push(ms) },
    });
    expect(result.status).toBe('ok');
    expect(waits).toEqual([1_000, 2_000]);
    expect(rss.feedRequests().map((r) => r.served)).toEqual(['status-429', 'status-503', `feed:${WEEKDAY_FEED}`]);
    expect(result.counts).toMatchObject({ fetched: 6, requests: 4 });
  });

  it.skipIf(!kind.available)('retries a feed request that times out', async () => {
    const db = await setUp(kind);
    rss.failNext({ kind: 'hang' });
    const result = await db.ingest({ feedFetch: { ...FAST_FEED, requestTimeoutMs: 300 } });
    expect(result.status).toBe('ok');
    expect(rss.feedRequests().map((r) => r.served)).toEqual(['hang', `feed:${WEEKDAY_FEED}`]);
  });

  it.skipIf(!kind.available)('fails clearly and writes nothing when the feed stays truncated', async () => {
    const db = await setUp(kind);
    rss.failNext({ kind: 'truncated' }, 3);
    const result = await db.ingest();
    expect(result.status).toBe('failed');
    expect(result.failure).toMatch(
      /^arXiv's announcement feed is unavailable after 3 tries: the feed was cut short \(line \d+: .+\); nothing was written$/,
    );
    expect(result.errors).toEqual([result.failure]);
    expect(await db.tables()).toEqual({ papers: [], listings: [] });
    expect(api.requests).toEqual([]);
    const [run] = await db.ingestStore.listRuns({ limit: 1 });
    expect(run).toMatchObject({ status: 'failed', errors: [result.failure] });
  });

  it.skipIf(!kind.available)('fails clearly and writes nothing on an HTML error page', async () => {
    const db = await setUp(kind);
    rss.failNext({ kind: 'html' }, 3);
    const result = await db.ingest();
    expect(result.status).toBe('failed');
    expect(result.failure).toBe(
      "arXiv's announcement feed is unavailable after 3 tries: it answered with an HTML page instead of the RSS " +
        'feed; nothing was written',
    );
    expect(await db.tables()).toEqual({ papers: [], listings: [] });
  });

  it.skipIf(!kind.available)('fails without retrying on a status that will not change (404)', async () => {
    const db = await setUp(kind);
    rss.failNext({ kind: 'status', status: 404 });
    const result = await db.ingest();
    expect(result.failure).toBe("arXiv's announcement feed failed: it answered HTTP 404; nothing was written");
    expect(rss.feedRequests()).toHaveLength(1);
  });

  it.skipIf(!kind.available)('writes nothing when the API stays unavailable', async () => {
    const db = await setUp(kind);
    api.failNext({ kind: 'status', status: 503 }, 3);
    const result = await db.ingest();
    expect(result.status).toBe('failed');
    expect(result.failure).toMatch(
      /^arXiv's API is unavailable after 3 tries: it answered HTTP 503; nothing was written$/,
    );
    expect(result.counts).toMatchObject({ announced: 6, fetched: 0 });
    expect(await db.tables()).toEqual({ papers: [], listings: [] });
  });

  it.skipIf(!kind.available)('ingests an empty weekend feed as a successful run with nothing in it', async () => {
    const db = await setUp(kind);
    rss.useFeed(WEEKEND_FEED);
    const result = await db.ingest();
    expect(result.status).toBe('ok');
    expect(result.counts).toEqual({ ...ZERO, requests: 1 });
    expect(result.listedOn).toBe('2026-02-19');
    expect(api.requests).toEqual([]);
    expect((await db.ingestStore.listRuns({ limit: 1 }))[0]?.status).toBe('ok');
  });

  it.skipIf(!kind.available)('stops between steps when asked, writing nothing (interrupted)', async () => {
    const db = await setUp(kind);
    const controller = new AbortController();
    const result = await db.ingest({ signal: controller.signal, onProgress: () => controller.abort() });
    expect(result.status).toBe('interrupted');
    expect(result.failure).toBe('stopped before anything was written');
    expect(await db.tables()).toEqual({ papers: [], listings: [] });
    expect((await db.ingestStore.listRuns({ limit: 1 }))[0]?.status).toBe('interrupted');
  });
});

describe('withdrawal notices', () => {
  it.each([
    ['This paper has been withdrawn by the authors.', null, true],
    ['We study x.', 'This paper was submitted by mistake and has now been withdrawn', true],
    ['We study x.', 'withdrawn by arXiv administrators due to a dispute', true],
    ['Patients withdrawn from the trial are excluded from the analysis.', '12 pages', false],
    ['We study x.', null, false],
  ])('%s / %s -> %s', (abstract, comments, expected) => {
    expect(looksWithdrawn({ abstract, comments })).toBe(expected);
  });
});
