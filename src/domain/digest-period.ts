/**
 * Which period a digest covers, and the stable key that names it. The key is what "each subscription receives each
 * period's digest exactly once" is counted by, so it must not depend on when in the period the sender runs:
 * - daily: the day in the instance's time zone (`daily:2026-11-30`); weekends have no daily digest, because arXiv
 *   announces nothing on Saturdays and Sundays and a mail with yesterday's list again would be noise;
 * - weekly: the ISO week (Monday to Sunday) containing the send day (`weekly:2026-W49`), whatever weekday the
 *   subscriber chose, so that a week never gets two digests and ISO week-years handle the turn of the year.
 *
 * A weekly digest shows what trended over the days just before it is sent (the trending window, see
 * domain/trending.ts), so its subject names those days (`covers`), not the rest of the ISO week still to come.
 *
 * Pure: no clock and no I/O; `now` and the time zone are passed in.
 */
import { DateTime } from 'luxon';
import type { Cadence } from './subscription-topics.ts';
import { TRENDING_WINDOW_DAYS } from './trending.ts';

/** luxon's weekday numbers (ISO: 1 = Monday ... 7 = Sunday) of the days without a daily digest. */
const WEEKEND_ISO_WEEKDAYS: ReadonlySet<number> = new Set([6, 7]);

export interface DigestPeriod {
  cadence: Cadence;
  /** `daily:YYYY-MM-DD` or `weekly:YYYY-Www` (ISO week-year and week): unique per cadence and period. */
  key: string;
  /** The send day in the instance's time zone (`YYYY-MM-DD`): the trending window ends here. */
  today: string;
  /** First and last day of the period, inclusive (the ISO week's Monday and Sunday for weekly digests). */
  start: string;
  end: string;
  /** The days whose papers the digest presents, inclusive: the day itself, or the trending window ending today. */
  covers: { from: string; to: string };
}

/**
 * The period a digest sent at `now` belongs to, or null when there is none (a daily digest on a Saturday or
 * Sunday in the instance's time zone).
 */
export function digestPeriod(cadence: Cadence, timeZone: string, now: Date): DigestPeriod | null {
  return digestPeriodOn(cadence, DateTime.fromJSDate(now).setZone(timeZone).toISODate()!);
}

/** The period of a digest sent on `day` (`YYYY-MM-DD`, the instance's calendar), or null on a daily weekend. */
export function digestPeriodOn(cadence: Cadence, day: string): DigestPeriod | null {
  return periodOn(cadence, day, false);
}

function periodOn(cadence: Cadence, day: string, evenOnWeekends: boolean): DigestPeriod | null {
  const date = DateTime.fromISO(day, { zone: 'utc' });
  if (!date.isValid) throw new RangeError(`not a day: ${day}`);
  const today = date.toISODate()!;
  if (cadence === 'daily') {
    if (!evenOnWeekends && WEEKEND_ISO_WEEKDAYS.has(date.weekday)) return null;
    return { cadence, key: `daily:${today}`, today, start: today, end: today, covers: { from: today, to: today } };
  }
  const monday = date.startOf('week');
  const week = `${monday.weekYear}-W${String(monday.weekNumber).padStart(2, '0')}`;
  return {
    cadence,
    key: `weekly:${week}`,
    today,
    start: monday.toISODate()!,
    end: monday.plus({ days: 6 }).toISODate()!,
    covers: { from: date.minus({ days: TRENDING_WINDOW_DAYS - 1 }).toISODate()!, to: today },
  };
}

/**
 * The period to preview on `day`: the digest that would go out that day. On a weekend a daily digest is not sent,
 * but an admin may still want to see what one would look like now, so the preview then takes the day as if it were
 * a weekday (its key is never used to record a send).
 */
export function previewPeriodOn(cadence: Cadence, day: string): DigestPeriod {
  return periodOn(cadence, day, true)!;
}
