import { describe, expect, it } from 'vitest';
import {
  dcg,
  discount,
  gain,
  meanOf,
  ndcgAtK,
  RRF_K,
  recallAtK,
  reciprocalRank,
  reciprocalRankFusion,
  reciprocalRankFusionScores,
} from './ranking-metrics.ts';

const judged = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('nDCG@k', () => {
  it('uses graded gains 2^rel - 1 and log2(rank + 1) discounts', () => {
    expect([0, 1, 2, 3].map(gain)).toEqual([0, 1, 3, 7]);
    expect(discount(1)).toBe(1);
    expect(discount(3)).toBe(2);
    // 7/1 + 0/log2(3) + 3/2
    expect(dcg([3, 0, 2], 10)).toBeCloseTo(7 + 3 / 2, 12);
    expect(dcg([3, 0, 2], 1)).toBe(7);
  });

  it('divides by the DCG of the ideal ordering of every judged paper, not only the retrieved ones', () => {
    const judgments = judged({ a: 3, b: 2, c: 1 });
    expect(ndcgAtK(['a', 'b', 'c'], judgments, 10)).toBe(1);
    const ideal = 7 + 3 / Math.log2(3) + 1 / 2;
    expect(ndcgAtK(['c', 'b', 'a'], judgments, 10)).toBeCloseTo((1 + 3 / Math.log2(3) + 7 / 2) / ideal, 12);
    // Unjudged papers are 0 and push the relevant ones down.
    expect(ndcgAtK(['x', 'a'], judgments, 10)).toBeCloseTo(7 / Math.log2(3) / ideal, 12);
    // Missing relevant papers cost: only `a` found.
    expect(ndcgAtK(['a'], judgments, 10)).toBeCloseTo(7 / ideal, 12);
    expect(ndcgAtK([], judgments, 10)).toBe(0);
  });

  it('cuts both the ranking and the ideal at k', () => {
    const judgments = judged({ a: 1, b: 1, c: 3 });
    // Ideal at k=1 is the single 3.
    expect(ndcgAtK(['c', 'a', 'b'], judgments, 1)).toBe(1);
    expect(ndcgAtK(['a', 'c'], judgments, 1)).toBeCloseTo(1 / 7, 12);
  });

  it('counts a repeated id once, at its first rank', () => {
    const judgments = judged({ a: 3, b: 3 });
    expect(ndcgAtK(['a', 'a', 'b'], judgments, 10)).toBe(1);
  });

  it('is null for a query without any relevant paper, and such queries are left out of the mean', () => {
    expect(ndcgAtK(['a'], judged({}), 10)).toBeNull();
    expect(ndcgAtK(['a'], judged({ a: 0 }), 10)).toBeNull();
    expect(meanOf([1, null, 0.5])).toBe(0.75);
    expect(meanOf([null])).toBeNull();
  });

  it('refuses a depth that is not a positive integer', () => {
    expect(() => ndcgAtK(['a'], judged({ a: 1 }), 0)).toThrow(RangeError);
    expect(() => recallAtK(['a'], judged({ a: 2 }), 1.5)).toThrow(RangeError);
  });
});

describe('recall@k', () => {
  const judgments = judged({ a: 3, b: 2, c: 1, d: 2 });

  it('is the share of papers graded 2 or 3 found in the first k', () => {
    expect(recallAtK(['a', 'x', 'b', 'd'], judgments, 10)).toBe(1);
    expect(recallAtK(['a', 'x', 'b', 'd'], judgments, 2)).toBeCloseTo(1 / 3, 12);
    expect(recallAtK(['c', 'x'], judgments, 10)).toBe(0);
    expect(recallAtK(['b', 'b'], judgments, 2)).toBeCloseTo(1 / 3, 12);
  });

  it('takes another threshold, and is null when nothing reaches it', () => {
    expect(recallAtK(['c'], judgments, 10, 1)).toBe(0.25);
    expect(recallAtK(['a'], judged({ c: 1 }), 10)).toBeNull();
  });
});

describe('reciprocal rank', () => {
  it('is 1 / the rank of the first clearly relevant paper', () => {
    const judgments = judged({ a: 1, b: 2 });
    expect(reciprocalRank(['a', 'x', 'b'], judgments)).toBeCloseTo(1 / 3, 12);
    expect(reciprocalRank(['x'], judgments)).toBe(0);
    expect(reciprocalRank(['x'], judged({ a: 1 }))).toBeNull();
  });
});

describe('reciprocal rank fusion', () => {
  it('sums 1 / (k + rank) over the lists, 60 by default', () => {
    const fused = reciprocalRankFusionScores([
      ['a', 'b', 'c'],
      ['c', 'a'],
    ]);
    expect(RRF_K).toBe(60);
    expect(fused.map((hit) => hit.id)).toEqual(['a', 'c', 'b']);
    expect(fused[0]!.score).toBeCloseTo(1 / 61 + 1 / 62, 15);
    expect(fused[1]!.score).toBeCloseTo(1 / 63 + 1 / 61, 15);
    expect(fused[2]!.score).toBeCloseTo(1 / 62, 15);
  });

  it('rewards agreement: a paper second in both lists beats one first in a single list', () => {
    expect(
      reciprocalRankFusion([
        ['a', 'x'],
        ['b', 'x'],
      ]),
    ).toEqual(['x', 'a', 'b']);
  });

  it('lets k change how much the top ranks weigh', () => {
    const lists = [
      ['a', 'b', 'c', 'd'],
      ['e', 'f', 'g', 'd'],
      ['h', 'i', 'j', 'd'],
    ];
    // With k = 0, being first once (1) beats being fourth three times (0.75); with k = 60 agreement wins.
    expect(reciprocalRankFusion(lists, 0)[0]).toBe('a');
    expect(reciprocalRankFusion(lists)[0]).toBe('d');
  });

  it('breaks ties by first appearance reading the lists rank by rank, earlier list first', () => {
    // a and b both sit at ranks 1 and 2; a is met first (rank 1 of the first list).
    expect(
      reciprocalRankFusion([
        ['a', 'b'],
        ['b', 'a'],
      ]),
    ).toEqual(['a', 'b']);
    expect(
      reciprocalRankFusion([
        ['b', 'a'],
        ['a', 'b'],
      ]),
    ).toEqual(['b', 'a']);
    // Disjoint lists interleave: rank 1 of each list, then rank 2 of each.
    expect(
      reciprocalRankFusion([
        ['a', 'c'],
        ['b', 'd'],
      ]),
    ).toEqual(['a', 'b', 'c', 'd']);
  });

  it('counts an id once per list, handles empty input, and refuses a bad constant', () => {
    expect(reciprocalRankFusionScores([['a', 'a', 'b']])).toEqual([
      { id: 'a', score: 1 / 61 },
      { id: 'b', score: 1 / 62 },
    ]);
    expect(reciprocalRankFusion([])).toEqual([]);
    expect(reciprocalRankFusion([[], ['a']])).toEqual(['a']);
    expect(() => reciprocalRankFusion([['a']], -1)).toThrow(RangeError);
    expect(() => reciprocalRankFusion([['a']], Number.NaN)).toThrow(RangeError);
  });
});
