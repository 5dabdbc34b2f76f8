/** An app on a fresh, migrated test database, for in-process HTTP tests with `app.inject`. */
import { loadConfig } from '../../src/config.ts';
import { type DatabaseHandle, type DatabaseUrl, openDatabase } from '../../src/storage/database.ts';
import { migrateToLatest } from '../../src/storage/migrate.ts';
import { KyselyPaperStore } from '../../src/storage/paper-store.ts';
import { type AppContext, buildApp, type PaperboyApp } from '../../src/web/app.ts';
import type { TestDatabaseKind } from './databases.ts';

export interface TestApp {
  app: PaperboyApp;
  store: KyselyPaperStore;
  database: DatabaseHandle;
  /** The configured PAPERBOY_SECRET, when the test set one (otherwise the instance's generated key is used). */
  secret?: string;
  close(): Promise<void>;
}

/**
 * Where tests' arXiv API requests go unless a test points PAPERBOY_ARXIV_API_URL at a replay server
 * (test/support/arxiv-replay.ts) or passes a client: a closed local port, so that no test ever reaches arXiv.
 */
const UNREACHABLE_ARXIV_API_URL = 'http://127.0.0.1:9/api/query';

/**
 * An app on a new database of `kind` (or on `existing`), with extra environment settings when given, and parts
 * to use instead of the ones the app would make (e.g. an arXiv client with short spacing).
 */
export async function createTestApp(
  kind: TestDatabaseKind,
  existing?: DatabaseUrl,
  env: Record<string, string> = {},
  parts: Pick<AppContext, 'arxiv' | 'embedder'> = {},
): Promise<TestApp> {
  const url = existing ?? (await kind.create()).url;
  const urlText = url.dialect === 'sqlite' ? `sqlite:${url.path}` : url.url;
  const handle = openDatabase(url);
  await migrateToLatest(handle.db);
  const store = new KyselyPaperStore(handle.db);
  const config = loadConfig({
    DATABASE_URL: urlText,
    PAPERBOY_BASE_URL: 'http://papers.test',
    LOG_LEVEL: 'silent',
    PAPERBOY_ARXIV_API_URL: UNREACHABLE_ARXIV_API_URL,
    // Lexical search only unless a test asks for more: an embedder finishing its load mid-test would change the
    // order of results between two requests. Semantic tests use test/support/semantic-app.ts.
    PAPERBOY_EMBEDDER: 'off',
    ...env,
  });
  const app = await buildApp({ store, config, db: handle.db, ...parts }, { logger: false });
  return {
    app,
    store,
    database: handle,
    secret: config.secret ?? undefined,
    async close() {
      await app.close();
      await handle.close();
    },
  };
}

export { testListing, testRecord } from './records.ts';
