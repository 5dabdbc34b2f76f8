/**
 * The OAI-PMH harvest against a local replay of arXiv's endpoint (test/support/oai-replay.ts: the real arXivRaw
 * records as a three-page harvest), over real HTTP, on SQLite and PostgreSQL: resumption tokens followed, nothing
 * doubled, the saved position after each page and the resume from it, arXiv's pacing (503 + Retry-After), broken
 * answers retried, and OAI's error answers.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  checkHarvestRange,
  harvestOai,
  OaiHarvestError,
  type OaiHarvestOptions,
  type OaiResume,
  oaiStateKey,
} from '../src/ingest/oai-harvest.ts';
import { type DatabaseHandle, openDatabase } from '../src/storage/database.ts';
import { KyselyIngestStore } from '../src/storage/ingest-store.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { KyselyPaperStore } from '../src/storage/paper-store.ts';
import { databaseKinds, type TestDatabaseKind } from './support/databases.ts';
import { OAI_HARVEST, type OaiReplay, startOaiReplay } from './support/oai-replay.ts';

const RANGE = { from: '2008-11-01', until: '2009-04-30', set: 'cs' };
/** Short waits so that the suite runs fast; the Retry-After test waits for real. */
const FAST: Partial<OaiHarvestOptions> = {
  minRequestSpacingMs: 20,
  backoffBaseMs: 20,
  requestTimeoutMs: 1_000,
  maxAttempts: 3,
};

let oai: OaiReplay;
const opened: DatabaseHandle[] = [];

beforeAll(async () => {
  oai = await startOaiReplay();
});
afterAll(async () => {
  await oai?.close();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((h) => h.close()));
  oai.requests.length = 0;
});

async function freshStores(kind: TestDatabaseKind) {
  const handle = openDatabase((await kind.create()).url);
  opened.push(handle);
  await migrateToLatest(handle.db);
  const papers = new KyselyPaperStore(handle.db);
  return { papers, ingest: new KyselyIngestStore(handle.db), handle };
}

type Stores = Awaited<ReturnType<typeof freshStores>>;

function harvest(stores: Stores, options: Partial<OaiHarvestOptions> = {}) {
  return harvestOai(stores, {
    ...RANGE,
    endpoint: oai.url,
    baseUrl: 'http://papers.test',
    timeZone: 'America/New_York',
    ...FAST,
    ...options,
  });
}

async function paperCount(stores: Stores): Promise<number> {
  const row = await stores.handle.db
    .selectFrom('papers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('checkHarvestRange', () => {
  it('accepts real days in order and arXiv set names', () => {
    expect(checkHarvestRange({ from: '2024-02-29', until: '2024-02-29', set: null })).toBeNull();
    expect(checkHarvestRange({ from: '2024-01-01', until: '2024-12-31', set: 'physics:hep-th' })).toBeNull();
  });

  it.each([
    [{ from: '2023-02-29', until: '2023-03-01', set: null }, "--from must be a date as YYYY-MM-DD, not '2023-02-29'"],
    [{ from: '2024-01-01', until: '2024-13-01', set: null }, "--until must be a date as YYYY-MM-DD, not '2024-13-01'"],
    [{ from: '2024/01/01', until: '2024-01-02', set: null }, "--from must be a date as YYYY-MM-DD, not '2024/01/01'"],
    [{ from: '2024-02-01', until: '2024-01-31', set: null }, '--from 2024-02-01 is after --until 2024-01-31'],
    [
      { from: '2024-01-01', until: '2024-01-31', set: 'cs&x=1' },
      "--set must be an arXiv set such as cs, math or physics:hep-th, not 'cs&x=1'",
    ],
  ])('refuses %o', (range, reason) => {
    expect(checkHarvestRange(range)).toBe(reason);
  });
});

