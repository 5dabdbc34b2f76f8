/**
 * The digest mails as scheduled jobs, one per cadence (`digest-daily`, `digest-weekly`): due at PAPERBOY_DIGEST_TIME
 * in the instance's time zone (domain/digest-schedule.ts), each run sends the current period through
 * digest/send.ts (which takes its own `digest:<cadence>` lease, so a `paperboy digest send` at the same moment
 * waits its turn) and remembers the day it covered and when queued retries are due. Off without SMTP_URL: the log
 * transport is not delivery, and recording digests as sent that nobody received would lose them.
 */
import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import { sendDigests } from '../digest/send.ts';
import { digestPeriodOn } from '../domain/digest-period.ts';
import { type DigestJobState, nextDigestRun, sendDayAt } from '../domain/digest-schedule.ts';
import type { Cadence } from '../domain/subscription-topics.ts';
import type { MailTransport } from '../mail/transport.ts';
import { createLexicalSearch } from '../search/lexical-search.ts';
import type { DatabaseHandle } from '../storage/database.ts';
import { KyselyDigestDeliveryStore } from '../storage/digest-delivery-store.ts';
import { instanceSecret } from '../storage/instance-secrets.ts';
import type { PaperStore } from '../storage/paper-store.ts';
import type { Database } from '../storage/schema.ts';
import type { JobLeases } from './leases.ts';
import type { ScheduledJob } from './scheduler.ts';

/** The scheduler's lease for the job: longer than any run is expected to take; the scheduler renews it anyway. */
export const DIGEST_JOB_LEASE_MS = 15 * 60_000;

/** When another sender holds the cadence's lease, look again after this long, in milliseconds. */
const BUSY_RECHECK_MS = 60_000;

export function digestJobName(cadence: Cadence): string {
  return `digest-${cadence}`;
}

export interface DigestJobDependencies {
  store: PaperStore;
  database: Pick<DatabaseHandle, 'db' | 'dialect'>;
  leases: JobLeases;
  /** Null when SMTP is not configured: the job is then disabled. */
  transport: (MailTransport & { readonly connections?: number }) | null;
  config: Pick<Config, 'timeZone' | 'digestTime' | 'digestSize' | 'baseUrl' | 'secret'>;
  /** This worker in lease rows. */
  holder: string;
  /** Retry timings (tests shorten them). */
  retry?: Parameters<typeof sendDigests>[1]['retry'];
}

/** The digest job of one cadence. */
export function createDigestJob(cadence: Cadence, dependencies: DigestJobDependencies): ScheduledJob<DigestJobState> {
  const { config } = dependencies;
  const clock = { timeZone: config.timeZone, time: config.digestTime };
  return {
    name: digestJobName(cadence),
    enabled: dependencies.transport !== null,
    leaseMs: DIGEST_JOB_LEASE_MS,
    nextRunAt(now, state) {
      return nextDigestRun(cadence, now, clock, state);
    },
    async run({ now, state, signal, log }) {
      const due = sendDayAt(cadence, now, config.timeZone);
      const transport = dependencies.transport;
      if (!due || !transport) return { doneDay: state?.doneDay ?? null, retryAt: null };
      const period = digestPeriodOn(cadence, due.day)!;
      const db: Kysely<Database> = dependencies.database.db;
      // Loaded on demand: the site's name lives with the views (Preact), which `paperboy worker` does not load.
      const { SITE_NAME } = await import('../web/views/layout.tsx');
      const summary = await sendDigests(
        {
          store: dependencies.store,
          db,
          search: createLexicalSearch(db, dependencies.database.dialect),
          deliveries: new KyselyDigestDeliveryStore(db),
          leases: dependencies.leases,
          transport,
        },
        {
          period,
          weeklyDay: due.weeklyDay,
          size: config.digestSize,
          baseUrl: config.baseUrl,
          siteName: SITE_NAME,
          secret: config.secret ?? (await instanceSecret(db, 'signing-key')),
          holder: dependencies.holder,
          signal,
          ...(dependencies.retry ? { retry: dependencies.retry } : {}),
          log: (line) => log.warn(`${digestJobName(cadence)}: ${line}`),
        },
      );
      const fields = {
        period: summary.periodKey,
        planned: summary.planned,
        sent: summary.sent,
        alreadySent: summary.alreadySent,
        failed: summary.failed,
        waitingForRetry: summary.waitingForRetry,
        skipped: summary.skipped,
      };
      if (summary.outcome === 'busy') {
        // Another sender (a `paperboy digest send`) is at it: look again soon.
        log.info(`${digestJobName(cadence)}: another sender (${summary.busyHolder}) is sending; trying again soon`);
        return {
          doneDay: state?.doneDay ?? null,
          retryAt: null,
          notBefore: new Date(now.getTime() + BUSY_RECHECK_MS).toISOString(),
        };
      }
      if (summary.outcome === 'interrupted') {
        log.info(`${digestJobName(cadence)}: stopped before the end; the next start carries on`, fields);
        return { doneDay: state?.doneDay ?? null, retryAt: null };
      }
      log.info(
        `${digestJobName(cadence)}: ${summary.outcome === 'no-papers' ? 'no papers, nothing sent' : 'sent'}`,
        fields,
      );
      return { doneDay: due.day, retryAt: summary.nextRetryAt ? summary.nextRetryAt.toISOString() : null };
    },
  };
}
