/**
 * The admins' view of ingestion on SQLite and PostgreSQL: /admin/ingest (HTML) and /api/admin/ingest-runs (JSON)
 * refused to anonymous people (401; the page with a sign-in prompt), members and banned people (403); for admins,
 * runs newest first in pages, narrowed to one source on request, each with when, what was asked, status, duration,
 * counts and its errors folded away; the per-source summary; and the link from /admin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyIngestStore } from '../src/storage/ingest-store.ts';
import { createPerson, type TestPerson } from './support/accounts.ts';
import { createTestApp, type TestApp } from './support/app.ts';
import { databaseKinds } from './support/databases.ts';

/** More than one HTML page (50 a page). */
const RUNS = 57;
const START_MS = Date.parse('2026-03-01T00:00:00.000Z');

/** Run ids by their `data-run-id` on the page, in document order. */
function runIdsOnPage(html: string): number[] {
  return [...html.matchAll(/data-run-id="(\d+)"/g)].map((m) => Number(m[1]));
}

describe.each(databaseKinds())('ingest runs for admins on $name', (kind) => {
  let t: TestApp;
  let admin: TestPerson;
  let member: TestPerson;
  let banned: TestPerson;
  /** Ids in start order (oldest first). */
  const ids: number[] = [];

  beforeAll(async () => {
    if (!kind.available) return;
    t = await createTestApp(kind);
    admin = await createPerson(t, { username: 'boss', role: 'admin' });
    member = await createPerson(t, { username: 'reader' });
    banned = await createPerson(t, { username: 'troll', role: 'banned' });
    // Run i starts i hours after START and takes (i + 1) * 65 seconds; sources rotate daily, oai, snapshot.
    let nowMs = START_MS;
    const store = new KyselyIngestStore(t.database.db, () => new Date(nowMs));
    const sources = ['daily', 'oai', 'snapshot'] as const;
    for (let i = 0; i < RUNS; i += 1) {
      nowMs = START_MS + i * 3_600_000;
      const source = sources[i % 3]!;
      const params = source === 'daily' ? { categories: ['cs.LG', 'cs.CV'] } : { from: '2026-01-01', set: 'cs' };
      const id = await store.startRun(source, params);
      ids.push(id);
      if (i === RUNS - 1) break; // the newest is still running
      nowMs += (i + 1) * 65_000;
      const failed = i % 10 === 4;
      await store.updateRun(id, {
        status: failed ? 'failed' : i % 10 === 7 ? 'partial' : 'ok',
        counts: { fetched: 100 + i, inserted: 90, updated: 10 + i, skipped: failed ? 2 : 0 },
        errors: failed ? ['arXiv answered 503 three times.', 'Record <7> had "no" id & was skipped.'] : [],
      });
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });

  it.skipIf(!kind.available)('refuses anonymous people, members and banned people', async () => {
    const anonymousPage = await get('/admin/ingest');
    expect(anonymousPage.statusCode).toBe(401);
    expect(anonymousPage.body).toContain('Sign in to see ingest runs');
    expect(anonymousPage.body).toContain('/login?next=%2Fadmin%2Fingest');
    expect(anonymousPage.body).not.toContain('data-run-id');
    const anonymousApi = await get('/api/admin/ingest-runs');
    expect(anonymousApi.statusCode).toBe(401);
    expect(anonymousApi.json().error).toBe('unauthorized');
    for (const who of [member, banned]) {
      for (const headers of [who.bearer, { cookie: who.cookie }]) {
        const page = await get('/admin/ingest', headers);
        expect(page.statusCode).toBe(403);
        expect(page.body).not.toContain('data-run-id');
        const api = await get('/api/admin/ingest-runs', headers);
        expect(api.statusCode).toBe(403);
        expect(api.body).not.toContain('fetched');
      }
    }
    // The policy answers before the query string is checked: a member's bad query is still a 403.
    expect((await get('/api/admin/ingest-runs?limit=abc', member.bearer)).statusCode).toBe(403);
  });

  it.skipIf(!kind.available)('lists runs newest first in pages over the API, with totals and statistics', async () => {
    const first = await get('/api/admin/ingest-runs?limit=20', admin.bearer);
    expect(first.statusCode).toBe(200);
    expect(first.headers['cache-control']).toBe('no-store');
    const body = first.json();
    expect(body.total).toBe(RUNS);
    expect(body.page).toBe(0);
    expect(body.limit).toBe(20);
    expect(body.runs.map((run: { id: number }) => run.id)).toEqual([...ids].reverse().slice(0, 20));
    const [running, newestFinished] = body.runs;
    expect(running).toMatchObject({ status: 'running', finishedAt: null, durationMs: null, counts: {}, errors: [] });
    expect(newestFinished).toMatchObject({
      source: 'oai',
      status: 'ok',
      params: { from: '2026-01-01', set: 'cs' },
      counts: { fetched: 155, inserted: 90, updated: 65, skipped: 0 },
      durationMs: 56 * 65_000,
    });

    const pages = [];
    for (let p = 0; p < 3; p += 1) {
      pages.push(...(await get(`/api/admin/ingest-runs?limit=20&p=${p}`, admin.bearer)).json().runs);
    }
    expect(pages.map((run: { id: number }) => run.id)).toEqual([...ids].reverse());
    expect((await get('/api/admin/ingest-runs?limit=20&p=3', admin.bearer)).json().runs).toEqual([]);

    const daily = (await get('/api/admin/ingest-runs?source=daily&limit=200', admin.bearer)).json();
    expect(daily.total).toBe(19);
    expect(new Set(daily.runs.map((run: { source: string }) => run.source))).toEqual(new Set(['daily']));

    // Failures: runs 4, 14, 24, ... (i % 10 === 4) by source; the last success is the newest ok/partial run's end.
    const statistics = Object.fromEntries(
      body.statistics.map((row: { source: string }) => [row.source, row]),
    ) as Record<string, { runs: number; failures: number; lastSuccessAt: string | null }>;
    const failuresBySource = { daily: 0, oai: 0, snapshot: 0 } as Record<string, number>;
    for (let i = 0; i < RUNS - 1; i += 1)
      if (i % 10 === 4) failuresBySource[['daily', 'oai', 'snapshot'][i % 3]!]! += 1;
    for (const source of ['daily', 'oai', 'snapshot']) {
      expect(statistics[source]!.runs, source).toBe(19);
      expect(statistics[source]!.failures, source).toBe(failuresBySource[source]);
    }
    expect(statistics.oai!.lastSuccessAt).toBe(new Date(START_MS + 55 * 3_600_000 + 56 * 65_000).toISOString());
  });

  it.skipIf(!kind.available)('refuses bad queries from admins with a sentence', async () => {
    for (const query of ['source=arxiv', 'limit=0', 'limit=201', 'p=-1', 'p=x']) {
      const response = await get(`/api/admin/ingest-runs?${query}`, admin.bearer);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().message, query).toMatch(/'(source|limit|p)'/);
    }
    expect((await get('/admin/ingest?source=arxiv', admin.bearer)).statusCode).toBe(400);
    expect((await get('/admin/ingest?p=0', admin.bearer)).statusCode).toBe(400);
  });

  it.skipIf(!kind.available)('shows runs newest first on the page, fifty a page, with their details', async () => {
    const page1 = await get('/admin/ingest', { cookie: admin.cookie });
    expect(page1.statusCode).toBe(200);
    expect(page1.headers['cache-control']).toBe('private, no-cache');
    const shown = runIdsOnPage(page1.body);
    expect(shown).toEqual([...ids].reverse().slice(0, 50));
    expect(page1.body).toContain('Page 1 of 2');
    expect(page1.body).toContain('href="/admin/ingest?p=2"');

    // The newest run is still running; the next one took 56 × 65 s; both show their parameters and counts.
    const rowOf = (html: string, id: number) => {
      const start = html.indexOf(`data-run-id="${id}"`);
      return html.slice(start, html.indexOf('</tr>', start));
    };
    expect(rowOf(page1.body, ids[RUNS - 1]!)).toContain('running');
    const finished = rowOf(page1.body, ids[RUNS - 2]!);
    expect(finished).toContain('OAI-PMH harvest');
    expect(finished).toContain('1 h 00 min'); // 3,640 s
    expect(finished).toContain('fetched: 155');
    expect(finished).toContain('set: cs');
    expect(finished).toContain('2026-03-03 07:00');

    // A failed run's errors are folded in a <details>, escaped.
    const failed = rowOf(page1.body, ids[54]!);
    expect(failed).toContain('failed');
    expect(failed).toContain('<details class="ingest-errors"><summary>2 errors</summary>');
    expect(failed).toContain('Record &lt;7> had &quot;no&quot; id &amp; was skipped.');
    expect(rowOf(page1.body, ids[55]!)).toContain('<span class="muted">none</span>');

    const page2 = await get('/admin/ingest?p=2', admin.bearer);
    expect(runIdsOnPage(page2.body)).toEqual([...ids].reverse().slice(50));
    expect(page2.body).toContain('Page 2 of 2');
    expect(page2.body).toContain('href="/admin/ingest"');
    expect(runIdsOnPage((await get('/admin/ingest?p=3', admin.bearer)).body)).toEqual([]);
  });

  it.skipIf(!kind.available)('narrows the page to one source and sums each source up', async () => {
    const page = await get('/admin/ingest?source=snapshot', admin.bearer);
    expect(page.statusCode).toBe(200);
    const shown = runIdsOnPage(page.body);
    expect(shown).toEqual(ids.filter((_, i) => i % 3 === 2).reverse());
    expect(page.body).toContain('Runs: Snapshot import');
    expect(page.body).toContain('<span aria-current="page">Snapshot import</span>');
    const summary = page.body.slice(page.body.indexOf('data-source="daily"'), page.body.indexOf('</tbody>'));
    expect(summary).toMatch(/Daily announcement<\/th><td>19<\/td><td>2<\/td>/);
  });

  it.skipIf(!kind.available)('is linked from the admin page', async () => {
    const adminPage = await get('/admin', { cookie: admin.cookie });
    expect(adminPage.statusCode).toBe(200);
    expect(adminPage.body).toContain('href="/admin/ingest"');
  });
});
