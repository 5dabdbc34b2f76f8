/**
 * Searching the catalogue: parse what the reader typed (domain/search-query.ts), ask the lexical index, and put an
 * exact arXiv id or exact title match first. Shared by the search page, the Hugging Face-compatible API and the
 * search feed.
 */

import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Paper } from '../domain/paper.ts';
import { parseSearchQuery, type SearchQuery } from '../domain/search-query.ts';
import type { LexicalSearch } from '../search/lexical-search.ts';
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
}

export interface SearchDeps {
  store: PaperStore;
  db: Kysely<Database>;
  lexical: LexicalSearch;
}

/** Parses the query, refusing one with nothing to search for (400 with the reason). */
export function requireSearchQuery(q: string, typing = false): SearchQuery {
  const parsed = parseSearchQuery(q, { prefix: typing });
  if (!parsed.ok) throw new HttpError(400, 'invalid_parameter', parsed.reason);
  return parsed.query;
}

/** One page of results, best first; an exact id or title match leads the first page. */
export async function searchPapers(deps: SearchDeps, request: SearchRequest): Promise<SearchResult> {
  const query = requireSearchQuery(request.q, request.typing);
  const [hits, exact] = await Promise.all([
    deps.lexical.search(query, { limit: request.limit, offset: request.offset }),
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
  return { query, items };
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
