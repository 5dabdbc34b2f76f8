import { describe, expect, it } from 'vitest';
import { DEFAULT_FUSION_METHOD, DEFAULT_LEXICAL_WEIGHT, fuseRankings, normalizedScores } from './fusion.ts';
import type { SearchHit } from './lexical-search.ts';

const hits = (...entries: Array<[string, number]>): SearchHit[] => entries.map(([id, score]) => ({ id, score }));
const ids = (fused: SearchHit[]) => fused.map((hit) => hit.id);

describe('fuseRankings', () => {
  it('uses the measured defaults: scores divided by each list best, lexical weighted 0.85', () => {
    expect(DEFAULT_FUSION_METHOD).toBe('max');
    expect(DEFAULT_LEXICAL_WEIGHT).toBe(0.85);
    const fused = fuseRankings(hits(['a', 10], ['b', 5]), hits(['b', 0.8], ['c', 0.4]), { limit: 10 });
    expect(fused).toEqual([
      { id: 'a', score: expect.closeTo(0.85, 9) },
      { id: 'b', score: expect.closeTo(0.85 * 0.5 + 0.15, 9) },
      { id: 'c', score: expect.closeTo(0.15 * 0.5, 9) },
    ]);
  });

  it('keeps the lexical order where its scores are far apart, and lets meaning decide near-ties', () => {
    const lexical = hits(['sure', 20], ['close-1', 10], ['close-2', 9.9]);
    const semantic = hits(['close-2', 0.9], ['sure', 0.3], ['close-1', 0.2]);
    expect(ids(fuseRankings(lexical, semantic, { limit: 10 }))).toEqual(['sure', 'close-2', 'close-1']);
  });

  it('counts a paper found by one side only, below the lexical matches that the semantic side also likes', () => {
    const fused = fuseRankings(hits(['a', 3], ['b', 2]), hits(['z', 0.9], ['a', 0.8], ['b', 0.7]), { limit: 10 });
    expect(ids(fused)).toEqual(['a', 'b', 'z']);
  });

  it('is the lexical ranking at weight 1 and the semantic ranking at weight 0', () => {
    const lexical = hits(['a', 3], ['b', 2], ['c', 1]);
    const semantic = hits(['c', 0.9], ['b', 0.5], ['d', 0.4]);
    expect(ids(fuseRankings(lexical, semantic, { limit: 3, lexicalWeight: 1 }))).toEqual(['a', 'b', 'c']);
    expect(ids(fuseRankings(lexical, semantic, { limit: 3, lexicalWeight: 0 }))).toEqual(['c', 'b', 'd']);
  });

  it('cuts at the limit, breaks ties by lexical then semantic order, and handles empty lists', () => {
    expect(ids(fuseRankings(hits(['a', 1], ['b', 1]), hits(['c', 1]), { limit: 2, lexicalWeight: 0.5 }))).toEqual([
      'a',
      'b',
    ]);
    expect(fuseRankings([], [], { limit: 5 })).toEqual([]);
    expect(ids(fuseRankings([], hits(['x', 0.5], ['y', 0.25]), { limit: 5 }))).toEqual(['x', 'y']);
    expect(ids(fuseRankings(hits(['x', 2]), [], { limit: 0 }))).toEqual([]);
  });

  it('counts a paper listed twice in one list once, at its best place', () => {
    const fused = fuseRankings(hits(['a', 4], ['a', 1], ['b', 2]), [], { limit: 5 });
    expect(fused).toEqual([
      { id: 'a', score: expect.closeTo(0.85, 9) },
      { id: 'b', score: expect.closeTo(0.425, 9) },
    ]);
  });

  it('offers min-max and weighted reciprocal rank fusion for the sweep', () => {
    const lexical = hits(['a', 9], ['b', 5], ['c', 1]);
    const semantic = hits(['c', 0.9], ['b', 0.8]);
    // min-max puts each list's worst hit at 0: b, second on both sides, falls behind a and c.
    expect(ids(fuseRankings(lexical, semantic, { limit: 5, method: 'minmax', lexicalWeight: 0.5 }))).toEqual([
      'a',
      'c',
      'b',
    ]);
    expect(ids(fuseRankings(lexical, semantic, { limit: 5, method: 'rrf', lexicalWeight: 0.5 }))).toEqual([
      'c',
      'b',
      'a',
    ]);
  });

  it('refuses a weight outside 0..1', () => {
    expect(() => fuseRankings([], [], { limit: 1, lexicalWeight: 1.5 })).toThrow(RangeError);
    expect(() => fuseRankings([], [], { limit: 1, lexicalWeight: Number.NaN })).toThrow(RangeError);
  });
});

describe('normalizedScores', () => {
  it('maps each method onto 0..1 with the best hit at 1', () => {
    const list = hits(['a', 8], ['b', 4], ['c', 2]);
    expect([...normalizedScores(list, 'max')]).toEqual([
      ['a', 1],
      ['b', 0.5],
      ['c', 0.25],
    ]);
    expect([...normalizedScores(list, 'minmax')]).toEqual([
      ['a', 1],
      ['b', expect.closeTo(1 / 3, 9)],
      ['c', 0],
    ]);
    const rrf = normalizedScores(list, 'rrf');
    expect(rrf.get('a')).toBe(1);
    expect(rrf.get('b')).toBeCloseTo(61 / 62, 9);
  });

  it('gives every hit of a list of equal scores, or of one hit, the full score', () => {
    expect([...normalizedScores(hits(['a', 3], ['b', 3]), 'minmax').values()]).toEqual([1, 1]);
    expect([...normalizedScores(hits(['a', 0.2]), 'max').values()]).toEqual([1]);
  });

  it('treats non-finite and negative scores as the worst, never as NaN', () => {
    const scores = normalizedScores(hits(['a', 2], ['b', Number.NaN], ['c', -1]), 'max');
    expect([...scores.values()]).toEqual([1, 0, 0]);
    expect([...normalizedScores(hits(['a', -2], ['b', -3]), 'max').values()]).toEqual([1, 1]);
  });
});
