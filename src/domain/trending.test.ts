import { describe, expect, it } from 'vitest';
import {
  currentPoints,
  HALF_LIFE_HOURS,
  halfLivesSinceEpoch,
  LISTING_WEIGHT_VOTES,
  log2SumExp2,
  NO_ACTIVITY_SCORE,
  TRENDING_EPOCH_MS,
  trendingScore,
} from './trending.ts';

const HOUR_MS = 3_600_000;
const HALF_LIFE_MS = HALF_LIFE_HOURS * HOUR_MS;
const NOW = Date.parse('2025-06-10T12:00:00.000Z');

/** A listed paper's score with votes cast `hoursAgo` before NOW. */
function score(listedHoursAgo: number | null, voteHoursAgo: number[]): number {
  return trendingScore({
    listedAtMs: listedHoursAgo === null ? null : NOW - listedHoursAgo * HOUR_MS,
    upvotedAtMs: voteHoursAgo.map((h) => NOW - h * HOUR_MS),
  });
}

describe('trending score', () => {
  it('halves a vote’s weight per half-life', () => {
    const fresh = currentPoints(score(null, [0]), NOW);
    const oneHalfLife = currentPoints(score(null, [HALF_LIFE_HOURS]), NOW);
    const twoHalfLives = currentPoints(score(null, [2 * HALF_LIFE_HOURS]), NOW);
    expect(fresh).toBeCloseTo(1, 12);
    expect(oneHalfLife).toBeCloseTo(0.5, 12);
    expect(twoHalfLives).toBeCloseTo(0.25, 12);
    // In score units, one half-life is exactly 1.
    expect(score(null, [0]) - score(null, [HALF_LIFE_HOURS])).toBeCloseTo(1, 9);
  });

  it('counts the listing as LISTING_WEIGHT_VOTES votes at its time', () => {
    expect(LISTING_WEIGHT_VOTES).toBe(1);
    expect(score(0, [])).toBeCloseTo(score(null, [0]), 12);
    expect(currentPoints(score(0, []), NOW)).toBeCloseTo(LISTING_WEIGHT_VOTES, 12);
    // A fresh paper with no votes ranks above yesterday's with no votes: recency without votes.
    expect(score(1, [])).toBeGreaterThan(score(25, []));
    // Three votes now plus the listing: four points.
    expect(currentPoints(score(0, [0, 0, 0]), NOW)).toBeCloseTo(4, 9);
  });

  it('ranks by votes decayed to now, and the stored order never changes as time passes', () => {
    const papers = {
      steady: score(72, [70, 60, 50, 40, 30, 20, 10]),
      burst: score(6, [5, 4, 3, 2, 1]),
      old: score(
        160,
        Array.from({ length: 40 }, (_, i) => 150 - i),
      ),
      fresh: score(0, []),
    };
    const order = (at: number) =>
      Object.entries(papers)
        .sort(([, a], [, b]) => currentPoints(b, at) - currentPoints(a, at))
        .map(([name]) => name);
    const storedOrder = Object.entries(papers)
      .sort(([, a], [, b]) => b - a)
      .map(([name]) => name);
    // (Points themselves underflow to 0 after a few years: that is why the logarithm is what is stored.)
    for (const later of [0, 1, 24, 24 * 7, 24 * 365]) {
      expect(order(NOW + later * HOUR_MS)).toEqual(storedOrder);
    }
    // And points decay for everyone alike: the ratio between two papers is constant.
    const ratio = (at: number) => currentPoints(papers.burst, at) / currentPoints(papers.steady, at);
    expect(ratio(NOW + 24 * 30 * HOUR_MS)).toBeCloseTo(ratio(NOW), 9);
  });

  it('matches the plain decayed sum where that can be computed directly', () => {
    const votes = [0, 3, 10, 30, 47];
    const direct = 1 * 2 ** (-12 / HALF_LIFE_HOURS) + votes.reduce((sum, h) => sum + 2 ** (-h / HALF_LIFE_HOURS), 0);
    expect(currentPoints(score(12, votes), NOW)).toBeCloseTo(direct, 9);
  });

  it('stays finite and exact far from the epoch (log-sum-exp)', () => {
    // 2^x overflows beyond x ≈ 1024: 1,100 half-lives after the epoch is about three years with a one-day half-life.
    const farFuture = TRENDING_EPOCH_MS + 5_000 * HALF_LIFE_MS;
    const farPast = TRENDING_EPOCH_MS - 5_000 * HALF_LIFE_MS;
    for (const at of [farFuture, farPast]) {
      const one = trendingScore({ listedAtMs: null, upvotedAtMs: [at] });
      const two = trendingScore({ listedAtMs: null, upvotedAtMs: [at, at] });
      expect(Number.isFinite(one)).toBe(true);
      expect(two - one).toBeCloseTo(1, 9); // two equal votes weigh twice one
      expect(currentPoints(two, at)).toBeCloseTo(2, 9);
    }
    expect(log2SumExp2([2000, 2000, 2000, 2000])).toBeCloseTo(2002, 9);
    expect(log2SumExp2([-3000, -3000])).toBeCloseTo(-2999, 9);
    // A vote a thousand half-lives older changes nothing measurable, and breaks nothing.
    expect(log2SumExp2([5000, 4000])).toBe(5000);
    expect(halfLivesSinceEpoch(TRENDING_EPOCH_MS)).toBe(0);
  });

  it('does not depend on the order of the votes', () => {
    const a = score(20, [1, 2, 30, 4]);
    const b = score(20, [30, 4, 2, 1]);
    expect(a).toBeCloseTo(b, 12);
  });

  it('gives papers with no events the floor score and zero points', () => {
    expect(score(null, [])).toBe(NO_ACTIVITY_SCORE);
    expect(Number.isFinite(NO_ACTIVITY_SCORE)).toBe(true);
    expect(score(24 * 365 * 100, [])).toBeGreaterThan(NO_ACTIVITY_SCORE);
    expect(currentPoints(NO_ACTIVITY_SCORE, NOW)).toBe(0);
    expect(log2SumExp2([])).toBe(Number.NEGATIVE_INFINITY);
  });

  it('lets many recent votes beat a fresh listing, and a fresh listing beat a few stale votes', () => {
    expect(score(30, [1, 2, 3])).toBeGreaterThan(score(0, []));
    expect(score(24 * 6, [24 * 6, 24 * 6, 24 * 6])).toBeLessThan(score(0, []));
  });
});
