/** Search filters as SQL, shared by every lexical search implementation. */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { SearchFilters } from '../domain/search-query.ts';
import type { Database } from '../storage/schema.ts';
import type { SearchHit } from './lexical-search.ts';

/**
 * The filters as one SQL condition on the `papers` table (hidden papers always excluded), the same on both
 * databases: categories as whole space-separated elements, authors as whole JSON array elements (ignoring ASCII
 * case), days on the first version's time.
 */
export function filterSql(filters: SearchFilters): RawBuilder<boolean> {
  const conditions: RawBuilder<boolean>[] = [sql<boolean>`papers.hidden_at is null`];
  if (filters.categories.length > 0) {
    const any = filters.categories.map(
      (category) => sql<boolean>`(' ' || papers.categories || ' ') like ${`% ${escapeLike(category)} %`} escape '\\'`,
    );
    conditions.push(sql<boolean>`(${sql.join(any, sql` or `)})`);
  }
  for (const author of filters.authors) {
    const needle = `%${escapeLike(JSON.stringify(author).toLowerCase())}%`;
    conditions.push(sql<boolean>`lower(papers.authors) like ${needle} escape '\\'`);
  }
  if (filters.after) conditions.push(sql<boolean>`papers.first_version_at >= ${`${filters.after}T00:00:00.000Z`}`);
  if (filters.before) conditions.push(sql<boolean>`papers.first_version_at <= ${`${filters.before}T23:59:59.999Z`}`);
  return sql<boolean>`(${sql.join(conditions, sql` and `)})`;
}

/** Only filters (e.g. `author:"Cheng Lu"`, no words): the newest first. */
export async function filterOnlySearch(
  db: Kysely<Database>,
  filters: SearchFilters,
  page: { limit: number; offset: number },
): Promise<SearchHit[]> {
  const rows = await db
    .selectFrom('papers')
    .select('papers.id')
    .where(filterSql(filters))
    .orderBy('papers.first_version_at', 'desc')
    .orderBy('papers.id', 'asc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map((row, index) => ({ id: row.id, score: -(page.offset + index) }));
}

/** Escapes LIKE's wildcards (and the escape character) so that a value matches only literally. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`);
}
