/**
 * The upvote benchmark: the real `paperboy serve` as a child process on SQLite and on a throwaway PostgreSQL, loaded
 * by UPVOTE_CLIENTS concurrent clients, each a different person with their own API token on their own connection,
 * toggling their upvotes on a handful of papers (POST, then DELETE, over and over) with rate limits off. Reports
 * toggles per second and p99 latency next to a bare Fastify hello-world at the same concurrency, then checks that
 * every paper's counter equals its stored votes ("exact: yes/no").
 *
 * `UPVOTE_BENCH_SECONDS=3 npm run bench -- --only=upvotes` is the short mode for development; the full run is 30 s
 * at 200 clients. `PAPERBOY_BENCH_PG_URL=postgres://...` uses that server instead of starting a cluster.
 */
import { join } from 'node:path';
import autocannon from 'autocannon';
import { KyselyAccountStore } from '../src/storage/account-store.ts';
import { type DatabaseUrl, openDatabase } from '../src/storage/database.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { KyselyPaperStore } from '../src/storage/paper-store.ts';
import { VoteStore } from '../src/storage/vote-store.ts';
import { testListing, testRecord } from '../test/support/records.ts';
import { type RunningServer, withServer } from './child-processes.ts';
import { processCpuSeconds, waitForQuietMachine } from './cpu-accounting.ts';
import { throwawayPostgres } from './postgres.ts';

/** Concurrent clients (people), one connection each. */
export const UPVOTE_CLIENTS = Number(process.env.UPVOTE_BENCH_CLIENTS ?? 200);
/** Measured seconds per target (30 in the full run; UPVOTE_BENCH_SECONDS=3 for a quick look). */
export const UPVOTE_SECONDS = Number(process.env.UPVOTE_BENCH_SECONDS ?? 30);
/** Papers every client toggles: few, so that clients contend for the same rows. */
const PAPERS_TOGGLED = 5;
/** Warm-up before each measured run, in seconds (thrown away). */
const WARMUP_SECONDS = 1;
/** The server's log level under load (request logs would measure pino). */
const SERVER_LOG_LEVEL = 'warn';

export interface UpvoteLoad {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx answers, connection errors and timeouts (should be 0). */
  failures: number;
  /** Server CPU time per request, in microseconds (null without /proc). */
  serverCpuMicrosPerRequest: number | null;
}

export interface UpvoteTarget {
  database: 'sqlite' | 'postgres';
  load: UpvoteLoad;
  /** Votes stored at the end, and whether every paper's counter equals its rows. */
  votesStored: number;
  exact: boolean;
  mismatches: number;
}

export interface UpvoteFigures {
  clients: number;
  seconds: number;
  papers: number;
  helloWorld: UpvoteLoad;
  targets: UpvoteTarget[];
  /** Why PostgreSQL was left out, when it was. */
  postgresSkipped: string | null;
}

type Progress = (message: string) => void;

/** The whole upvote part of `npm run bench`: baseline, SQLite, then PostgreSQL when it can be started. */
export async function runUpvoteBench(workDir: string, progress: Progress): Promise<UpvoteFigures> {
  const full = process.env.UPVOTE_BENCH_SECONDS === undefined;
  const describe = `${WARMUP_SECONDS} s warm-up + ${UPVOTE_SECONDS} s at ${UPVOTE_CLIENTS} clients`;

  progress(`upvotes: hello-world Fastify baseline, ${describe}`);
  const helloWorld = await withServer(['bin/run-ts.js', 'bench/hello-world-server.ts'], {}, '/', (server) =>
    measure(server, () => [{ method: 'GET', path: '/' }], full),
  );

  const targets: UpvoteTarget[] = [];
  progress('upvotes: preparing SQLite (papers, people, tokens)');
  const sqliteUrl: DatabaseUrl = { dialect: 'sqlite', path: join(workDir, 'upvotes.db') };
  const sqliteTokens = await prepareDatabase(sqliteUrl);
  progress(`upvotes: SQLite, ${describe}`);
  targets.push(await runTarget('sqlite', sqliteUrl, `sqlite:${sqliteUrl.path}`, sqliteTokens, full));

  const postgres = await throwawayPostgres('upvote');
  if (postgres.url) {
    try {
      progress('upvotes: preparing PostgreSQL (papers, people, tokens)');
      const pgUrl: DatabaseUrl = { dialect: 'postgres', url: postgres.url };
      const pgTokens = await prepareDatabase(pgUrl);
      progress(`upvotes: PostgreSQL, ${describe}`);
      targets.push(await runTarget('postgres', pgUrl, postgres.url, pgTokens, full));
    } finally {
      await postgres.stop();
    }
  } else {
    progress(`upvotes: PostgreSQL skipped (${postgres.skipped})`);
  }
  return {
    clients: UPVOTE_CLIENTS,
    seconds: UPVOTE_SECONDS,
    papers: PAPERS_TOGGLED,
    helloWorld,
    targets,
    postgresSkipped: postgres.url ? null : postgres.skipped,
  };
}

