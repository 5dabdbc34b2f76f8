import { describe, expect, it } from 'vitest';
import { formatDuration, ingestRunRow, ingestRunsHref } from './ingest-runs.ts';

describe('ingest runs page model', () => {
  it('says durations the way people read them', () => {
    expect(formatDuration(0)).toBe('0 ms');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_400)).toBe('12 s');
    expect(formatDuration(245_000)).toBe('4 min 05 s');
    expect(formatDuration(7_380_000)).toBe('2 h 03 min');
    expect(formatDuration(-5)).toBe('0 ms');
    expect(formatDuration(Number.NaN)).toBe('0 ms');
  });

  it('links each page and source at one address', () => {
    expect(ingestRunsHref(null, 1)).toBe('/admin/ingest');
    expect(ingestRunsHref(null, 3)).toBe('/admin/ingest?p=3');
    expect(ingestRunsHref('oai', 1)).toBe('/admin/ingest?source=oai');
    expect(ingestRunsHref('oai', 2)).toBe('/admin/ingest?source=oai&p=2');
  });

  it('orders counts as a run produces them and dates running runs by now', () => {
    const row = ingestRunRow(
      {
        id: 7,
        source: 'daily',
        startedAt: '2026-03-02T01:00:00.000Z',
        finishedAt: null,
        status: 'running',
        params: { categories: ['cs.LG', 'cs.CV'], file: 'x'.repeat(200) },
        counts: { skipped: 1, fetched: 10, announced: 12, listed: 3 },
        errors: [],
      },
      new Date('2026-03-02T01:02:03.000Z'),
    );
    expect(row.counts.map((c) => c.name)).toEqual(['announced', 'fetched', 'listed', 'skipped']);
    expect(row.durationLabel).toBe('2 min 03 s');
    expect(row.params[0]).toEqual({ name: 'categories', value: 'cs.LG, cs.CV' });
    expect(row.params[1]!.value).toHaveLength(121);
    expect(row.sourceLabel).toBe('Daily announcement');
    expect(row.startedLabel).toBe('2026-03-02 01:00');
  });
});
