import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/storage/database.ts';
import { KyselyPaperStore } from '../src/storage/paper-store.ts';
import { buildApp } from '../src/web/app.ts';
import { createTestApp, type TestApp } from './support/app.ts';
import { sqliteKind } from './support/databases.ts';
import { freePort } from './support/processes.ts';

let t: TestApp | null = null;
afterEach(async () => {
  await t?.app.close();
  await t?.database.close().catch(() => {});
  t = null;
});

describe('health checks', () => {
  it('report ready while the database answers and 503 once it does not', async () => {
    t = await createTestApp(sqliteKind());
    expect((await t.app.inject('/readyz')).statusCode).toBe(200);
    await t.database.close();
    const res = await t.app.inject('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ error: 'unavailable', message: 'The database is not reachable.' });
    expect((await t.app.inject('/healthz')).statusCode).toBe(200);
    // Pages and API say the same while the pool is closed: unavailable for now (503), not a server bug (500).
    const api = await t.app.inject('/api/daily_papers');
    expect(api.statusCode).toBe(503);
    expect(api.json().error).toBe('unavailable');
    expect(api.headers['retry-after']).toBe('5');
    const page = await t.app.inject('/');
    expect(page.statusCode).toBe(503);
    expect(page.headers['content-type']).toContain('text/html');
  });

  it('echoes a sane X-Request-Id and replaces an unreasonable one', async () => {
    t = await createTestApp(sqliteKind());
    const given = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers['x-request-id']).toBe('abc-123');
    const odd = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': '<script>' } });
    expect(odd.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('an unreachable PostgreSQL server', () => {
  it('makes pages and API answer 503 with Retry-After, not 500', async () => {
    const closedPort = await freePort();
    const handle = openDatabase({ dialect: 'postgres', url: `postgres://nobody@127.0.0.1:${closedPort}/none` });
    const app = await buildApp(
      {
        store: new KyselyPaperStore(handle.db),
        db: handle.db,
        // A configured secret: the app need not read its generated one from the unreachable database.
        config: loadConfig({ LOG_LEVEL: 'silent', PAPERBOY_SECRET: 'x'.repeat(32) }),
      },
      { logger: false },
    );
    try {
      const api = await app.inject('/api/papers/2206.00927');
      expect(api.statusCode).toBe(503);
      expect(api.json()).toEqual({ error: 'unavailable', message: expect.stringContaining('not reachable') });
      const page = await app.inject('/papers/date/2024-03-04');
      expect(page.statusCode).toBe(503);
      expect(page.body).toContain('Temporarily unavailable');
      expect((await app.inject('/readyz')).statusCode).toBe(503);
    } finally {
      await app.close();
      await handle.close();
    }
  });
});

describe('OpenAPI document', () => {
  it('describes the read API', async () => {
    t = await createTestApp(sqliteKind());
    const res = await t.app.inject('/openapi.json');
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/daily_papers', '/api/papers/{id}', '/healthz', '/readyz']),
    );
    expect(doc.paths['/api/papers/{id}'].get.parameters).toEqual([
      expect.objectContaining({ name: 'id', in: 'path', required: true }),
    ]);
    const params = doc.paths['/api/daily_papers'].get.parameters.map((p: { name: string }) => p.name);
    expect(params).toEqual(expect.arrayContaining(['date', 'week', 'month', 'submitter', 'sort', 'p', 'limit']));
  });
});

describe('malformed addresses', () => {
  it('get a friendly 400 page on the site and a JSON 400 on the API', async () => {
    t = await createTestApp(sqliteKind());
    const page = await t.app.inject('/papers/%E0%A4%A');
    expect(page.statusCode).toBe(400);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('malformed');
    const api = await t.app.inject('/api/papers/%E0%A4%A');
    expect(api.statusCode).toBe(400);
    expect(api.json()).toEqual({ error: 'bad_request', message: expect.stringContaining('malformed') });
  });
});
