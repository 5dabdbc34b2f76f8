/**
 * Cached public answers: reused while the data is unchanged, rebuilt after a write from any process, never for
 * requests that carry credentials, never for errors.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/storage/database.ts';
import { KyselyPaperStore } from '../src/storage/paper-store.ts';
import { ResponseCache } from '../src/web/response-cache.ts';
import { createTestApp, type TestApp, testListing, testRecord } from './support/app.ts';
import { databaseKinds, sqliteKind } from './support/databases.ts';

describe('ResponseCache', () => {
  const answer = (version: number, body: string) => ({ version, contentType: 'text/html', cacheControl: null, body });

  it('answers only for the version an entry was built from', () => {
    const cache = new ResponseCache(1_000_000);
    cache.set('/a', answer(1, 'one'));
    expect(cache.get('/a', 1)?.body).toBe('one');
    expect(cache.get('/a', 2)).toBeUndefined();
    expect(cache.get('/a', 1)).toBeUndefined(); // the stale entry is gone
  });

  it('stays within its byte budget, dropping the least recently used first', () => {
    const cache = new ResponseCache(1_000);
    cache.set('/a', answer(1, 'x'.repeat(50)));
    cache.set('/b', answer(1, 'x'.repeat(50)));
    cache.get('/a', 1);
    for (let i = 0; i < 8; i++) cache.set(`/c${i}`, answer(1, 'x'.repeat(50)));
    expect(cache.get('/a', 1)).toBeDefined();
    expect(cache.get('/b', 1)).toBeUndefined();
    cache.set('/huge', answer(1, 'x'.repeat(400)));
    expect(cache.get('/huge', 1)).toBeUndefined();
  });
});

describe.each(databaseKinds())('cached answers on $name', (kind) => {
  let t: TestApp | null = null;
  afterEach(async () => {
    await t?.close();
    t = null;
  });

  it.skipIf(!kind.available)('are reused until a write from another process changes the data', async () => {
    const { url } = await kind.create();
    t = await createTestApp(kind, url);
    await t.app.ready();
    await t.store.upsertPapers([testRecord('2206.00927', { title: 'First title' })]);
    await t.store.addListings([testListing('2206.00927', '2024-03-04')]);

    for (const path of ['/api/daily_papers?date=2024-03-04', '/papers/date/2024-03-04', '/papers/2206.00927']) {
      const first = await t.app.inject(path);
      const second = await t.app.inject(path);
      expect(first.headers['x-cache']).toBe('miss');
      expect(second.headers['x-cache']).toBe('hit');
      expect(second.body).toBe(first.body);
      expect(second.headers['content-type']).toBe(first.headers['content-type']);
      expect(second.headers['cache-control']).toBe(first.headers['cache-control']);
      expect(second.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    }

    // Another process (an import, say) writes to the same database through its own connection.
    const other = openDatabase(url);
    try {
      await new KyselyPaperStore(other.db).upsertPapers([testRecord('2206.00927', { title: 'Second title' })]);
    } finally {
      await other.close();
    }
    const after = await t.app.inject('/api/daily_papers?date=2024-03-04');
    expect(after.headers['x-cache']).toBe('miss');
    expect(after.json()[0].title).toBe('Second title');
    expect((await t.app.inject('/papers/2206.00927')).body).toContain('Second title');
  });

  it.skipIf(!kind.available)('are not used for errors or for requests with credentials', async () => {
    t = await createTestApp(kind);
    expect((await t.app.inject('/api/papers/2401.99999')).statusCode).toBe(404);
    const again = await t.app.inject('/api/papers/2401.99999');
    expect(again.statusCode).toBe(404);
    expect(again.headers['x-cache']).toBe('miss');
    const withSession = await t.app.inject({ url: '/api/daily_papers', headers: { cookie: 'pb_session=abc' } });
    expect(withSession.headers['x-cache']).toBeUndefined();
    const withToken = await t.app.inject({ url: '/api/daily_papers', headers: { authorization: 'Bearer x' } });
    expect(withToken.statusCode).toBe(401);
    expect(withToken.headers['x-cache']).toBeUndefined();
    // Cookies that are not a session (the anonymous CSRF nonce) do not make an answer personal.
    await t.app.inject('/api/daily_papers');
    const otherCookie = await t.app.inject({ url: '/api/daily_papers', headers: { cookie: 'pb_csrf=abc' } });
    expect(otherCookie.headers['x-cache']).toBe('hit');
  });
});

describe('PAPERBOY_RESPONSE_CACHE_MB=0', () => {
  it('turns the cache off', async () => {
    const t = await createTestApp(sqliteKind(), undefined, { PAPERBOY_RESPONSE_CACHE_MB: '0' });
    try {
      await t.app.inject('/api/daily_papers');
      expect((await t.app.inject('/api/daily_papers')).headers['x-cache']).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});