describe.each(databaseKinds())('OAI-PMH harvest on $name', (kind) => {
  it.skipIf(!kind.available)(
    'follows the resumption tokens through three pages, then a rerun changes nothing',
    async () => {
      const stores = await freshStores(kind);
      const pages: number[] = [];
      const result = await harvest(stores, { onPage: (p) => pages.push(p.listDone ?? -1) });
      expect(result.counts).toEqual({
        pages: 3,
        requests: 3,
        fetched: OAI_HARVEST.records,
        inserted: OAI_HARVEST.papers,
        updated: 0,
        unchanged: 0,
        skipped: OAI_HARVEST.skipped,
        deleted: OAI_HARVEST.deleted,
      });
      expect(result.status).toBe('partial');
      expect(result.completeListSize).toBe(1000);
      expect(pages).toEqual([400, 800, 1000]);
      expect(await paperCount(stores)).toBe(OAI_HARVEST.papers);
      // The first request asks for the range; the others send only the token, as OAI-PMH requires.
      expect(oai.requests.map((r) => r.params)).toEqual([
        { verb: 'ListRecords', metadataPrefix: 'arXivRaw', from: RANGE.from, until: RANGE.until, set: 'cs' },
        { verb: 'ListRecords', resumptionToken: '6130925|401' },
        { verb: 'ListRecords', resumptionToken: '6130925|801' },
      ]);
      expect(oai.requests.map((r) => r.headers['user-agent'])).toEqual(
        Array(3).fill('Paperboy/0.1 (+http://papers.test)'),
      );
      expect(await stores.ingest.getState(oaiStateKey(RANGE))).toBeNull();
      const [run] = await stores.ingest.listRuns({ limit: 5, source: 'oai' });
      expect(run).toMatchObject({
        id: result.runId,
        status: 'partial',
        params: { from: RANGE.from, until: RANGE.until, set: 'cs' },
        counts: result.counts,
      });
      expect(run!.errors).toEqual([
        "page 1: record 1 (line 6): invalid arXiv id: '0811.36489' is malformed: ids from 0811 have 4 digits after the dot",
      ]);

      const again = await harvest(stores);
      expect(again.counts).toMatchObject({ pages: 3, inserted: 0, updated: 0, unchanged: OAI_HARVEST.papers });
      expect(await paperCount(stores)).toBe(OAI_HARVEST.papers);
    },
  );

  it.skipIf(!kind.available)(
    'saves the token after each page and resumes there after arXiv failed mid-harvest',
    async () => {
      const stores = await freshStores(kind);
      oai.failNext({ kind: 'status', status: 500 }, 3, 1);
      const failure = await harvest(stores).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(OaiHarvestError);
      expect((failure as Error).message).toBe(
        "arXiv's OAI-PMH server is unavailable after 3 tries at page 2: it answered HTTP 500; run the same command " +
          'again to resume at this page',
      );
      expect(await paperCount(stores)).toBe(399);
      expect(await stores.ingest.getState(oaiStateKey(RANGE))).toMatchObject({
        token: '6130925|401',
        page: 2,
        cursor: 400,
      });
      const [failed] = await stores.ingest.listRuns({ limit: 1, source: 'oai' });
      expect(failed).toMatchObject({ status: 'failed', counts: { pages: 1, inserted: 399, requests: 4 } });
      expect(failed!.errors[0]).toContain('unavailable after 3 tries at page 2');

      oai.requests.length = 0;
      const resumes: OaiResume[] = [];
      const result = await harvest(stores, { onResume: (r) => resumes.push(r) });
      expect(resumes).toEqual([expect.objectContaining({ page: 2, token: '6130925|401', cursor: 400 })]);
      expect(oai.requests.map((r) => r.params.resumptionToken)).toEqual(['6130925|401', '6130925|801']);
      expect(result.counts).toMatchObject({
        pages: 2,
        fetched: 600,
        inserted: 599,
        unchanged: 0,
        deleted: 1,
        skipped: 0,
      });
      expect(result.status).toBe('ok');
      expect(await paperCount(stores)).toBe(OAI_HARVEST.papers);
      expect(await stores.ingest.getState(oaiStateKey(RANGE))).toBeNull();
      const runs = await stores.ingest.listRuns({ limit: 5, source: 'oai' });
      expect(runs.map((r) => [r.status, r.params.resumedAtPage ?? null])).toEqual([
        ['ok', 2],
        ['failed', null],
      ]);
    },
  );

  it.skipIf(!kind.available)('honours 503 with Retry-After before asking again', async () => {
    const stores = await freshStores(kind);
    oai.failNext({ kind: 'status', status: 503, retryAfter: '2' }, 1, 1);
    const retries: number[] = [];
    const result = await harvest(stores, { onRetry: (r) => retries.push(r.waitMs) });
    expect(result.counts).toMatchObject({ pages: 3, requests: 4, inserted: OAI_HARVEST.papers });
    expect(retries).toEqual([2_000]);
    expect(oai.requests.map((r) => r.served)).toEqual(['page-1.xml', 'status-503', 'page-2.xml', 'page-3.xml']);
    const waited = oai.requests[2]!.receivedAt - oai.requests[1]!.answeredAt!;
    expect(waited).toBeGreaterThanOrEqual(1_990);
    expect(waited).toBeLessThan(3_000);
  });

  it.skipIf(!kind.available)(
    'retries a truncated page, an HTML page, a dropped connection and a timeout, and writes each record once',
    async () => {
      const stores = await freshStores(kind);
      oai.failNext({ kind: 'truncated' }, 1, 1);
      oai.failNext({ kind: 'html', status: 200 });
      oai.failNext({ kind: 'reset' });
      oai.failNext({ kind: 'hang' });
      const reasons: string[] = [];
      const result = await harvest(stores, {
        maxAttempts: 5,
        requestTimeoutMs: 300,
        onRetry: (r) => reasons.push(`page ${r.page}: ${r.reason}`),
      });
      expect(oai.requests.map((r) => r.served)).toEqual([
        'page-1.xml',
        'truncated',
        'html',
        'reset',
        'hang',
        'page-2.xml',
        'page-3.xml',
      ]);
      expect(reasons).toHaveLength(4);
      expect(reasons[0]).toMatch(/^page 2: the page was cut short \(.*truncated/);
      expect(reasons[1]).toBe('page 2: it answered with an HTML page instead of OAI-PMH XML');
      expect(reasons[3]).toBe('page 2: no complete answer within 300 ms');
      expect(result.counts).toMatchObject({ pages: 3, inserted: OAI_HARVEST.papers, unchanged: 0, updated: 0 });
      expect(await paperCount(stores)).toBe(OAI_HARVEST.papers);
    },
  );

  it.skipIf(!kind.available)('treats noRecordsMatch as an empty harvest', async () => {
    const stores = await freshStores(kind);
    const result = await harvest(stores, { from: '2030-01-01', until: '2030-01-31' });
    expect(result.noRecordsMatch).toBe(true);
    expect(result.status).toBe('ok');
    expect(result.counts).toMatchObject({ pages: 1, requests: 1, fetched: 0, inserted: 0 });
    const [run] = await stores.ingest.listRuns({ limit: 1, source: 'oai' });
    expect(run?.status).toBe('ok');
  });

  it.skipIf(!kind.available)(
    'fails clearly on badResumptionToken, keeps the token, and starts over with restart',
    async () => {
      const stores = await freshStores(kind);
      const key = oaiStateKey(RANGE);
      await stores.ingest.setState(key, {
        token: '6130925|expired',
        page: 5,
        cursor: 1600,
        completeListSize: 1000,
        runId: 0,
        savedAt: '2024-06-01T00:00:00.000Z',
      });
      const failure = await harvest(stores).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(OaiHarvestError);
      expect(failure).toMatchObject({ code: 'badResumptionToken' });
      expect((failure as Error).message).toBe(
        "arXiv's OAI-PMH server refused the request: OAI-PMH error badResumptionToken: The value of the " +
          'resumptionToken argument is invalid or expired.; the saved position may have expired: run again with --restart',
      );
      expect(oai.requests).toHaveLength(1);
      expect(await stores.ingest.getState(key)).toMatchObject({ token: '6130925|expired' });

      const result = await harvest(stores, { restart: true });
      expect(result.resumed).toBeNull();
      expect(result.counts).toMatchObject({ pages: 3, inserted: OAI_HARVEST.papers });
    },
  );

  it.skipIf(!kind.available)("reports arXiv's badArgument answer and another HTTP status as failures", async () => {
    const stores = await freshStores(kind);
    const bad = await harvest(stores, { endpoint: oai.url.replace('/oai', '/other') }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'badArgument' });
    expect((bad as Error).message).toMatch(/^arXiv's OAI-PMH server refused the request: OAI-PMH error badArgument: /);
    oai.failNext({ kind: 'status', status: 404 });
    const missing = await harvest(stores).catch((e: unknown) => e);
    expect((missing as Error).message).toBe("arXiv's OAI-PMH server answered HTTP 404");
    const runs = await stores.ingest.listRuns({ limit: 5, source: 'oai' });
    expect(runs.map((r) => r.status)).toEqual(['failed', 'failed']);
  });
});
