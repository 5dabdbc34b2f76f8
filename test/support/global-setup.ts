/**
 * Starts what the whole test run shares: one temporary folder (TMPDIR for the run, removed at the end) and a
 * throwaway PostgreSQL cluster on loopback (the newest installed version; 15 on this project's machines), so that
 * the store contract tests and the PostgreSQL end-to-end tests run against a real server.
 *
 * - `PAPERBOY_TEST_PG_URL` set: use that server (CI may start its own).
 * - otherwise, when the machine has PostgreSQL's binaries, start a cluster in a temporary folder and stop it after.
 * - otherwise the PostgreSQL tests are skipped with a note, unless `PAPERBOY_REQUIRE_PG=1` (set by .ci/run), which
 *   makes a missing server a failure.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

/** Debian installs each PostgreSQL major version under /usr/lib/postgresql/<version>/bin. */
const PG_LIB_DIR = '/usr/lib/postgresql';
const PG_FIRST_PORT = 54329;
/** Ports tried in turn when one is taken (another test run, a developer's server). */
const PG_PORT_ATTEMPTS = 20;

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string | null;
  }
}

export default function setup(project: TestProject): () => void {
  // Every temporary file a test makes goes under one folder of this run, removed at the end (tests call tmpdir()).
  const runTmp = mkdtempSync(join(tmpdir(), 'paperboy-test-run-'));
  process.env.TMPDIR = runTmp;
  const stopPostgres = startPostgres(project, runTmp);
  return () => {
    try {
      stopPostgres();
    } finally {
      rmSync(runTmp, { recursive: true, force: true });
    }
  };
}

function startPostgres(project: TestProject, runTmp: string): () => void {
  const given = process.env.PAPERBOY_TEST_PG_URL;
  if (given) {
    project.provide('pgUrl', given);
    return () => {};
  }
  const bin = postgresBinDir();
  if (!bin) {
    if (process.env.PAPERBOY_REQUIRE_PG === '1') {
      throw new Error('PostgreSQL is required (PAPERBOY_REQUIRE_PG=1) but not installed');
    }
    console.warn('PostgreSQL binaries not found: PostgreSQL tests are skipped (install postgresql to run them).');
    project.provide('pgUrl', null);
    return () => {};
  }
  const dir = join(runTmp, 'postgres');
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]]
      : [join(bin, cmd), args];
    const result = spawnSync(file, argv, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${cmd} failed: ${result.stderr || result.stdout}`);
  };
  mkdirSync(dir);
  if (asRoot) execFileSync('chown', ['postgres:postgres', runTmp, dir]);
  run('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  let port = 0;
  for (let attempt = 0; attempt < PG_PORT_ATTEMPTS && port === 0; attempt++) {
    const candidate = PG_FIRST_PORT + ((process.pid + attempt * 37) % 500);
    try {
      run('pg_ctl', [
        '-D',
        join(dir, 'data'),
        '-l',
        join(dir, 'log'),
        '-o',
        `-c listen_addresses=127.0.0.1 -p ${candidate} -k ${dir} -c fsync=off -c synchronous_commit=off`,
        '-w',
        'start',
      ]);
      port = candidate;
    } catch (error) {
      if (attempt === PG_PORT_ATTEMPTS - 1) throw error;
    }
  }
  project.provide('pgUrl', `postgres://postgres@127.0.0.1:${port}/postgres`);
  return () => run('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
}

/** The newest installed PostgreSQL's binaries, or null. */
function postgresBinDir(): string | null {
  if (!existsSync(PG_LIB_DIR)) return null;
  const versions = readdirSync(PG_LIB_DIR)
    .filter((name) => /^\d+$/.test(name) && existsSync(join(PG_LIB_DIR, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(PG_LIB_DIR, versions[0], 'bin') : null;
}
