/**
 * Brings any database to the schema this version of Paperboy expects. Every command calls it first: an empty or
 * older database is migrated by itself; a database written by a newer Paperboy is refused, so that an old binary
 * never scribbles over a schema it does not understand.
 */
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import * as m001 from './migrations/001-papers-and-listings.ts';
import * as m002 from './migrations/002-data-version.ts';
import * as m003 from './migrations/003-community.ts';
import * as m004 from './migrations/004-trending-scores.ts';
import * as m005 from './migrations/005-ingest.ts';
import * as m006 from './migrations/006-search.ts';
import * as m007 from './migrations/007-subscriptions.ts';
import * as m008 from './migrations/008-digest-deliveries.ts';
import * as m009 from './migrations/009-embeddings.ts';
import type { Database } from './schema.ts';

/** Every migration this version knows, in order. Names sort in order of application. */
const MIGRATIONS: Record<string, Migration> = {
  '001-papers-and-listings': m001,
  '002-data-version': m002,
  '003-community': m003,
  '004-trending-scores': m004,
  '005-ingest': m005,
  '006-search': m006,
  '007-subscriptions': m007,
  '008-digest-deliveries': m008,
  '009-embeddings': m009,
};

const MIGRATION_TABLE = 'kysely_migration';

export class DatabaseTooNewError extends Error {
  constructor(unknown: string[]) {
    super(
      `the database was written by a newer Paperboy (it has migration ${unknown.join(', ')} that this version does not know); upgrade Paperboy or use another DATABASE_URL`,
    );
    this.name = 'DatabaseTooNewError';
  }
}

class StaticProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}

export const KNOWN_MIGRATIONS = Object.keys(MIGRATIONS);

/** Applies pending migrations; returns the names applied. Throws DatabaseTooNewError on a newer database. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const applied = await appliedMigrations(db);
  const unknown = applied.filter((name) => !(name in MIGRATIONS));
  if (unknown.length > 0) throw new DatabaseTooNewError(unknown);
  const migrator = new Migrator({ db, provider: new StaticProvider() });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

async function appliedMigrations(db: Kysely<Database>): Promise<string[]> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((t) => t.name === MIGRATION_TABLE)) return [];
  const rows = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)}`.execute(db);
  return rows.rows.map((r) => r.name);
}
