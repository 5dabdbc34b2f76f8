/**
 * GET /metrics in Prometheus's text exposition format (prom-client), for an operator's Prometheus:
 *
 * - what the instance holds and how its ingestion goes, read from the database at scrape time (so every process
 *   reports the same, right figures, whichever process ran the ingest): papers in the catalogue, ingest runs and
 *   failed runs by source, and when each source last succeeded;
 * - what this process served: requests by method, route and status class, and their duration by method and route.
 *   The route is Fastify's pattern (`/api/papers/*`), never the raw URL, so the number of series stays bounded;
 *   requests that match no route count as `unmatched`; /metrics itself is left out of the HTTP figures;
 * - prom-client's default process metrics (CPU, memory, event loop lag, GC, handles).
 *
 * Who may scrape: anyone on a loopback-only instance asking from this machine directly (a laptop; a request relayed
 * by a reverse proxy, which carries X-Forwarded-For or Forwarded, is not "from this machine"); a scraper sending
 * `Authorization: Bearer <PAPERBOY_METRICS_TOKEN>`; and admins (session or API token). Everyone else gets 401 (403
 * for signed-in non-admins). The scrape token is not an account token, so it is checked in an onRequest hook that
 * must run before the account authentication hook (app.ts registers this module first).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { servesLoopbackOnly } from '../config.ts';
import { roleOf } from '../policy/policy.ts';
import { type IngestSource, KyselyIngestStore } from '../storage/ingest-store.ts';
import type { WebContext } from './app.ts';

/** Where the metrics are served. */
export const METRICS_PATH = '/metrics';
/** Label of requests that matched no route (404s, malformed URLs): never the raw URL. */
export const UNMATCHED_ROUTE = 'unmatched';
/** Every ingest source, so that each has its series (at 0) before its first run. */
const INGEST_SOURCES: readonly IngestSource[] = ['daily', 'oai', 'snapshot'];
/** HTTP methods labelled as themselves; anything else is `other` (bounded cardinality). */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Request duration buckets, in seconds: from a cached answer (about 1 ms) to a slow arXiv look-up (25 s). */
const DURATION_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const MS_PER_SECOND = 1_000;
/** Headers a reverse proxy adds: their presence means the request did not start on this machine. */
const FORWARDING_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip'];
const LOOPBACK_ADDRESSES = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** The metrics of one app: its own registry, so that several apps in one process (tests) never mix figures. */
export interface PaperboyMetrics {
  registry: Registry;
  /** The exposition text, after reading the database-backed figures. */
  render(): Promise<string>;
}

/** Creates the registry and its metrics; the database-backed figures are read by `render`. */
export function createMetrics(context: Pick<WebContext, 'db' | 'store'>): PaperboyMetrics & {
  observeRequest(method: string, route: string, statusCode: number, seconds: number): void;
} {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: 'paperboy_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status class (2xx, 3xx, 4xx, 5xx).',
    labelNames: ['method', 'route', 'status_class'] as const,
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'paperboy_http_request_duration_seconds',
    help: 'Time from receiving a request to finishing its answer, by method and route pattern, in seconds.',
    labelNames: ['method', 'route'] as const,
    buckets: DURATION_BUCKETS_SECONDS,
    registers: [registry],
  });
  const papers = new Gauge({
    name: 'paperboy_papers',
    help: 'Papers in the catalogue (read from the database at scrape time).',
    registers: [registry],
  });
  const ingestRuns = new Counter({
    name: 'paperboy_ingest_runs_total',
    help: 'Ingest runs started, by source (daily, oai, snapshot), read from the database at scrape time.',
    labelNames: ['source'] as const,
    registers: [registry],
  });
  const ingestFailures = new Counter({
    name: 'paperboy_ingest_failures_total',
    help: 'Ingest runs that failed, by source, read from the database at scrape time.',
    labelNames: ['source'] as const,
    registers: [registry],
  });
  const lastSuccess = new Gauge({
    name: 'paperboy_ingest_last_success_timestamp_seconds',
    help: 'When the last successful (or partly successful) ingest run of each source finished, in Unix seconds.',
    labelNames: ['source'] as const,
    registers: [registry],
  });
  const databaseUp = new Gauge({
    name: 'paperboy_metrics_database_up',
    help: '1 when this scrape could read the database-backed figures, 0 when it could not (they are then absent).',
    registers: [registry],
  });

  const ingest = new KyselyIngestStore(context.db);
  const paperCount = cachedPaperCount(context.store);

  /** Reads the database-backed figures into their metrics; on failure they are left out and databaseUp says so. */
  async function readDatabaseFigures(): Promise<void> {
    papers.reset();
    ingestRuns.reset();
    ingestFailures.reset();
    lastSuccess.reset();
    try {
      const [count, statistics] = await Promise.all([paperCount(), ingest.runStatistics()]);
      papers.set(count);
      const bySource = new Map(statistics.map((row) => [row.source, row]));
      for (const source of new Set([...INGEST_SOURCES, ...bySource.keys()])) {
        const row = bySource.get(source);
        ingestRuns.inc({ source }, row?.runs ?? 0);
        ingestFailures.inc({ source }, row?.failures ?? 0);
        if (row?.lastSuccessAt) lastSuccess.set({ source }, Date.parse(row.lastSuccessAt) / MS_PER_SECOND);
      }
      databaseUp.set(1);
    } catch {
      papers.reset();
      ingestRuns.reset();
      ingestFailures.reset();
      lastSuccess.reset();
      databaseUp.set(0);
    }
  }

  return {
    registry,
    async render() {
      await readDatabaseFigures();
      return registry.metrics();
    },
    observeRequest(method, route, statusCode, seconds) {
      const label = KNOWN_METHODS.has(method) ? method : 'other';
      requests.inc({ method: label, route, status_class: `${Math.floor(statusCode / 100)}xx` });
      durations.observe({ method: label, route }, seconds);
    },
  };
}

