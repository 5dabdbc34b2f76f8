/**
 * The bundled sample: loaded into an empty database through the import parser, listed over the last weekdays.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadSampleDataIfEmpty, readSampleRecords, sampleListingTimes } from '../src/ingest/sample-data.ts';
import { type DatabaseHandle, openDatabase } from '../src/storage/database.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { KyselyPaperStore } from '../src/storage/paper-store.ts';
import { databaseKinds } from './support/databases.ts';

/** Wednesday 2024-06-12, 11:00 in New York. */
const WEDNESDAY = new Date('2024-06-12T15:00:00Z');

describe('sampleListingTimes', () => {
  it('spreads papers over the last six weekdays ending today, in file order, newest first', () => {
    const times = sampleListingTimes(48, { timeZone: 'America/New_York', now: WEDNESDAY });
    const days = times.map((t) => t.listedOn);
    expect([...new Set(days)]).toEqual([
      '2024-06-12',
      '2024-06-11',
      '2024-06-10',
      '2024-06-07',
      '2024-06-06',
      '2024-06-05',
    ]);
    for (const day of new Set(days)) expect(days.filter((d) => d === day)).toHaveLength(8);
    expect(days.slice(0, 8).every((d) => d === '2024-06-12')).toBe(true);
    // Within a day, earlier in the file = later time, so "newest first" keeps file order; never in the future.
    expect(times[0]!.submittedAt).toBe('2024-06-12T13:00:00.000Z');
    expect(times[1]!.submittedAt).toBe('2024-06-12T12:59:00.000Z');
    expect(times.every((t) => t.submittedAt <= WEDNESDAY.toISOString())).toBe(true);
  });

  it('skips the weekend and stays deterministic', () => {
    const saturday = new Date('2024-06-15T12:00:00Z');
    const times = sampleListingTimes(48, { timeZone: 'America/New_York', now: saturday });
    expect(times[0]!.listedOn).toBe('2024-06-14');
    expect(times.at(-1)!.listedOn).toBe('2024-06-07');
    expect(sampleListingTimes(48, { timeZone: 'America/New_York', now: saturday })).toEqual(times);
  });

  it('uses the instance time zone for "today"', () => {
    // 2024-06-12T02:00Z is still Tuesday in New York but Wednesday in Tokyo.
    const now = new Date('2024-06-12T02:00:00Z');
    expect(sampleListingTimes(1, { timeZone: 'America/New_York', now })[0]!.listedOn).toBe('2024-06-11');
    expect(sampleListingTimes(1, { timeZone: 'Asia/Tokyo', now })[0]!.listedOn).toBe('2024-06-12');
  });
});

describe('readSampleRecords', () => {
  it('reads all 48 sample papers through the import parser, leaving unknown dates unknown', async () => {
    const records = await readSampleRecords();
    expect(records).toHaveLength(48);
    expect(records.filter((r) => r.versions.length === 0)).toHaveLength(15);
    expect(records.find((r) => r.id === '2405.19101')?.authors).toContain('Bogdan Raonić');
  });
});

describe.each(databaseKinds())('loadSampleDataIfEmpty on $name', (kind) => {
  const handles: DatabaseHandle[] = [];
  afterEach(async () => {
    await Promise.all(handles.splice(0).map((h) => h.close()));
  });

  it.skipIf(!kind.available)('loads and lists the sample once, only into an empty database', async () => {
    const { url } = await kind.create();
    const handle = openDatabase(url);
    handles.push(handle);
    await migrateToLatest(handle.db);
    const store = new KyselyPaperStore(handle.db);

    expect(await loadSampleDataIfEmpty(store, { timeZone: 'America/New_York', now: WEDNESDAY })).toEqual({
      papers: 48,
      listed: 48,
    });
    expect(await loadSampleDataIfEmpty(store, { timeZone: 'America/New_York', now: WEDNESDAY })).toBeNull();
    expect(await store.latestListingDay()).toBe('2024-06-12');
    expect(await store.countFeed({ from: '2024-06-12', to: '2024-06-12' })).toBe(8);
    expect(await store.countFeed({ from: '2024-06-05', to: '2024-06-12' })).toBe(48);
    expect(await store.nearestListingDays('2024-06-10', '2024-06-10')).toEqual({
      before: '2024-06-07',
      after: '2024-06-11',
    });
    const first = await store.listFeed({
      from: '2024-06-12',
      to: '2024-06-12',
      sort: 'publishedAt',
      offset: 0,
      limit: 1,
    });
    expect(first[0]?.paper.id).toBe('2308.06675');
    expect(first[0]?.listing.source).toBe('sample');
    // The listing day is curation; the paper's own dates stay what the sample knows (here: nothing).
    expect(await store.getPaper('2301.12664')).toMatchObject({ versions: [], firstVersionAt: null });
  });
});
