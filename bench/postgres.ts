/** PostgreSQL for the benchmarks that measure it: a given server, or a throwaway cluster on loopback. */
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import startTestServices from '../test/support/global-setup.ts';

/**
 * A fresh PostgreSQL database: on PAPERBOY_BENCH_PG_URL's server when set, otherwise on a throwaway cluster started
 * on loopback by the tests' own global setup, stopped and deleted afterwards.
 */
export async function throwawayPostgres(
  label: string,
): Promise<{ url: string | null; skipped: string; stop: () => Promise<void> }> {
  const given = process.env.PAPERBOY_BENCH_PG_URL;
  let server: string | null = given ?? null;
  let stopCluster = () => {};
  if (!server) {
    const tmpBefore = process.env.TMPDIR;
    const fakeProject = {
      provide: (key: string, value: unknown) => {
        if (key === 'pgUrl') server = typeof value === 'string' ? value : null;
      },
    } as unknown as TestProject;
    const teardown = startTestServices(fakeProject);
    stopCluster = () => {
      teardown();
      if (tmpBefore === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmpBefore;
    };
    if (!server) {
      stopCluster();
      return { url: null, skipped: 'no PostgreSQL binaries on this machine', stop: async () => {} };
    }
  }
  const name = `paperboy_${label}_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: server });
  try {
    await admin.connect();
    await admin.query(`drop database if exists ${name}`);
    await admin.query(`create database ${name}`);
  } catch (error) {
    stopCluster();
    return { url: null, skipped: `cannot create a database there: ${(error as Error).message}`, stop: async () => {} };
  } finally {
    await admin.end().catch(() => {});
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    skipped: '',
    stop: async () => {
      const cleanup = new pg.Client({ connectionString: server! });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`).catch(() => {});
      await cleanup.end();
      stopCluster();
    },
  };
}
