import { describe, expect, it } from 'vitest';
import { testRecord } from '../../test/support/records.ts';
import { mergePaperRecords, type PaperRecord, versionBounds } from './paper.ts';

const record = (overrides: Partial<PaperRecord> = {}) =>
  testRecord('0704.0001', {
    categories: ['hep-ph'],
    versions: [{ version: 1, created: '2007-04-02T19:18:42.000Z' }],
    ...overrides,
  });

describe('mergePaperRecords', () => {
  it('is idempotent', () => {
    const r = record({ doi: '10.1/x' });
    const once = mergePaperRecords(null, r);
    expect(mergePaperRecords(once, r)).toEqual(once);
  });

  it('unions versions and takes metadata from the newest version', () => {
    const v1 = record({ title: 'Old title' });
    const v2 = record({
      title: 'New title',
      versions: [{ version: 2, created: '2007-07-24T20:10:27.000Z' }],
    });
    const merged = mergePaperRecords(mergePaperRecords(null, v2), v1);
    expect(merged.title).toBe('New title');
    expect(merged.versions.map((v) => v.version)).toEqual([1, 2]);
    // Same result whichever order the sources arrive in.
    expect(mergePaperRecords(mergePaperRecords(null, v1), v2)).toEqual(merged);
  });

  it('never lets an unknown value erase a known one', () => {
    const known = record({ doi: '10.1103/PhysRevD.76.013009', categories: ['hep-ph'] });
    const vague = record({ doi: null, categories: [], versions: [{ version: 1, created: '2007-04-02' }] });
    const merged = mergePaperRecords(known, vague);
    expect(merged.doi).toBe('10.1103/PhysRevD.76.013009');
    expect(merged.categories).toEqual(['hep-ph']);
    expect(merged.versions).toEqual([{ version: 1, created: '2007-04-02T19:18:42.000Z' }]);
  });
});

describe('versionBounds', () => {
  it('turns a bare date into midnight UTC and leaves unknown dates null', () => {
    expect(versionBounds(record({ versions: [{ version: 1, created: '2023-08-13' }] }))).toEqual({
      firstVersionAt: '2023-08-13T00:00:00.000Z',
      latestVersionAt: '2023-08-13T00:00:00.000Z',
    });
    expect(versionBounds(record({ versions: [] }))).toEqual({ firstVersionAt: null, latestVersionAt: null });
  });
});
