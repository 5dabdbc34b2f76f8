/**
 * Opens the database named by `DATABASE_URL`: the embedded SQLite file by default, PostgreSQL when one machine is not
 * enough. Everything above this module talks to the same Kysely query layer and does not care which.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresAdapter, PostgresDialect, type SqliteDatabase, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

export type DialectName = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: DialectName;
  /** Where it is, without credentials, for logs. */
  description: string;
  close(): Promise<void>;
}

/** How long SQLite waits for another process's write lock before giving up, in milliseconds. */
const SQLITE_BUSY_TIMEOUT_MS = 5_000;
/** Prepared SQLite statements kept per connection (distinct query shapes are few; batch inserts add some). */
const SQLITE_STATEMENT_CACHE_SIZE = 256;
/** Connections per process to PostgreSQL. */
const PG_POOL_SIZE = 10;

// PostgreSQL returns bigint (count(*), sums) as strings by default; our counts fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export type DatabaseUrl = { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string };

/** Parses `sqlite:PATH`, `sqlite::memory:` or `postgres://...`; throws with a message saying what is wrong. */
export function parseDatabaseUrl(value: string): DatabaseUrl {
  if (value.startsWith('postgres://') || value.startsWith('postgresql://')) {
    try {
      new URL(value);
    } catch {
      throw new Error('it is not a valid URL');
    }
    return { dialect: 'postgres', url: value };
  }
  if (value.startsWith('sqlite:')) {
    const rest = value.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (rest.length === 0) throw new Error('the sqlite: URL has no file path');
    return { dialect: 'sqlite', path: rest };
  }
  throw new Error('the scheme is neither sqlite: nor postgres://');
}

export function openDatabase(url: DatabaseUrl): DatabaseHandle {
  if (url.dialect === 'postgres') {
    const pool = new pg.Pool({ connectionString: url.url, max: PG_POOL_SIZE });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    pool.on('error', () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', description: redact(url.url), close: () => db.destroy() };
  }
  const inMemory = url.path === ':memory:';
  if (!inMemory) mkdirSync(dirname(resolve(url.path)), { recursive: true });
  const sqlite = new SQLite(url.path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return {
    db,
    dialect: 'sqlite',
    description: inMemory ? 'sqlite (in memory)' : `sqlite:${url.path}`,
    close: () => db.destroy(),
  };
}

/**
 * Kysely's SQLite driver prepares every query anew; preparing costs about as much as running a small query, so keep
 * the most recently used statements. Safe because better-sqlite3 runs each statement to completion synchronously
 * (Paperboy never streams a query, which would hold a statement busy).
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (statement) {
        statements.delete(sql);
      } else {
        statement = sqlite.prepare(sql);
        if (statements.size >= SQLITE_STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      }
      statements.set(sql, statement);
      return statement;
    },
  };
}

/** Which database a query layer talks to (for the few features written per dialect, such as full-text search). */
export function dialectOf(db: Kysely<Database>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** A URL with its password replaced, safe for logs and error messages. */
export function redact(value: string): string {
  return value.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}

/**
 * Whether a write was refused by a unique index or primary key: PostgreSQL's unique_violation (23505) or SQLite's
 * UNIQUE/PRIMARY KEY constraint failure. Stores that race to insert the same row catch it and retry as the loser.
 */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
