/**
 * SQLite FTS5 search (migration 006): BM25 with the title weighted most, then authors, then the abstract; words
 * OR-ed (the ranking rewards papers with more of them), quoted phrases required, the last word matched as a prefix
 * while typing. Every term is a double-quoted FTS5 string, so nothing the reader typed is FTS5 syntax.
 */
import { type Kysely, sql } from 'kysely';
import { meaningfulWords, type SearchQuery } from '../domain/search-query.ts';
import type { Database } from '../storage/schema.ts';
import { filterOnlySearch, filterSql } from './filters.ts';
import type { LexicalSearch, SearchHit } from './lexical-search.ts';

/** BM25 column weights: title, authors, abstract. A title word is worth ten abstract words. */
const BM25_WEIGHTS = { title: 10, authors: 4, abstract: 1 } as const;

export class SqliteFullTextSearch implements LexicalSearch {
  constructor(private readonly db: Kysely<Database>) {}

  async search(query: SearchQuery, page: { limit: number; offset: number }): Promise<SearchHit[]> {
    const match = matchExpression(query);
    if (match === null) return filterOnlySearch(this.db, query.filters, page);
    const rows = await sql<{ id: string; rank: number }>`
      select papers.id as id,
             bm25(papers_fts, ${BM25_WEIGHTS.title}, ${BM25_WEIGHTS.authors}, ${BM25_WEIGHTS.abstract}) as rank
      from papers_fts join papers on papers.rowid = papers_fts.rowid
      where papers_fts match ${match} and ${filterSql(query.filters)}
      order by rank asc, papers.id asc
      limit ${page.limit} offset ${page.offset}`.execute(this.db);
    // FTS5's bm25 is smaller for better matches; the interface wants larger-is-better.
    return rows.rows.map((row) => ({ id: row.id, score: -Number(row.rank) }));
  }
}

/** The FTS5 MATCH text for a query, or null when it has no words (filters only). */
export function matchExpression(query: SearchQuery): string | null {
  const words = meaningfulWords(query);
  if (words.length === 0) return null;
  const last = query.words.at(-1);
  const terms = words.map((word) => (query.prefix && word === last ? `${quote(word)}*` : quote(word)));
  const anyWord = terms.length === 1 ? terms[0]! : `(${terms.join(' OR ')})`;
  const phrases = query.phrases.map((phrase) => quote(phrase.join(' ')));
  return [anyWord, ...phrases].join(' AND ');
}

/** An FTS5 string: double quotes, with any inner double quote doubled (words have none, but be exact). */
function quote(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}
