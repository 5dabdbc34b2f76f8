import { describe, expect, it } from 'vitest';
import { arxivAnnouncementDay, arxivAnnouncementTime, dayInTimeZone } from './announcement.ts';

/** An instant given as New York wall time (EDT, -04:00, in the June 2024 weeks used here). */
const et = (local: string) => new Date(`${local}-04:00`);

describe('arXiv announcement time', () => {
  // June 2024: Mon 3, Tue 4, Wed 5, Thu 6, Fri 7, Sat 8, Sun 9, Mon 10.
  it.each([
    ['Mon 13:59 -> Mon 20:00', '2024-06-03T13:59:59', '2024-06-03T20:00:00'],
    ['Mon 14:00 -> Tue 20:00', '2024-06-03T14:00:00', '2024-06-04T20:00:00'],
    ['Tue 13:00 -> Tue 20:00', '2024-06-04T13:00:00', '2024-06-04T20:00:00'],
    ['Tue 15:00 -> Wed 20:00', '2024-06-04T15:00:00', '2024-06-05T20:00:00'],
    ['Wed 23:00 -> Thu 20:00', '2024-06-05T23:00:00', '2024-06-06T20:00:00'],
    ['Thu 14:00 -> Sun 20:00', '2024-06-06T14:00:00', '2024-06-09T20:00:00'],
    ['Fri 13:59 -> Sun 20:00', '2024-06-07T13:59:00', '2024-06-09T20:00:00'],
    ['Fri 14:00 -> Mon 20:00', '2024-06-07T14:00:00', '2024-06-10T20:00:00'],
    ['Sat noon -> Mon 20:00', '2024-06-08T12:00:00', '2024-06-10T20:00:00'],
    ['Sun 21:00 -> Mon 20:00', '2024-06-09T21:00:00', '2024-06-10T20:00:00'],
    ['Mon 13:00 -> Mon 20:00', '2024-06-10T13:00:00', '2024-06-10T20:00:00'],
  ])('%s', (_label, received, announced) => {
    expect(arxivAnnouncementTime(et(received)).toISOString()).toBe(et(announced).toISOString());
  });

  it('follows New York daylight saving time', () => {
    // 2024-03-08 is a Friday in EST (-05:00); the Sunday announcement 2024-03-10 is at 20:00 EDT (-04:00).
    expect(arxivAnnouncementTime(new Date('2024-03-08T18:59:00Z')).toISOString()).toBe('2024-03-11T00:00:00.000Z');
    // Received 14:00 EST on Friday: missed it, announced Monday 20:00 EDT.
    expect(arxivAnnouncementTime(new Date('2024-03-08T19:00:00Z')).toISOString()).toBe('2024-03-12T00:00:00.000Z');
  });

  it('gives the announcement day in the instance time zone', () => {
    const received = new Date('2007-04-02T19:18:42Z'); // Mon 15:18 EDT -> Tue 2007-04-03 20:00 EDT
    expect(arxivAnnouncementDay(received, 'America/New_York')).toBe('2007-04-03');
    expect(arxivAnnouncementDay(received, 'UTC')).toBe('2007-04-04');
    expect(arxivAnnouncementDay(received, 'Europe/Paris')).toBe('2007-04-04');
    expect(arxivAnnouncementDay(received, 'America/Los_Angeles')).toBe('2007-04-03');
  });

  it('places an instant on its local day', () => {
    expect(dayInTimeZone(new Date('2024-01-01T03:00:00Z'), 'America/New_York')).toBe('2023-12-31');
    expect(dayInTimeZone(new Date('2024-01-01T03:00:00Z'), 'Asia/Tokyo')).toBe('2024-01-01');
  });
});
