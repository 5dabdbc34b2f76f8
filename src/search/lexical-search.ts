/**
 * Lexical (word) search over the catalogue, behind one small interface with an implementation per database:
 * SQLite FTS5 with BM25 (sqlite-fts.ts) and PostgreSQL full-text search with ts_rank (postgres-fts.ts). Both take
 * the parsed query of domain/search-query.ts, never the reader's raw text, and apply the same filters.
 */
import type { Kysely } from 'kysely';
import type { SearchQuery } from '../domain/search-query.ts';
import type { DialectName } from '../storage/database.ts';
import type { Database } from '../storage/schema.ts';
import { PostgresFullTextSearch } from './postgres-fts.ts';
import { SqliteFullTextSearch } from './sqlite-fts.ts';

export interface SearchHit {
  id: string;
  /** Larger is better; comparable only within one answer. */
  score: number;
}

export interface LexicalSearch {
  /** The best matches, best first; hidden papers never appear. */
  search(query: SearchQuery, page: { limit: number; offset: number }): Promise<SearchHit[]>;
}

export function createLexicalSearch(db: Kysely<Database>, dialect: DialectName): LexicalSearch {
  return dialect === 'postgres' ? new PostgresFullTextSearch(db) : new SqliteFullTextSearch(db);
}
