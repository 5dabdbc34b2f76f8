import { type Kysely, sql } from 'kysely';

/**
 * One counter that every write of papers or listings bumps in its own transaction, so that any process (web,
 * import, worker) can tell in one primary-key read whether what it cached is still current.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('data_version')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await sql`insert into data_version (id, version) values (1, 0)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('data_version').execute();
}
