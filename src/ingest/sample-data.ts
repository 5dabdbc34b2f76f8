/**
 * The bundled sample papers, loaded into an empty database so that a new instance shows a populated site at once.
 * The papers go through the same parser as `paperboy import`, so their metadata follows the same rules (dates the
 * sample does not know stay unknown). Their days on the feed are a curation choice, not arXiv's: they are spread over
 * the most recent weekdays ending today, a fixed number per day in file order, so the day, week and month views and
 * the previous/next links all have something to show.
 */
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import type { PaperRecord } from '../domain/paper.ts';
import type { Listing, PaperStore } from '../storage/paper-store.ts';
import { openFileInput } from './input.ts';
import { parseArxivJsonLines } from './json-lines.ts';

/** The sample file, found next to the package rather than in the working directory. */
export const SAMPLE_DATA_PATH = fileURLToPath(new URL('../../sample-data/seed-papers.jsonl', import.meta.url));
/** How many weekdays the sample is spread over. */
export const SAMPLE_FEED_WEEKDAYS = 6;
/** Sample listings are stamped at this local hour on their day (earlier for today when it is not that late yet). */
const SAMPLE_LISTING_HOUR = 9;
const SATURDAY = 6;

/** How many sample papers were stored and how many listed on the feed. */
export interface SampleLoadResult {
  papers: number;
  listed: number;
}

/** Loads the bundled sample into `store` and lists it on the feed, unless the store already has papers. */
export async function loadSampleDataIfEmpty(
  store: PaperStore,
  options: { timeZone: string; now?: Date },
): Promise<SampleLoadResult | null> {
  if ((await store.countPapers()) > 0) return null;
  const records = await readSampleRecords();
  const times = sampleListingTimes(records.length, { timeZone: options.timeZone, now: options.now ?? new Date() });
  const listings: Listing[] = records.map((record, i) => ({
    paperId: record.id,
    listedOn: times[i]!.listedOn,
    submittedAt: times[i]!.submittedAt,
    source: 'sample',
    submittedByUserId: null,
    comment: null,
  }));
  // One transaction: the sample papers and their listings land together or not at all.
  const { listed } = await store.upsertPapersAndListings(records, listings);
  return { papers: records.length, listed };
}

/** Reads the bundled sample through the import parser; a bad line there is a packaging bug, so it throws. */
export async function readSampleRecords(path = SAMPLE_DATA_PATH): Promise<PaperRecord[]> {
  const records: PaperRecord[] = [];
  for await (const event of parseArxivJsonLines((await openFileInput(path)).chunks)) {
    if (event.kind === 'record') records.push(event.record);
    else if (event.kind === 'rejected' || event.kind === 'stopped') {
      throw new Error(`the bundled sample data ${path} is broken at ${event.position}: ${event.reason}`);
    }
  }
  return records;
}

/**
 * Feed days and times for `count` sample papers, in file order: the first `ceil(count / 6)` on the most recent
 * weekday up to today (in `timeZone`), the next as many on the weekday before, and so on. Within a day, earlier
 * papers in the file get later times, so "newest first" keeps file order. Deterministic given `now`.
 */
export function sampleListingTimes(
  count: number,
  clock: { timeZone: string; now: Date },
): Array<{ listedOn: string; submittedAt: string }> {
  const perDay = Math.max(1, Math.ceil(count / SAMPLE_FEED_WEEKDAYS));
  const now = DateTime.fromJSDate(clock.now, { zone: clock.timeZone });
  const weekdays: DateTime[] = [];
  let day = now.startOf('day');
  while (weekdays.length < Math.ceil(count / perDay)) {
    if (day.weekday < SATURDAY) weekdays.push(day);
    day = day.minus({ days: 1 });
  }
  return Array.from({ length: count }, (_, i) => {
    const listedDay = weekdays[Math.floor(i / perDay)]!;
    const stamp = DateTime.min(listedDay.set({ hour: SAMPLE_LISTING_HOUR }), now).minus({ minutes: i % perDay });
    return { listedOn: listedDay.toISODate()!, submittedAt: stamp.toUTC().toISO()! };
  });
}
