import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter } from 'kysely';

/**
 * Ingestion bookkeeping: one row per run of an ingest source (the daily announcement, an OAI-PMH harvest, a
 * snapshot import) with its counts and errors, for admins and /metrics; and small named state (an OAI-PMH
 * resumption token, how far a snapshot file got) so that an interrupted run resumes where it stopped.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const serial = (c: ColumnDefinitionBuilder) =>
    postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement();

  await db.schema
    .createTable('ingest_runs')
    .addColumn('id', 'integer', serial)
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('params', 'text')
    .addColumn('counts', 'text')
    .addColumn('errors', 'text')
    .execute();
  await db.schema.createIndex('ingest_runs_by_source').on('ingest_runs').columns(['source', 'started_at']).execute();

  await db.schema
    .createTable('ingest_state')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('ingest_state').execute();
  await db.schema.dropTable('ingest_runs').execute();
}
