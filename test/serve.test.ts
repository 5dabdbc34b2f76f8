/**
 * The real binary end to end: `paperboy serve` on SQLite and on PostgreSQL loads the sample papers into an empty
 * database, serves the feed, the API and the health checks, and stops cleanly on SIGTERM. Start-up refuses bad
 * configuration and a database written by a newer Paperboy with one clear line.
 */
import { type AddressInfo, createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/storage/database.ts';
import { databaseKinds, sqliteKind } from './support/databases.ts';
import { freePort, type RunningProcess, startPaperboy, waitForHttp } from './support/processes.ts';

const SAMPLE_PAPERS = 48;
let running: RunningProcess | null = null;

afterEach(() => {
  running?.child.kill('SIGKILL');
  running = null;
});

describe.each(databaseKinds())('paperboy serve on $name', (kind) => {
  it.skipIf(!kind.available)(
    'serves the sample papers, answers health checks and shuts down on SIGTERM',
    async () => {
      const { urlText } = await kind.create();
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      running = startPaperboy(['serve'], { PORT: String(port), DATABASE_URL: urlText, LOG_LEVEL: 'info' });
      await waitForHttp(`${base}/healthz`);

      expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
      expect(await (await fetch(`${base}/readyz`)).json()).toMatchObject({ status: 'ready' });

      const home = await fetch(`${base}/`);
      expect(home.status).toBe(200);
      expect(home.headers.get('x-request-id')).toBeTruthy();
      const month = (await (await fetch(`${base}/api/daily_papers?limit=100`)).json()) as unknown[];
      expect(month).toHaveLength(SAMPLE_PAPERS);
      const paper = await fetch(`${base}/api/papers/2206.00927`);
      expect(paper.status).toBe(200);
      expect(((await paper.json()) as { title: string }).title).toContain('DPM-Solver');

      // Structured logs carry the request id.
      expect(running.output()).toMatch(/"reqId":"[^"]+"/);

      running.child.kill('SIGTERM');
      const { code } = await running.exited;
      expect(code).toBe(0);
      expect(running.output()).toContain('shutting down');
    },
    40_000,
  );
});

describe('paperboy serve refuses to start', () => {
  it('on a bad configuration value, naming the variable', async () => {
    running = startPaperboy(['serve'], { PORT: 'eighty' });
    const { code } = await running.exited;
    expect(code).toBe(1);
    expect(running.output().trim()).toBe("paperboy: PORT must be a TCP port number from 0 to 65535 (got 'eighty')");
  });

  it('on a database written by a newer Paperboy', async () => {
    const { url, urlText } = await sqliteKind().create();
    const handle = openDatabase(url);
    const { migrateToLatest } = await import('../src/storage/migrate.ts');
    await migrateToLatest(handle.db);
    await handle.db
      .insertInto('kysely_migration' as never)
      .values({ name: '999-future', timestamp: new Date().toISOString() } as never)
      .execute();
    await handle.close();
    running = startPaperboy(['serve'], { PORT: String(await freePort()), DATABASE_URL: urlText });
    const { code } = await running.exited;
    expect(code).toBe(1);
    expect(running.output()).toContain('newer Paperboy');
    expect(running.output().trim().split('\n')).toHaveLength(1);
  });

  it('on an unreachable database, naming DATABASE_URL', async () => {
    const closedPort = await freePort();
    running = startPaperboy(['serve'], { DATABASE_URL: `postgres://nobody@127.0.0.1:${closedPort}/none` });
    const { code } = await running.exited;
    expect(code).toBe(1);
    expect(running.output().trim()).toMatch(
      /^paperboy: cannot use the database at DATABASE_URL \(postgres:.*ECONNREFUSED/,
    );
  });

  it('on a port already in use, naming PORT', async () => {
    const { urlText } = await sqliteKind().create();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      running = startPaperboy(['serve'], { PORT: String(port), DATABASE_URL: urlText, LOG_LEVEL: 'warn' });
      const { code } = await running.exited;
      expect(code).toBe(1);
      expect(running.output().trim()).toBe(
        `paperboy: cannot listen on 127.0.0.1:${port} (HOST, PORT): the address is already in use`,
      );
    } finally {
      blocker.close();
    }
  });
});
