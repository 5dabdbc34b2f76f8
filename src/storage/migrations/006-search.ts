import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * Full-text search over titles, authors and abstracts. SQLite: an FTS5 index over the papers table (external
 * content, kept current by triggers, Porter stemming, accents folded). PostgreSQL: a stored tsvector column
 * (title weighted A, authors B, abstract C) with a GIN index. Both are maintained by the database itself, so every
 * write path (import, ingest, submit) keeps search current without knowing about it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // An exact title typed into the search box comes first: found by this index, not a scan.
  await sql`create index papers_by_lower_title on papers (lower(title))`.execute(db);
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    // Accents are folded (Schrödinger = Schrodinger) with translate(), which, unlike the unaccent extension, is
    // immutable (a generated column needs that) and needs no superuser; domain/search-query.ts folds queries alike.
    const fold = (column: string) => sql.raw(`translate(${column}, '${ACCENTED}', '${UNACCENTED}')`);
    await sql`
      alter table papers add column search_vector tsvector generated always as (
        setweight(to_tsvector('english', ${fold('title')}), 'A') ||
        setweight(to_tsvector('english', ${fold('authors')}), 'B') ||
        setweight(to_tsvector('english', ${fold('abstract')}), 'C')
      ) stored`.execute(db);
    await sql`create index papers_search on papers using gin (search_vector)`.execute(db);
    return;
  }
  await sql`
    create virtual table papers_fts using fts5(
      title, authors, abstract,
      content='papers', content_rowid='rowid',
      tokenize='porter unicode61 remove_diacritics 2'
    )`.execute(db);
  await sql`
    create trigger papers_fts_insert after insert on papers begin
      insert into papers_fts(rowid, title, authors, abstract) values (new.rowid, new.title, new.authors, new.abstract);
    end`.execute(db);
  await sql`
    create trigger papers_fts_delete after delete on papers begin
      insert into papers_fts(papers_fts, rowid, title, authors, abstract)
        values ('delete', old.rowid, old.title, old.authors, old.abstract);
    end`.execute(db);
  await sql`
    create trigger papers_fts_update after update of title, authors, abstract on papers begin
      insert into papers_fts(papers_fts, rowid, title, authors, abstract)
        values ('delete', old.rowid, old.title, old.authors, old.abstract);
      insert into papers_fts(rowid, title, authors, abstract) values (new.rowid, new.title, new.authors, new.abstract);
    end`.execute(db);
  await sql`insert into papers_fts(papers_fts) values ('rebuild')`.execute(db);
}

/** Latin letters with accents and their plain letters, position by position (the common European ones). */
const ACCENTED = 'ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖØòóôõöøÙÚÛÜùúûüÝýÿŠšŽžČčĆćŁłŃńŚśŹźŻżĘęĄąŘřĚěŮůŇňŤťĎďŐőŰűŞşĞğİı';
const UNACCENTED =
  'AAAAAAaaaaaaCcEEEEeeeeIIIIiiiiNnOOOOOOooooooUUUUuuuuYyySsZzCcCcLlNnSsZzZzEeAaRrEeUuNnTtDdOoUuSsGgIi';

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index papers_by_lower_title`.execute(db);
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`drop index papers_search`.execute(db);
    await sql`alter table papers drop column search_vector`.execute(db);
    return;
  }
  for (const trigger of ['papers_fts_insert', 'papers_fts_delete', 'papers_fts_update']) {
    await sql`drop trigger ${sql.raw(trigger)}`.execute(db);
  }
  await sql`drop table papers_fts`.execute(db);
}
