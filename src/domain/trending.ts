/**
 * The trending ranking: upvotes with exponential time decay, in a time-invariant form that can be stored.
 *
 * Every event that speaks for a paper is weighed by when it happened: an upvote counts 2^((t - EPOCH) / half-life),
 * and the paper's listing on the daily feed counts as LISTING_WEIGHT_VOTES upvotes at its submission time (so a
 * fresh paper nobody has voted for yet still ranks by recency). The score is log2 of the sum of the weights.
 *
 * Why this is storable: as time passes, every weight of every paper would be divided by the same factor
 * 2^(elapsed / half-life) to express "votes decayed to now", which shifts every score by the same amount and so
 * never changes their order. A stored score therefore only changes when one of the paper's events changes (a vote
 * cast or withdrawn, a listing made): no periodic recomputation, no drift, and the feed sorts by an indexed
 * column. What a person would call the paper's "points" now, i.e. its votes decayed to this moment, is
 * 2^(score - (now - EPOCH) / half-life) (see currentPoints).
 *
 * Pure: no clock and no I/O; times are passed in as milliseconds since 1970 (Date.getTime()).
 */

/** A vote loses half its weight every this many hours: yesterday's vote is worth half of today's. */
export const HALF_LIFE_HOURS = 24;
/** A listing on the daily feed counts as this many upvotes cast when it was listed. */
export const LISTING_WEIGHT_VOTES = 1;
/** Time zero of the scores; any fixed instant works (the order does not depend on it): 2024-01-01T00:00:00Z. */
export const TRENDING_EPOCH_MS = Date.UTC(2024, 0, 1);
/** The trending page shows papers listed in this many most recent days (today included). */
export const TRENDING_WINDOW_DAYS = 7;
/**
 * The score of a paper nothing speaks for (never listed, no upvotes): below every real score. Finite, so that both
 * databases store it as an ordinary double.
 */
export const NO_ACTIVITY_SCORE = -Number.MAX_VALUE;

const MS_PER_HOUR = 3_600_000;

/** What a paper's score is computed from. */
export interface TrendingEvents {
  /** When the paper was listed on the daily feed (ms since 1970), or null when it is not listed. */
  listedAtMs: number | null;
  /** When each of its upvotes was cast (ms since 1970). */
  upvotedAtMs: readonly number[];
}

/** An event's weight as a base-2 logarithm: how many half-lives after the epoch it happened. */
export function halfLivesSinceEpoch(atMs: number): number {
  return (atMs - TRENDING_EPOCH_MS) / (HALF_LIFE_HOURS * MS_PER_HOUR);
}

/**
 * log2(Σ 2^x) for exponents x, computed around the largest one (log-sum-exp) so that nothing overflows or underflows
 * however far from the epoch the events are: 2^x itself is Infinity beyond x ≈ 1024.
 */
export function log2SumExp2(exponents: readonly number[]): number {
  if (exponents.length === 0) return Number.NEGATIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const x of exponents) if (x > max) max = x;
  if (!Number.isFinite(max)) return max;
  let sum = 0;
  for (const x of exponents) sum += 2 ** (x - max);
  return max + Math.log2(sum);
}

/**
 * The stored trending score of a paper: log2 of the sum of its events' weights (see the module comment), or
 * NO_ACTIVITY_SCORE when it has none.
 */
export function trendingScore(events: TrendingEvents): number {
  const exponents = events.upvotedAtMs.map(halfLivesSinceEpoch);
  if (events.listedAtMs !== null && LISTING_WEIGHT_VOTES > 0) {
    exponents.push(halfLivesSinceEpoch(events.listedAtMs) + Math.log2(LISTING_WEIGHT_VOTES));
  }
  const score = log2SumExp2(exponents);
  return Number.isFinite(score) ? score : NO_ACTIVITY_SCORE;
}

/**
 * A stored score as points at `nowMs`: the paper's votes (and listing) decayed to that moment, i.e. how many
 * upvotes cast right now would weigh as much. A fresh listing with no votes has LISTING_WEIGHT_VOTES points.
 */
export function currentPoints(score: number, nowMs: number): number {
  if (score === NO_ACTIVITY_SCORE) return 0;
  return 2 ** (score - halfLivesSinceEpoch(nowMs));
}