/** The papers' ids, as the fixture lists them. */
function paperIds(): string[] {
  return Array.from({ length: PAPERS_TOGGLED }, (_, i) => `2501.${String(i + 1).padStart(5, '0')}`);
}

/** Migrates, adds the papers (listed today) and one person with an API token per client; returns the tokens. */
async function prepareDatabase(url: DatabaseUrl): Promise<string[]> {
  const handle = openDatabase(url);
  try {
    await migrateToLatest(handle.db);
    const store = new KyselyPaperStore(handle.db);
    const now = new Date().toISOString();
    await store.upsertPapers(
      paperIds().map((id, i) =>
        testRecord(id, {
          title: `Synthetic benchmark paper ${i + 1}`,
          abstract: 'A synthetic abstract for the upvote benchmark.',
          authors: ['Bench Author'],
          versions: [{ version: 1, created: now }],
        }),
      ),
    );
    await store.addListings(paperIds().map((id) => testListing(id, now.slice(0, 10), now)));
    const accounts = new KyselyAccountStore(handle.db);
    const tokens: string[] = [];
    for (let i = 0; i < UPVOTE_CLIENTS; i++) {
      const user = await accounts.createUser({
        email: `voter${i}@bench.invalid`,
        username: `voter${i}`,
        isAdmin: false,
      });
      tokens.push((await accounts.createApiToken(user.id, 'bench')).token);
    }
    return tokens;
  } finally {
    await handle.close();
  }
}

async function runTarget(
  database: 'sqlite' | 'postgres',
  url: DatabaseUrl,
  urlText: string,
  tokens: string[],
  full: boolean,
): Promise<UpvoteTarget> {
  const env = {
    DATABASE_URL: urlText,
    LOG_LEVEL: SERVER_LOG_LEVEL,
    PAPERBOY_SAMPLE_DATA: '0',
    PAPERBOY_RATE_LIMITS: '0',
    PAPERBOY_TIMEZONE: 'UTC',
    // Votes never search: no background embedding of the bench's papers competing with the votes for the CPU.
    PAPERBOY_EMBEDDER: 'off',
  };
  const load = await withServer(['bin/paperboy.js', 'serve'], env, '/healthz', (server) =>
    measure(server, (client) => togglingRequests(tokens[client % tokens.length]!), full),
  );
  const handle = openDatabase(url);
  try {
    const mismatches = await new VoteStore(handle.db).countMismatches();
    const row = await handle.db
      .selectFrom('upvotes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return {
      database,
      load,
      votesStored: Number(row.n),
      exact: mismatches.length === 0,
      mismatches: mismatches.length,
    };
  } finally {
    await handle.close();
  }
}

type BenchRequest = { method: 'GET' | 'POST' | 'DELETE'; path: string; headers?: Record<string, string> };

/**
 * One person's loop: upvote each paper, then withdraw each. A client has one request in flight at a time and
 * every answer is a 200 (checked), so the loop always agrees with what the server stores.
 */
function togglingRequests(token: string): BenchRequest[] {
  const headers = { authorization: `Bearer ${token}` };
  const up = paperIds().map((id) => ({ method: 'POST' as const, path: `/api/papers/${id}/upvote`, headers }));
  const down = paperIds().map((id) => ({ method: 'DELETE' as const, path: `/api/papers/${id}/upvote`, headers }));
  return [...up, ...down];
}

