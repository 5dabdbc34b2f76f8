/**
 * The HTTP benchmark: the real `paperboy serve` as a child process, and a bare Fastify hello-world as the baseline,
 * each loaded alone (one server running at a time) from this process with autocannon.
 */
import { join } from 'node:path';
import { withServer } from './child-processes.ts';
import { buildHttpFixture, type HttpFixture } from './http-fixture.ts';
import { type LoadOptions, type LoadResult, measureLoad } from './http-load.ts';

/** Load shape for every target. */
export const LOAD_OPTIONS: LoadOptions = { warmupSeconds: 2, durationSeconds: 10, connections: 10 };
/** Paperboy's log level under load: request logs at `info` would measure pino more than Paperboy. */
export const SERVER_LOG_LEVEL = 'warn';

export interface HttpFigures {
  fixture: HttpFixture;
  helloWorld: LoadResult;
  /** `GET /papers/date/<day>` (HTML). */
  page: LoadResult;
  /** `GET /api/daily_papers?date=<day>` (JSON). */
  api: LoadResult;
  /** The same two with the response cache on (the default): every answer after the first is a cache hit. */
  pageCached: LoadResult;
  apiCached: LoadResult;
  /** How many of the day's papers the HTML page links to (checked once before loading it). */
  pagePapersShown: number;
  /** How many items the API returned (checked once before loading it). */
  apiItems: number;
}

type Progress = (message: string) => void;

export async function runHttpBench(workDir: string, progress: Progress): Promise<HttpFigures> {
  progress('building the HTTP database (synthetic papers through the store)');
  const dbPath = join(workDir, 'http.db');
  const fixture = await buildHttpFixture(dbPath);

  progress(`hello-world Fastify: ${describeLoad()}`);
  const helloWorld = await withServer(['bin/run-ts.js', 'bench/hello-world-server.ts'], {}, '/', (server) =>
    measureLoad(`${server.baseUrl}/`, LOAD_OPTIONS, server.pid),
  );

  const serveEnv = {
    DATABASE_URL: `sqlite:${dbPath}`,
    LOG_LEVEL: SERVER_LOG_LEVEL,
    PAPERBOY_SAMPLE_DATA: '0',
    PAPERBOY_TIMEZONE: 'UTC',
    // The feed page and the daily API never search; without this the worker inside serve would embed the fixture's
    // papers in the background during the measurement (and each batch would invalidate the cached answers). Search
    // has its own part (bench/search.ts).
    PAPERBOY_EMBEDDER: 'off',
  };
  const pagePath = `/papers/date/${fixture.benchDay}`;
  const apiPath = `/api/daily_papers?date=${fixture.benchDay}`;
  // First with the response cache off, so that every request builds its answer: the cost of the work itself.
  const uncached = await withServer(
    ['bin/paperboy.js', 'serve'],
    { ...serveEnv, PAPERBOY_RESPONSE_CACHE_MB: '0' },
    '/healthz',
    async (server) => {
      const pagePapersShown = await checkPage(`${server.baseUrl}${pagePath}`, fixture);
      const apiItems = await checkApi(`${server.baseUrl}${apiPath}`, fixture);
      progress(`paperboy GET ${pagePath}, cache off: ${describeLoad()}`);
      const page = await measureLoad(`${server.baseUrl}${pagePath}`, LOAD_OPTIONS, server.pid);
      progress(`paperboy GET ${apiPath}, cache off: ${describeLoad()}`);
      const api = await measureLoad(`${server.baseUrl}${apiPath}`, LOAD_OPTIONS, server.pid);
      return { page, api, pagePapersShown, apiItems };
    },
  );
  // Then as shipped: answers reused while the data version is unchanged (one primary-key read per request).
  const cached = await withServer(['bin/paperboy.js', 'serve'], serveEnv, '/healthz', async (server) => {
    await checkPage(`${server.baseUrl}${pagePath}`, fixture);
    await checkApi(`${server.baseUrl}${apiPath}`, fixture);
    progress(`paperboy GET ${pagePath}, cache on: ${describeLoad()}`);
    const pageCached = await measureLoad(`${server.baseUrl}${pagePath}`, LOAD_OPTIONS, server.pid);
    progress(`paperboy GET ${apiPath}, cache on: ${describeLoad()}`);
    const apiCached = await measureLoad(`${server.baseUrl}${apiPath}`, LOAD_OPTIONS, server.pid);
    return { pageCached, apiCached };
  });
  return { fixture, helloWorld, ...uncached, ...cached };
}

function describeLoad(): string {
  const { warmupSeconds, durationSeconds, connections } = LOAD_OPTIONS;
  return `${warmupSeconds} s warm-up + ${durationSeconds} s at ${connections} connections`;
}

/** The page must be a 200 HTML page showing the day's papers; returns how many of them it links to. */
async function checkPage(url: string, fixture: HttpFixture): Promise<number> {
  const response = await fetch(url);
  const body = await response.text();
  if (response.status !== 200)
    throw new Error(`GET ${url} answered ${response.status}, not 200:\n${body.slice(0, 500)}`);
  const type = response.headers.get('content-type') ?? '';
  if (!type.startsWith('text/html')) throw new Error(`GET ${url} answered ${type}, not text/html`);
  const shown = fixture.benchDayPaperIds.filter((id) => body.includes(id)).length;
  if (shown === 0) throw new Error(`GET ${url} shows none of the ${fixture.papersPerDay} papers listed that day`);
  return shown;
}

/** The API must answer 200 with one item per paper listed that day; returns the item count. */
async function checkApi(url: string, fixture: HttpFixture): Promise<number> {
  const response = await fetch(url);
  const body = await response.text();
  if (response.status !== 200)
    throw new Error(`GET ${url} answered ${response.status}, not 200:\n${body.slice(0, 500)}`);
  const items = JSON.parse(body) as unknown;
  if (!Array.isArray(items) || items.length !== fixture.papersPerDay) {
    throw new Error(
      `GET ${url} returned ${Array.isArray(items) ? items.length : 'a non-array'}, expected ${fixture.papersPerDay} items`,
    );
  }
  return items.length;
}
