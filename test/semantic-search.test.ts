/**
 * Hybrid search and semantic similar papers over HTTP on SQLite and PostgreSQL, with the real default embedder
 * (GloVe + SIF) and vectors made by the worker's embedding loop: a query sharing no word with a paper finds it
 * (lexical search finds nothing), filters and hidden papers still apply, an exact title still comes first, search
 * as you type stays lexical, bad input is still a 400, a new paper is found once the embedding job has run, and
 * similar papers use the stored vectors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSearchQuery } from '../src/domain/search-query.ts';
import { loadSampleDataIfEmpty } from '../src/ingest/sample-data.ts';
import type { Embedder } from '../src/search/embedder.ts';
import { fixedEmbedder } from '../src/search/embedder-loader.ts';
import { createLexicalSearch } from '../src/search/lexical-search.ts';
import { KyselyEmbeddingStore } from '../src/storage/embedding-store.ts';
import { createEmbedJob, embedPapers } from '../src/worker/embed-job.ts';
import { type TestApp, testRecord } from './support/app.ts';
import { databaseKinds } from './support/databases.ts';
import { defaultTestEmbedder } from './support/embedders.ts';
import { createSemanticTestApp } from './support/semantic-app.ts';

/** A paper about cars that never says "car" or "accident". */
const RADAR = '2401.00050';
const RADAR_RECORD = testRecord(RADAR, {
  title: 'Automobile collision avoidance with radar',
  abstract: 'Vehicles equipped with radar detect obstacles on highways and brake automatically to avoid crashes.',
  categories: ['cs.RO'],
  versions: [{ version: 1, created: '2024-01-02T03:04:05.000Z' }],
});
/** Arrives later, embedded by the job. */
const BOATS = '2401.00051';
/** The refresh interval of the app's vector index, plus a margin, in ms. */
const INDEX_REFRESH_WAIT_MS = 2_300;

type Item = { paper: { id: string } };

