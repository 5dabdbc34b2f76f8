/**
 * `paperboy digest preview [--cadence daily|weekly] [--out FILE] [--email ADDRESS]`: writes the digest as it would be
 * mailed now to an HTML file and prints the file's path, so that an operator can open it in a browser (or a mail
 * client) before any subscriber gets one. With --email the "for you" section uses that subscription's topics.
 *
 * `paperboy digest send --cadence daily|weekly [--dry-run] [--to EMAIL] [--retry-for SECONDS]`: sends the current
 * period's digest now through digest/send.ts (once per subscription and period, whoever else sends). Unlike the
 * worker's schedule it does not skip weekends (a daily send on a Saturday is that day's digest) and a weekly send
 * goes to every weekly subscriber, whatever day they chose. Exit 0 when everything due was sent, 3 when some
 * digests failed or wait for a retry (the worker's job, or a rerun, sends those), 2 for usage, 1 otherwise.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import { previewDigest } from '../digest/compose.ts';
import { RETRY_MAX_WAIT_MS, type SendProgress, type SendSummary, sendDigests } from '../digest/send.ts';
import { previewPeriodOn } from '../domain/digest-period.ts';
import { todayIn } from '../domain/feed-period.ts';
import { type Cadence, checkCadence, NO_TOPICS } from '../domain/subscription-topics.ts';
import { createBarDisplay } from '../ingest/progress.ts';
import { SmtpMailTransport } from '../mail/transport.ts';
import { createLexicalSearch } from '../search/lexical-search.ts';
import { KyselyDigestDeliveryStore, type PlanRequest } from '../storage/digest-delivery-store.ts';
import { instanceSecret } from '../storage/instance-secrets.ts';
import type { Database } from '../storage/schema.ts';
import { KyselySubscriptionStore } from '../storage/subscription-store.ts';
import { KyselyJobLeases } from '../worker/leases.ts';
import { workerHolderName } from '../worker/worker.ts';
import { EXIT_SOME_SKIPPED } from './import.ts';
import { CliError, openRuntime } from './runtime.ts';
import { requireEmailArgument } from './users.ts';

/** Exit code for arguments that cannot be right. */
const EXIT_USAGE = 2;
/** Where the preview goes without --out (the working directory). */
const DEFAULT_PREVIEW_FILE = 'digest-preview.html';
/** No account has this id: the subscription lookup then goes by address only. */
const NO_USER_ID = -1;

/** How often the progress bar is redrawn, in milliseconds. */
const MS_PER_SECOND = 1000;
/** Longest --retry-for, in seconds (a day: beyond that the worker's job is the one to wait). */
const MAX_RETRY_FOR_SECONDS = 86_400;

interface SendOptions {
  cadence: string;
  dryRun?: boolean;
  to?: string;
  retryFor: string;
}

interface PreviewOptions {
  cadence: string;
  out: string;
  email?: string;
}

export function registerDigestCommand(program: Command): void {
  const digest = program.command('digest').description('the email digest of trending papers: preview or send it');

  digest
    .command('send')
    .description("send the current period's digest now to every active subscription of the cadence (once per period)")
    .requiredOption('--cadence <cadence>', 'daily or weekly')
    .option('--dry-run', 'say what would be sent; send and write nothing')
    .option('--to <address>', "send only to this address's subscription of the cadence")
    .option(
      '--retry-for <seconds>',
      'how long to keep retrying temporary failures before leaving them to the worker',
      String(RETRY_MAX_WAIT_MS / MS_PER_SECOND),
    )
    .action(async (options: SendOptions) => {
      await sendCommand(options);
    });

  digest
    .command('preview')
    .description('write the digest as it would be mailed now to an HTML file and print its path')
    .option('--cadence <cadence>', 'daily or weekly', 'daily')
    .option('--out <file>', 'the HTML file to write', DEFAULT_PREVIEW_FILE)
    .option('--email <address>', 'use the topics of this address\'s subscription for the "for you" section')
    .action(async (options: PreviewOptions) => {
      const cadence = checkCadence(options.cadence);
      if (!cadence.ok) throw new CliError(cadence.problem, EXIT_USAGE);
      const email = options.email === undefined ? null : requireEmailArgument(options.email);
      const path = resolve(options.out);
      // Loaded on demand, like `serve`: the site's views (Preact) are not needed by the other commands.
      const { SITE_NAME } = await import('../web/views/layout.tsx');
      const runtime = await openRuntime();
      try {
        const { config, database, store } = runtime;
        const topics = email === null ? NO_TOPICS : await subscriptionTopics(database.db, email, cadence.value);
        const preview = await previewDigest(
          { store, db: database.db, search: createLexicalSearch(database.db, database.dialect) },
          {
            cadence: cadence.value,
            topics,
            size: config.digestSize,
            today: todayIn(config.timeZone),
            baseUrl: config.baseUrl,
            siteName: SITE_NAME,
          },
        );
        if (!preview)
          throw new CliError('the instance has no papers yet, so no digest would be sent (nothing written)');
        writeFileSync(path, preview.html);
        process.stdout.write(`${path}\n`);
        process.stderr.write(`subject: ${preview.subject}\n`);
      } finally {
        await runtime.database.close();
      }
    });
}

