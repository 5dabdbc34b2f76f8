/**
 * PostgreSQL full-text search (migration 006): the stored `search_vector` (title A, authors B, abstract C) matched
 * with a tsquery built from the parsed query (words OR-ed, the last one as a prefix while typing, quoted phrases
 * required as `<->` sequences) and ranked by ts_rank's weights. Words are letters and digits only and each is
 * single-quoted, so nothing the reader typed is tsquery syntax.
 */
import { type Kysely, sql } from 'kysely';
import { meaningfulWords, type SearchQuery } from '../domain/search-query.ts';
import type { Database } from '../storage/schema.ts';
import { filterOnlySearch, filterSql } from './filters.ts';
import type { LexicalSearch, SearchHit } from './lexical-search.ts';

/** ts_rank weights for D, C (abstract), B (authors), A (title): a title word is worth ten abstract words. */
const RANK_WEIGHTS = '{0.05, 0.1, 0.4, 1.0}';

export class PostgresFullTextSearch implements LexicalSearch {
  constructor(private readonly db: Kysely<Database>) {}

  async search(query: SearchQuery, page: { limit: number; offset: number }): Promise<SearchHit[]> {
    const text = tsqueryText(query);
    if (text === null) return filterOnlySearch(this.db, query.filters, page);
    const rows = await sql<{ id: string; rank: number }>`
      select papers.id as id, ts_rank(${sql.raw(`'${RANK_WEIGHTS}'`)}::float4[], papers.search_vector, q) as rank
      from papers, to_tsquery('english', ${text}) as q
      where papers.search_vector @@ q and ${filterSql(query.filters)}
      order by rank desc, papers.id asc
      limit ${page.limit} offset ${page.offset}`.execute(this.db);
    return rows.rows.map((row) => ({ id: row.id, score: Number(row.rank) }));
  }
}

/** The to_tsquery text for a query, or null when it has no words (filters only). */
export function tsqueryText(query: SearchQuery): string | null {
  const words = meaningfulWords(query);
  if (words.length === 0) return null;
  const last = query.words.at(-1);
  const terms = words.map((word) => (query.prefix && word === last ? `'${word}':*` : `'${word}'`));
  const anyWord = `(${terms.join(' | ')})`;
  const phrases = query.phrases.map((phrase) => `(${phrase.map((word) => `'${word}'`).join(' <-> ')})`);
  return [anyWord, ...phrases].join(' & ');
}
