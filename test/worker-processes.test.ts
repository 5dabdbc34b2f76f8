/**
 * The worker role as real processes, against the local feed and API replays: two `paperboy worker` processes started
 * at once on one database (SQLite file, PostgreSQL) ingest the announcement once and stop gracefully on SIGTERM;
 * `paperboy serve` runs the same schedule inline unless PAPERBOY_WORKER_IN_SERVE=0.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/storage/database.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { type ArxivReplay, startArxivReplay } from './support/arxiv-replay.ts';
import { type ArxivRssReplay, startArxivRssReplay } from './support/arxiv-rss-replay.ts';
import { databaseKinds, type TestDatabaseKind } from './support/databases.ts';
import { freePort, type RunningProcess, startPaperboy, waitForHttp } from './support/processes.ts';

/** How long a worker gets to start, ingest and record its run (a cold tsx start is most of it), in ms. */
const RUN_DEADLINE_MS = 30_000;

let api: ArxivReplay;
let rss: ArxivRssReplay;
const running: RunningProcess[] = [];

beforeAll(async () => {
  api = await startArxivReplay();
  rss = await startArxivRssReplay({ upstreamApiUrl: api.url });
});
afterAll(async () => {
  await rss?.close();
  await api?.close();
});
afterEach(async () => {
  for (const process of running.splice(0)) process.child.kill('SIGKILL');
  api.requests.length = 0;
  rss.requests.length = 0;
});

/** Finished daily runs, read through the database's own client while the processes run. */
async function finishedRuns(kind: TestDatabaseKind['name'], urlText: string): Promise<string[]> {
  const sql = "select status from ingest_runs where source = 'daily' and finished_at is not null order by id";
  if (kind === 'sqlite') {
    let db: Database.Database | null = null;
    try {
      db = new Database(urlText.replace(/^sqlite:/, ''), { readonly: true, fileMustExist: true });
      return (db.prepare(sql).all() as { status: string }[]).map((r) => r.status);
    } catch {
      return []; // not created or not migrated yet
    } finally {
      db?.close();
    }
  }
  const client = new pg.Client({ connectionString: urlText });
  await client.connect();
  try {
    return (await client.query<{ status: string }>(sql)).rows.map((r) => r.status);
  } catch {
    return [];
  } finally {
    await client.end();
  }
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + RUN_DEADLINE_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function environment(urlText: string): Record<string, string> {
  return {
    DATABASE_URL: urlText,
    PAPERBOY_CATEGORIES: 'cs.LG,cs.CV',
    PAPERBOY_ARXIV_RSS_URL: rss.url,
    PAPERBOY_ARXIV_API_URL: api.url,
    PAPERBOY_BASE_URL: 'https://papers.example.org',
    PAPERBOY_SAMPLE_DATA: '0',
  };
}

function start(args: string[], env: Record<string, string>): RunningProcess {
  const process = startPaperboy(args, env);
  running.push(process);
  return process;
}

describe.each(databaseKinds())('paperboy worker on $name', (kind) => {
  it.skipIf(!kind.available)(
    'two workers started at once ingest the announcement once, then stop gracefully on SIGTERM',
    async () => {
      const { url, urlText } = await kind.create();
      // Migrated beforehand, so that the two start their schedules at the same moment.
      const handle = openDatabase(url);
      await migrateToLatest(handle.db);
      await handle.close();
      const env = environment(urlText);
      const [first, second] = [start(['worker'], env), start(['worker'], env)] as const;
      await waitFor(async () => (await finishedRuns(kind.name, urlText)).length > 0, 'a finished daily run');
      await waitFor(
        async () => [first, second].every((w) => w.output().includes('worker: started')),
        'both workers to start',
      );
      // Give the second worker time for its own pass over the schedule.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      for (const worker of [first, second]) worker.child.kill('SIGTERM');
      const exits = await Promise.all([first.exited, second.exited]);
      expect(exits).toEqual([
        { code: 0, signal: null },
        { code: 0, signal: null },
      ]);
      expect(await finishedRuns(kind.name, urlText)).toEqual(['ok']);
      expect(rss.feedRequests()).toHaveLength(1);
      expect(api.requests).toHaveLength(1);
      const output = first.output() + second.output();
      expect(output).toContain('worker: following cs.LG, cs.CV: the daily ingest runs after each arXiv announcement');
      expect(output.match(/worker: daily ingest/g)).toHaveLength(1);
      for (const worker of [first, second]) {
        expect(worker.output()).toMatch(/worker: SIGTERM: stopping after the current step\n.*worker: stopped\n/);
      }
    },
  );
});

describe('paperboy serve runs the schedule inline', () => {
  it('ingests the announcement when PAPERBOY_WORKER_IN_SERVE is on (the default)', async () => {
    const { urlText } = await databaseKinds()[0]!.create();
    const port = await freePort();
    const server = start(['serve'], { ...environment(urlText), PORT: String(port), LOG_LEVEL: 'info' });
    await waitFor(async () => (await finishedRuns('sqlite', urlText)).length > 0, 'a finished daily run');
    await waitForHttp(`http://127.0.0.1:${port}/healthz`);
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(await finishedRuns('sqlite', urlText)).toEqual(['ok']);
    expect(server.output()).toContain('daily ingest');
  });

  it('leaves the schedule to a separate worker when PAPERBOY_WORKER_IN_SERVE=0', async () => {
    const { urlText } = await databaseKinds()[0]!.create();
    const port = await freePort();
    const server = start(['serve'], { ...environment(urlText), PORT: String(port), PAPERBOY_WORKER_IN_SERVE: '0' });
    await waitForHttp(`http://127.0.0.1:${port}/healthz`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(rss.requests).toEqual([]);
    expect(await finishedRuns('sqlite', urlText)).toEqual([]);
  });
});
