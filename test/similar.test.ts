/**
 * Similar papers on SQLite and PostgreSQL: the SimilarPapers contract (the DPM-Solver papers find each other, a
 * paper is never its own, hidden papers never appear), `GET /api/papers/{id}/similar` (shape, bounds, 404s, both
 * id styles) and the paper page's section, on the bundled sample papers plus a few made records.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSampleDataIfEmpty } from '../src/ingest/sample-data.ts';
import { createSimilarPapers, type SimilarPapers } from '../src/search/similar.ts';
import { createTestApp, type TestApp, testRecord } from './support/app.ts';
import { databaseKinds } from './support/databases.ts';

const DPM_SOLVERS = ['2206.00927', '2211.01095', '2310.13268'];
/** A copy of DPM-Solver's text, hidden by the moderators: the most similar paper there is, never to be shown. */
const HIDDEN_TWIN = '2401.00020';
/** A paper with words no other paper has: nothing is similar to it. */
const LONER = '2401.00021';
/** An old-style id, for the route's second form. */
const OLD_STYLE = 'hep-th/9901001';

describe.each(databaseKinds())('similar papers on $name', (kind) => {
  let t: TestApp;
  let similar: SimilarPapers;

  beforeAll(async () => {
    if (!kind.available) return;
    t = await createTestApp(kind);
    await loadSampleDataIfEmpty(t.store, { timeZone: 'America/New_York', now: new Date('2024-06-14T12:00:00Z') });
    const original = await t.store.getPaper('2206.00927');
    if (!original) throw new Error('the sample papers lack DPM-Solver');
    await t.store.upsertPapers([
      testRecord(HIDDEN_TWIN, { title: original.title, abstract: original.abstract, authors: original.authors }),
      testRecord(LONER, { title: 'Xyzzy plugh', abstract: 'Frobnicated quuxes.', authors: ['Zed Zebra'] }),
      testRecord(OLD_STYLE, {
        title: 'Fast ODE solvers for diffusion probabilistic models',
        abstract: 'Sampling diffusion probabilistic models with few steps of an ODE solver.',
        categories: ['hep-th'],
      }),
    ]);
    // Hidden before any request, so that no cached answer predates it.
    await t.database.db
      .updateTable('papers')
      .set({ hidden_at: new Date().toISOString() })
      .where('id', '=', HIDDEN_TWIN)
      .execute();
    similar = createSimilarPapers(t.database.db, t.database.dialect);
  });
  afterAll(async () => {
    await t?.close();
  });

  const get = (url: string) => t.app.inject({ method: 'GET', url });

  it.skipIf(!kind.available)('finds the DPM-Solver papers for each other first', async () => {
    for (const id of DPM_SOLVERS) {
      const found = await similar.similarTo(id, 8);
      expect(found.slice(0, 2).sort(), id).toEqual(DPM_SOLVERS.filter((other) => other !== id).sort());
    }
  });

  it.skipIf(!kind.available)('never answers a paper itself, a hidden paper, or more than asked', async () => {
    const rows = await t.database.db.selectFrom('papers').select('id').where('hidden_at', 'is', null).execute();
    expect(rows.length).toBeGreaterThan(40);
    for (const { id } of rows) {
      const found = await similar.similarTo(id, 5);
      expect(found, id).not.toContain(id);
      expect(found, id).not.toContain(HIDDEN_TWIN);
      expect(found.length, id).toBeLessThanOrEqual(5);
      expect(new Set(found).size, id).toBe(found.length);
    }
    expect(await similar.similarTo(HIDDEN_TWIN, 5)).toEqual([]);
    expect(await similar.similarTo('2401.09999', 5)).toEqual([]);
    expect(await similar.similarTo(LONER, 5)).toEqual([]);
    expect(await similar.similarTo('2206.00927', 0)).toEqual([]);
  });

  it.skipIf(!kind.available)("answers the search API's shape, for both id styles", async () => {
    const res = await get('/api/papers/2206.00927/similar');
    expect(res.statusCode).toBe(200);
    const items = res.json() as { paper: { id: string }; title: string }[];
    expect(items).toHaveLength(8);
    for (const item of items) {
      expect(item).toMatchObject({
        paper: { id: expect.any(String), authors: expect.any(Array) },
        title: expect.any(String),
      });
    }
    expect(items.map((item) => item.paper.id)).not.toContain('2206.00927');
    expect((await get('/api/papers/2206.00927/similar?limit=3')).json()).toHaveLength(3);
    const oldStyle = await get(`/api/papers/${OLD_STYLE}/similar?limit=5`);
    expect(oldStyle.statusCode).toBe(200);
    const oldItems = oldStyle.json() as { paper: { id: string } }[];
    expect(oldItems.length).toBeGreaterThan(0);
    expect(oldItems.map((item) => item.paper.id)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^2[0-9]{3}\./)]),
    );
  });

  it.skipIf(!kind.available)('refuses bad limits and ids, and 404s unknown and hidden papers', async () => {
    for (const url of [
      '/api/papers/2206.00927/similar?limit=0',
      '/api/papers/2206.00927/similar?limit=21',
      '/api/papers/2206.00927/similar?limit=ten',
      '/api/papers/not-an-id/similar',
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    }
    for (const url of ['/api/papers/2401.09999/similar', `/api/papers/${HIDDEN_TWIN}/similar`]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json(), url).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    }
  });

  it.skipIf(!kind.available)('lists similar papers on the paper page, and nothing when there are none', async () => {
    const page = await get('/papers/2206.00927');
    expect(page.statusCode).toBe(200);
    const html = page.body;
    expect(html).toContain('Similar papers');
    expect(html).toContain('href="/papers/2211.01095"');
    expect(html).not.toContain(`href="/papers/${HIDDEN_TWIN}"`);
    const section = html.slice(html.indexOf('class="similar-papers"'));
    expect(section.indexOf('Similar papers')).toBeLessThan(section.length);
    expect(html.indexOf('class="similar-papers"')).toBeGreaterThan(html.indexOf('id="abstract-title"'));
    const loner = await get(`/papers/${LONER}`);
    expect(loner.statusCode).toBe(200);
    expect(loner.body).not.toContain('Similar papers');
  });
});
