/**
 * Ranking quality measures for the judged search evaluation (eval/run-search-eval.ts) and the fusion helper that a
 * hybrid ranker uses. Pure functions over ranked id lists and graded judgments (3 = exactly what was meant,
 * 2 = clearly relevant, 1 = somewhat related; an id without a judgment counts as 0).
 *
 * - nDCG@k: gains 2^grade - 1, discounts log2(rank + 1), divided by the DCG of the ideal order of all judged papers.
 * - recall@k: the share of the papers graded at least `minGrade` (2 by default) found in the first k.
 * - Both are null for a query with nothing relevant (no ideal to compare with): leave it out of a mean, never
 *   count it as 0 or 1 (see `meanOf`).
 * - Reciprocal rank fusion (Cormack, Clarke and Büttcher, 2009): score = sum over lists of 1 / (k + rank).
 *
 * An id repeated within one ranked list counts once, at its first (best) rank.
 */

/** Graded relevance of papers for one query: id -> grade (1-3). Missing ids are grade 0. */
export type Judgments = ReadonlyMap<string, number>;

/** The gain of a grade: 2^grade - 1, so a 3 is worth more than two 2s (7 against 3 + 3). */
export function gain(grade: number): number {
  return grade > 0 ? 2 ** grade - 1 : 0;
}

/** The discount at a 1-based rank: log2(rank + 1), so rank 1 is undiscounted. */
export function discount(rank: number): number {
  return Math.log2(rank + 1);
}

/** Discounted cumulative gain of grades listed in rank order, over the first k. */
export function dcg(grades: readonly number[], k: number): number {
  let total = 0;
  const depth = Math.min(k, grades.length);
  for (let i = 0; i < depth; i++) total += gain(grades[i]!) / discount(i + 1);
  return total;
}

/** The ranked ids without repeats, keeping each at its first rank. */
export function uniqueInOrder(ranked: readonly string[]): string[] {
  return [...new Set(ranked)];
}

/**
 * nDCG@k of a ranking: its DCG@k over the DCG@k of the judged papers in the best possible order. Null when the
 * query has no paper graded above 0.
 */
export function ndcgAtK(ranked: readonly string[], judgments: Judgments, k: number): number | null {
  requirePositiveDepth(k);
  const ideal = dcg(
    [...judgments.values()].filter((grade) => grade > 0).sort((a, b) => b - a),
    k,
  );
  if (ideal === 0) return null;
  const grades = uniqueInOrder(ranked).map((id) => judgments.get(id) ?? 0);
  return dcg(grades, k) / ideal;
}

/**
 * recall@k: of the papers graded at least `minGrade`, the share found among the first k results. Null when no
 * paper reaches `minGrade`. (A query with more than k such papers cannot reach 1.)
 */
export function recallAtK(ranked: readonly string[], judgments: Judgments, k: number, minGrade = 2): number | null {
  requirePositiveDepth(k);
  const relevant = new Set([...judgments].filter(([, grade]) => grade >= minGrade).map(([id]) => id));
  if (relevant.size === 0) return null;
  const found = uniqueInOrder(ranked)
    .slice(0, k)
    .filter((id) => relevant.has(id)).length;
  return found / relevant.size;
}

/** 1 / the rank of the first paper graded at least `minGrade` (0 when none is ranked); null when none exists. */
export function reciprocalRank(ranked: readonly string[], judgments: Judgments, minGrade = 2): number | null {
  if (![...judgments.values()].some((grade) => grade >= minGrade)) return null;
  const at = uniqueInOrder(ranked).findIndex((id) => (judgments.get(id) ?? 0) >= minGrade);
  return at < 0 ? 0 : 1 / (at + 1);
}

/** The mean of the defined values (nulls are queries without relevant papers, left out); null when none is. */
export function meanOf(values: ReadonlyArray<number | null>): number | null {
  const defined = values.filter((value): value is number => value !== null);
  if (defined.length === 0) return null;
  return defined.reduce((sum, value) => sum + value, 0) / defined.length;
}

/** The usual RRF constant: it damps the weight of the very first ranks so that no single list dominates. */
export const RRF_K = 60;

export interface FusedHit {
  id: string;
  score: number;
}

/**
 * Reciprocal rank fusion with scores: each id scores sum(1 / (k + rank)) over the lists it appears in (rank 1-based,
 * its first occurrence in each list). Best first; equal scores are ordered by where the id first appears when the
 * lists are read rank by rank, first list first (rank 1 of every list, then rank 2, ...), so the order is
 * deterministic and an earlier list wins a tie.
 */
export function reciprocalRankFusionScores(lists: ReadonlyArray<readonly string[]>, k: number = RRF_K): FusedHit[] {
  if (!Number.isFinite(k) || k < 0) throw new RangeError(`the RRF constant must be a finite number >= 0, not ${k}`);
  const unique = lists.map(uniqueInOrder);
  const scores = new Map<string, number>();
  const firstSeen = new Map<string, number>();
  const depth = Math.max(0, ...unique.map((list) => list.length));
  for (let rank = 1; rank <= depth; rank++) {
    for (const list of unique) {
      const id = list[rank - 1];
      if (id === undefined) continue;
      scores.set(id, (scores.get(id) ?? 0) + 1 / (k + rank));
      if (!firstSeen.has(id)) firstSeen.set(id, firstSeen.size);
    }
  }
  return [...scores]
    .map(([id, score]) => ({ id, score }))
    .sort((a, b) => b.score - a.score || firstSeen.get(a.id)! - firstSeen.get(b.id)!);
}

/** Reciprocal rank fusion of ranked id lists (see reciprocalRankFusionScores): the fused ids, best first. */
export function reciprocalRankFusion(lists: ReadonlyArray<readonly string[]>, k: number = RRF_K): string[] {
  return reciprocalRankFusionScores(lists, k).map((hit) => hit.id);
}

function requirePositiveDepth(k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, not ${k}`);
}