/** A warm-up and a measured run; each connection gets its own request loop from `requestsFor(connectionIndex)`. */
async function measure(
  server: RunningServer,
  requestsFor: (connection: number) => BenchRequest[],
  waitForQuiet: boolean,
): Promise<UpvoteLoad> {
  let nextConnection = 0;
  const setupClient = (client: autocannon.Client) => {
    client.setRequests(requestsFor(nextConnection++) as autocannon.Request[]);
  };
  await runAutocannon(server.baseUrl, WARMUP_SECONDS, setupClient, null);
  if (waitForQuiet) await waitForQuietMachine();
  const latencies: number[] = [];
  const cpuBefore = processCpuSeconds(server.pid);
  const result = await runAutocannon(server.baseUrl, UPVOTE_SECONDS, setupClient, latencies);
  const cpuAfter = processCpuSeconds(server.pid);
  latencies.sort((a, b) => a - b);
  const percentile = (p: number) =>
    latencies.length === 0
      ? Number.NaN
      : latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)]!;
  const requests = result.requests.total;
  return {
    requests,
    requestsPerSecond: requests / result.duration,
    p50Ms: percentile(50),
    p99Ms: percentile(99),
    failures: result.non2xx + result.errors + result.timeouts,
    serverCpuMicrosPerRequest:
      cpuBefore === null || cpuAfter === null || requests === 0 ? null : ((cpuAfter - cpuBefore) * 1e6) / requests,
  };
}

function runAutocannon(
  url: string,
  durationSeconds: number,
  setupClient: (client: autocannon.Client) => void,
  latencies: number[] | null,
): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url, connections: UPVOTE_CLIENTS, duration: durationSeconds, setupClient },
      (error, result) => {
        if (error) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve(result);
      },
    );
    if (latencies)
      instance.on('response', (_client, _status, _bytes, responseTimeMs) => latencies.push(responseTimeMs));
  });
}

/** The console and Markdown table: one row per target and the baseline. */
export function upvoteTable(figures: UpvoteFigures): { header: string[]; rows: string[][] } {
  const row = (name: string, load: UpvoteLoad, exact: string): string[] => [
    name,
    load.requestsPerSecond.toFixed(0),
    load.p50Ms.toFixed(1),
    load.p99Ms.toFixed(1),
    load.serverCpuMicrosPerRequest === null ? 'n/a' : (load.serverCpuMicrosPerRequest / 1000).toFixed(2),
    String(load.failures),
    exact,
    (load.requestsPerSecond / figures.helloWorld.requestsPerSecond).toPrecision(2),
  ];
  return {
    header: ['target', 'req/s', 'p50 ms', 'p99 ms', 'server CPU ms/req', 'failures', 'exact', 'vs hello-world'],
    rows: [
      row('hello-world Fastify (GET /)', figures.helloWorld, ''),
      ...figures.targets.map((t) =>
        row(
          `upvote toggles, ${t.database === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`,
          t.load,
          `${t.exact ? 'yes' : 'no'} (${t.votesStored} votes stored)`,
        ),
      ),
    ],
  };
}

/** Plain text for the terminal. */
export function renderUpvoteConsole(figures: UpvoteFigures): string {
  const { header, rows } = upvoteTable(figures);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  const lines = [
    `Upvotes: ${figures.clients} clients (one person and token each) toggling ${figures.papers} papers for ${figures.seconds} s`,
    line(header),
    ...rows.map(line),
    ...figures.targets.map((t) => `exact (${t.database}): ${t.exact ? 'yes' : `no, ${t.mismatches} papers differ`}`),
  ];
  if (figures.postgresSkipped) lines.push(`PostgreSQL skipped: ${figures.postgresSkipped}`);
  return lines.join('\n');
}

/** A section for bench/RESULTS.md. */
export function renderUpvoteMarkdown(figures: UpvoteFigures): string {
  const { header, rows } = upvoteTable(figures);
  return [
    '',
    '## Upvotes under concurrency',
    '',
    `${figures.clients} concurrent clients, each a different person with their own API token on their own connection, toggle their upvotes on the same ${figures.papers} papers (POST then DELETE \`/api/papers/{id}/upvote\`) for ${figures.seconds} s against \`paperboy serve\` with rate limits off; the baseline is a bare Fastify hello-world at the same concurrency. Afterwards every paper's \`upvotes\` is compared with \`count(*)\` of its vote rows ("exact").`,
    '',
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    ...(figures.postgresSkipped ? ['', `PostgreSQL skipped: ${figures.postgresSkipped}.`] : []),
    '',
  ].join('\n');
}
