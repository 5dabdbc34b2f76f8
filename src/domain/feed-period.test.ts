import { describe, expect, it } from 'vitest';
import { nextPeriod, parseDay, parseMonth, parseWeek, periodContaining, previousPeriod } from './feed-period.ts';

describe('feed periods', () => {
  it('parses real days, weeks and months', () => {
    expect(parseDay('2024-02-29')).toEqual({
      ok: true,
      value: { kind: 'day', key: '2024-02-29', start: '2024-02-29', end: '2024-02-29' },
    });
    expect(parseWeek('2024-W09')).toEqual({
      ok: true,
      value: { kind: 'week', key: '2024-W09', start: '2024-02-26', end: '2024-03-03' },
    });
    expect(parseWeek('2020-W53').ok).toBe(true);
    expect(parseMonth('2024-02')).toEqual({
      ok: true,
      value: { kind: 'month', key: '2024-02', start: '2024-02-01', end: '2024-02-29' },
    });
  });

  it.each([
    ['day', '2024-02-30'],
    ['day', '2023-02-29'],
    ['day', '2024-2-3'],
    ['day', 'yesterday'],
    ['week', '2024-W99'],
    ['week', '2024-W00'],
    ['week', '2021-W53'],
    ['month', '2024-13'],
    ['month', '2024-00'],
    ['day', '0000-01-01'],
    ['week', '1990-W10'],
    ['month', '1066-10'],
  ])('refuses the %s %s', (kind, input) => {
    const parse = kind === 'day' ? parseDay : kind === 'week' ? parseWeek : parseMonth;
    expect(parse(input).ok).toBe(false);
  });

  it('steps across year boundaries', () => {
    const day = parseDay('2024-01-01');
    if (!day.ok) throw new Error('unreachable');
    expect(previousPeriod(day.value).key).toBe('2023-12-31');
    expect(nextPeriod(periodContaining('week', '2024-12-30')).key).toBe('2025-W02');
    expect(previousPeriod(periodContaining('month', '2024-01-15')).key).toBe('2023-12');
  });
});
