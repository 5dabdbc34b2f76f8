/**
 * The worker's schedule: a list of named jobs, each saying when it is next due from the state it stored after its
 * last run, and each run under a lease in the database so that, with several worker processes, a job runs in one
 * of them at a time. Generic on purpose: the daily ingest is the first job; the digest mail will be another.
 *
 * A pass (tick) looks at every job: not due -> nothing; due -> claim the lease (another worker holds it -> skip),
 * read the state again under the lease (another worker may have just done the work: then nothing), run, store the
 * job's new state, release. Between passes the scheduler sleeps until the next job is due, but never longer than
 * its poll interval, so that state written by other processes is noticed. A job that throws is retried only after
 * a back-off, never in a tight loop. stop() lets the running job finish (its signal asks it to stop between steps).
 */
import type { IngestStore } from '../storage/ingest-store.ts';
import type { JobLeases } from './leases.ts';
import type { WorkerLog } from './log.ts';

/** One job of the schedule, with its own state (JSON) kept between runs. */
export interface ScheduledJob<S> {
  /** Names its lease (`lease:<name>`) and state (`job:<name>`) rows, and its log lines. */
  readonly name: string;
  /** Whether the job can run at all in this configuration (e.g. no categories: no daily ingest). */
  readonly enabled: boolean;
  /** How long a run holds the lease without renewing it before another worker may take the job over. */
  readonly leaseMs: number;
  /** When the job is next due, given the state its last run stored (null before the first); past = due now. */
  nextRunAt(now: Date, state: S | null): Date;
  /** Does the work; the state it returns is stored and handed to nextRunAt. Should record its own failures. */
  run(context: JobRunContext<S>): Promise<S>;
}

/** What a run is given. */
export interface JobRunContext<S> {
  now: Date;
  state: S | null;
  /** Aborted when the worker is stopping: stop between steps. */
  signal: AbortSignal;
  log: WorkerLog;
}

/** What one pass did with one job. */
export interface JobTick {
  job: string;
  outcome: 'not-due' | 'lease-held' | 'done-elsewhere' | 'ran' | 'failed' | 'backing-off';
  /** When the job is due next, as far as this pass knows. */
  nextRunAt: Date | null;
}

export interface SchedulerOptions {
  jobs: ReadonlyArray<ScheduledJob<unknown>>;
  /** Where jobs' states live (ingest_state). */
  state: Pick<IngestStore, 'getState' | 'setState'>;
  leases: JobLeases;
  /** Who this worker is, in lease rows: host, process and a random part. */
  holder: string;
  log: WorkerLog;
  now?: () => Date;
  /** Longest sleep between passes, in ms. */
  pollMs?: number;
  /** How long a job that threw is left alone, in ms. */
  errorBackoffMs?: number;
}

/** Runs the schedule. */
export interface JobScheduler {
  /** One pass over the jobs (the loop's step; tests call it directly). */
  tick(): Promise<JobTick[]>;
  /** Runs passes until stop(). */
  start(): void;
  /** No new runs; waits for a running job to finish (it is asked to stop between steps). */
  stop(): Promise<void>;
}

/** Longest sleep between passes by default: other workers' progress is noticed within this. */
const DEFAULT_POLL_MS = 60_000;
/** A job that threw waits this long before it is tried again. */
const DEFAULT_ERROR_BACKOFF_MS = 300_000;
/** Shortest sleep between passes, so that a clock oddity cannot spin the loop. */
const MIN_SLEEP_MS = 250;
/** Renewals per lease duration while a job runs. */
const RENEWALS_PER_LEASE = 3;

/** The state row of a job. */
export function jobStateKey(job: string): string {
  return `job:${job}`;
}

