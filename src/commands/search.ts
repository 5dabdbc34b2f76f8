/**
 * Searching the catalogue: parse what the reader typed (domain/search-query.ts), ask the lexical index and, when
 * semantic search is available, the vector index too, fuse the two rankings (search/fusion.ts), and put an exact
 * arXiv id or exact title match first. Shared by the search page, the Hugging Face-compatible API and the search
 * feed.
 *
 * Hybrid search takes the top FUSION_DEPTH of each ranking (deeper when the page asks for more) and pages through
 * the fused list. Two kinds of query stay lexical only: search as you type (a prefix match on every keystroke must
 * be fast and stable; the full search runs when the form is sent) and a query of filters alone (no words to mean
 * anything: newest first).
 */

import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Paper } from '../domain/paper.ts';
import { parseSearchQuery, type SearchQuery } from '../domain/search-query.ts';
import { fuseRankings } from '../search/fusion.ts';
import type { LexicalSearch, SearchHit } from '../search/lexical-search.ts';
import type { SemanticSearch } from '../search/semantic-search.ts';
import type { Listing, PaperStore } from '../storage/paper-store.ts';
import type { Database } from '../storage/schema.ts';
import { HttpError } from './errors.ts';

export interface SearchRequest {
  q: string;
  limit: number;
  offset: number;
  /** The reader is still typing: the last word also matches as a prefix. */
  typing?: boolean;
}

export interface SearchResultItem {
  paper: Paper;
  listing: Listing | null;
}

export interface SearchResult {
  query: SearchQuery;
  items: SearchResultItem[];
  /**
   * False when semantic search would have taken part but its embedder is still loading: the answer is lexical only
   * for now, and should not be cached as the final one.
   */
  final: boolean;
}

export interface SearchDeps {
  store: PaperStore;
  db: Kysely<Database>;
  lexical: LexicalSearch;
  /** Search by meaning, fused with the lexical ranking; absent or null: lexical only. */
  semantic?: SemanticSearch | null;
  /** Told when semantic search failed (the answer is then lexical only, never an error). */
  onSemanticError?: (error: unknown) => void;
}

/** Hits taken from each ranking before fusing: enough that a paper ranked low by one and high by the other counts. */
export const FUSION_DEPTH = 100;

/** Parses the query, refusing one with nothing to search for (400 with the reason). */
export function requireSearchQuery(q: string, typing = false): SearchQuery {
  const parsed = parseSearchQuery(q, { prefix: typing });
  if (!parsed.ok) throw new HttpError(400, 'invalid_parameter', parsed.reason);
  return parsed.query;
}

/** One page of results, best first; an exact id or title match leads the first page. */
export async function searchPapers(deps: SearchDeps, request: SearchRequest): Promise<SearchResult> {
  const query = requireSearchQuery(request.q, request.typing);
  const semantic = deps.semantic ?? null;
  const hybrid = semantic !== null && request.typing !== true && (query.words.length > 0 || query.phrases.length > 0);
  const [hits, exact] = await Promise.all([
    hybrid
      ? hybridHits(deps, semantic, query, request)
      : deps.lexical.search(query, { limit: request.limit, offset: request.offset }),
    request.offset === 0 ? exactMatch(deps.db, query) : Promise.resolve(null),
  ]);
  const ids = hits.map((hit) => hit.id);
  if (exact !== null) {
    const at = ids.indexOf(exact);
    if (at >= 0) ids.splice(at, 1);
    else if (ids.length >= request.limit) ids.pop();
    ids.unshift(exact);
  }
  const found = await deps.store.getPapersWithListings(ids);
  const items = ids.flatMap((id) => {
    const item = found.get(id);
    return item && item.paper.hiddenAt === null ? [item] : [];
  });
  const final = !hybrid || semantic?.isReady?.() !== false;
  return { query, items, final };
}

/** The fused page: both rankings to FUSION_DEPTH (or the page's end), fused, then the page cut from the fusion. */
async function hybridHits(
  deps: SearchDeps,
  semantic: SemanticSearch,
  query: SearchQuery,
  request: SearchRequest,
): Promise<SearchHit[]> {
  const end = request.offset + request.limit;
  const depth = { limit: Math.max(FUSION_DEPTH, end), offset: 0 };
  const [lexical, meaning] = await Promise.all([
    deps.lexical.search(query, depth),
    semantic.search(query, depth).catch((error: unknown) => {
      deps.onSemanticError?.(error);
      return [] as SearchHit[];
    }),
  ]);
  if (meaning.length === 0) return lexical.slice(request.offset, end);
  return fuseRankings(lexical, meaning, { limit: end }).slice(request.offset, end);
}

/** The paper the text names exactly: its arXiv id, or its whole title (ignoring case); null when none. */
async function exactMatch(db: Kysely<Database>, query: SearchQuery): Promise<string | null> {
  if (query.arxivId) {
    const row = await db
      .selectFrom('papers')
      .select('id')
      .where('id', '=', query.arxivId)
      .where('hidden_at', 'is', null)
      .executeTakeFirst();
    if (row) return row.id;
  }
  if (query.text.length < MIN_EXACT_TITLE_LENGTH) return null;
  const row = await db
    .selectFrom('papers')
    .select('id')
    .where(sql<boolean>`lower(title) = ${query.text.toLowerCase()}`)
    .where('hidden_at', 'is', null)
    .orderBy('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

/** Shorter texts are words, not titles. */
const MIN_EXACT_TITLE_LENGTH = 8;
