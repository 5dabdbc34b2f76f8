import { describe, expect, it } from 'vitest';
import { featuredListingTime } from './listing-day.ts';

const clock = { timeZone: 'America/New_York', now: new Date('2024-06-12T15:00:00Z') };

describe('featuredListingTime', () => {
  it('uses the listing time the source gives, on its day in the instance time zone', () => {
    const versions = [{ version: 1, created: '2024-05-29T14:09:07.000Z' }];
    expect(featuredListingTime({ versions }, '2024-05-30T00:35:12.482Z', clock)).toEqual({
      listedOn: '2024-05-29',
      submittedAt: '2024-05-30T00:35:12.482Z',
    });
    expect(featuredListingTime({ versions }, '2024-05-30T00:35:12.482Z', { ...clock, timeZone: 'UTC' }).listedOn).toBe(
      '2024-05-30',
    );
  });

  it("else lists it at arXiv's announcement of v1, so the listing time falls on the listed day", () => {
    // Received Monday 2007-04-02 15:18 EDT, after the 14:00 deadline: announced Tuesday 20:00 EDT.
    const versions = [
      { version: 1, created: '2007-04-02T19:18:42.000Z' },
      { version: 2, created: '2007-07-24T20:10:27.000Z' },
    ];
    expect(featuredListingTime({ versions }, null, clock)).toEqual({
      listedOn: '2007-04-03',
      submittedAt: '2007-04-04T00:00:00.000Z', // 20:00 EDT
    });
  });

  it('else on the bare first-version date (from its start), else today (now)', () => {
    expect(featuredListingTime({ versions: [{ version: 1, created: '2023-08-13' }] }, null, clock)).toEqual({
      listedOn: '2023-08-13',
      submittedAt: '2023-08-13T04:00:00.000Z', // midnight EDT
    });
    expect(featuredListingTime({ versions: [] }, null, clock).submittedAt).toBe('2024-06-12T15:00:00.000Z');
    expect(featuredListingTime({ versions: [] }, null, clock).listedOn).toBe('2024-06-12');
    expect(featuredListingTime({ versions: [{ version: 2, created: '2023-08-13' }] }, null, clock).listedOn).toBe(
      '2024-06-12',
    );
    expect(
      featuredListingTime({ versions: [] }, null, {
        ...clock,
        timeZone: 'Asia/Tokyo',
        now: new Date('2024-06-12T16:00:00Z'),
      }).listedOn,
    ).toBe('2024-06-13');
  });
});
