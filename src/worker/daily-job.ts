/**
 * The daily announcement ingest as a scheduled job: due after each of arXiv's announcements, tried again later in
 * the evening while the feed still shows the previous one (domain/ingest-schedule.ts), off when the instance follows
 * no categories. Its state remembers which announcement was covered and when it last tried.
 */
import type { Config } from '../config.ts';
import { feedCoversAnnouncement, nextDailyIngest } from '../domain/ingest-schedule.ts';
import type { ArxivApiClient } from '../ingest/arxiv-api-client.ts';
import { type DailyIngestOptions, runDailyIngest } from '../ingest/daily-ingest.ts';
import type { IngestStore } from '../storage/ingest-store.ts';
import type { PaperStore } from '../storage/paper-store.ts';
import type { ScheduledJob } from './scheduler.ts';

/** The job's name: its lease is `lease:daily`, its state `job:daily`. */
export const DAILY_JOB_NAME = 'daily';
/**
 * How long a run holds the lease without renewing it: far longer than a run takes (a 2,000-paper announcement is
 * 20 API requests, about a minute), so only a crashed worker's lease ever expires.
 */
export const DAILY_JOB_LEASE_MS = 15 * 60_000;

/** What the job keeps between runs (ISO instants). */
export interface DailyJobState {
  /** The latest announcement (20:00 New York time) whose feed was ingested. */
  coveredAnnouncement: string | null;
  /** When the job last tried, whatever came of it. */
  lastAttemptAt: string | null;
  lastRunId: number | null;
  lastStatus: string | null;
}

export interface DailyJobDependencies {
  store: PaperStore;
  ingestStore: IngestStore;
  arxiv: ArxivApiClient;
  config: Pick<Config, 'categories' | 'arxivRssUrl' | 'baseUrl' | 'listingMode' | 'timeZone'>;
  /** Patience with the feed (tests shorten it). */
  feedFetch?: DailyIngestOptions['feedFetch'];
}

function progressOf(state: DailyJobState | null) {
  return {
    coveredAnnouncement: state?.coveredAnnouncement ? new Date(state.coveredAnnouncement) : null,
    lastAttemptAt: state?.lastAttemptAt ? new Date(state.lastAttemptAt) : null,
  };
}

/** The daily ingest job for this configuration. */
export function createDailyIngestJob(dependencies: DailyJobDependencies): ScheduledJob<DailyJobState> {
  const { config } = dependencies;
  return {
    name: DAILY_JOB_NAME,
    enabled: config.categories.length > 0,
    leaseMs: DAILY_JOB_LEASE_MS,
    nextRunAt(now, state) {
      return nextDailyIngest(now, progressOf(state)).at;
    },
    async run({ now, state, signal, log }) {
      const wanted = nextDailyIngest(now, progressOf(state)).announcement;
      const result = await runDailyIngest(dependencies, {
        categories: config.categories,
        feedBaseUrl: config.arxivRssUrl,
        instanceBaseUrl: config.baseUrl,
        listingMode: config.listingMode,
        timeZone: config.timeZone,
        now: () => now,
        signal,
        ...(dependencies.feedFetch ? { feedFetch: dependencies.feedFetch } : {}),
      });
      const feedAnnouncement = result.announcement === null ? null : new Date(result.announcement);
      const read = result.status === 'ok' || result.status === 'partial';
      const covered = read && feedCoversAnnouncement(feedAnnouncement, wanted);
      const fields = { run: result.runId, status: result.status, ...result.counts };
      if (covered) log.info(`daily ingest of the announcement of ${result.listedOn}: ${result.status}`, fields);
      else if (read) {
        log.info('daily ingest: the feed does not carry the latest announcement yet; trying again later', {
          ...fields,
          wanted: wanted.toISOString(),
          feedAnnouncement: result.announcement,
        });
      } else log.warn(`daily ingest ${result.status}: ${result.failure}`, fields);
      return {
        coveredAnnouncement: covered ? wanted.toISOString() : (state?.coveredAnnouncement ?? null),
        // An interrupted run (the worker stopping) is tried again as soon as a worker runs, not at the next slot.
        lastAttemptAt: result.status === 'interrupted' ? (state?.lastAttemptAt ?? null) : now.toISOString(),
        lastRunId: result.runId,
        lastStatus: result.status,
      };
    },
  };
}
