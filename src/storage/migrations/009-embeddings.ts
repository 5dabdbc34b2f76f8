import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * Paper vectors for semantic search, in a narrow table of their own (a vector in the wide papers row made scans
 * several times slower, and most reads of papers never want it). One row per paper: the embedder that made the
 * vector, its length, the vector itself (Float32 little-endian in a BLOB on SQLite, bytea on PostgreSQL: both
 * databases hold it, no extension needed), and a hash of the embedded text so that an edited abstract is embedded
 * again. `change_seq` grows with every write (writers are serialised, see embedding-store.ts), so a web process's
 * in-memory vector index reloads only what changed since the marker it last saw.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('paper_embeddings')
    .addColumn('paper_id', 'text', (c) => c.primaryKey().references('papers.id').onDelete('cascade'))
    .addColumn('embedder_id', 'text', (c) => c.notNull())
    .addColumn('dimensions', 'integer', (c) => c.notNull().check(sql`dimensions > 0`))
    .addColumn('vector', postgres ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('text_hash', 'text', (c) => c.notNull())
    .addColumn('change_seq', 'bigint', (c) => c.notNull())
    .addColumn('paper_updated_at', 'text', (c) => c.notNull())
    .execute();
  // "What changed since marker N" for one embedder, and the current marker (max) from the index alone.
  await db.schema
    .createIndex('paper_embeddings_by_change')
    .on('paper_embeddings')
    .columns(['embedder_id', 'change_seq'])
    .execute();
  // The highest marker over all embedders (the next write's base).
  await db.schema.createIndex('paper_embeddings_by_seq').on('paper_embeddings').column('change_seq').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('paper_embeddings').execute();
}
