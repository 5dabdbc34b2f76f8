/**
 * The periods the daily feed is viewed by: a day (`2024-02-29`), an ISO week (`2024-W09`) or a month (`2024-02`).
 * Parsing is strict, so that impossible periods (`2024-02-30`, `2024-W99`, `2024-13`) are refused, not rolled over.
 */
import { DateTime } from 'luxon';

export type PeriodKind = 'day' | 'week' | 'month';

export interface FeedPeriod {
  kind: PeriodKind;
  /** The period as written in URLs: `2024-02-29`, `2024-W09`, `2024-02`. */
  key: string;
  /** First day, inclusive (`YYYY-MM-DD`). */
  start: string;
  /** Last day, inclusive (`YYYY-MM-DD`). */
  end: string;
}

export type PeriodResult = { ok: true; value: FeedPeriod } | { ok: false; reason: string };

/** arXiv began in August 1991: no feed day can come before its first year. */
const FIRST_YEAR = 1991;

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const WEEK_PATTERN = /^(\d{4})-W(\d{2})$/;
const MONTH_PATTERN = /^(\d{4})-(\d{2})$/;

export function parseDay(input: string): PeriodResult {
  if (!DAY_PATTERN.test(input)) return { ok: false, reason: `'${clip(input)}' is not a date (expected YYYY-MM-DD)` };
  const day = DateTime.fromISO(input, { zone: 'utc' });
  if (!day.isValid) return { ok: false, reason: `${input} is not a day of the calendar` };
  if (day.year < FIRST_YEAR) return tooEarly(input);
  return { ok: true, value: dayPeriod(day) };
}

export function parseWeek(input: string): PeriodResult {
  const m = WEEK_PATTERN.exec(input);
  if (!m) return { ok: false, reason: `'${clip(input)}' is not an ISO week (expected YYYY-Www, e.g. 2024-W09)` };
  const year = Number(m[1]);
  const week = Number(m[2]);
  if (year < FIRST_YEAR) return tooEarly(input);
  const weeksInYear = DateTime.fromObject({ weekYear: year, weekNumber: 1 }, { zone: 'utc' }).weeksInWeekYear;
  if (week < 1 || week > weeksInYear) {
    return { ok: false, reason: `${year} has ISO weeks W01 to W${weeksInYear}, not W${m[2]}` };
  }
  return { ok: true, value: weekPeriod(DateTime.fromObject({ weekYear: year, weekNumber: week }, { zone: 'utc' })) };
}

export function parseMonth(input: string): PeriodResult {
  const m = MONTH_PATTERN.exec(input);
  if (!m) return { ok: false, reason: `'${clip(input)}' is not a month (expected YYYY-MM)` };
  const month = Number(m[2]);
  if (month < 1 || month > 12) return { ok: false, reason: `${input} has no month ${m[2]} (months are 01 to 12)` };
  if (Number(m[1]) < FIRST_YEAR) return tooEarly(input);
  return { ok: true, value: monthPeriod(DateTime.fromObject({ year: Number(m[1]), month }, { zone: 'utc' })) };
}

export function parsePeriod(kind: PeriodKind, input: string): PeriodResult {
  if (kind === 'day') return parseDay(input);
  if (kind === 'week') return parseWeek(input);
  return parseMonth(input);
}

/** The period of the same kind just before this one. */
export function previousPeriod(period: FeedPeriod): FeedPeriod {
  return shift(period, -1);
}

/** The period of the same kind just after this one. */
export function nextPeriod(period: FeedPeriod): FeedPeriod {
  return shift(period, 1);
}

/** The period of a kind that contains a day (`YYYY-MM-DD`). */
export function periodContaining(kind: PeriodKind, day: string): FeedPeriod {
  const dt = DateTime.fromISO(day, { zone: 'utc' });
  if (kind === 'day') return dayPeriod(dt);
  if (kind === 'week') return weekPeriod(dt);
  return monthPeriod(dt);
}

/** Today's date (`YYYY-MM-DD`) in a time zone, e.g. the instance's. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  return DateTime.fromJSDate(now).setZone(timeZone).toISODate()!;
}

/** A human title for a period: `Thursday, 29 February 2024`, `Week 9 of 2024 (26 Feb – 3 Mar)`, `February 2024`. */
export function periodTitle(period: FeedPeriod): string {
  const start = DateTime.fromISO(period.start, { zone: 'utc' }).setLocale('en-GB');
  if (period.kind === 'day') return start.toFormat('cccc, d LLLL yyyy');
  if (period.kind === 'month') return start.toFormat('LLLL yyyy');
  const end = DateTime.fromISO(period.end, { zone: 'utc' }).setLocale('en-GB');
  return `Week ${start.weekNumber} of ${start.weekYear} (${start.toFormat('d LLL')} – ${end.toFormat('d LLL')})`;
}

function shift(period: FeedPeriod, steps: number): FeedPeriod {
  const start = DateTime.fromISO(period.start, { zone: 'utc' });
  if (period.kind === 'day') return dayPeriod(start.plus({ days: steps }));
  if (period.kind === 'week') return weekPeriod(start.plus({ weeks: steps }));
  return monthPeriod(start.plus({ months: steps }));
}

function dayPeriod(day: DateTime): FeedPeriod {
  const iso = day.toISODate()!;
  return { kind: 'day', key: iso, start: iso, end: iso };
}

function weekPeriod(any: DateTime): FeedPeriod {
  const start = any.startOf('week');
  const key = `${start.weekYear}-W${String(start.weekNumber).padStart(2, '0')}`;
  return { kind: 'week', key, start: start.toISODate()!, end: start.endOf('week').toISODate()! };
}

function monthPeriod(any: DateTime): FeedPeriod {
  const start = any.startOf('month');
  return {
    kind: 'month',
    key: start.toFormat('yyyy-MM'),
    start: start.toISODate()!,
    end: start.endOf('month').toISODate()!,
  };
}

function tooEarly(input: string): PeriodResult {
  return { ok: false, reason: `${input} is before arXiv began (${FIRST_YEAR})` };
}

function clip(input: string): string {
  return input.length > 20 ? `${input.slice(0, 20)}…` : input;
}
