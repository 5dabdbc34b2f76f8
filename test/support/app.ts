/** An app on a fresh, migrated test database, for in-process HTTP tests with `app.inject`. */
import { loadConfig } from '../../src/config.ts';
import { type DatabaseHandle, openDatabase } from '../../src/storage/database.ts';
import { migrateToLatest } from '../../src/storage/migrate.ts';
import { KyselyPaperStore } from '../../src/storage/paper-store.ts';
import { buildApp, type PaperboyApp } from '../../src/web/app.ts';
import type { TestDatabaseKind } from './databases.ts';

export interface TestApp {
  app: PaperboyApp;
  store: KyselyPaperStore;
  database: DatabaseHandle;
  close(): Promise<void>;
}

export async function createTestApp(kind: TestDatabaseKind): Promise<TestApp> {
  const { url, urlText } = await kind.create();
  const handle = openDatabase(url);
  await migrateToLatest(handle.db);
  const store = new KyselyPaperStore(handle.db);
  const config = loadConfig({ DATABASE_URL: urlText, PAPERBOY_BASE_URL: 'http://papers.test', LOG_LEVEL: 'silent' });
  const app = await buildApp({ store, config }, { logger: false });
  return {
    app,
    store,
    database: handle,
    async close() {
      await app.close();
      await handle.close();
    },
  };
}

export { testListing, testRecord } from './records.ts';