/**
 * The number of papers, counted again only when the data version has moved: a scrape then costs one primary-key
 * read, and a count over millions of rows only after a write (every write of papers bumps the version).
 */
function cachedPaperCount(store: WebContext['store']): () => Promise<number> {
  let cached: { version: number; count: number } | null = null;
  return async () => {
    const version = await store.dataVersion();
    if (cached?.version === version) return cached.count;
    const count = await store.countPapers();
    cached = { version, count };
    return count;
  };
}

/** Registers the metrics hooks and GET /metrics. Call it before the account authentication hook (see above). */
export function registerMetrics(app: FastifyInstance, context: WebContext): PaperboyMetrics {
  const metrics = createMetrics(context);
  const tokenDigest = context.config.metricsToken === null ? null : sha256(context.config.metricsToken);

  const send = async (reply: FastifyReply) =>
    reply
      .header('cache-control', 'no-store')
      .type(metrics.registry.contentType)
      .send(await metrics.render());

  // A scraper's token is answered here, before the account hook would refuse it as an unknown API token.
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url !== METRICS_PATH || tokenDigest === null) return;
    const given = bearerToken(request);
    if (given !== null && timingSafeEqual(sha256(given), tokenDigest)) return send(reply);
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    if (route === METRICS_PATH) return;
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / MS_PER_SECOND);
  });

  app.get(
    METRICS_PATH,
    {
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics (text exposition format)',
        description:
          'Open to local requests on a loopback-only instance; otherwise send `Authorization: Bearer <PAPERBOY_METRICS_TOKEN>`, or be an admin.',
      },
    },
    async (request, reply) => {
      const role = roleOf(request.viewer);
      if (role === 'admin' || (servesLoopbackOnly(context.config) && isDirectLocalRequest(request))) {
        return send(reply);
      }
      const reason =
        context.config.metricsToken === null
          ? 'Metrics are open to admins only here; set PAPERBOY_METRICS_TOKEN to let a scraper in.'
          : 'Send the scrape token: Authorization: Bearer <PAPERBOY_METRICS_TOKEN>.';
      const status = role === 'anonymous' ? 401 : 403;
      if (status === 401) reply.header('www-authenticate', 'Bearer realm="metrics"');
      return reply.status(status).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send(reason);
    },
  );
  return metrics;
}

/** Came straight from this machine: a loopback peer and no sign of a reverse proxy relaying someone else. */
function isDirectLocalRequest(request: FastifyRequest): boolean {
  const peer = request.socket.remoteAddress ?? '';
  if (!LOOPBACK_ADDRESSES.has(peer)) return false;
  return FORWARDING_HEADERS.every((name) => request.headers[name] === undefined);
}

function bearerToken(request: FastifyRequest): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match ? match[1]! : null;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