/** The topics of the address's live subscription of this cadence (or of its other one), or a refusal. */
async function subscriptionTopics(
  db: ConstructorParameters<typeof KyselySubscriptionStore>[0],
  email: string,
  cadence: Cadence,
) {
  const live = await new KyselySubscriptionStore(db).listForUser(NO_USER_ID, email);
  const mine = live.filter((subscription) => subscription.email === email);
  const chosen = mine.find((subscription) => subscription.cadence === cadence) ?? mine[0];
  if (!chosen) throw new CliError(`no live subscription has the address ${email}`);
  return chosen.topics;
}

async function sendCommand(options: SendOptions): Promise<void> {
  const cadence = checkCadence(options.cadence);
  if (!cadence.ok) throw new CliError(cadence.problem, EXIT_USAGE);
  const email = options.to === undefined ? null : requireEmailArgument(options.to);
  const retryFor = Number(options.retryFor);
  if (!/^\d+$/.test(options.retryFor) || retryFor > MAX_RETRY_FOR_SECONDS) {
    throw new CliError(`--retry-for must be a whole number of seconds from 0 to ${MAX_RETRY_FOR_SECONDS}`, EXIT_USAGE);
  }
  const dryRun = options.dryRun === true;
  const runtime = await openRuntime(process.env, { readOnly: dryRun });
  try {
    const { config, database, store } = runtime;
    if (!dryRun && config.smtpUrl === null) {
      throw new CliError(
        'SMTP_URL is not set, so no digest can be delivered (without it mail only goes to the log); set it, or use --dry-run',
      );
    }
    const period = previewPeriodOn(cadence.value, todayIn(config.timeZone));
    const deliveries = new KyselyDigestDeliveryStore(database.db);
    const subscriptionId = email === null ? undefined : await liveSubscriptionId(database.db, email, cadence.value);
    const plan: PlanRequest = {
      periodKey: period.key,
      cadence: cadence.value,
      weeklyDay: null,
      ...(subscriptionId === undefined ? {} : { subscriptionId }),
    };
    if (dryRun) {
      const preview = await deliveries.previewPlan(plan);
      const counts = await deliveries.counts(period.key, subscriptionId);
      const fresh = preview.subscriptions - preview.alreadyRecorded;
      const wouldSend = fresh + counts.queued + counts.sending;
      const papers = await store.countPapers();
      process.stdout.write(
        `dry run, ${period.key}: would send ${wouldSend} digest(s) to ${wouldSend} address(es)` +
          ` (${fresh} new, ${counts.queued + counts.sending} queued from an earlier run);` +
          ` already recorded: ${counts.sent} sent, ${counts.failed} failed, ${counts.skipped} skipped;` +
          `${papers === 0 ? ' the instance has no papers, so none would be sent;' : ''} nothing sent or written\n`,
      );
      return;
    }
    const { SITE_NAME } = await import('../web/views/layout.tsx');
    const transport = new SmtpMailTransport(config.smtpUrl!, config.mailFrom, {
      ratePerSecond: config.mailRatePerSecond,
    });
    const stopping = new AbortController();
    const onSignal = () => stopping.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const display = createSendProgress(process.stderr, period.key);
    const started = performance.now();
    let summary: SendSummary;
    try {
      summary = await sendDigests(
        {
          store,
          db: database.db,
          search: createLexicalSearch(database.db, database.dialect),
          deliveries,
          leases: new KyselyJobLeases(database.db),
          transport,
        },
        {
          period,
          weeklyDay: null,
          ...(subscriptionId === undefined ? {} : { subscriptionId }),
          size: config.digestSize,
          baseUrl: config.baseUrl,
          siteName: SITE_NAME,
          secret: config.secret ?? (await instanceSecret(database.db, 'signing-key')),
          holder: workerHolderName(),
          retry: { maxWaitMs: retryFor * MS_PER_SECOND },
          signal: stopping.signal,
          onProgress: (progress) => display.update(progress),
          log: (line) => display.log(line),
        },
      );
    } finally {
      display.stop();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await transport.close();
    }
    reportSummary(summary, (performance.now() - started) / MS_PER_SECOND);
  } finally {
    await runtime.database.close();
  }
}

