/**
 * When the daily announcement ingest is due, as pure functions of the time and of what was already done, so that the
 * worker's clock handling is tested across weekends and daylight-saving changes without waiting for either.
 *
 * arXiv announces at 20:00 America/New_York, Sunday to Thursday (https://info.arxiv.org/help/availability.html); its
 * RSS feeds are rebuilt for the announcement at midnight Eastern time (https://info.arxiv.org/help/rss.html: the
 * channel's pubDate is the next day at 00:00), and arXiv's own announcement is sometimes late. So the ingest first
 * tries DAILY_ATTEMPT_OFFSETS_MINUTES[0] after the announcement and then again every hour until well after midnight;
 * a try that finds the feed still showing the previous announcement leaves the announcement uncovered, and the next
 * try is the next slot. Once every slot has passed, the announcement is given up and the next one is awaited (the
 * OAI-PMH backfill can fill a day that was missed). arXiv's holidays are not known: on such a day the slots pass
 * without news and cost one small feed request each.
 */
import { DateTime } from 'luxon';
import { ARXIV_TIME_ZONE } from './announcement.ts';

/** arXiv's announcements go out at this hour (ET). */
const ANNOUNCEMENT_HOUR_ET = 20;
/** Sunday to Thursday, in ISO weekday numbers (Monday 1 ... Sunday 7). */
const ANNOUNCEMENT_WEEKDAYS: ReadonlySet<number> = new Set([7, 1, 2, 3, 4]);
/** A week of days always contains an announcement day: the search never needs more steps. */
const MAX_DAYS_SEARCHED = 8;
const MS_PER_MINUTE = 60_000;

/**
 * When the ingest tries, in minutes after an announcement: 20:30, then hourly until 01:30 ET (the feed is rebuilt at
 * midnight ET). The last slot ends before 02:00, so a daylight-saving change (always at 02:00 on a Sunday night in
 * New York) never moves a slot.
 */
export const DAILY_ATTEMPT_OFFSETS_MINUTES: readonly number[] = [30, 90, 150, 210, 270, 330];

/** The latest announcement instant (20:00 ET, Sunday to Thursday) at or before `instant`. */
export function announcementAtOrBefore(instant: Date): Date {
  let day = DateTime.fromJSDate(instant, { zone: ARXIV_TIME_ZONE }).set({
    hour: ANNOUNCEMENT_HOUR_ET,
    minute: 0,
    second: 0,
    millisecond: 0,
  });
  for (let step = 0; step < MAX_DAYS_SEARCHED; step += 1) {
    if (ANNOUNCEMENT_WEEKDAYS.has(day.weekday) && day.toMillis() <= instant.getTime()) return day.toJSDate();
    // Calendar arithmetic keeps the wall-clock hour across daylight-saving changes.
    day = day.minus({ days: 1 }).set({ hour: ANNOUNCEMENT_HOUR_ET });
  }
  throw new RangeError(`no arXiv announcement found before ${instant.toISOString()}`);
}

/** The first announcement instant strictly after `instant`. */
export function announcementAfter(instant: Date): Date {
  let day = DateTime.fromJSDate(instant, { zone: ARXIV_TIME_ZONE }).set({
    hour: ANNOUNCEMENT_HOUR_ET,
    minute: 0,
    second: 0,
    millisecond: 0,
  });
  for (let step = 0; step < MAX_DAYS_SEARCHED; step += 1) {
    if (ANNOUNCEMENT_WEEKDAYS.has(day.weekday) && day.toMillis() > instant.getTime()) return day.toJSDate();
    day = day.plus({ days: 1 }).set({ hour: ANNOUNCEMENT_HOUR_ET });
  }
  throw new RangeError(`no arXiv announcement found after ${instant.toISOString()}`);
}

/** The instants at which the ingest tries for one announcement, in order. */
export function dailyAttemptTimes(announcement: Date): Date[] {
  return DAILY_ATTEMPT_OFFSETS_MINUTES.map((minutes) => new Date(announcement.getTime() + minutes * MS_PER_MINUTE));
}

/**
 * The announcement an RSS feed carries, from its channel pubDate: arXiv dates the feed at midnight ET after the
 * 20:00 announcement (Friday 00:00 for Thursday's), so it is the latest announcement at or before that date.
 */
export function announcementOfFeedDate(feedDate: Date): Date {
  return announcementAtOrBefore(feedDate);
}

/** What the daily ingest has done so far, as the worker keeps it. */
export interface DailyIngestProgress {
  /** The latest announcement whose feed was ingested, or null. */
  coveredAnnouncement: Date | null;
  /** When the ingest last tried (whatever came of it), or null. */
  lastAttemptAt: Date | null;
}

/** The next try: for which announcement, and when (at or before `now` means: due now). */
export interface DailyIngestTry {
  announcement: Date;
  at: Date;
}

/**
 * When the daily ingest should next run: the first slot of the latest announcement not yet covered that comes after
 * the last try (possibly in the past, then it is due at once: a worker started late catches up), or else the first
 * slot of the next announcement.
 */
export function nextDailyIngest(now: Date, progress: DailyIngestProgress): DailyIngestTry {
  let announcement = announcementAtOrBefore(now);
  // The latest announcement, then (when it is covered or its slots are used up) the next one, whose slots all lie
  // after `now` and so after the last try.
  for (let candidate = 0; candidate < 2; candidate += 1) {
    const covered =
      progress.coveredAnnouncement !== null && progress.coveredAnnouncement.getTime() >= announcement.getTime();
    if (!covered) {
      const slot = dailyAttemptTimes(announcement).find(
        (at) => progress.lastAttemptAt === null || at.getTime() > progress.lastAttemptAt.getTime(),
      );
      if (slot) return { announcement, at: slot };
    }
    announcement = announcementAfter(announcement);
  }
  return { announcement, at: dailyAttemptTimes(announcement)[0]! };
}

/** Whether a feed carrying `feedAnnouncement` covers the announcement `wanted` (the feed is not stale). */
export function feedCoversAnnouncement(feedAnnouncement: Date | null, wanted: Date): boolean {
  return feedAnnouncement !== null && feedAnnouncement.getTime() >= wanted.getTime();
}
