/** An app on a fresh, migrated test database, for in-process HTTP tests with `app.inject`. */
import { loadConfig } from '../../src/config.ts';
import type { PaperRecord } from '../../src/domain/paper.ts';
import { type DatabaseHandle, openDatabase } from '../../src/storage/database.ts';
import { migrateToLatest } from '../../src/storage/migrate.ts';
import { KyselyPaperStore, type Listing } from '../../src/storage/paper-store.ts';
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

/** A record with every field set, for tests that need a paper but not a particular one. */
export function testRecord(id: string, overrides: Partial<PaperRecord> = {}): PaperRecord {
  return {
    id,
    title: `Title of ${id}`,
    abstract: 'We study $x^2$ and more.',
    authors: ['Ada Lovelace', 'Charles Babbage'],
    categories: ['cs.LG'],
    versions: [{ version: 1, created: '2024-01-02T03:04:05.000Z' }],
    comments: null,
    journalRef: null,
    doi: null,
    reportNo: null,
    license: null,
    submitter: null,
    githubRepo: null,
    projectPage: null,
    ...overrides,
  };
}

export function testListing(paperId: string, listedOn: string, submittedAt = `${listedOn}T12:00:00.000Z`): Listing {
  return { paperId, listedOn, submittedAt, source: 'import', submittedByUserId: null, comment: null };
}
