import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/storage/database.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { KyselyPaperStore } from '../src/storage/paper-store.ts';
import { buildApp } from '../src/web/app.ts';
import { sqliteKind } from './support/databases.ts';

describe('health checks', () => {
  it('report ready while the database answers and 503 once it does not', async () => {
    const { url } = await sqliteKind().create();
    const handle = openDatabase(url);
    await migrateToLatest(handle.db);
    const app = await buildApp(
      { store: new KyselyPaperStore(handle.db), config: loadConfig({ LOG_LEVEL: 'silent' }) },
      { logger: false },
    );
    expect((await app.inject('/readyz')).statusCode).toBe(200);
    await handle.close();
    const res = await app.inject('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ error: 'unavailable', message: 'The database is not reachable.' });
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    await app.close();
  });

  it('echoes a sane X-Request-Id and replaces an unreasonable one', async () => {
    const { url } = await sqliteKind().create();
    const handle = openDatabase(url);
    await migrateToLatest(handle.db);
    const app = await buildApp(
      { store: new KyselyPaperStore(handle.db), config: loadConfig({ LOG_LEVEL: 'silent' }) },
      { logger: false },
    );
    const given = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers['x-request-id']).toBe('abc-123');
    const odd = await app.inject({ url: '/healthz', headers: { 'x-request-id': '<script>' } });
    expect(odd.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    await app.close();
    await handle.close();
  });
});
