/**
 * When the worker's digest jobs are due (pure: the clock, time zone and state are passed in).
 * - daily: on weekdays at the digest time in the instance's time zone, once per period key; a worker that was down
 *   at that time sends when it starts, the same day only (a digest of yesterday's list is not news any more);
 * - weekly: every day at the digest time, for the weekly subscribers whose chosen day it is (their period key is
 *   the ISO week, so a week never gets two);
 * - both: due again at the earliest retry of the current period that the last run left queued.
 */
import { DateTime } from 'luxon';
import { digestPeriodOn } from './digest-period.ts';
import type { Cadence } from './subscription-topics.ts';

/** What a digest job stores between runs. */
export interface DigestJobState {
  /** The instance day (`YYYY-MM-DD`) whose send is complete (every due row attempted; retries may wait). */
  doneDay: string | null;
  /** Queued retries of that day's period: due then (ISO instant), or null. */
  retryAt: string | null;
  /** Not before this instant (ISO; another sender was busy with the period): null = no such hold. */
  notBefore?: string | null;
}

export interface DigestClock {
  timeZone: string;
  time: { hour: number; minute: number };
}

/** How many days ahead the next weekday send can be at most (Friday -> Monday), plus one. */
const LOOKAHEAD_DAYS = 4;

/** The instant of the send on `day` (the instance's calendar). */
function sendInstant(day: DateTime, clock: DigestClock): DateTime {
  return day.set({ hour: clock.time.hour, minute: clock.time.minute, second: 0, millisecond: 0 });
}

function sendsOn(cadence: Cadence, day: string): boolean {
  return digestPeriodOn(cadence, day) !== null;
}

/**
 * When the cadence's job is next due: now (or earlier) means due now. The day to send for is sendDayAt(now) at that
 * moment.
 */
export function nextDigestRun(cadence: Cadence, now: Date, clock: DigestClock, state: DigestJobState | null): Date {
  const due = dueAt(cadence, now, clock, state);
  const hold = state?.notBefore ? new Date(state.notBefore) : null;
  return hold && hold.getTime() > due.getTime() ? hold : due;
}

function dueAt(cadence: Cadence, now: Date, clock: DigestClock, state: DigestJobState | null): Date {
  const local = DateTime.fromJSDate(now).setZone(clock.timeZone);
  const today = local.toISODate()!;
  const todaysSend = sendInstant(local.startOf('day'), clock);
  if (state?.doneDay === today) {
    if (state.retryAt)
      return new Date(Math.min(new Date(state.retryAt).getTime(), nextSendAfterToday(cadence, local, clock)));
    return new Date(nextSendAfterToday(cadence, local, clock));
  }
  if (sendsOn(cadence, today)) {
    // Not done today: due at today's time (in the past when the worker was down then: due now).
    return todaysSend.toJSDate();
  }
  return new Date(nextSendAfterToday(cadence, local, clock));
}

function nextSendAfterToday(cadence: Cadence, local: DateTime, clock: DigestClock): number {
  for (let ahead = 1; ahead <= LOOKAHEAD_DAYS; ahead += 1) {
    const day = local.startOf('day').plus({ days: ahead });
    if (sendsOn(cadence, day.toISODate()!)) return sendInstant(day, clock).toMillis();
  }
  throw new Error('unreachable: a weekday is always within four days');
}

/**
 * The instance day a run at `now` sends for, and for weekly digests the weekday whose subscribers are due (0 =
 * Sunday ... 6, like subscriptions.weekly_day); null when there is nothing to send (a daily weekend).
 */
export function sendDayAt(
  cadence: Cadence,
  now: Date,
  timeZone: string,
): { day: string; weeklyDay: number | null } | null {
  const local = DateTime.fromJSDate(now).setZone(timeZone);
  const day = local.toISODate()!;
  if (!sendsOn(cadence, day)) return null;
  // luxon: 1 = Monday ... 7 = Sunday; subscriptions: 0 = Sunday ... 6.
  return { day, weeklyDay: cadence === 'weekly' ? local.weekday % 7 : null };
}
