/**
 * The lexical search contract, run against every implementation: SQLite FTS5 and PostgreSQL full-text search, on
 * the 48 bundled sample papers (real arXiv metadata) plus a few records made for one property each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSearchQuery, type SearchQuery } from '../src/domain/search-query.ts';
import { loadSampleDataIfEmpty } from '../src/ingest/sample-data.ts';
import { createLexicalSearch, type LexicalSearch } from '../src/search/lexical-search.ts';
import { type DatabaseHandle, openDatabase } from '../src/storage/database.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { KyselyPaperStore } from '../src/storage/paper-store.ts';
import { databaseKinds } from './support/databases.ts';
import { testRecord } from './support/records.ts';

const PAGE = { limit: 10, offset: 0 };

function query(text: string, options?: { prefix?: boolean }): SearchQuery {
  const parsed = parseSearchQuery(text, options);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.query;
}

describe.each(databaseKinds())('lexical search on $name', (kind) => {
  let handle: DatabaseHandle;
  let store: KyselyPaperStore;
  let search: LexicalSearch;
  const ids = async (text: string, options?: { prefix?: boolean }) =>
    (await search.search(query(text, options), PAGE)).map((hit) => hit.id);

  beforeAll(async () => {
    if (!kind.available) return;
    handle = openDatabase((await kind.create()).url);
    await migrateToLatest(handle.db);
    store = new KyselyPaperStore(handle.db);
    search = createLexicalSearch(handle.db, handle.dialect);
    await loadSampleDataIfEmpty(store, { timeZone: 'UTC' });
    await store.upsertPapers([
      testRecord('2401.00001', {
        title: 'Turbulence closures from data',
        abstract: 'A wombat appears only in this abstract.',
        authors: ['Zed Zebra'],
        categories: ['physics.flu-dyn'],
        versions: [{ version: 1, created: '2024-01-05T00:00:00.000Z' }],
      }),
      testRecord('2401.00002', {
        title: 'Wombat: a title word',
        abstract: 'Nothing else here.',
        authors: ['Ada Lovelace'],
        categories: ['cs.LG', 'stat.ML'],
        versions: [{ version: 1, created: '2024-02-05T00:00:00.000Z' }],
      }),
      testRecord('2401.00003', {
        title: 'Models of diffusion in porous media',
        abstract: 'Physical diffusion, and some models.',
        authors: ['Cheng Luo'],
        categories: ['physics.flu-dyn'],
      }),
    ]);
  });
  afterAll(async () => {
    await handle?.close();
  });

  it.skipIf(!kind.available)('finds a paper by its title words, title matches first', async () => {
    expect((await ids('DPM-Solver'))[0]).toMatch(/^(2206\.00927|2211\.01095|2310\.13268)$/);
    expect((await ids('DPM-Solver')).slice(0, 3).sort()).toEqual(['2206.00927', '2211.01095', '2310.13268']);
    // The word in a title outranks the same word in an abstract.
    expect(await ids('wombat')).toEqual(['2401.00002', '2401.00001']);
  });

  it.skipIf(!kind.available)(
    'matches word forms (stemming) and ranks papers with more of the words first',
    async () => {
      const hits = await ids('neural operators');
      expect(hits).toContain('2402.15656'); // "Learning Semilinear Neural Operators"
      expect(hits).toContain('2410.01065'); // "Structure-Preserving Operator Learning": operator ~ operators
      expect((await ids('sampling for diffusion')).slice(0, 5)).toContain('2312.07243'); // "Unified Sampling Framework ... Diffusion"
    },
  );

  it.skipIf(!kind.available)('requires quoted phrases in order', async () => {
    const phrase = await ids('"diffusion models"');
    expect(phrase).not.toContain('2401.00003'); // has both words, never side by side
    expect(phrase).toContain('2202.09778'); // "Pseudo Numerical Methods for Diffusion Models on Manifolds"
    expect(await ids('diffusion models')).toContain('2401.00003');
  });

  it.skipIf(!kind.available)('matches the word being typed as a prefix, only when asked', async () => {
    expect(await ids('womb', { prefix: true })).toEqual(['2401.00002', '2401.00001']);
    expect(await ids('womb')).toEqual([]);
  });

  it.skipIf(!kind.available)('applies category, author and date filters, alone or with words', async () => {
    expect(await ids('wombat cat:stat.ML')).toEqual(['2401.00002']);
    expect(await ids('wombat cat:physics.flu-dyn')).toEqual(['2401.00001']);
    // Filters alone: newest first version first.
    expect(await ids('cat:physics.flu-dyn')).toEqual(['2401.00001', '2401.00003']);
    // Whole names only: "Cheng Lu" is not "Cheng Luo".
    expect(await ids('diffusion author:"Cheng Luo"')).toEqual(['2401.00003']);
    expect(await ids('author:"Cheng Lu"')).not.toContain('2401.00003');
    expect(await ids('author:"cheng lu"')).toContain('2206.00927');
    expect(await ids('wombat after:2024-02-01')).toEqual(['2401.00002']);
    expect(await ids('wombat before:2024-01-31')).toEqual(['2401.00001']);
    expect(await ids('wombat after:2024-01-05 before:2024-01-05')).toEqual(['2401.00001']);
  });

  it.skipIf(!kind.available)('treats search-engine syntax and SQL as text, without errors', async () => {
    for (const text of [
      'NEAR(diffusion models)',
      'diffusion* -models',
      'title:diffusion',
      'diffusion AND OR NOT models',
      '"unbalanced quote',
      "x'); DROP TABLE papers; --",
      "' OR 1=1 --",
      'author:"O\'Brien" %_\\',
      'Schrödinger 🚀 ∇·u',
    ]) {
      const parsed = parseSearchQuery(text, { prefix: true });
      if (!parsed.ok) continue;
      await expect(search.search(parsed.query, PAGE), text).resolves.toBeInstanceOf(Array);
    }
    expect(await ids('Schrödinger')).toEqual(['2310.01174']);
    expect(await ids('schrodinger')).toEqual(['2310.01174']);
    expect(await store.countPapers()).toBe(51);
  });

  it.skipIf(!kind.available)('follows edits and never shows hidden papers', async () => {
    await store.upsertPapers([
      testRecord('2401.00002', {
        title: 'Quokka: a renamed paper',
        abstract: 'Nothing else here.',
        authors: ['Ada Lovelace'],
        categories: ['cs.LG', 'stat.ML'],
        versions: [{ version: 2, created: '2024-03-05T00:00:00.000Z' }],
      }),
    ]);
    expect(await ids('quokka')).toEqual(['2401.00002']);
    expect(await ids('wombat')).toEqual(['2401.00001']);
    await handle.db
      .updateTable('papers')
      .set({ hidden_at: new Date().toISOString() })
      .where('id', '=', '2401.00001')
      .execute();
    expect(await ids('wombat')).toEqual([]);
  });

  it.skipIf(!kind.available)('pages through results without repeating any', async () => {
    const q = query('learning');
    const first = await search.search(q, { limit: 3, offset: 0 });
    const second = await search.search(q, { limit: 3, offset: 3 });
    expect(first).toHaveLength(3);
    expect(second.length).toBeGreaterThan(0);
    expect(first.map((h) => h.id).filter((id) => second.some((h) => h.id === id))).toEqual([]);
    expect(first[0]!.score).toBeGreaterThanOrEqual(first[2]!.score);
  });
});
