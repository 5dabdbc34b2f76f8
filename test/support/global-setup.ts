/**
 * Starts what the whole test run shares: a throwaway PostgreSQL 15 cluster on loopback, so that the store contract
 * tests and the PostgreSQL end-to-end tests run against a real server.
 *
 * - `PAPERBOY_TEST_PG_URL` set: use that server (CI may start its own).
 * - otherwise, when the machine has PostgreSQL's binaries, start a cluster in a temporary folder and stop it after.
 * - otherwise the PostgreSQL tests are skipped with a note, unless `PAPERBOY_REQUIRE_PG=1` (set by .ci/run), which
 *   makes a missing server a failure.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

const PG_BIN_CANDIDATES = ['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'];
const PG_TEST_PORT = 54329 + (process.pid % 500);

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string | null;
  }
}

export default function setup(project: TestProject): (() => void) | undefined {
  const given = process.env.PAPERBOY_TEST_PG_URL;
  if (given) {
    project.provide('pgUrl', given);
    return undefined;
  }
  const bin = PG_BIN_CANDIDATES.find((dir) => existsSync(join(dir, 'initdb')));
  if (!bin) {
    if (process.env.PAPERBOY_REQUIRE_PG === '1')
      throw new Error('PostgreSQL is required (PAPERBOY_REQUIRE_PG=1) but not installed');
    console.warn('PostgreSQL binaries not found: PostgreSQL tests are skipped (install postgresql to run them).');
    project.provide('pgUrl', null);
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-pg-'));
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]]
      : [join(bin, cmd), args];
    const result = spawnSync(file, argv, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${cmd} failed: ${result.stderr || result.stdout}`);
  };
  if (asRoot) execFileSync('chown', ['postgres:postgres', dir]);
  run('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  run('pg_ctl', [
    '-D',
    join(dir, 'data'),
    '-l',
    join(dir, 'log'),
    '-o',
    `-c listen_addresses=127.0.0.1 -p ${PG_TEST_PORT} -k ${dir} -c fsync=off -c synchronous_commit=off`,
    '-w',
    'start',
  ]);
  project.provide('pgUrl', `postgres://postgres@127.0.0.1:${PG_TEST_PORT}/postgres`);
  return () => {
    try {
      run('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
