/**
 * VectorSemanticSearch's filters, exactly: on 4,000 papers with random vectors, a broad filter (answered from the
 * nearest papers checked by primary key) and a selective one (twenty papers of a rare category, answered by listing
 * them and scanning only those) both equal the naive answer: every allowed, visible paper scored, sorted, cut.
 * The embedder here maps each query to a fixed random vector, so that the expected answer is computable; the real
 * embedder is tested in semantic-search.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSearchQuery } from '../src/domain/search-query.ts';
import type { Embedder } from '../src/search/embedder.ts';
import { fixedEmbedder } from '../src/search/embedder-loader.ts';
import { VectorSemanticSearch } from '../src/search/vector-semantic-search.ts';
import { type DatabaseHandle, openDatabase } from '../src/storage/database.ts';
import { KyselyEmbeddingStore } from '../src/storage/embedding-store.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { KyselyPaperStore } from '../src/storage/paper-store.ts';
import { testRecord } from './support/app.ts';
import { databaseKinds } from './support/databases.ts';
import { randomUnitVectors } from './support/embedders.ts';

const PAPERS = 4_000;
const DIMENSIONS = 16;
const RARE = 'q-bio.NC';

/** One vector for every query text: the test knows what the scan is asked. */
function constantEmbedder(vector: Float32Array): Embedder {
  return {
    id: 'constant@1',
    dimensions: vector.length,
    embed: async (texts) => texts.map(() => vector),
    close: async () => {},
  };
}

describe.each(databaseKinds())('semantic search filters on $name', (kind) => {
  let handle: DatabaseHandle;
  const ids = Array.from({ length: PAPERS }, (_, i) => `2403.${String(i + 1).padStart(5, '0')}`);
  const vectors = randomUnitVectors(PAPERS, DIMENSIONS, 5);
  const query = randomUnitVectors(1, DIMENSIONS, 99)[0]!;
  const rare = new Set(ids.filter((_, i) => i % 200 === 7));
  const late = new Set(ids.filter((_, i) => i % 2 === 0));
  const hidden = new Set(ids.filter((_, i) => i % 97 === 3 || i === 1407));

  beforeAll(async () => {
    if (!kind.available) return;
    handle = openDatabase((await kind.create()).url);
    await migrateToLatest(handle.db);
    const store = new KyselyPaperStore(handle.db);
    const records = ids.map((id) =>
      testRecord(id, {
        categories: rare.has(id) ? [RARE] : ['cs.LG'],
        versions: [{ version: 1, created: late.has(id) ? '2025-05-05T00:00:00.000Z' : '2023-03-03T00:00:00.000Z' }],
      }),
    );
    for (let i = 0; i < records.length; i += 500) await store.upsertPapers(records.slice(i, i + 500));
    const embeddings = new KyselyEmbeddingStore(handle.db);
    for (let i = 0; i < ids.length; i += 500) {
      await embeddings.upsertVectors(
        'constant@1',
        DIMENSIONS,
        ids.slice(i, i + 500).map((paperId, j) => ({
          paperId,
          vector: vectors[i + j]!,
          textHash: 'h',
          paperUpdatedAt: '9999',
        })),
      );
    }
    await handle.db
      .updateTable('papers')
      .set({ hidden_at: '2025-01-01T00:00:00.000Z' })
      .where('id', 'in', [...hidden])
      .execute();
  });
  afterAll(async () => {
    await handle?.db.destroy();
  });

  const naive = (allowed: (id: string) => boolean, k: number) =>
    ids
      .map((id, i) => {
        let sum = 0;
        for (let d = 0; d < DIMENSIONS; d++) sum += vectors[i]![d]! * query[d]!;
        return { id, score: sum };
      })
      .filter((hit) => allowed(hit.id) && !hidden.has(hit.id) && hit.score >= 0.2)
      .sort((a, b) => b.score - a.score)
      .slice(0, k)
      .map((hit) => hit.id);

  const search = async (q: string, limit: number, offset = 0) => {
    const parsed = parseSearchQuery(q);
    if (!parsed.ok) throw new Error(parsed.reason);
    const semantic = new VectorSemanticSearch(handle.db, fixedEmbedder(constantEmbedder(query)));
    return (await semantic.search(parsed.query, { limit, offset })).map((hit) => hit.id);
  };

  it.skipIf(!kind.available)('answers unfiltered and broadly filtered queries exactly', async () => {
    expect(await search('anything', 50)).toEqual(naive(() => true, 50));
    expect(await search('anything', 20, 30)).toEqual(naive(() => true, 50).slice(30, 50));
    expect(await search('anything after:2024-01-01', 40)).toEqual(naive((id) => late.has(id), 40));
  });

  it.skipIf(!kind.available)('answers a selective filter exactly, by scanning only what it allows', async () => {
    const found = await search(`anything cat:${RARE}`, 20);
    expect(found).toEqual(naive((id) => rare.has(id), 20));
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((id) => rare.has(id) && !hidden.has(id))).toBe(true);
    expect(await search(`anything cat:${RARE} before:2024-01-01`, 20)).toEqual(
      naive((id) => rare.has(id) && !late.has(id), 20),
    );
  });
});
