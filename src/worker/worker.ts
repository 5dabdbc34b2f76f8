/**
 * The worker role, assembled: the schedule of background jobs (the daily announcement ingest, embedding new papers,
 * the daily and weekly digests) over the program's database, with its own arXiv API client and mail transport. `paperboy worker` runs it alone; `paperboy serve` runs it
 * inline when PAPERBOY_WORKER_IN_SERVE is on (one machine). Either way the database leases keep each job to one
 * worker at a time.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import { type ArxivApiClient, createArxivApiClient } from '../ingest/arxiv-api-client.ts';
import { SmtpMailTransport } from '../mail/transport.ts';
import { acquireEmbedder } from '../search/embedder-loader.ts';
import type { DialectName } from '../storage/database.ts';
import { KyselyEmbeddingStore } from '../storage/embedding-store.ts';
import { KyselyIngestStore } from '../storage/ingest-store.ts';
import type { PaperStore } from '../storage/paper-store.ts';
import type { Database } from '../storage/schema.ts';
import { createDailyIngestJob, type DailyJobDependencies } from './daily-job.ts';
import { createDigestJob, type DigestJobDependencies } from './digest-job.ts';
import { createEmbedJob } from './embed-job.ts';
import { KyselyJobLeases } from './leases.ts';
import type { WorkerLog } from './log.ts';
import { createScheduler, type JobScheduler, type ScheduledJob } from './scheduler.ts';

/** What the worker needs from the program (a Runtime has it). */
export interface WorkerParts {
  config: Config;
  database: { db: Kysely<Database>; dialect: DialectName };
  store: PaperStore;
}

/** Knobs for tests: a clock, a shorter poll, faster arXiv clients. */
export interface WorkerOptions {
  now?: () => Date;
  pollMs?: number;
  arxiv?: ArxivApiClient;
  feedFetch?: DailyJobDependencies['feedFetch'];
  holder?: string;
  /** The digest jobs' retry timings (tests shorten them). */
  digestRetry?: DigestJobDependencies['retry'];
}

/** A running worker. */
export interface RunningWorker {
  /** Stops the schedule (a running job finishes its step) and closes the worker's arXiv client. */
  stop(): Promise<void>;
}

/** This process in lease rows: host, process id and a random part (two workers never share one). */
export function workerHolderName(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/** Starts the schedule; logs which jobs run. */
export function startWorker(parts: WorkerParts, log: WorkerLog, options: WorkerOptions = {}): RunningWorker {
  const { config } = parts;
  const db = parts.database.db;
  const ownsArxiv = options.arxiv === undefined;
  const arxiv = options.arxiv ?? createArxivApiClient({ endpoint: config.arxivApiUrl, baseUrl: config.baseUrl });
  const ingestStore = new KyselyIngestStore(db);
  const embedder =
    config.embedder === 'off'
      ? null
      : acquireEmbedder(config, { info: (message) => log.info(message), warn: (message) => log.warn(message) });
  const holder = options.holder ?? workerHolderName();
  const leases = new KyselyJobLeases(db, options.now);
  // The digest's own pooled, rate-limited SMTP transport; none without SMTP_URL (the digest jobs are then off).
  const digestTransport = config.smtpUrl
    ? new SmtpMailTransport(config.smtpUrl, config.mailFrom, { ratePerSecond: config.mailRatePerSecond })
    : null;
  const digestJob = (cadence: 'daily' | 'weekly') =>
    createDigestJob(cadence, {
      store: parts.store,
      database: parts.database,
      leases,
      transport: digestTransport,
      config,
      holder,
      ...(options.digestRetry ? { retry: options.digestRetry } : {}),
    }) as ScheduledJob<unknown>;
  const jobs: ScheduledJob<unknown>[] = [
    createDailyIngestJob({
      store: parts.store,
      ingestStore,
      arxiv,
      config,
      ...(options.feedFetch ? { feedFetch: options.feedFetch } : {}),
    }) as ScheduledJob<unknown>,
    digestJob('daily'),
    digestJob('weekly'),
    // Papers get their search vectors soon after they arrive (the embedder loads in the background, shared with
    // the web app when both run in `paperboy serve`).
    createEmbedJob({ store: new KyselyEmbeddingStore(db), embedder }) as ScheduledJob<unknown>,
  ];
  const scheduler: JobScheduler = createScheduler({
    jobs,
    state: ingestStore,
    leases,
    holder,
    log,
    ...(options.now ? { now: options.now } : {}),
    ...(options.pollMs ? { pollMs: options.pollMs } : {}),
  });
  if (config.categories.length === 0) {
    log.info('PAPERBOY_CATEGORIES is empty: no daily ingest (set it, e.g. cs.LG,cs.CV, to follow arXiv)');
  } else {
    log.info(`following ${config.categories.join(', ')}: the daily ingest runs after each arXiv announcement`, {
      listing: config.listingMode,
    });
  }
  if (digestTransport === null) log.info('SMTP_URL is not set: no digest mails (the digest jobs are off)');
  scheduler.start();
  return {
    async stop() {
      await scheduler.stop();
      await digestTransport?.close();
      await embedder?.release();
      if (ownsArxiv) await arxiv.close();
    },
  };
}
