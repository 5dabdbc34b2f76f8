/**
 * What every command does first: read the configuration, open the database and bring its schema up to date.
 */
import { existsSync } from 'node:fs';
import { type Config, loadConfig, loadDotEnv } from '../config.ts';
import { type DatabaseHandle, openDatabase } from '../storage/database.ts';
import { DatabaseTooNewError, migrateToLatest } from '../storage/migrate.ts';
import { KyselyPaperStore } from '../storage/paper-store.ts';

export interface Runtime {
  config: Config;
  database: DatabaseHandle;
  store: KyselyPaperStore;
  /** Migrations applied by this start (empty when the schema was current). */
  migrated: string[];
}

export interface RuntimeOptions {
  /**
   * The command will only read (a dry run): a SQLite file that does not exist yet is not created; an empty
   * in-memory database stands in for it, which is exactly what the file would have held.
   */
  readOnly?: boolean;
}

export async function openRuntime(
  env: Record<string, string | undefined> = process.env,
  options: RuntimeOptions = {},
): Promise<Runtime> {
  if (env === process.env) loadDotEnv();
  const config = loadConfig(env);
  const url = config.databaseUrl;
  const absent = options.readOnly && url.dialect === 'sqlite' && url.path !== ':memory:' && !existsSync(url.path);
  const database = openDatabase(absent ? { dialect: 'sqlite', path: ':memory:' } : url);
  try {
    const migrated = await migrateToLatest(database.db);
    return { config, database, store: new KyselyPaperStore(database.db), migrated };
  } catch (error) {
    await database.close().catch(() => {});
    if (error instanceof DatabaseTooNewError) throw error;
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new CliError(`cannot use the database at DATABASE_URL (${database.description}): ${reason}`);
  }
}

/** An error the CLI reports as one line on stderr, with a non-zero exit. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
