/** Author lists for cards: the first few names, then "et al." with how many there are in all. */
import { cleanAuthorName } from '../../../domain/authors.ts';

/** Names shown on a feed card before "et al.". */
const CARD_AUTHORS_SHOWN = 4;

export interface AuthorSummary {
  /** Names shown, in order. */
  shown: string[];
  /** All authors (shown or not). */
  total: number;
}

/**
 * The first `limit` authors, or all of them when only one more would be hidden (hiding a single name behind
 * "et al." saves nothing).
 */
export function summariseAuthors(authors: readonly string[], limit = CARD_AUTHORS_SHOWN): AuthorSummary {
  const names = authors.map(cleanAuthorName).filter((name) => name.length > 0);
  const shown = names.length <= limit + 1 ? names : names.slice(0, limit);
  return { shown, total: names.length };
}

/** Author names cleaned for display (TeX accents converted: stored names usually are already). */
export function displayAuthors(authors: readonly string[]): string[] {
  return authors.map(cleanAuthorName).filter((name) => name.length > 0);
}
