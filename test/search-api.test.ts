/**
 * Search over HTTP on SQLite and PostgreSQL: Hugging Face's `GET /api/papers/search` (shape and bounds), the
 * `/search` page (marked words, refusals shown on the page, paging), and the search feed read by feedparser.
 * Every hostile query answers a clear 400 or results, never a 5xx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSampleDataIfEmpty } from '../src/ingest/sample-data.ts';
import { createTestApp, type TestApp, testRecord } from './support/app.ts';
import { databaseKinds } from './support/databases.ts';
import { feedparserAvailable, parseWithFeedparser } from './support/feedparser.ts';

const FEEDPARSER = feedparserAvailable();

describe.each(databaseKinds())('search over HTTP on $name', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    if (!kind.available) return;
    t = await createTestApp(kind);
    await loadSampleDataIfEmpty(t.store, { timeZone: 'America/New_York', now: new Date('2024-06-14T12:00:00Z') });
    await t.store.upsertPapers([
      testRecord('2401.00009', {
        title: 'Wombat burrows, unlisted',
        abstract: `${'Filler words about nothing. '.repeat(20)}The wombat digs square burrows. ${'More filler. '.repeat(20)}`,
      }),
    ]);
  });
  afterAll(async () => {
    await t?.close();
  });

  const get = (url: string) => t.app.inject({ method: 'GET', url });

  it.skipIf(!kind.available)("answers Hugging Face's shape: a bare array, title at the top level", async () => {
    const res = await get('/api/papers/search?q=DPM-Solver&limit=5');
    expect(res.statusCode).toBe(200);
    const items = res.json() as Record<string, unknown>[];
    expect(Array.isArray(items)).toBe(true);
    expect(items.length).toBeGreaterThanOrEqual(3);
    expect(items.length).toBeLessThanOrEqual(5);
    for (const item of items) {
      expect(item).toMatchObject({
        paper: { id: expect.any(String), title: expect.any(String), authors: expect.any(Array) },
        title: expect.any(String),
        numComments: expect.any(Number),
      });
      expect(item).not.toHaveProperty('id');
    }
    // Listed papers carry the daily item's fields; an unlisted one has none of the submitter's.
    expect(items[0]).toHaveProperty('submittedBy');
    const unlisted = (await get('/api/papers/search?q=wombat')).json() as Record<string, unknown>[];
    expect(unlisted).toHaveLength(1);
    expect(unlisted[0]).toMatchObject({ title: 'Wombat burrows, unlisted', paper: { id: '2401.00009' } });
    expect(unlisted[0]).not.toHaveProperty('submittedBy');
  });

  it.skipIf(!kind.available)('puts an exact arXiv id or title first', async () => {
    const byId = (await get('/api/papers/search?q=arXiv:2211.01095v2')).json() as { paper: { id: string } }[];
    expect(byId[0]?.paper.id).toBe('2211.01095');
    const title = 'Diffusion Probabilistic Model Made Slim';
    const byTitle = (await get(`/api/papers/search?q=${encodeURIComponent(title.toLowerCase())}`)).json() as {
      paper: { id: string };
    }[];
    expect(byTitle[0]?.paper.id).toBe('2211.17106');
  });

  it.skipIf(!kind.available)('refuses out-of-bounds q and limit with a clear 400', async () => {
    for (const url of [
      '/api/papers/search',
      '/api/papers/search?q=',
      `/api/papers/search?q=${'x'.repeat(251)}`,
      '/api/papers/search?q=x&limit=0',
      '/api/papers/search?q=x&limit=121',
      '/api/papers/search?q=x&limit=ten',
      '/api/papers/search?q=%22%22',
      '/api/papers/search?q=x%20after:2024-02-30',
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toMatchObject({ error: expect.any(String), message: expect.any(String) });
      expect(res.headers['x-error-message'], url).toBeTruthy();
    }
    expect(
      (await get(`/api/papers/search?q=${encodeURIComponent('ab '.repeat(83)).slice(0, 250 * 3)}`)).statusCode,
    ).toBe(200);
    expect((await get('/api/papers/search?q=x&limit=120')).statusCode).toBe(200);
  });

  it.skipIf(!kind.available)('never answers a 5xx, whatever is typed', async () => {
    for (const q of [
      '"',
      '"unbalanced',
      '*',
      'NEAR(diffusion models)',
      '-diffusion',
      ':',
      'AND OR NOT',
      "'; DROP TABLE papers; --",
      '1 OR 1=1',
      '🚀🔥',
      '∫∑∂ √x',
      '\\',
      '%_%',
      'cat:cs.LG author:"',
      'author:"Cheng Lu" "diffusion',
    ]) {
      for (const url of [`/api/papers/search?q=${encodeURIComponent(q)}`, `/search?q=${encodeURIComponent(q)}`]) {
        const res = await get(url);
        expect([200, 400], `${url} -> ${res.statusCode}`).toContain(res.statusCode);
      }
    }
    expect(await t.store.countPapers()).toBe(49);
  });

  it.skipIf(!kind.available)('shows results with the words marked, and a snippet around the match', async () => {
    const page = await get('/search?q=wombat');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<mark>Wombat</mark> burrows, unlisted');
    expect(page.body).toMatch(/… [^<]*The <mark>wombat<\/mark> digs square burrows\./);
    expect(page.body).toContain('value="wombat"');
    // Markup in a query is text on the page.
    const hostile = await get(`/search?q=${encodeURIComponent('<script>alert(1)</script> wombat')}`);
    expect(hostile.statusCode).toBe(200);
    expect(hostile.body).not.toContain('<script>alert(1)</script>');
    expect(hostile.body).toContain('&lt;script>alert(1)&lt;/script> wombat');
  });

  it.skipIf(!kind.available)('shows a refused query on the page, keeping what was typed', async () => {
    const res = await get(`/search?q=${encodeURIComponent('diffusion after:2024-13-01')}`);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('after: wants a day');
    expect(res.body).toContain('value="diffusion after:2024-13-01"');
    const empty = await get('/search');
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain('id="search-q"');
  });

  it.skipIf(!kind.available)('pages through the results', async () => {
    const first = await get('/search?q=learning');
    expect(first.body).toContain('href="/search?q=learning&amp;p=2"');
    const second = await get('/search?q=learning&p=2');
    expect(second.statusCode).toBe(200);
    expect(second.body).toContain('href="/search?q=learning"');
    expect((await get('/search?q=learning&p=0')).statusCode).toBe(400);
  });

  it.skipIf(!kind.available)(
    'matches the word being typed when the page asks for it (search as you type)',
    async () => {
      expect((await get('/search?q=womb')).body).toContain('Nothing matches');
      expect((await get('/search?q=womb&typing=1')).body).toContain('<mark>Wombat</mark> burrows');
    },
  );

  it.skipIf(!kind.available || !FEEDPARSER)('offers each search as a feed that feedparser reads', async () => {
    for (const format of ['rss', 'atom']) {
      const res = await get(`/feeds/search.${format}?q=${encodeURIComponent('diffusion cat:cs.LG')}`);
      expect(res.statusCode).toBe(200);
      const parsed = parseWithFeedparser(res.body);
      expect(parsed.bozo, parsed.bozo_exception).toBe(0);
      expect(parsed.entries.length).toBeGreaterThan(0);
      for (const entry of parsed.entries) {
        expect(entry.id).toMatch(/^http:\/\/papers\.test\/papers\//);
        expect(entry.title).toBeTruthy();
        expect(entry.date).toBeTruthy();
        expect(entry.tags).toContain('cs.LG');
      }
    }
    expect((await get('/feeds/search.rss')).statusCode).toBe(400);
    expect((await get('/search?q=wombat')).body).toContain('href="/feeds/search.rss?q=wombat"');
  });
});