/** The id of the address's live subscription of the cadence, or a refusal saying why there is none to send to. */
async function liveSubscriptionId(db: Kysely<Database>, email: string, cadence: Cadence): Promise<number> {
  const row = await db
    .selectFrom('subscriptions')
    .select(['id', 'status', 'paused_at', 'consecutive_failures'])
    .where('email', '=', email)
    .where('cadence', '=', cadence)
    .where('status', '<>', 'unsubscribed')
    .executeTakeFirst();
  if (!row) throw new CliError(`${email} has no live ${cadence} subscription: nothing sent`);
  if (row.status !== 'active') {
    throw new CliError(`${email}'s ${cadence} subscription is not confirmed yet (its confirmation link was not used)`);
  }
  if (row.paused_at !== null) {
    throw new CliError(
      `${email}'s ${cadence} subscription is paused after ${row.consecutive_failures} permanent delivery failures;` +
        ' a new confirmation of the address resumes it',
    );
  }
  return Number(row.id);
}

/** The summary line (stdout), and the exit code for what is left. */
function reportSummary(summary: SendSummary, seconds: number): void {
  if (summary.outcome === 'busy') {
    throw new CliError(
      `another sender (${summary.busyHolder}) is sending the ${summary.periodKey.split(':')[0]} digest right now; nothing sent`,
    );
  }
  if (summary.outcome === 'no-papers') {
    process.stdout.write(
      `${summary.periodKey}: the instance has no papers, so no digest was sent (${summary.skipped} skipped)\n`,
    );
    return;
  }
  const rate = seconds > 0 ? summary.sent / seconds : 0;
  const parts = [
    `${summary.sent} sent`,
    `${summary.alreadySent} already sent before`,
    `${summary.failed} failed`,
    `${summary.waitingForRetry} waiting for retry`,
    `${summary.skipped} skipped`,
  ];
  const extra = summary.paused > 0 ? `; ${summary.paused} subscription(s) paused after repeated failures` : '';
  const requeued = summary.requeued > 0 ? `; ${summary.requeued} left in flight by an earlier run sent again` : '';
  process.stdout.write(
    `${summary.periodKey}: ${parts.join(', ')} (${summary.planned} newly planned) in ${seconds.toFixed(1)} s` +
      ` (${rate.toFixed(1)} mails/s)${extra}${requeued}\n`,
  );
  if (summary.outcome === 'interrupted') {
    throw new CliError(
      'interrupted: the rest stays queued; run the command again (or let the worker) to finish',
      EXIT_SOME_SKIPPED,
    );
  }
  if (summary.waitingForRetry > 0 || summary.failed > 0) {
    const retry = summary.nextRetryAt ? ` (next retry at ${summary.nextRetryAt.toISOString()})` : '';
    throw new CliError(
      `${summary.failed} digest(s) failed permanently and ${summary.waitingForRetry} wait for a retry${retry};` +
        ' the worker (or a rerun) sends those',
      EXIT_SOME_SKIPPED,
    );
  }
}

/** A bar with the count, rate and ETA on a terminal; elsewhere only the message lines. */
function createSendProgress(stream: NodeJS.WritableStream & { isTTY?: boolean }, name: string) {
  return createBarDisplay<SendProgress>(stream, {
    format: `${name} [{bar}] {value}/{total} digests | {rate} mails/s | ETA {eta_formatted}`,
    etaBuffer: 50,
    position: ({ done, total }, seconds) => ({
      value: done,
      total: Math.max(1, total, done),
      payload: { rate: seconds > 0 ? (done / seconds).toFixed(1) : '0' },
    }),
  });
}
