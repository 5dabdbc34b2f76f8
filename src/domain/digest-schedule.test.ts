import { describe, expect, it } from 'vitest';
import { type DigestJobState, nextDigestRun, sendDayAt } from './digest-schedule.ts';

/** 08:00 in Berlin (UTC+1 in winter): 07:00 UTC. */
const clock = { timeZone: 'Europe/Berlin', time: { hour: 8, minute: 0 } };
const utc = (iso: string) => new Date(iso);
const done = (day: string, retryAt: string | null = null): DigestJobState => ({ doneDay: day, retryAt });

describe('daily digest schedule', () => {
  it('is due at the digest time on a weekday, in the instance time zone', () => {
    // Monday 30 November 2026, 06:00 UTC = 07:00 Berlin: due at 08:00 Berlin.
    expect(nextDigestRun('daily', utc('2026-11-30T06:00:00Z'), clock, null)).toEqual(utc('2026-11-30T07:00:00Z'));
  });

  it('runs at once when the worker starts after the time, the same day only', () => {
    const now = utc('2026-11-30T15:00:00Z');
    expect(nextDigestRun('daily', now, clock, done('2026-11-27')).getTime()).toBeLessThanOrEqual(now.getTime());
    // Tuesday, having missed Monday: Tuesday's time, not Monday's digest.
    expect(nextDigestRun('daily', utc('2026-12-01T05:00:00Z'), clock, done('2026-11-27'))).toEqual(
      utc('2026-12-01T07:00:00Z'),
    );
  });

  it('once done, is due the next weekday (Friday -> Monday)', () => {
    expect(nextDigestRun('daily', utc('2026-11-30T09:00:00Z'), clock, done('2026-11-30'))).toEqual(
      utc('2026-12-01T07:00:00Z'),
    );
    expect(nextDigestRun('daily', utc('2026-12-04T09:00:00Z'), clock, done('2026-12-04'))).toEqual(
      utc('2026-12-07T07:00:00Z'),
    );
  });

  it('skips weekends entirely', () => {
    // Saturday 5 December, before and after the time, never sent.
    expect(nextDigestRun('daily', utc('2026-12-05T10:00:00Z'), clock, done('2026-12-04'))).toEqual(
      utc('2026-12-07T07:00:00Z'),
    );
    expect(sendDayAt('daily', utc('2026-12-05T10:00:00Z'), clock.timeZone)).toBeNull();
  });

  it('is due again at the earliest queued retry of the current period', () => {
    const state = done('2026-11-30', '2026-11-30T09:30:00.000Z');
    expect(nextDigestRun('daily', utc('2026-11-30T09:00:00Z'), clock, state)).toEqual(utc('2026-11-30T09:30:00Z'));
  });

  it('holds off while another sender is busy', () => {
    const state: DigestJobState = { doneDay: '2026-11-27', retryAt: null, notBefore: '2026-11-30T15:01:00.000Z' };
    expect(nextDigestRun('daily', utc('2026-11-30T15:00:00Z'), clock, state)).toEqual(utc('2026-11-30T15:01:00Z'));
  });

  it('uses the instance day at the turn of the day', () => {
    // 23:30 UTC on Sunday is 00:30 Monday in Berlin.
    expect(sendDayAt('daily', utc('2026-11-29T23:30:00Z'), clock.timeZone)).toEqual({
      day: '2026-11-30',
      weeklyDay: null,
    });
  });
});

describe('weekly digest schedule', () => {
  it('is due every day at the digest time, for the subscribers of that weekday', () => {
    // Saturday and Sunday too: a subscriber may choose them.
    expect(nextDigestRun('weekly', utc('2026-12-05T06:00:00Z'), clock, done('2026-12-04'))).toEqual(
      utc('2026-12-05T07:00:00Z'),
    );
    expect(nextDigestRun('weekly', utc('2026-12-05T09:00:00Z'), clock, done('2026-12-05'))).toEqual(
      utc('2026-12-06T07:00:00Z'),
    );
    expect(sendDayAt('weekly', utc('2026-12-06T09:00:00Z'), clock.timeZone)).toEqual({
      day: '2026-12-06',
      weeklyDay: 0,
    });
    expect(sendDayAt('weekly', utc('2026-11-30T09:00:00Z'), clock.timeZone)).toEqual({
      day: '2026-11-30',
      weeklyDay: 1,
    });
  });
});
