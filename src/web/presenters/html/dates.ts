/**
 * Dates as pages show them: the day only (arXiv's times are of little use to a reader), in UTC so that a paper's
 * date does not depend on the server's zone, and "unknown" where arXiv's date is unknown: never an invented day.
 */
import { DateTime } from 'luxon';

const LOCALE = 'en-GB';

export interface DayLabel {
  /** `YYYY-MM-DD`, for `<time datetime>`. */
  iso: string;
  /** `2 April 2007`. */
  text: string;
}

/** The day of an ISO timestamp or date (`2007-04-02T19:18:42.000Z`, `2007-04-02`); null when unknown or invalid. */
export function dayOf(timestamp: string | null): DayLabel | null {
  if (timestamp === null) return null;
  const time = DateTime.fromISO(timestamp, { zone: 'utc' });
  if (!time.isValid) return null;
  return { iso: time.toISODate()!, text: time.setLocale(LOCALE).toFormat('d LLLL yyyy') };
}

/** A short label for a day (`Wed 28 Feb 2024`), for navigation links. */
export function shortDay(day: string): string {
  return DateTime.fromISO(day, { zone: 'utc' }).setLocale(LOCALE).toFormat('ccc d LLL yyyy');
}

/** A long label for a day (`Wednesday, 28 February 2024`). */
export function longDay(day: string): string {
  return DateTime.fromISO(day, { zone: 'utc' }).setLocale(LOCALE).toFormat('cccc, d LLLL yyyy');
}

/** `June 2022` for a `YYYY-MM` month. */
export function monthName(yearMonth: string): string {
  return DateTime.fromISO(`${yearMonth}-01`, { zone: 'utc' }).setLocale(LOCALE).toFormat('LLLL yyyy');
}
