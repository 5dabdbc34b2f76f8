/**
 * The in-memory vector index: exact top-k (equal to a full sort of every dot product) on random vectors, with and
 * without a candidate filter; replacing and removing rows; and LiveVectorIndex following the store: new and changed
 * vectors after a refresh, a deleted paper gone (full reload), another embedder's vectors ignored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveVectorIndex, VectorIndex } from '../src/search/vector-index.ts';
import { type DatabaseHandle, openDatabase } from '../src/storage/database.ts';
import { KyselyEmbeddingStore } from '../src/storage/embedding-store.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { KyselyPaperStore } from '../src/storage/paper-store.ts';
import { testRecord } from './support/app.ts';
import { sqliteKind } from './support/databases.ts';
import { randomUnitVectors } from './support/embedders.ts';

const DIMENSIONS = 32;

function naiveTop(vectors: Map<string, Float32Array>, query: Float32Array, k: number, only?: Set<string>) {
  const scored = [...vectors].flatMap(([id, v]) => {
    if (only && !only.has(id)) return [];
    let sum = 0;
    for (let i = 0; i < v.length; i++) sum += v[i]! * query[i]!;
    return [{ id, score: sum }];
  });
  return scored.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1)).slice(0, k);
}

describe('VectorIndex', () => {
  const vectors = new Map<string, Float32Array>(randomUnitVectors(3000, DIMENSIONS, 7).map((v, i) => [`p${i}`, v]));
  const queries = randomUnitVectors(20, DIMENSIONS, 11);

  it('finds exactly the top k of a full sort', () => {
    const index = new VectorIndex(DIMENSIONS, 10); // grows past its first capacity
    for (const [id, v] of vectors) index.upsert(id, v);
    expect(index.size).toBe(3000);
    for (const query of queries) {
      for (const k of [1, 10, 100]) {
        const got = index.search(query, k);
        const want = naiveTop(vectors, query, k);
        expect(got.map((h) => h.id)).toEqual(want.map((h) => h.id));
        for (const [i, hit] of got.entries()) expect(hit.score).toBeCloseTo(want[i]!.score, 5);
      }
    }
    expect(index.search(queries[0]!, 5000)).toHaveLength(3000);
    expect(index.search(new Float32Array(DIMENSIONS), 10)).toEqual([]);
    expect(index.search(queries[0]!, 0)).toEqual([]);
    expect(() => index.search(new Float32Array(3), 1)).toThrow(/dimensions/);
  });

  it('scans only the candidates when given', () => {
    const index = new VectorIndex(DIMENSIONS);
    for (const [id, v] of vectors) index.upsert(id, v);
    const only = new Set([...vectors.keys()].filter((_, i) => i % 7 === 0));
    for (const query of queries.slice(0, 5)) {
      const got = index.search(query, 20, [...only, 'not-indexed']);
      expect(got.map((h) => h.id)).toEqual(naiveTop(vectors, query, 20, only).map((h) => h.id));
    }
    expect(index.search(queries[0]!, 5, [])).toEqual([]);
  });

  it('replaces and removes rows', () => {
    const index = new VectorIndex(DIMENSIONS);
    const copy = new Map(vectors);
    for (const [id, v] of copy) index.upsert(id, v);
    const query = queries[3]!;
    const best = index.search(query, 1)[0]!.id;
    // Removing the best row (the last row moves into its slot) and a few others.
    for (const id of [best, 'p2999', 'p0', 'p1500']) {
      expect(index.remove(id)).toBe(true);
      copy.delete(id);
    }
    expect(index.remove(best)).toBe(false);
    expect(index.has(best)).toBe(false);
    expect(index.size).toBe(copy.size);
    expect(index.search(query, 50).map((h) => h.id)).toEqual(naiveTop(copy, query, 50).map((h) => h.id));
    // The query itself as a row's new vector: that row is now the best match.
    index.upsert('p10', query);
    copy.set('p10', query);
    expect(index.search(query, 1)[0]).toMatchObject({ id: 'p10' });
    expect(index.search(query, 1)[0]!.score).toBeCloseTo(1, 5);
    expect(index.vectorOf('p10')).toEqual(query);
    expect(index.search(query, 30).map((h) => h.id)).toEqual(naiveTop(copy, query, 30).map((h) => h.id));
  });
});

describe('LiveVectorIndex over the store', () => {
  let handle: DatabaseHandle;
  let papers: KyselyPaperStore;
  let store: KyselyEmbeddingStore;
  const ids = Array.from({ length: 50 }, (_, i) => `2402.${String(i + 1).padStart(5, '0')}`);
  const vectors = randomUnitVectors(60, 8, 3);

  beforeAll(async () => {
    handle = openDatabase((await sqliteKind().create()).url);
    await migrateToLatest(handle.db);
    papers = new KyselyPaperStore(handle.db);
    store = new KyselyEmbeddingStore(handle.db);
    await papers.upsertPapers(ids.map((id) => testRecord(id)));
  });
  afterAll(async () => {
    await handle?.db.destroy();
  });

  const put = (embedder: string, rows: [string, Float32Array][]) =>
    store.upsertVectors(
      embedder,
      rows[0]![1].length,
      rows.map(([paperId, vector]) => ({ paperId, vector, textHash: 'h', paperUpdatedAt: '9999' })),
    );

  it('loads everything, then only changes, and reloads after a deletion', async () => {
    await put(
      'e@1',
      ids.slice(0, 30).map((id, i) => [id, vectors[i]!]),
    );
    await put('other@1', [[ids[40]!, randomUnitVectors(1, 4)[0]!]]);
    let clock = 0;
    const live = new LiveVectorIndex(store, 'e@1', 8, { refreshIntervalMs: 1000, now: () => clock });
    expect((await live.current()).size).toBe(30);

    await put(
      'e@1',
      ids.slice(30, 35).map((id, i) => [id, vectors[30 + i]!]),
    );
    // Within the refresh interval the index is not asked to change.
    clock = 500;
    expect((await live.current()).size).toBe(30);
    clock = 1500;
    const index = await live.current();
    expect(index.size).toBe(35);
    expect(index.search(vectors[33]!, 1)[0]).toMatchObject({ id: ids[33] });

    // A changed vector replaces the old one.
    await put('e@1', [[ids[0]!, vectors[59]!]]);
    await live.refresh();
    expect((await live.current()).search(vectors[59]!, 1)[0]).toMatchObject({ id: ids[0] });
    expect((await live.current()).size).toBe(35);

    // A deleted paper takes its vector along; the index notices by the count and reloads.
    await handle.db.deleteFrom('papers').where('id', '=', ids[33]!).execute();
    await live.refresh();
    const reloaded = await live.current();
    expect(reloaded.size).toBe(34);
    expect(reloaded.has(ids[33]!)).toBe(false);
    expect(reloaded.search(vectors[59]!, 1)[0]).toMatchObject({ id: ids[0] });

    // A paper re-embedded by another embedder leaves this embedder's index.
    await put('other@1', [[ids[1]!, randomUnitVectors(1, 4)[0]!]]);
    await live.refresh();
    expect((await live.current()).has(ids[1]!)).toBe(false);
    expect((await live.current()).size).toBe(33);
  });
});
