/**
 * The Hugging Face-compatible read API, in process, on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, testListing, testRecord } from './support/app.ts';
import { databaseKinds } from './support/databases.ts';

const ISO_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe.each(databaseKinds())('read API on $name', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    if (!kind.available) return;
    t = await createTestApp(kind);
    await t.store.upsertPapers([
      testRecord('2206.00927', {
        title: 'DPM-Solver: A Fast ODE Solver',
        githubRepo: 'https://github.com/LuChengTHU/dpm-solver',
      }),
      testRecord('2211.01095', { versions: [] }),
      testRecord('hep-th/9901001', { versions: [{ version: 1, created: '1999-01-04' }] }),
      testRecord('2310.13268'),
    ]);
    await t.store.addListings([
      testListing('2206.00927', '2024-03-04', '2024-03-04T09:00:00.000Z'),
      testListing('2211.01095', '2024-03-04', '2024-03-04T10:00:00.000Z'),
      testListing('hep-th/9901001', '2024-03-06'),
    ]);
  });
  afterAll(async () => {
    await t?.close();
  });

  const get = (url: string) => t.app.inject({ method: 'GET', url });

  it.skipIf(!kind.available)('answers a day as a bare array in Hugging Face shape', async () => {
    const res = await get('/api/daily_papers?date=2024-03-04');
    expect(res.statusCode).toBe(200);
    const items = res.json();
    expect(Array.isArray(items)).toBe(true);
    expect(items.map((i: { paper: { id: string } }) => i.paper.id)).toEqual(['2211.01095', '2206.00927']);
    const item = items[1];
    expect(item).not.toHaveProperty('id');
    expect(item).toMatchObject({
      title: 'DPM-Solver: A Fast ODE Solver',
      publishedAt: '2024-03-04T09:00:00.000Z',
      numComments: 0,
      isAuthorParticipating: false,
      submittedBy: { name: 'paperboy', type: 'user' },
      paper: {
        id: '2206.00927',
        title: 'DPM-Solver: A Fast ODE Solver',
        publishedAt: '2024-01-02T03:04:05.000Z',
        upvotes: 0,
        githubRepo: 'https://github.com/LuChengTHU/dpm-solver',
        submittedOnDailyAt: '2024-03-04T09:00:00.000Z',
        submittedOnDailyBy: { user: 'paperboy' },
      },
    });
    expect(item.paper.authors[0]).toMatchObject({ name: 'Ada Lovelace', hidden: false });
    expect(item.paper.authors[0]._id).toMatch(/^[0-9a-f]{24}$/);
    expect(typeof item.submittedBy.avatarUrl).toBe('string');
    // Unknown arXiv date: null, never a made-up day.
    expect(items[0].paper.publishedAt).toBeNull();
  });

  it.skipIf(!kind.available)('keeps every timestamp in ISO 8601 UTC with Z', async () => {
    const items = (await get('/api/daily_papers?month=2024-03')).json();
    expect(items).toHaveLength(3);
    for (const item of items) {
      expect(item.publishedAt).toMatch(ISO_Z);
      expect(item.paper.submittedOnDailyAt).toMatch(ISO_Z);
      if (item.paper.publishedAt !== null) expect(item.paper.publishedAt).toMatch(ISO_Z);
    }
  });

  it.skipIf(!kind.available)('filters by week and month, pages, and sorts', async () => {
    expect((await get('/api/daily_papers?week=2024-W10')).json()).toHaveLength(3);
    expect((await get('/api/daily_papers?week=2024-W11')).json()).toEqual([]);
    const page0 = (await get('/api/daily_papers?limit=2&p=0')).json();
    const page1 = (await get('/api/daily_papers?limit=2&p=1')).json();
    expect(page0.map((i: { paper: { id: string } }) => i.paper.id)).toEqual(['hep-th/9901001', '2211.01095']);
    expect(page1.map((i: { paper: { id: string } }) => i.paper.id)).toEqual(['2206.00927']);
    expect((await get('/api/daily_papers?sort=trending&date=2024-03-04')).json()).toHaveLength(2);
    expect((await get('/api/daily_papers?submitter=paperboy')).json()).toHaveLength(3);
    expect((await get('/api/daily_papers?submitter=someone-else')).json()).toEqual([]);
  });

  it.skipIf(!kind.available)('answers a paper with detail fields, old-style ids and versions too', async () => {
    const res = await get('/api/papers/2206.00927');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: '2206.00927',
      title: 'DPM-Solver: A Fast ODE Solver',
      summary: 'We study $x^2$ and more.',
      upvotes: 0,
      numComments: 0,
      categories: ['cs.LG'],
      submittedOnDailyAt: '2024-03-04T09:00:00.000Z',
    });
    expect((await get('/api/papers/2206.00927v2')).json().id).toBe('2206.00927');
    const old = (await get('/api/papers/hep-th/9901001')).json();
    expect(old).toMatchObject({ id: 'hep-th/9901001', publishedAt: '1999-01-04T00:00:00.000Z' });
    expect((await get('/api/papers/hep-th%2F9901001')).json().id).toBe('hep-th/9901001');
  });

  it.skipIf(!kind.available)('explains a bad parameter in plain words', async () => {
    const message = async (url: string) => (await get(url)).json().message;
    expect(await message('/api/daily_papers?sort=random')).toBe(
      "parameter 'sort' must be one of publishedAt, trending",
    );
    expect(await message('/api/daily_papers?limit=0')).toBe("parameter 'limit' must be at least 1");
    expect(await message('/api/daily_papers?limit=101')).toBe("parameter 'limit' must be at most 100");
    expect(await message('/api/daily_papers?limit=abc')).toBe("parameter 'limit' must be a whole number, given once");
    expect(await message('/api/daily_papers?limit=10&limit=20')).toBe(
      "parameter 'limit' must be a whole number, given once",
    );
  });

  it.skipIf(!kind.available)('resolves a path that climbs out of /api/papers/ before routing it', async () => {
    const res = await get('/api/papers/../../etc/passwd');
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('root:');
  });

  it.skipIf(!kind.available)('answers an unknown paper with 404 and the error shape', async () => {
    const res = await get('/api/papers/2401.99999');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'paper_not_found', message: expect.stringContaining('2401.99999') });
    expect(res.headers['x-error-message']).toContain('2401.99999');
  });

  const badRequests: [url: string, code: string, label?: string][] = [
    ['/api/papers/abc', 'invalid_id'],
    ['/api/papers/..%2F..%2Fetc%2Fpasswd', 'invalid_id'],
    ['/api/papers/2206.00927v99x', 'invalid_id'],
    [`/api/papers/${'9'.repeat(5000)}`, 'invalid_id', 'a 5,000-character id'],
    ['/api/daily_papers?limit=0', 'invalid_parameter'],
    ['/api/daily_papers?limit=101', 'invalid_parameter'],
    ['/api/daily_papers?limit=-1', 'invalid_parameter'],
    ['/api/daily_papers?limit=abc', 'invalid_parameter'],
    ['/api/daily_papers?p=-1', 'invalid_parameter'],
    ['/api/daily_papers?p=abc', 'invalid_parameter'],
    ['/api/daily_papers?sort=random', 'invalid_parameter'],
    ['/api/daily_papers?date=2024-02-30', 'invalid_date'],
    ['/api/daily_papers?date=yesterday', 'invalid_date'],
    ['/api/daily_papers?week=2024-W99', 'invalid_date'],
    ['/api/daily_papers?month=2024-13', 'invalid_date'],
    ['/api/daily_papers?date=2024-03-04&week=2024-W10', 'invalid_parameter'],
    ['/api/daily_papers?date=2024-03-04&date=2024-03-05', 'invalid_parameter'],
  ];
  it.skipIf(!kind.available).each(badRequests.map(([url, code, label]) => ({ url, code, name: label ?? url })))(
    'refuses $name with a 4xx JSON error',
    async ({ url, code }) => {
      const res = await get(url);
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.headers['content-type']).toContain('application/json');
      const body = res.json();
      expect(typeof body.message).toBe('string');
      expect(body.message.length).toBeLessThan(300);
      expect(body.error).toBe(code);
      expect(res.headers['x-error-message']).toBeTruthy();
    },
  );
});
