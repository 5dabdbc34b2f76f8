/**
 * GET /metrics: Prometheus's text format, checked with a strict parser of the format (test/support/prometheus-text);
 * HTTP figures by route pattern (never the raw URL) that move with each request, /metrics itself left out; papers
 * and ingest figures read from the database at scrape time, also when another connection wrote them, on SQLite and
 * PostgreSQL; and who may scrape (loopback, the scrape token, admins).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseUrl, openDatabase } from '../src/storage/database.ts';
import { KyselyIngestStore } from '../src/storage/ingest-store.ts';
import { KyselyPaperStore } from '../src/storage/paper-store.ts';
import { UNMATCHED_ROUTE } from '../src/web/metrics.ts';
import { createPerson, type TestPerson } from './support/accounts.ts';
import { createTestApp, type TestApp, testRecord } from './support/app.ts';
import { databaseKinds, sqliteKind } from './support/databases.ts';
import { type MetricFamily, parsePrometheusText, sampleValue } from './support/prometheus-text.ts';

const TOKEN = 'scrape-token-0123456789abcdef0123456789';

async function scrape(t: TestApp, headers: Record<string, string> = {}): Promise<Map<string, MetricFamily>> {
  const response = await t.app.inject({ method: 'GET', url: '/metrics', headers });
  expect(response.statusCode, response.body).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4; charset=utf-8$/);
  expect(response.headers['cache-control']).toBe('no-store');
  return parsePrometheusText(response.body);
}

describe('the strict exposition parser', () => {
  it('reads a valid exposition and refuses broken ones', () => {
    const good = [
      '# HELP a_total Things.',
      '# TYPE a_total counter',
      'a_total{k="x \\"y\\" \\\\ \\n"} 3',
      '# TYPE h histogram',
      'h_bucket{le="1"} 1',
      'h_bucket{le="+Inf"} 2',
      'h_sum 3.5',
      'h_count 2',
      '',
    ].join('\n');
    const families = parsePrometheusText(good);
    expect(sampleValue(families, 'a_total', { k: 'x "y" \\ \n' })).toBe(3);
    expect(sampleValue(families, 'h_count')).toBe(2);
    const broken = [
      good.slice(0, -1), // no final newline
      good.replace('a_total{k=', 'a_total{1k='), // bad label name
      good.replace('\\"y', '\\qy'), // bad escape
      good.replace('h_count 2', 'h_count 3'), // +Inf bucket differs from count
      good.replace('h_bucket{le="1"} 1', 'h_bucket{le="1"} 5'), // not cumulative
      `${good}a_total{k="z"} -1\n`, // family split in two (and negative)
      good.replace('a_total{k="x \\"y\\" \\\\ \\n"} 3', 'a_total 3\na_total 4'), // duplicate series
      'b 1\n', // no HELP or TYPE
      good.replace(' 3\n', ' three\n'), // bad value
    ];
    for (const text of broken) expect(() => parsePrometheusText(text), text).toThrow();
  });
});

describe('metrics on sqlite', () => {
  let t: TestApp;
  let url: DatabaseUrl;

  beforeAll(async () => {
    url = (await sqliteKind().create()).url;
    t = await createTestApp(sqliteKind(), url);
    await t.store.upsertPapers([testRecord('2206.00927'), testRecord('2310.13268')]);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('serves valid exposition text with the default process metrics and papers total', async () => {
    const families = await scrape(t);
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(families.has(name), name).toBe(true);
    }
    expect(families.get('paperboy_papers')?.type).toBe('gauge');
    expect(sampleValue(families, 'paperboy_papers')).toBe(2);
    expect(sampleValue(families, 'paperboy_metrics_database_up')).toBe(1);
    expect(families.get('paperboy_http_requests_total')?.type).toBe('counter');
    expect(families.get('paperboy_http_request_duration_seconds')?.type).toBe('histogram');
    for (const source of ['daily', 'oai', 'snapshot']) {
      expect(sampleValue(families, 'paperboy_ingest_runs_total', { source })).toBe(0);
      expect(sampleValue(families, 'paperboy_ingest_failures_total', { source })).toBe(0);
    }
    expect(families.get('paperboy_ingest_last_success_timestamp_seconds')?.samples).toEqual([]);
  });

  it('counts requests by route pattern and status class, never by raw URL, and leaves /metrics out', async () => {
    const before = await scrape(t);
    const count = (families: Map<string, MetricFamily>, route: string, statusClass: string) =>
      sampleValue(families, 'paperboy_http_requests_total', { method: 'GET', route, status_class: statusClass }) ?? 0;
    const histogramCount = (families: Map<string, MetricFamily>, route: string) =>
      sampleValue(families, 'paperboy_http_request_duration_seconds_count', { method: 'GET', route }) ?? 0;

    for (const id of ['2206.00927', '2310.13268', '2206.00927v1']) {
      expect((await t.app.inject({ method: 'GET', url: `/api/papers/${id}` })).statusCode).toBe(200);
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/papers/2401.99999' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/no/such/page/secret-123' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

    const after = await scrape(t);
    expect(count(after, '/api/papers/*', '2xx') - count(before, '/api/papers/*', '2xx')).toBe(3);
    expect(count(after, '/api/papers/*', '4xx') - count(before, '/api/papers/*', '4xx')).toBe(1);
    expect(count(after, UNMATCHED_ROUTE, '4xx') - count(before, UNMATCHED_ROUTE, '4xx')).toBe(1);
    expect(count(after, '/healthz', '2xx') - count(before, '/healthz', '2xx')).toBe(1);
    expect(histogramCount(after, '/api/papers/*') - histogramCount(before, '/api/papers/*')).toBe(4);
    const seconds = sampleValue(after, 'paperboy_http_request_duration_seconds_sum', {
      method: 'GET',
      route: '/api/papers/*',
    });
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThan(10);

    const routes = new Set(
      [...after.values()].flatMap((family) => family.samples.map((sample) => sample.labels.route ?? '')),
    );
    expect(routes.has('/metrics')).toBe(false);
    for (const route of routes) expect(route).not.toMatch(/2206|2310|2401|secret-123/);
  });

  it('reads papers and ingest runs from the database at scrape time, whoever wrote them', async () => {
    const other = openDatabase(url);
    try {
      let clock = Date.parse('2026-03-02T01:00:00.000Z');
      const ingest = new KyselyIngestStore(other.db, () => {
        clock += 60_000;
        return new Date(clock);
      });
      const first = await ingest.startRun('daily', { categories: ['cs.LG'] });
      await ingest.updateRun(first, { status: 'ok', counts: { fetched: 3 } });
      const second = await ingest.startRun('daily', { categories: ['cs.LG'] });
      await ingest.updateRun(second, { status: 'failed', counts: {}, errors: ['arXiv answered 503 three times.'] });
      const oai = await ingest.startRun('oai', { from: '2026-01-01' });
      await ingest.updateRun(oai, { status: 'partial', counts: { skipped: 1 } });
      await ingest.startRun('snapshot', { file: 'arxiv.jsonl' });
      const lastDaily = (await ingest.listRuns({ limit: 10, source: 'daily' })).find((r) => r.id === first)!;

      const families = await scrape(t);
      expect(sampleValue(families, 'paperboy_ingest_runs_total', { source: 'daily' })).toBe(2);
      expect(sampleValue(families, 'paperboy_ingest_failures_total', { source: 'daily' })).toBe(1);
      expect(sampleValue(families, 'paperboy_ingest_runs_total', { source: 'oai' })).toBe(1);
      expect(sampleValue(families, 'paperboy_ingest_runs_total', { source: 'snapshot' })).toBe(1);
      expect(sampleValue(families, 'paperboy_ingest_last_success_timestamp_seconds', { source: 'daily' })).toBe(
        Date.parse(lastDaily.finishedAt!) / 1000,
      );
      expect(sampleValue(families, 'paperboy_ingest_last_success_timestamp_seconds', { source: 'oai' })).toBe(
        Date.parse('2026-03-02T01:06:00.000Z') / 1000,
      );
      expect(sampleValue(families, 'paperboy_ingest_last_success_timestamp_seconds', { source: 'snapshot' })).toBe(
        undefined,
      );

      // A paper written by the other connection is counted at the next scrape (the cached count follows the data version).
      await new KyselyPaperStore(other.db).upsertPapers([testRecord('2401.00001')]);
      expect(sampleValue(await scrape(t), 'paperboy_papers')).toBe(3);
    } finally {
      await other.close();
    }
  });
});

describe.each(databaseKinds())('ingest metrics on $name', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    if (!kind.available) return;
    t = await createTestApp(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  it.skipIf(!kind.available)('counts runs, failures and the last success by source', async () => {
    const ingest = new KyselyIngestStore(t.database.db, () => new Date('2026-04-01T00:00:00.000Z'));
    for (const status of ['ok', 'failed', 'failed', 'interrupted'] as const) {
      const id = await ingest.startRun('oai', {});
      await ingest.updateRun(id, { status, counts: {} });
    }
    await t.store.upsertPapers([testRecord('2206.00927')]);
    const families = await scrape(t);
    expect(sampleValue(families, 'paperboy_ingest_runs_total', { source: 'oai' })).toBe(4);
    expect(sampleValue(families, 'paperboy_ingest_failures_total', { source: 'oai' })).toBe(2);
    expect(sampleValue(families, 'paperboy_ingest_last_success_timestamp_seconds', { source: 'oai' })).toBe(
      Date.parse('2026-04-01T00:00:00.000Z') / 1000,
    );
    expect(sampleValue(families, 'paperboy_ingest_runs_total', { source: 'daily' })).toBe(0);
    expect(sampleValue(families, 'paperboy_papers')).toBe(1);
  });
});

describe('who may scrape /metrics', () => {
  const apps: TestApp[] = [];
  let exposed: TestApp;
  let exposedWithoutToken: TestApp;
  let loopback: TestApp;
  let member: TestPerson;
  let admin: TestPerson;
  let adminWithoutToken: TestPerson;

  beforeAll(async () => {
    exposed = await createTestApp(sqliteKind(), undefined, { HOST: '0.0.0.0', PAPERBOY_METRICS_TOKEN: TOKEN });
    exposedWithoutToken = await createTestApp(sqliteKind(), undefined, { HOST: '0.0.0.0' });
    loopback = await createTestApp(sqliteKind(), undefined, { HOST: '127.0.0.1' });
    apps.push(exposed, exposedWithoutToken, loopback);
    member = await createPerson(exposed, { username: 'reader' });
    admin = await createPerson(exposed, { username: 'boss', role: 'admin' });
    adminWithoutToken = await createPerson(exposedWithoutToken, { username: 'boss2', role: 'admin' });
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  const get = (t: TestApp, headers: Record<string, string> = {}, remoteAddress?: string) =>
    t.app.inject({ method: 'GET', url: '/metrics', headers, ...(remoteAddress ? { remoteAddress } : {}) });

  it('asks anonymous scrapers of an exposed instance for the token, and lets the token in', async () => {
    const anonymous = await get(exposed);
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="metrics"');
    expect(anonymous.body).toMatch(/PAPERBOY_METRICS_TOKEN/);
    expect(anonymous.body).not.toMatch(/paperboy_papers/);
    expect((await get(exposed, { authorization: `Bearer ${TOKEN}x` })).statusCode).toBe(401);
    expect((await get(exposed, { authorization: `Bearer ${TOKEN.slice(0, -1)}` })).statusCode).toBe(401);
    const scraper = await get(exposed, { authorization: `Bearer ${TOKEN}` });
    expect(scraper.statusCode).toBe(200);
    parsePrometheusText(scraper.body);
    // The token opens /metrics only: elsewhere it is no account token.
    expect(
      (
        await exposed.app.inject({
          method: 'GET',
          url: '/api/admin/audit-log',
          headers: { authorization: `Bearer ${TOKEN}` },
        })
      ).statusCode,
    ).toBe(401);
  });

  it('lets admins in and refuses other members', async () => {
    expect((await get(exposed, member.bearer)).statusCode).toBe(403);
    expect((await get(exposed, { cookie: member.cookie })).statusCode).toBe(403);
    expect((await get(exposed, admin.bearer)).statusCode).toBe(200);
    expect((await get(exposed, { cookie: admin.cookie })).statusCode).toBe(200);
  });

  it('without a token, an exposed instance serves admins only and says how to open it', async () => {
    const anonymous = await get(exposedWithoutToken);
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.body).toMatch(/set PAPERBOY_METRICS_TOKEN/);
    expect((await get(exposedWithoutToken, { authorization: `Bearer ${TOKEN}` })).statusCode).toBe(401);
    expect((await get(exposedWithoutToken, adminWithoutToken.bearer)).statusCode).toBe(200);
  });

  it('is open on a loopback-only instance to direct local requests only', async () => {
    expect((await get(loopback)).statusCode).toBe(200);
    expect((await get(loopback, {}, '::1')).statusCode).toBe(200);
    expect((await get(loopback, {}, '192.0.2.7')).statusCode).toBe(401);
    expect((await get(loopback, { 'x-forwarded-for': '203.0.113.9' })).statusCode).toBe(401);
    expect((await get(loopback, { forwarded: 'for=203.0.113.9' })).statusCode).toBe(401);
  });
});
