/**
 * RSS 2.0 and Atom feeds on SQLite and PostgreSQL, each read by a real feed parser (Debian's python3-feedparser):
 * no complaint (`bozo == 0`), and every entry has an id, title, link and date; plus what each feed selects, the
 * advertising `<link rel="alternate">`, the /feeds page and bad feed addresses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, testListing, testRecord } from './support/app.ts';
import { databaseKinds } from './support/databases.ts';
import { feedparserAvailable, parseWithFeedparser } from './support/feedparser.ts';

const FEEDPARSER = feedparserAvailable();
const BASE = 'http://papers.test';

describe.each(databaseKinds())('feeds on $name', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    if (!kind.available) return;
    t = await createTestApp(kind);
    await t.store.upsertPapers([
      testRecord('2206.00927', {
        title: 'DPM-Solver: A Fast ODE Solver for Diffusion <Probabilistic> Models & "Sampling"',
        authors: ['Cheng Lu', 'Yuhao Zhou', 'Jun Zhu'],
        categories: ['cs.LG', 'stat.ML'],
        abstract: 'Diffusion models sample slowly; we solve $\\frac{dx}{dt}$ in about 10 steps.',
      }),
      testRecord('2211.01095', { authors: ['Cheng Luo', 'Ada Lovelace'], categories: ['cs.CV'] }),
      testRecord('hep-th/9901001', { authors: ['Edward Witten'], categories: ['hep-th'], versions: [] }),
      testRecord('2310.13268', { authors: ['Cheng Lu'], categories: ['cs.CV', 'cs.LG'] }),
      testRecord('2401.00001', { categories: ['cs.LG'] }),
    ]);
    await t.store.addListings([
      testListing('2206.00927', '2024-03-04', '2024-03-04T09:00:00.000Z'),
      testListing('2211.01095', '2024-03-04', '2024-03-04T10:00:00.000Z'),
      testListing('hep-th/9901001', '2024-03-05', '2024-03-05T08:00:00.000Z'),
      testListing('2310.13268', '2024-03-06', '2024-03-06T08:00:00.000Z'),
    ]);
  });
  afterAll(async () => {
    await t?.close();
  });

  const get = (url: string) => t.app.inject({ method: 'GET', url });

  it.skipIf(!kind.available)('serves the daily list as RSS 2.0 and Atom, newest listing first', async () => {
    const rss = await get('/feeds/daily.rss');
    expect(rss.statusCode).toBe(200);
    expect(rss.headers['content-type']).toBe('application/rss+xml; charset=utf-8');
    expect(rss.body).toMatch(/^<\?xml version="1\.0" encoding="utf-8"\?>\s*<rss version="2\.0"/);
    const atom = await get('/feeds/daily.atom');
    expect(atom.statusCode).toBe(200);
    expect(atom.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    expect(atom.body).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
    for (const body of [rss.body, atom.body]) {
      const ids = [...body.matchAll(/<(?:guid|id)[^>]*>([^<]*papers\/[^<]*)<\/(?:guid|id)>/g)].map((m) => m[1]);
      expect(ids).toEqual([
        `${BASE}/papers/2310.13268`,
        `${BASE}/papers/hep-th/9901001`,
        `${BASE}/papers/2211.01095`,
        `${BASE}/papers/2206.00927`,
      ]);
    }
    // Not listed: not in the daily feed.
    expect(rss.body).not.toContain('2401.00001');
  });

  it.skipIf(!kind.available || !FEEDPARSER)(
    'are read by feedparser without complaint, every entry with an id, title, link and date',
    async () => {
      for (const url of [
        '/feeds/daily.rss',
        '/feeds/daily.atom',
        '/feeds/trending.rss',
        '/feeds/trending.atom',
        '/feeds/category/cs.LG.rss',
        '/feeds/category/hep-th.atom',
        '/feeds/author/Cheng%20Lu.rss',
        '/feeds/author/Cheng%20Lu.atom',
      ]) {
        const res = await get(url);
        expect(res.statusCode, url).toBe(200);
        const parsed = parseWithFeedparser(res.body);
        expect(parsed.bozo, `${url}: ${parsed.bozo_exception}`).toBe(0);
        expect(parsed.version, url).toMatch(url.endsWith('.rss') ? /^rss20$/ : /^atom10$/);
        expect(parsed.title, url).toMatch(/^Paperboy: /);
        for (const entry of parsed.entries) {
          expect(entry.id, url).toMatch(/^http:\/\/papers\.test\/papers\//);
          expect(entry.link, url).toBe(entry.id);
          expect(entry.title, url).toBeTruthy();
          expect(entry.date, url).toBeTruthy();
        }
      }
      const daily = parseWithFeedparser((await get('/feeds/daily.atom')).body);
      const dpm = daily.entries.find((e) => e.id === `${BASE}/papers/2206.00927`)!;
      // Titles are HTML to feed readers: markup-like characters arrive escaped, so they show as text, not tags.
      expect(dpm.title).toBe(
        'DPM-Solver: A Fast ODE Solver for Diffusion &lt;Probabilistic&gt; Models &amp; &quot;Sampling&quot;',
      );
      expect(dpm.authors).toEqual(['Cheng Lu', 'Yuhao Zhou', 'Jun Zhu']);
      expect(dpm.tags).toEqual(['cs.LG', 'stat.ML']);
      expect(dpm.summary).toContain('Diffusion models sample slowly');
      expect(dpm.date).toBe('2024-03-04T09:00:00.000Z');
    },
  );

  it.skipIf(!kind.available)('selects a category (primary or cross-listed) and an author by whole name', async () => {
    const ids = (body: string) => [...body.matchAll(/<guid[^>]*>[^<]*\/papers\/([^<]+)<\/guid>/g)].map((m) => m[1]);
    expect(ids((await get('/feeds/category/cs.LG.rss')).body)).toEqual(['2310.13268', '2206.00927']);
    expect(ids((await get('/feeds/category/cs.CV.rss')).body)).toEqual(['2310.13268', '2211.01095']);
    expect(ids((await get('/feeds/category/cs.rss')).body)).toEqual([]);
    // "Cheng Lu" is not "Cheng Luo"; case does not matter.
    expect(ids((await get('/feeds/author/Cheng%20Lu.rss')).body)).toEqual(['2310.13268', '2206.00927']);
    expect(ids((await get('/feeds/author/cheng%20lu.rss')).body)).toEqual(['2310.13268', '2206.00927']);
    expect(ids((await get('/feeds/author/Lu.rss')).body)).toEqual([]);
    // LIKE wildcards in a name match only themselves.
    expect(ids((await get('/feeds/author/Cheng%25.rss')).body)).toEqual([]);
    expect(ids((await get('/feeds/author/Cheng_Lu.rss')).body)).toEqual([]);
  });

  it.skipIf(!kind.available)('refuse malformed addresses with a clear 4xx, never a 500', async () => {
    const bad = await get('/feeds/category/not%20a%20category.rss');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('is not an arXiv category');
    expect((await get('/feeds/category/cs.LG.json')).statusCode).toBe(404);
    expect((await get('/feeds/category/cs.LG')).statusCode).toBe(404);
    expect((await get(`/feeds/author/${'x'.repeat(300)}.rss`)).statusCode).toBe(400);
    expect((await get('/feeds/author/%20.rss')).statusCode).toBe(400);
    expect((await get('/feeds/daily.json')).statusCode).toBe(404);
  });

  it.skipIf(!kind.available)('are advertised on every page, and listed on /feeds', async () => {
    for (const url of ['/', '/papers/2206.00927', '/papers/trending', '/login']) {
      const page = await get(url);
      expect(page.body, url).toContain(
        '<link rel="alternate" type="application/rss+xml" title="Paperboy: daily papers (RSS)" href="/feeds/daily.rss"/>',
      );
      expect(page.body, url).toContain('href="/feeds/daily.atom"');
    }
    expect((await get('/papers/trending')).body).toContain('href="/feeds/trending.atom"');
    expect((await get('/papers/2206.00927')).body).toContain('href="/feeds/category/cs.LG.rss"');
    const list = await get('/feeds');
    expect(list.statusCode).toBe(200);
    for (const path of ['/feeds/daily.rss', '/feeds/trending.atom', '/feeds/category/cs.LG.rss']) {
      expect(list.body).toContain(`href="${BASE}${path}"`);
    }
  });

  it.skipIf(!kind.available)('change when the list does (cached per data version)', async () => {
    const before = await get('/feeds/daily.rss');
    expect((await get('/feeds/daily.rss')).headers['x-cache']).toBe('hit');
    await t.store.addListings([testListing('2401.00001', '2024-03-07', '2024-03-07T08:00:00.000Z')]);
    const after = await get('/feeds/daily.rss');
    expect(after.headers['x-cache']).toBe('miss');
    expect(before.body).not.toContain('2401.00001');
    expect(after.body).toContain(`${BASE}/papers/2401.00001`);
  });
});
