/**
 * The store contract: the same behaviour on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../src/storage/database.ts';
import { DatabaseTooNewError, migrateToLatest } from '../src/storage/migrate.ts';
import { KyselyPaperStore } from '../src/storage/paper-store.ts';
import { databaseKinds } from './support/databases.ts';
import { testRecord as record } from './support/records.ts';

describe.each(databaseKinds())('paper store on $name', (kind) => {
  let handle: DatabaseHandle;
  let store: KyselyPaperStore;

  beforeAll(async () => {
    if (!kind.available) return;
    const { url } = await kind.create();
    handle = openDatabase(url);
    await migrateToLatest(handle.db);
    store = new KyselyPaperStore(handle.db);
  });
  afterAll(async () => {
    await handle?.close();
  });

  it.skipIf(!kind.available)('migrates once and then has nothing to do', async () => {
    expect(await migrateToLatest(handle.db)).toEqual([]);
  });

  it.skipIf(!kind.available)('stores and reads back a paper exactly', async () => {
    const r = record('2401.00001', { doi: '10.1/abc', comments: '12 pages' });
    expect(await store.upsertPapers([r])).toEqual({ inserted: 1, updated: 0, unchanged: 0 });
    const paper = await store.getPaper('2401.00001');
    expect(paper).toMatchObject({ ...r, upvotes: 0, numComments: 0, firstVersionAt: '2024-01-02T03:04:05.000Z' });
    expect(await store.getPaper('2401.99999')).toBeNull();
  });

  it.skipIf(!kind.available)('is idempotent and merges versions', async () => {
    const v1 = record('hep-th/9901001', { versions: [{ version: 1, created: '1999-01-04T00:00:01.000Z' }] });
    expect(await store.upsertPapers([v1])).toEqual({ inserted: 1, updated: 0, unchanged: 0 });
    expect(await store.upsertPapers([v1])).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
    const v2 = record('hep-th/9901001', {
      title: 'Revised',
      versions: [{ version: 2, created: '1999-02-01T00:00:00.000Z' }],
    });
    expect(await store.upsertPapers([v2])).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    const paper = await store.getPaper('hep-th/9901001');
    expect(paper?.title).toBe('Revised');
    expect(paper?.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(paper?.firstVersionAt).toBe('1999-01-04T00:00:01.000Z');
    expect(paper?.latestVersionAt).toBe('1999-02-01T00:00:00.000Z');
  });

  it.skipIf(!kind.available)('lists a paper on the feed once and orders the feed', async () => {
    await store.upsertPapers([record('2402.00001'), record('2402.00002'), record('2402.00003')]);
    const listing = (paperId: string, listedOn: string, submittedAt: string) => ({
      paperId,
      listedOn,
      submittedAt,
      source: 'import' as const,
      submittedByUserId: null,
      comment: null,
    });
    expect(
      await store.addListings([
        listing('2402.00001', '2024-02-05', '2024-02-05T10:00:00.000Z'),
        listing('2402.00002', '2024-02-05', '2024-02-05T11:00:00.000Z'),
        listing('2402.00003', '2024-02-07', '2024-02-07T09:00:00.000Z'),
      ]),
    ).toBe(3);
    expect(await store.addListings([listing('2402.00001', '2024-02-09', '2024-02-09T10:00:00.000Z')])).toBe(0);
    expect((await store.getListing('2402.00001'))?.listedOn).toBe('2024-02-05');

    const day = await store.listFeed({ from: '2024-02-05', to: '2024-02-05', sort: 'upvotes', offset: 0, limit: 10 });
    expect(day.map((d) => d.paper.id)).toEqual(['2402.00002', '2402.00001']);
    expect(await store.countFeed({ from: '2024-02-05', to: '2024-02-05' })).toBe(2);
    const page = await store.listFeed({ sort: 'publishedAt', offset: 1, limit: 1 });
    expect(page.map((d) => d.paper.id)).toEqual(['2402.00002']);
    expect(await store.latestListingDay()).toBe('2024-02-07');
    expect(await store.nearestListingDays('2024-02-06', '2024-02-06')).toEqual({
      before: '2024-02-05',
      after: '2024-02-07',
    });
    expect(await store.nearestListingDays('2024-02-08', '2024-02-08')).toEqual({ before: '2024-02-07', after: null });
  });

  it.skipIf(!kind.available)('moves the data version on every real write and only then', async () => {
    const start = await store.dataVersion();
    await store.upsertPapers([record('2404.00001')]);
    const afterInsert = await store.dataVersion();
    expect(afterInsert).toBeGreaterThan(start);
    await store.upsertPapers([record('2404.00001')]);
    expect(await store.dataVersion()).toBe(afterInsert);
    await store.addListings([
      {
        paperId: '2404.00001',
        listedOn: '2024-04-01',
        submittedAt: '2024-04-01T12:00:00.000Z',
        source: 'import',
        submittedByUserId: null,
        comment: null,
      },
    ]);
    const afterListing = await store.dataVersion();
    expect(afterListing).toBeGreaterThan(afterInsert);
    await store.upsertPapers([record('2404.00001', { title: 'Changed' })]);
    expect(await store.dataVersion()).toBeGreaterThan(afterListing);
  });

  it.skipIf(!kind.available)('writes papers and their listings together or not at all', async () => {
    const listing = (paperId: string) => ({
      paperId,
      listedOn: '2024-05-01',
      submittedAt: '2024-05-01T12:00:00.000Z',
      source: 'import' as const,
      submittedByUserId: null,
      comment: null,
    });
    const done = await store.upsertPapersAndListings([record('2405.00001')], [listing('2405.00001')]);
    expect(done).toEqual({ counts: { inserted: 1, updated: 0, unchanged: 0 }, listed: 1 });
    // A listing for a paper that is not stored breaks the foreign key: the paper written with it is rolled back.
    await expect(
      store.upsertPapersAndListings([record('2405.00002')], [listing('2405.00002'), listing('2405.99999')]),
    ).rejects.toThrow();
    expect(await store.getPaper('2405.00002')).toBeNull();
    expect(await store.getListing('2405.00002')).toBeNull();
  });

  it.skipIf(!kind.available)('writes nothing of a batch that fails', async () => {
    const before = await store.countPapers();
    const broken = record('2403.00001', { title: null as unknown as string });
    await expect(store.upsertPapers([record('2403.00002'), broken])).rejects.toThrow();
    expect(await store.countPapers()).toBe(before);
  });

  it.skipIf(!kind.available)('refuses a database written by a newer Paperboy', async () => {
    await handle.db
      .insertInto('kysely_migration' as never)
      .values({ name: '999-from-the-future', timestamp: new Date().toISOString() } as never)
      .execute();
    await expect(migrateToLatest(handle.db)).rejects.toBeInstanceOf(DatabaseTooNewError);
  });
});
