/**
 * `paperboy reindex` through the real binary on SQLite and PostgreSQL: rebuilds the lexical index and embeds every
 * paper with the default embedder (a summary on stdout, nothing else when not on a terminal), the --lexical-only
 * and --embeddings-only halves, replacing another embedder's vectors, and clear refusals with exit codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSampleDataIfEmpty } from '../src/ingest/sample-data.ts';
import { type DatabaseHandle, openDatabase } from '../src/storage/database.ts';
import { KyselyEmbeddingStore } from '../src/storage/embedding-store.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { KyselyPaperStore } from '../src/storage/paper-store.ts';
import { databaseKinds } from './support/databases.ts';
import { defaultTestEmbedder, randomUnitVectors, TEST_CACHE_DIR } from './support/embedders.ts';
import { runPaperboy } from './support/processes.ts';

describe.each(databaseKinds())('paperboy reindex on $name', (kind) => {
  let handle: DatabaseHandle;
  let env: Record<string, string>;
  let store: KyselyEmbeddingStore;
  let embedderId: string;

  beforeAll(async () => {
    if (!kind.available) return;
    const created = await kind.create();
    handle = openDatabase(created.url);
    await migrateToLatest(handle.db);
    await loadSampleDataIfEmpty(new KyselyPaperStore(handle.db), { timeZone: 'America/New_York' });
    store = new KyselyEmbeddingStore(handle.db);
    embedderId = (await defaultTestEmbedder()).id;
    env = { DATABASE_URL: created.urlText, PAPERBOY_CACHE_DIR: TEST_CACHE_DIR };
  });
  afterAll(async () => {
    await handle?.db.destroy();
  });

  it.skipIf(!kind.available)('rebuilds the lexical index and embeds every paper, replacing other vectors', async () => {
    // Two papers carry another embedder's vectors: reindex replaces them.
    const [a, b] = randomUnitVectors(2, 4);
    await store.upsertVectors('old@1', 4, [
      { paperId: '2206.00927', textHash: 'x', paperUpdatedAt: 'x', vector: a! },
      { paperId: '2211.01095', textHash: 'x', paperUpdatedAt: 'x', vector: b! },
    ]);
    const result = await runPaperboy(['reindex'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^lexical index: rebuilt over 48 papers in [\d.]+ s$/m);
    expect(result.stdout).toMatch(
      new RegExp(`^embeddings: 48 papers embedded with ${embedderId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} in`, 'm'),
    );
    expect(await store.counts(embedderId)).toEqual({ papers: 48, vectors: 48, needing: 0 });
    expect(await store.vectorState('old@1')).toEqual({ marker: 0, count: 0 });
    // The stored vector is the embedder's own for the paper's text.
    const [text] = await store.papersNeedingVectors(embedderId, { limit: 1, all: true });
    const [expected] = await (await defaultTestEmbedder()).embed([text!.text], 'document');
    expect(await store.vectorOf(embedderId, text!.id)).toEqual(expected);
  });

  it.skipIf(!kind.available)('does one half when asked, and skips embeddings when the embedder is off', async () => {
    const lexical = await runPaperboy(['reindex', '--lexical-only'], env);
    expect(lexical.code).toBe(0);
    expect(lexical.stdout).toContain('lexical index: rebuilt');
    expect(lexical.stdout).not.toContain('embeddings:');
    const before = await store.vectorState(embedderId);
    const embeddings = await runPaperboy(['reindex', '--embeddings-only'], env);
    expect(embeddings.code).toBe(0);
    expect(embeddings.stdout).not.toContain('lexical index');
    expect(embeddings.stdout).toContain('embeddings: 48 papers embedded');
    const after = await store.vectorState(embedderId);
    expect(after.count).toBe(48);
    expect(after.marker).toBeGreaterThan(before.marker);
    const skipped = await runPaperboy(['reindex'], { ...env, PAPERBOY_EMBEDDER: 'off' });
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toContain('embeddings: skipped (PAPERBOY_EMBEDDER=off)');
  });

  it.skipIf(!kind.available)('refuses contradictory options and a missing embedder clearly', async () => {
    const both = await runPaperboy(['reindex', '--lexical-only', '--embeddings-only'], env);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^paperboy: --lexical-only and --embeddings-only exclude each other/);
    const off = await runPaperboy(['reindex', '--embeddings-only'], { ...env, PAPERBOY_EMBEDDER: 'off' });
    expect(off.code).toBe(1);
    expect(off.stderr).toContain('PAPERBOY_EMBEDDER is off');
    const noModel = await runPaperboy(['reindex', '--embeddings-only'], {
      ...env,
      PAPERBOY_EMBEDDER: 'onnx',
      PAPERBOY_EMBEDDER_MODEL: '/nonexistent/model',
    });
    expect(noModel.code).toBe(1);
    expect(noModel.stderr).toMatch(/^paperboy: cannot load the embedder \(PAPERBOY_EMBEDDER=onnx\)/);
    const unknown = await runPaperboy(['reindex', '--everything'], env);
    expect(unknown.code).toBe(2);
  });
});
