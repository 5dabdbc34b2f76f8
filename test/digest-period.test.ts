/** Which period a digest covers and its key: weekdays only for daily digests, ISO weeks across the year boundary. */
import { describe, expect, it } from 'vitest';
import { digestPeriod, digestPeriodOn, previewPeriodOn } from '../src/domain/digest-period.ts';

describe('digest periods', () => {
  it('names a weekday by its date and has no daily digest on weekends', () => {
    expect(digestPeriodOn('daily', '2026-11-30')).toMatchObject({
      key: 'daily:2026-11-30',
      start: '2026-11-30',
      end: '2026-11-30',
      covers: { from: '2026-11-30', to: '2026-11-30' },
    });
    expect(digestPeriodOn('daily', '2026-11-27')?.key).toBe('daily:2026-11-27');
    expect(digestPeriodOn('daily', '2026-11-28')).toBeNull();
    expect(digestPeriodOn('daily', '2026-11-29')).toBeNull();
  });

  it('takes the day in the instance time zone, not UTC', () => {
    // 03:00 UTC on Monday is still Sunday evening in New York: no daily digest there, Monday's in Berlin.
    const now = new Date('2026-11-30T03:00:00Z');
    expect(digestPeriod('daily', 'America/New_York', now)).toBeNull();
    expect(digestPeriod('daily', 'Europe/Berlin', now)?.key).toBe('daily:2026-11-30');
    expect(digestPeriod('weekly', 'America/New_York', now)?.key).toBe('weekly:2026-W48');
    expect(digestPeriod('weekly', 'Europe/Berlin', now)?.key).toBe('weekly:2026-W49');
  });

  it('gives every day of an ISO week the same weekly key', () => {
    const keys = ['2026-11-30', '2026-12-02', '2026-12-05', '2026-12-06'].map((d) => digestPeriodOn('weekly', d)!.key);
    expect(new Set(keys)).toEqual(new Set(['weekly:2026-W49']));
    expect(digestPeriodOn('weekly', '2026-11-29')!.key).toBe('weekly:2026-W48');
    const week = digestPeriodOn('weekly', '2026-12-02')!;
    expect(week).toMatchObject({ start: '2026-11-30', end: '2026-12-06', today: '2026-12-02' });
    expect(week.covers).toEqual({ from: '2026-11-26', to: '2026-12-02' });
  });

  it('uses ISO week-years across the turn of the year', () => {
    // 2027-01-01 is a Friday in the 53rd week of 2026; 2024-12-30 is the Monday of 2025's first week.
    expect(digestPeriodOn('weekly', '2027-01-01')).toMatchObject({
      key: 'weekly:2026-W53',
      start: '2026-12-28',
      end: '2027-01-03',
    });
    expect(digestPeriodOn('weekly', '2027-01-04')!.key).toBe('weekly:2027-W01');
    expect(digestPeriodOn('weekly', '2024-12-30')!.key).toBe('weekly:2025-W01');
    expect(digestPeriodOn('weekly', '2024-12-29')!.key).toBe('weekly:2024-W52');
    expect(digestPeriodOn('daily', '2027-01-01')!.key).toBe('daily:2027-01-01');
  });

  it('previews a daily digest on a weekend too', () => {
    expect(previewPeriodOn('daily', '2026-11-29').key).toBe('daily:2026-11-29');
    expect(previewPeriodOn('weekly', '2026-11-29').key).toBe('weekly:2026-W48');
  });

  it('refuses a malformed day', () => {
    expect(() => digestPeriodOn('daily', '2026-13-01')).toThrow(RangeError);
  });
});
