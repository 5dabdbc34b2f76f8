/**
 * The EmbeddingStore contract on SQLite and PostgreSQL: which papers need a vector (none, another embedder's, an
 * edited text; not merely an updated paper), vectors stored and read back bit for bit, change markers that grow
 * with every write and page through changes, counts, and vectors leaving with their paper.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../src/storage/database.ts';
import {
  CHANGE_CURSOR_START,
  KyselyEmbeddingStore,
  type PaperToEmbed,
  textHash,
} from '../src/storage/embedding-store.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { KyselyPaperStore } from '../src/storage/paper-store.ts';
import { testRecord } from './support/app.ts';
import { databaseKinds } from './support/databases.ts';
import { randomUnitVectors } from './support/embedders.ts';

const DIMENSIONS = 8;

describe.each(databaseKinds())('embedding store on $name', (kind) => {
  let handle: DatabaseHandle;
  let papers: KyselyPaperStore;
  let store: KyselyEmbeddingStore;

  beforeAll(async () => {
    if (!kind.available) return;
    handle = openDatabase((await kind.create()).url);
    await migrateToLatest(handle.db);
    papers = new KyselyPaperStore(handle.db);
    store = new KyselyEmbeddingStore(handle.db);
    await papers.upsertPapers(
      Array.from({ length: 7 }, (_, i) =>
        testRecord(`2401.0000${i + 1}`, { title: `Paper ${i + 1}`, abstract: `About topic ${i + 1}.` }),
      ),
    );
  });
  afterAll(async () => {
    await handle?.db.destroy();
  });

  const vectorsFor = (batch: PaperToEmbed[], seed: number) => {
    const vectors = randomUnitVectors(batch.length, DIMENSIONS, seed);
    return batch.map((paper, i) => ({
      paperId: paper.id,
      textHash: paper.textHash,
      paperUpdatedAt: paper.paperUpdatedAt,
      vector: vectors[i]!,
    }));
  };

  it.skipIf(!kind.available)('lists papers without a vector in id order, in pages, with their text', async () => {
    const first = await store.papersNeedingVectors('a@1', { limit: 3 });
    expect(first.map((p) => p.id)).toEqual(['2401.00001', '2401.00002', '2401.00003']);
    expect(first[0]).toMatchObject({ text: 'Paper 1. About topic 1.', textHash: textHash('Paper 1. About topic 1.') });
    const next = await store.papersNeedingVectors('a@1', { limit: 10, afterId: '2401.00003' });
    expect(next.map((p) => p.id)).toEqual(['2401.00004', '2401.00005', '2401.00006', '2401.00007']);
    expect(await store.counts('a@1')).toEqual({ papers: 7, vectors: 0, needing: 7 });
  });

  it.skipIf(!kind.available)('stores vectors exactly, with growing change markers', async () => {
    const all = await store.papersNeedingVectors('a@1', { limit: 10 });
    const one = vectorsFor(all.slice(0, 4), 1);
    const two = vectorsFor(all.slice(4), 2);
    const m1 = await store.upsertVectors('a@1', DIMENSIONS, one);
    const m2 = await store.upsertVectors('a@1', DIMENSIONS, two);
    expect(m2).toBeGreaterThan(m1);
    expect(await store.papersNeedingVectors('a@1', { limit: 10 })).toEqual([]);
    expect(await store.counts('a@1')).toEqual({ papers: 7, vectors: 7, needing: 0 });
    expect(await store.vectorOf('a@1', '2401.00002')).toEqual(one[1]!.vector);
    expect(await store.vectorOf('b@1', '2401.00002')).toBeNull();
    expect(await store.vectorState('a@1')).toEqual({ marker: m2, count: 7 });

    // Paging through all changes, then only those after a marker.
    const page1 = await store.vectorsChangedSince('a@1', CHANGE_CURSOR_START, 5);
    const last = page1[page1.length - 1]!;
    const page2 = await store.vectorsChangedSince('a@1', { changeSeq: last.changeSeq, paperId: last.paperId }, 5);
    expect([...page1, ...page2].map((v) => v.paperId)).toEqual(all.map((p) => p.id));
    expect(page2.at(-1)?.vector).toEqual(two.at(-1)?.vector);
    const since = await store.vectorsChangedSince('a@1', { changeSeq: m1, paperId: '\uffff' }, 100);
    expect(since.map((v) => v.paperId)).toEqual(two.map((v) => v.paperId));
  });

  it.skipIf(!kind.available)('refuses a vector of the wrong length, writing nothing', async () => {
    const before = await store.vectorState('a@1');
    await expect(
      store.upsertVectors('a@1', DIMENSIONS, [
        { paperId: '2401.00001', textHash: 'x', paperUpdatedAt: 'x', vector: new Float32Array(3) },
      ]),
    ).rejects.toThrow(/dimensions/);
    expect(await store.vectorState('a@1')).toEqual(before);
  });

  it.skipIf(!kind.available)('asks again for an edited text, not for a paper updated otherwise', async () => {
    const original = await papers.getPaper('2401.00003');
    await papers.upsertPapers([testRecord('2401.00003', { title: 'Paper 3', abstract: 'A new abstract.' })]);
    const needing = await store.papersNeedingVectors('a@1', { limit: 10 });
    expect(needing.map((p) => p.id)).toEqual(['2401.00003']);
    expect(needing[0]?.text).toBe('Paper 3. A new abstract.');
    expect(original?.abstract).toBe('About topic 3.');
    // Same text, newer updated_at (e.g. a new version's metadata): no new vector, and not asked again.
    await papers.upsertPapers([
      testRecord('2401.00004', {
        title: 'Paper 4',
        abstract: 'About topic 4.',
        comments: 'Camera-ready',
      }),
    ]);
    const again = await store.papersNeedingVectors('a@1', { limit: 10 });
    expect(again.map((p) => p.id)).toEqual(['2401.00003']);
    expect(await store.counts('a@1')).toMatchObject({ needing: 1 });
    await store.upsertVectors('a@1', DIMENSIONS, vectorsFor(again, 3));
    expect(await store.papersNeedingVectors('a@1', { limit: 10 })).toEqual([]);
  });

  it.skipIf(!kind.available)('asks for every paper for another embedder, and replaces the vectors', async () => {
    const needing = await store.papersNeedingVectors('b@2', { limit: 100 });
    expect(needing).toHaveLength(7);
    await store.upsertVectors(
      'b@2',
      4,
      needing.slice(0, 2).map((p, i) => ({
        paperId: p.id,
        textHash: p.textHash,
        paperUpdatedAt: p.paperUpdatedAt,
        vector: randomUnitVectors(2, 4, 9)[i]!,
      })),
    );
    expect(await store.counts('b@2')).toEqual({ papers: 7, vectors: 2, needing: 5 });
    expect(await store.vectorState('a@1')).toMatchObject({ count: 5 });
    expect(await store.papersNeedingVectors('a@1', { limit: 100, all: true })).toHaveLength(7);
  });

  it.skipIf(!kind.available)('drops a vector with its paper, and skips papers deleted before the write', async () => {
    const [paper] = await store.papersNeedingVectors('a@1', { limit: 1 });
    await handle.db.deleteFrom('papers').where('id', '=', '2401.00007').execute();
    const before = (await store.vectorState('a@1')).count + (await store.vectorState('b@2')).count;
    expect(before).toBe(6);
    await store.upsertVectors('a@1', DIMENSIONS, [
      ...vectorsFor([paper!], 4),
      { paperId: '2401.00007', textHash: 'gone', paperUpdatedAt: 'x', vector: randomUnitVectors(1, DIMENSIONS)[0]! },
    ]);
    expect(await store.vectorOf('a@1', '2401.00007')).toBeNull();
    expect(await store.counts('a@1')).toMatchObject({ papers: 6 });
  });
});
