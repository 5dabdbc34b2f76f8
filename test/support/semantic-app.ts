/**
 * A test app with semantic search on: like createTestApp (app.ts), but with a given embedder instead of loading the
 * configured one, so that tests control when vectors exist (embedPapers, the worker's loop) and which embedder made
 * them.
 */
import { loadConfig } from '../../src/config.ts';
import type { Embedder } from '../../src/search/embedder.ts';
import { fixedEmbedder } from '../../src/search/embedder-loader.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { migrateToLatest } from '../../src/storage/migrate.ts';
import { KyselyPaperStore } from '../../src/storage/paper-store.ts';
import { buildApp } from '../../src/web/app.ts';
import type { TestApp } from './app.ts';
import type { TestDatabaseKind } from './databases.ts';

export async function createSemanticTestApp(kind: TestDatabaseKind, embedder: Embedder): Promise<TestApp> {
  const { url, urlText } = await kind.create();
  const handle = openDatabase(url);
  await migrateToLatest(handle.db);
  const store = new KyselyPaperStore(handle.db);
  const config = loadConfig({
    DATABASE_URL: urlText,
    PAPERBOY_BASE_URL: 'http://papers.test',
    LOG_LEVEL: 'silent',
    PAPERBOY_ARXIV_API_URL: 'http://127.0.0.1:9/api/query',
  });
  const app = await buildApp({ store, config, db: handle.db, embedder: fixedEmbedder(embedder) }, { logger: false });
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