describe.each(databaseKinds())('hybrid search on $name', (kind) => {
  let t: TestApp;
  let embedder: Embedder;

  beforeAll(async () => {
    if (!kind.available) return;
    embedder = await defaultTestEmbedder();
    t = await createSemanticTestApp(kind, embedder);
    await loadSampleDataIfEmpty(t.store, { timeZone: 'America/New_York', now: new Date('2024-06-14T12:00:00Z') });
    await t.store.upsertPapers([RADAR_RECORD]);
    const result = await embedPapers(new KyselyEmbeddingStore(t.database.db), embedder);
    expect(result).toEqual({ embedded: 49, finished: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  const get = (url: string) => t.app.inject({ method: 'GET', url });
  const ids = async (q: string, extra = '') => {
    const res = await get(`/api/papers/search?q=${encodeURIComponent(q)}${extra}`);
    expect(res.statusCode, q).toBe(200);
    return (res.json() as Item[]).map((item) => item.paper.id);
  };

  it.skipIf(!kind.available)('finds a paper by meaning that lexical search misses', async () => {
    const parsed = parseSearchQuery('car accident');
    if (!parsed.ok) throw new Error(parsed.reason);
    const lexical = createLexicalSearch(t.database.db, t.database.dialect);
    expect(await lexical.search(parsed.query, { limit: 10, offset: 0 })).toEqual([]);
    const found = await ids('car accident');
    expect(found[0]).toBe(RADAR);
    // Unrelated papers are not padded in.
    expect(found.length).toBeLessThan(5);
    const page = await get('/search?q=car+accident');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`href="/papers/${RADAR}"`);
    const feed = await get('/feeds/search.rss?q=car+accident');
    expect(feed.body).toContain(RADAR);
  });

  it.skipIf(!kind.available)('keeps lexical matches and exact titles first', async () => {
    const dpm = await ids('dpm solver');
    expect(dpm.slice(0, 3).sort()).toEqual(['2206.00927', '2211.01095', '2310.13268']);
    expect((await ids('diffusion probabilistic model made slim'))[0]).toBe('2211.17106');
    expect((await ids('arXiv:2211.01095'))[0]).toBe('2211.01095');
  });

  it.skipIf(!kind.available)('applies filters to the semantic side too', async () => {
    expect(await ids('car accident cat:cs.RO')).toEqual([RADAR]);
    expect(await ids('car accident cat:cs.LG')).not.toContain(RADAR);
    expect(await ids('car accident before:2023-12-31')).not.toContain(RADAR);
    expect(await ids('car accident after:2024-01-01')).toContain(RADAR);
    expect(await ids('car accident author:"Ada Lovelace"')).toEqual([RADAR]);
    expect(await ids('car accident author:"Cheng Lu"')).not.toContain(RADAR);
  });

  it.skipIf(!kind.available)('stays lexical while typing, and refuses bad input as before', async () => {
    const typing = await get('/search?q=car+accident&typing=1');
    expect(typing.statusCode).toBe(200);
    expect(typing.body).not.toContain(`href="/papers/${RADAR}"`);
    for (const url of [
      '/api/papers/search?q=',
      `/api/papers/search?q=${'x'.repeat(251)}`,
      '/api/papers/search?q=x&limit=0',
      '/api/papers/search?q=x&limit=121',
      '/api/papers/search?q=%22%22',
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    }
    for (const q of ['"', 'NEAR(car accident)', '-car', "'; DROP TABLE paper_embeddings; --", '🚗💥', '∫∑∂ √x']) {
      const res = await get(`/api/papers/search?q=${encodeURIComponent(q)}`);
      expect([200, 400], q).toContain(res.statusCode);
    }
    expect((await ids('automobiles', '&limit=120')).length).toBeLessThanOrEqual(120);
  });

  it.skipIf(!kind.available)('offers similar papers by meaning, never hidden ones', async () => {
    const res = await get('/api/papers/2206.00927/similar?limit=6');
    expect(res.statusCode).toBe(200);
    const similar = (res.json() as Item[]).map((item) => item.paper.id);
    expect(similar).toHaveLength(6);
    expect(similar).not.toContain('2206.00927');
    expect(similar.slice(0, 3)).toEqual(expect.arrayContaining(['2211.01095', '2310.13268']));
    // Hidden papers never, even when they are the nearest vectors.
    await t.database.db
      .updateTable('papers')
      .set({ hidden_at: new Date().toISOString() })
      .where('id', '=', '2310.13268')
      .execute();
    const after = (await get('/api/papers/2211.01095/similar?limit=10')).json() as Item[];
    expect(after.map((item) => item.paper.id)).not.toContain('2310.13268');
    expect(after).toHaveLength(10);
    await t.database.db.updateTable('papers').set({ hidden_at: null }).where('id', '=', '2310.13268').execute();
    // A paper whose words no other paper shares still gets neighbours by meaning.
    const radar = (await get(`/api/papers/${RADAR}/similar?limit=5`)).json() as Item[];
    expect(radar.length).toBeGreaterThan(0);
    expect(radar.map((item) => item.paper.id)).not.toContain(RADAR);
  });

  it.skipIf(!kind.available)('embeds a new paper in the background job, then finds it', async () => {
    await t.store.upsertPapers([
      testRecord(BOATS, {
        title: 'Autonomous sailing vessels',
        abstract: 'Unmanned ships navigate the ocean using wind and satellite positioning.',
      }),
    ]);
    expect(await ids('robot boats at sea')).not.toContain(BOATS);
    const job = createEmbedJob({ store: new KyselyEmbeddingStore(t.database.db), embedder: fixedEmbedder(embedder) });
    const now = new Date();
    expect(job.nextRunAt(now, null)).toEqual(now);
    const controller = new AbortController();
    const log = { info: () => {}, warn: () => {}, error: () => {} };
    const state = await job.run({ now, state: null, signal: controller.signal, log });
    expect(state).toMatchObject({ embedded: 1, moreWaiting: false, problem: null });
    expect(job.nextRunAt(now, state).getTime()).toBeGreaterThan(now.getTime());
    await new Promise((resolve) => setTimeout(resolve, INDEX_REFRESH_WAIT_MS));
    expect((await ids('robot boats at sea ships'))[0]).toBe(BOATS);
    // Hidden by the moderators: gone from semantic answers at once (checked per query).
    await t.database.db
      .updateTable('papers')
      .set({ hidden_at: new Date().toISOString() })
      .where('id', '=', BOATS)
      .execute();
    expect(await ids('unmanned ocean vessels')).not.toContain(BOATS);
    expect(await ids('unmanned ocean vessels cat:cs.LG')).not.toContain(BOATS);
  });
});
