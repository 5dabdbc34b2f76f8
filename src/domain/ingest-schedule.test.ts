import { describe, expect, it } from 'vitest';
import {
  announcementAfter,
  announcementAtOrBefore,
  announcementOfFeedDate,
  DAILY_ATTEMPT_OFFSETS_MINUTES,
  dailyAttemptTimes,
  feedCoversAnnouncement,
  nextDailyIngest,
} from './ingest-schedule.ts';

const at = (iso: string) => new Date(iso);
const iso = (date: Date) => date.toISOString();
const fresh = { coveredAnnouncement: null, lastAttemptAt: null };

// February 2026 (EST, -05:00): Sun 15, Mon 16, Tue 17, Wed 18, Thu 19, Fri 20, Sat 21, Sun 22.
// 20:00 EST is 01:00Z the next day.
describe('announcements', () => {
  it.each([
    ['Tuesday morning -> Monday 20:00', '2026-02-17T15:00:00Z', '2026-02-17T01:00:00.000Z'],
    ['Thursday 19:59 -> Wednesday 20:00', '2026-02-20T00:59:00Z', '2026-02-19T01:00:00.000Z'],
    ['Thursday 20:00 exactly -> itself', '2026-02-20T01:00:00Z', '2026-02-20T01:00:00.000Z'],
    ['Friday -> Thursday 20:00', '2026-02-20T17:00:00Z', '2026-02-20T01:00:00.000Z'],
    ['Saturday -> Thursday 20:00', '2026-02-21T23:00:00Z', '2026-02-20T01:00:00.000Z'],
    ['Sunday 19:00 -> Thursday 20:00', '2026-02-23T00:00:00Z', '2026-02-20T01:00:00.000Z'],
    ['Sunday 21:00 -> Sunday 20:00', '2026-02-23T02:00:00Z', '2026-02-23T01:00:00.000Z'],
  ])('the latest at or before: %s', (_label, now, expected) => {
    expect(iso(announcementAtOrBefore(at(now)))).toBe(expected);
  });

  it('skips Friday and Saturday going forward', () => {
    expect(iso(announcementAfter(at('2026-02-20T01:00:00Z')))).toBe('2026-02-23T01:00:00.000Z');
    expect(iso(announcementAfter(at('2026-02-17T01:00:00Z')))).toBe('2026-02-18T01:00:00.000Z');
  });

  it('keeps 20:00 New York time across the spring daylight-saving change', () => {
    // Clocks go forward on Sunday 2026-03-08 at 02:00: Thursday is 20:00 EST (01:00Z), Sunday 20:00 EDT (00:00Z).
    expect(iso(announcementAtOrBefore(at('2026-03-07T12:00:00Z')))).toBe('2026-03-06T01:00:00.000Z');
    expect(iso(announcementAfter(at('2026-03-06T01:00:00Z')))).toBe('2026-03-09T00:00:00.000Z');
    expect(dailyAttemptTimes(at('2026-03-09T00:00:00Z')).map(iso)).toEqual([
      '2026-03-09T00:30:00.000Z',
      '2026-03-09T01:30:00.000Z',
      '2026-03-09T02:30:00.000Z',
      '2026-03-09T03:30:00.000Z',
      '2026-03-09T04:30:00.000Z',
      '2026-03-09T05:30:00.000Z',
    ]);
  });

  it('keeps 20:00 New York time across the autumn daylight-saving change', () => {
    // Clocks go back on Sunday 2026-11-01 at 02:00: Thursday is 20:00 EDT (00:00Z), Sunday 20:00 EST (01:00Z).
    expect(iso(announcementAtOrBefore(at('2026-10-31T12:00:00Z')))).toBe('2026-10-30T00:00:00.000Z');
    expect(iso(announcementAfter(at('2026-10-30T00:00:00Z')))).toBe('2026-11-02T01:00:00.000Z');
  });

  it('tries from 20:30 until 01:30 New York time, hourly', () => {
    expect(DAILY_ATTEMPT_OFFSETS_MINUTES[0]).toBe(30);
    expect(dailyAttemptTimes(at('2026-02-20T01:00:00Z')).map(iso)).toEqual([
      '2026-02-20T01:30:00.000Z',
      '2026-02-20T02:30:00.000Z',
      '2026-02-20T03:30:00.000Z',
      '2026-02-20T04:30:00.000Z',
      '2026-02-20T05:30:00.000Z',
      '2026-02-20T06:30:00.000Z',
    ]);
  });

  it("reads a feed's channel date as the announcement before it", () => {
    // Friday's feed (dated 00:00 EST) carries Thursday's 20:00 announcement; Saturday's empty one too.
    expect(iso(announcementOfFeedDate(new Date('Fri, 20 Feb 2026 00:00:00 -0500')))).toBe('2026-02-20T01:00:00.000Z');
    expect(iso(announcementOfFeedDate(new Date('Sat, 21 Feb 2026 00:00:00 -0500')))).toBe('2026-02-20T01:00:00.000Z');
    expect(iso(announcementOfFeedDate(new Date('Mon, 23 Feb 2026 00:00:00 -0500')))).toBe('2026-02-23T01:00:00.000Z');
  });

  it('tells a stale feed from a current one', () => {
    const thursday = at('2026-02-20T01:00:00Z');
    expect(feedCoversAnnouncement(at('2026-02-19T01:00:00Z'), thursday)).toBe(false);
    expect(feedCoversAnnouncement(thursday, thursday)).toBe(true);
    expect(feedCoversAnnouncement(null, thursday)).toBe(false);
  });
});

