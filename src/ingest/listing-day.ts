/**
 * Which day an imported paper goes on the daily feed with `--feature`: the day readers first saw it. In order of
 * preference: the day the source itself listed it (Hugging Face's feed time), the day arXiv announced its first
 * version (from v1's timestamp, see domain/announcement.ts), the bare date of v1 when that is all we know, and
 * otherwise today. Days are in the instance's time zone.
 */
import { DateTime } from 'luxon';
import { arxivAnnouncementTime, dayInTimeZone } from '../domain/announcement.ts';
import type { PaperRecord } from '../domain/paper.ts';

/** The instance's clock for feed days. */
export interface ListingClock {
  /** The instance's time zone (config.timeZone). */
  timeZone: string;
  /** The import's time: today's date when nothing better is known, and the submission time of such listings. */
  now: Date;
}

/**
 * Announcements memoised per UTC hour, for imports of millions of records: the result cannot change within an
 * hour, because arXiv's 14:00 deadline falls on a whole UTC hour (New York's offsets are whole hours), and working
 * it out through time-zone rules costs ~70 µs a call.
 */
const MS_PER_HOUR = 3_600_000;
/** Bound on memoised hours; arXiv's whole history is about 300,000 hours. */
const MAX_MEMOISED_HOURS = 500_000;

/** Where a listing goes on the feed. */
export interface ListingTime {
  /** `YYYY-MM-DD` in the instance's time zone. */
  listedOn: string;
  /**
   * ISO UTC, always within the listed day: the source's listing time when it gives one, else arXiv's announcement
   * time, else the start of the listed day (a bare v1 date), else the import time (listed today).
   */
  submittedAt: string;
}

/** The feed day and submission time for a paper listed by an import (see the module comment for the rules). */
export function featuredListingTime(
  record: Pick<PaperRecord, 'versions'>,
  listedAt: string | null,
  clock: ListingClock,
): ListingTime {
  return featuredListingTimes(clock)(record, listedAt);
}

/** featuredListingTime for many records on one clock, with announcement days memoised (see MS_PER_HOUR). */
export function featuredListingTimes(
  clock: ListingClock,
): (record: Pick<PaperRecord, 'versions'>, listedAt: string | null) => ListingTime {
  const announcements = new Map<number, ListingTime>();
  const announcement = (received: Date): ListingTime => {
    const hour = Math.floor(received.getTime() / MS_PER_HOUR);
    let listing = announcements.get(hour);
    if (listing === undefined) {
      if (announcements.size >= MAX_MEMOISED_HOURS) announcements.clear();
      const announced = arxivAnnouncementTime(received);
      listing = { listedOn: dayInTimeZone(announced, clock.timeZone), submittedAt: announced.toISOString() };
      announcements.set(hour, listing);
    }
    return listing;
  };
  const today = dayInTimeZone(clock.now, clock.timeZone);
  return (record, listedAt) => listingTime(record, listedAt, clock, announcement, today);
}

function listingTime(
  record: Pick<PaperRecord, 'versions'>,
  listedAt: string | null,
  clock: ListingClock,
  announcement: (received: Date) => ListingTime,
  today: string,
): ListingTime {
  if (listedAt !== null) {
    const listed = new Date(listedAt);
    if (!Number.isNaN(listed.getTime())) {
      return { listedOn: dayInTimeZone(listed, clock.timeZone), submittedAt: listed.toISOString() };
    }
  }
  const v1 = record.versions.find((v) => v.version === 1)?.created ?? null;
  if (v1 !== null && v1.length > 10) return announcement(new Date(v1));
  if (v1 !== null) {
    const startOfDay = DateTime.fromISO(v1, { zone: clock.timeZone }).startOf('day').toUTC().toISO()!;
    return { listedOn: v1, submittedAt: startOfDay };
  }
  return { listedOn: today, submittedAt: clock.now.toISOString() };
}
