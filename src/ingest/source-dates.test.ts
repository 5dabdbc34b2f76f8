import { describe, expect, it } from 'vitest';
import { normaliseSourceDate } from './source-dates.ts';

describe('normaliseSourceDate', () => {
  it('turns arXiv RFC 2822 dates into ISO UTC', () => {
    expect(normaliseSourceDate('Mon, 2 Apr 2007 19:18:42 GMT')).toBe('2007-04-02T19:18:42.000Z');
    expect(normaliseSourceDate('Fri, 21 Nov 2008 22:55:07 GMT')).toBe('2008-11-21T22:55:07.000Z');
  });

  it('reads other RFC 2822 forms through luxon', () => {
    expect(normaliseSourceDate('Mon, 02 Apr 2007 15:18:42 -0400')).toBe('2007-04-02T19:18:42.000Z');
    expect(normaliseSourceDate('2 Apr 2007 19:18:42 +0000')).toBe('2007-04-02T19:18:42.000Z');
  });

  it('normalises ISO timestamps', () => {
    expect(normaliseSourceDate('2022-02-24T15:05:19Z')).toBe('2022-02-24T15:05:19.000Z');
    expect(normaliseSourceDate('2024-05-30T00:35:12.482Z')).toBe('2024-05-30T00:35:12.482Z');
    expect(normaliseSourceDate('2024-05-30T02:35:12+02:00')).toBe('2024-05-30T00:35:12.000Z');
  });

  it('keeps a bare date bare: no invented time', () => {
    expect(normaliseSourceDate('2023-08-13')).toBe('2023-08-13');
  });

  it('refuses what is not a real date', () => {
    expect(normaliseSourceDate('2023-02-30')).toBeNull();
    expect(normaliseSourceDate('Mon, 31 Apr 2007 19:18:42 GMT')).toBeNull();
    expect(normaliseSourceDate('sometime in 2007')).toBeNull();
    expect(normaliseSourceDate('')).toBeNull();
  });
});