describe('the next daily ingest', () => {
  it('is due at once on a fresh instance: the latest announcement is still to be ingested', () => {
    const next = nextDailyIngest(at('2026-02-17T15:00:00Z'), fresh);
    expect(iso(next.announcement)).toBe('2026-02-17T01:00:00.000Z');
    expect(iso(next.at)).toBe('2026-02-17T01:30:00.000Z');
    expect(next.at.getTime()).toBeLessThan(at('2026-02-17T15:00:00Z').getTime());
  });

  it('waits for 20:30 after an announcement', () => {
    const next = nextDailyIngest(at('2026-02-20T01:10:00Z'), {
      coveredAnnouncement: at('2026-02-19T01:00:00Z'),
      lastAttemptAt: at('2026-02-19T01:30:02Z'),
    });
    expect(iso(next.announcement)).toBe('2026-02-20T01:00:00.000Z');
    expect(iso(next.at)).toBe('2026-02-20T01:30:00.000Z');
  });

  it('tries again an hour later when the feed was not updated yet', () => {
    const next = nextDailyIngest(at('2026-02-20T01:45:00Z'), {
      coveredAnnouncement: at('2026-02-19T01:00:00Z'),
      lastAttemptAt: at('2026-02-20T01:30:05Z'),
    });
    expect(iso(next.at)).toBe('2026-02-20T02:30:00.000Z');
  });

  it('gives an announcement up after its last slot and waits for the next one (Sunday after Thursday)', () => {
    const next = nextDailyIngest(at('2026-02-20T06:31:00Z'), {
      coveredAnnouncement: at('2026-02-19T01:00:00Z'),
      lastAttemptAt: at('2026-02-20T06:30:01Z'),
    });
    expect(iso(next.announcement)).toBe('2026-02-23T01:00:00.000Z');
    expect(iso(next.at)).toBe('2026-02-23T01:30:00.000Z');
  });

  it('does nothing on Friday and Saturday once Thursday is covered', () => {
    const done = { coveredAnnouncement: at('2026-02-20T01:00:00Z'), lastAttemptAt: at('2026-02-20T01:30:01Z') };
    for (const now of ['2026-02-20T12:00:00Z', '2026-02-21T12:00:00Z', '2026-02-22T23:00:00Z']) {
      expect(iso(nextDailyIngest(at(now), done).at)).toBe('2026-02-23T01:30:00.000Z');
    }
  });

  it('crosses the daylight-saving changes at 20:30 New York time', () => {
    const spring = nextDailyIngest(at('2026-03-07T12:00:00Z'), {
      coveredAnnouncement: at('2026-03-06T01:00:00Z'),
      lastAttemptAt: at('2026-03-06T01:30:00Z'),
    });
    expect(iso(spring.at)).toBe('2026-03-09T00:30:00.000Z'); // Sunday 20:30 EDT
    const autumn = nextDailyIngest(at('2026-10-30T12:00:00Z'), {
      coveredAnnouncement: at('2026-10-30T00:00:00Z'),
      lastAttemptAt: at('2026-10-30T00:30:00Z'),
    });
    expect(iso(autumn.at)).toBe('2026-11-02T01:30:00.000Z'); // Sunday 20:30 EST
  });

  it('catches up after days down with the latest announcement only', () => {
    const next = nextDailyIngest(at('2026-02-18T17:00:00Z'), {
      coveredAnnouncement: at('2026-02-10T01:00:00Z'),
      lastAttemptAt: at('2026-02-10T01:30:00Z'),
    });
    expect(iso(next.announcement)).toBe('2026-02-18T01:00:00.000Z');
    expect(next.at.getTime()).toBeLessThan(at('2026-02-18T17:00:00Z').getTime());
  });
});
