/**
 * Combining the lexical and the semantic ranking into one. (Issue 4: tuned on the judged set in eval/search; see
 * eval/search/README.md for the sweep behind the constants.)
 *
 * The default is a convex blend of scores divided by each list's best, weighted by how good each side is on the
 * judged set: lexical ranking is far better than the offline word-vector embedder, and reciprocal rank fusion, which
 * gives both lists equal say whatever their quality, let the weaker one drag the fused ranking below lexical alone.
 * The blend keeps the lexical order wherever the lexical scores are far apart, lets meaning reorder papers that they
 * score alike, and brings in papers that share no word with the query. Dividing by the best (rather than min-max)
 * keeps a lexical list's weaker matches above papers it did not match at all.
 */
import type { SearchHit } from './lexical-search.ts';
import { RRF_K } from './ranking-metrics.ts';

/**
 * How scores are put on one scale before blending: 'minmax' maps each list's lowest..highest score to 0..1;
 * 'max' divides by the list's best score (so a lone or near-tied lexical match keeps its full weight); 'rrf' is
 * weighted reciprocal rank fusion (1 / (RRF_K + rank)), which ignores scores.
 */
export type FusionMethod = 'minmax' | 'max' | 'rrf';

/** The measured best (eval/search/README.md): see the sweep there. */
export const DEFAULT_FUSION_METHOD: FusionMethod = 'max';
/**
 * The lexical side's share of the blend (the semantic side gets the rest): 0.85 was best on SQLite and within
 * 0.004 of the best on PostgreSQL, so one value serves both.
 */
export const DEFAULT_LEXICAL_WEIGHT = 0.85;

export interface FusionOptions {
  /** How many fused hits to return. */
  limit: number;
  /** The lexical side's weight, 0..1 (DEFAULT_LEXICAL_WEIGHT). */
  lexicalWeight?: number;
  method?: FusionMethod;
}

/**
 * The fused ranking, best first, of two rankings of the same query (each best first, scores comparable only within
 * its own list). A paper in only one list still counts (its other side scores 0). The score of a fused hit is the
 * blend, 0..1. Ties keep the lexical order, then the semantic order, so the result is deterministic.
 */
export function fuseRankings(
  lexical: readonly SearchHit[],
  semantic: readonly SearchHit[],
  options: FusionOptions,
): SearchHit[] {
  const weight = options.lexicalWeight ?? DEFAULT_LEXICAL_WEIGHT;
  if (!(weight >= 0 && weight <= 1)) throw new RangeError(`the lexical weight must be within 0..1, not ${weight}`);
  const method = options.method ?? DEFAULT_FUSION_METHOD;
  const lexicalScores = normalizedScores(lexical, method);
  const semanticScores = normalizedScores(semantic, method);
  const order = new Map<string, number>();
  for (const hit of [...lexical, ...semantic]) if (!order.has(hit.id)) order.set(hit.id, order.size);
  return [...order.keys()]
    .map((id) => ({
      id,
      score: weight * (lexicalScores.get(id) ?? 0) + (1 - weight) * (semanticScores.get(id) ?? 0),
    }))
    .sort((a, b) => b.score - a.score || order.get(a.id)! - order.get(b.id)!)
    .slice(0, Math.max(0, options.limit));
}

/** Each id's score on the method's 0..1 scale (its first occurrence counts; non-finite scores count as the worst). */
export function normalizedScores(hits: readonly SearchHit[], method: FusionMethod): Map<string, number> {
  const scores = new Map<string, number>();
  if (hits.length === 0) return scores;
  if (method === 'rrf') {
    // Scaled so that rank 1 scores 1, like the best hit of the score-based methods.
    hits.forEach((hit, rank) => {
      if (!scores.has(hit.id)) scores.set(hit.id, (RRF_K + 1) / (RRF_K + rank + 1));
    });
    return scores;
  }
  const finite = hits.map((hit) => hit.score).filter(Number.isFinite);
  const best = finite.length > 0 ? Math.max(...finite) : 0;
  const worst = finite.length > 0 ? Math.min(...finite) : 0;
  for (const hit of hits) {
    if (scores.has(hit.id)) continue;
    let value: number;
    if (!Number.isFinite(hit.score)) value = 0;
    else if (method === 'max') value = best > 0 ? Math.max(0, hit.score / best) : 1;
    else value = best > worst ? (hit.score - worst) / (best - worst) : 1;
    scores.set(hit.id, value);
  }
  return scores;
}
