/**
 * Semantic search: papers whose meaning is nearest to the query's, through an Embedder (search/embedder.ts) and the
 * stored paper vectors. Behind one small interface, like LexicalSearch, so that hybrid search (commands/search.ts),
 * similar papers and the eval use it without knowing how vectors are stored or scanned.
 */
import type { SearchQuery } from '../domain/search-query.ts';
import type { SearchHit } from './lexical-search.ts';

export interface SemanticSearch {
  /**
   * The papers nearest to the query's words, best first (score: cosine similarity), honouring the query's filters
   * (category, author, dates); hidden papers never appear. Empty while no vectors exist yet.
   */
  search(query: SearchQuery, page: { limit: number; offset: number }): Promise<SearchHit[]>;
  /**
   * False while the embedder is still loading (answers are then empty, so hybrid search is lexical for now and its
   * answers should not be cached as final). Absent means always ready.
   */
  isReady?(): boolean;
}
