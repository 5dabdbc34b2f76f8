/**
 * Test databases: a fresh SQLite file and, when the run has a PostgreSQL server (see global-setup.ts), a fresh
 * PostgreSQL database, so that contract suites run the same tests against both.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import type { DatabaseUrl } from '../../src/storage/database.ts';

export interface TestDatabaseKind {
  name: 'sqlite' | 'postgres';
  /** Null when this kind is unavailable in this run (the suite is then skipped). */
  available: boolean;
  /** Creates an empty database and returns its URL. */
  create(): Promise<{ url: DatabaseUrl; urlText: string }>;
}

export function sqliteKind(): TestDatabaseKind {
  return {
    name: 'sqlite',
    available: true,
    async create() {
      const path = join(mkdtempSync(join(tmpdir(), 'paperboy-test-')), 'test.db');
      return { url: { dialect: 'sqlite', path }, urlText: `sqlite:${path}` };
    },
  };
}

export function postgresKind(): TestDatabaseKind {
  const server = inject('pgUrl');
  return {
    name: 'postgres',
    available: server !== null,
    async create() {
      if (!server) throw new Error('no PostgreSQL server in this run');
      const name = `paperboy_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
      const admin = new pg.Client({ connectionString: server });
      await admin.connect();
      try {
        await admin.query(`create database ${name}`);
      } finally {
        await admin.end();
      }
      const url = new URL(server);
      url.pathname = `/${name}`;
      return { url: { dialect: 'postgres', url: url.toString() }, urlText: url.toString() };
    },
  };
}

/** Both kinds, for `describe.each`. */
export function databaseKinds(): TestDatabaseKind[] {
  return [sqliteKind(), postgresKind()];
}