/** A scheduler over these jobs (see the module comment). */
export function createScheduler(options: SchedulerOptions): JobScheduler {
  const now = options.now ?? (() => new Date());
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const errorBackoffMs = options.errorBackoffMs ?? DEFAULT_ERROR_BACKOFF_MS;
  const jobs = options.jobs.filter((job) => job.enabled);
  const backingOffUntil = new Map<string, number>();
  const stopping = new AbortController();
  let loop: Promise<void> | null = null;
  let wake: (() => void) | null = null;

  const tickJob = async (job: ScheduledJob<unknown>): Promise<JobTick> => {
    const started = now();
    const tick = (outcome: JobTick['outcome'], nextRunAt: Date | null): JobTick => ({
      job: job.name,
      outcome,
      nextRunAt,
    });
    const backoff = backingOffUntil.get(job.name);
    if (backoff !== undefined && backoff > started.getTime()) return tick('backing-off', new Date(backoff));
    const due = job.nextRunAt(started, await options.state.getState(jobStateKey(job.name)));
    if (due.getTime() > started.getTime()) return tick('not-due', due);

    const lease = await options.leases.claim(job.name, options.holder, job.leaseMs);
    if (!lease) {
      options.log.info(`${job.name}: due, but another worker holds its lease`);
      return tick('lease-held', new Date(started.getTime() + pollMs));
    }
    const renewal = setInterval(() => {
      options.leases.renew(lease).then(
        (held) => {
          if (!held) options.log.warn(`${job.name}: the lease was lost while running`);
        },
        (error: unknown) => options.log.warn(`${job.name}: could not renew the lease`, { error: String(error) }),
      );
    }, job.leaseMs / RENEWALS_PER_LEASE);
    try {
      // Under the lease, read again: another worker may have done this run while we were deciding.
      const state = await options.state.getState(jobStateKey(job.name));
      const runAt = now();
      const stillDue = job.nextRunAt(runAt, state);
      if (stillDue.getTime() > runAt.getTime()) return tick('done-elsewhere', stillDue);
      const next = await job.run({ now: runAt, state, signal: stopping.signal, log: options.log });
      await options.state.setState(jobStateKey(job.name), next);
      backingOffUntil.delete(job.name);
      return tick('ran', job.nextRunAt(now(), next));
    } catch (error) {
      const retryAt = now().getTime() + errorBackoffMs;
      backingOffUntil.set(job.name, retryAt);
      options.log.error(`${job.name}: the job failed; trying again later`, {
        error: error instanceof Error ? error.message : String(error),
        retryAt: new Date(retryAt).toISOString(),
      });
      return tick('failed', new Date(retryAt));
    } finally {
      clearInterval(renewal);
      await options.leases.release(lease).catch(() => undefined);
    }
  };

  const tick = async (): Promise<JobTick[]> => {
    const ticks: JobTick[] = [];
    for (const job of jobs) {
      if (stopping.signal.aborted) break;
      ticks.push(await tickJob(job));
    }
    return ticks;
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        wake = null;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        wake = null;
        resolve();
      };
    });

  /** The next run each job was last announced for in the log, so that operators see the plan once per change. */
  const announced = new Map<string, number>();
  const announceNextRuns = (ticks: JobTick[]) => {
    for (const t of ticks) {
      if ((t.outcome !== 'ran' && t.outcome !== 'not-due') || t.nextRunAt === null) continue;
      if (announced.get(t.job) === t.nextRunAt.getTime()) continue;
      announced.set(t.job, t.nextRunAt.getTime());
      options.log.info(`${t.job}: next run at ${t.nextRunAt.toISOString()}`);
    }
  };

  const run = async () => {
    while (!stopping.signal.aborted) {
      let ticks: JobTick[] = [];
      try {
        ticks = await tick();
        announceNextRuns(ticks);
      } catch (error) {
        options.log.error('could not check the schedule (the database?); trying again later', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
      if (stopping.signal.aborted) break;
      const current = now().getTime();
      const nextDue = Math.min(
        current + pollMs,
        ...ticks.flatMap((t) => (t.nextRunAt === null ? [] : [t.nextRunAt.getTime()])),
      );
      await sleep(Math.max(MIN_SLEEP_MS, nextDue - current));
    }
  };

  return {
    tick,
    start() {
      if (loop !== null || jobs.length === 0) return;
      loop = run();
    },
    async stop() {
      stopping.abort();
      wake?.();
      await loop;
    },
  };
}
