/**
 * A test app with semantic search on: like createTestApp (app.ts), but with a given embedder instead of loading the
 * configured one, so that tests control when vectors exist (embedPapers, the worker's loop) and which embedder made
 * them.
 */
import type { Embedder } from '../../src/search/embedder.ts';
import { fixedEmbedder } from '../../src/search/embedder-loader.ts';
import { createTestApp, type TestApp } from './app.ts';
import type { TestDatabaseKind } from './databases.ts';

export async function createSemanticTestApp(kind: TestDatabaseKind, embedder: Embedder): Promise<TestApp> {
  return await createTestApp(kind, undefined, {}, { embedder: fixedEmbedder(embedder) });
}
