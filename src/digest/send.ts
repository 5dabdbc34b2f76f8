/**
 * Sending one cadence's digest for one period, so that each subscription receives it exactly once, whoever runs
 * the sender (the worker's job or `paperboy digest send`), however often, and whenever one of them is killed.
 *
 * How:
 * 1. The lease `digest:<cadence>` (worker/leases.ts): two senders of a cadence never run at once. A lease left by a
 *    process that died on this host is taken over at once; one from another host after it expires.
 * 2. Under the lease, rows still `sending` are orphans of a dead run (no live run can hold one): back to `queued`.
 *    Their mails were in flight when that run died, and no SMTP server had accepted them (see the window below).
 * 3. Plan: a queued row for each active, unpaused subscription due (INSERT ... ON CONFLICT DO NOTHING on the unique
 *    (subscription_id, period_key)): a row that exists, whatever its status, is never added again.
 * 4. Claim due rows (queued -> sending, claimed_by = this run, committed) before sending; send with as many in
 *    flight as the pool has connections; mark each row the moment the server answers: `sent` (committed at once),
 *    a retry later (4xx, or the server unreachable), or `failed` (5xx: counted against the subscription, which is
 *    paused after PAUSE_AFTER_CONSECUTIVE_FAILURES periods in a row).
 *
 * Kill points: before a claim, nothing happened; after a claim and before the server's 250 answer, the row is
 * `sending`, the server has not accepted the mail, and the next run requeues and sends it: once. After `sent` is
 * committed, no run sends it again. The one window no SMTP client can close is between the server's 250 answer and
 * our commit of `sent` (a few milliseconds: the commit is the next thing this process does): a kill -9 exactly there
 * means the next run sends that digest again. It then carries the same Message-ID (digestMessageId: derived from
 * the period and the subscription, never random), so that a mail client or relay that deduplicates by Message-ID
 * recognises it as the same message. (A commit survives the process being killed on both databases: SQLite's WAL
 * with synchronous=NORMAL loses commits only when the machine itself goes down.)
 *
 * Temporary failures are retried within the run with exponential backoff for a bounded total wait
 * (`retry.maxWaitMs`); what is still waiting after that stays queued with its next_attempt_at, for the worker's job
 * (or a rerun). A server that cannot be reached pauses the whole run (no row is tried against a dead server, and
 * nothing counts against any address) until it answers again or the wait bound is reached.
 */
import type { Kysely } from 'kysely';
import type { DigestPeriod } from '../domain/digest-period.ts';
import type { SubscriptionTopics } from '../domain/subscription-topics.ts';
import { unsubscribeUrl } from '../mail/subscription-mails.ts';
import { classifyMailError, describeMailError, type MailMessage, type MailTransport } from '../mail/transport.ts';
import type { LexicalSearch } from '../search/lexical-search.ts';
import type { ClaimedDelivery, DigestDeliveryStore } from '../storage/digest-delivery-store.ts';
import type { PaperStore } from '../storage/paper-store.ts';
import type { Database } from '../storage/schema.ts';
import { escapeHtml } from '../web/presenters/html/html.ts';
import type { HeldLease, JobLeases } from '../worker/leases.ts';
import { composeDigest, type DigestContent } from './compose.ts';
import { digestMail } from './render.ts';

/** How long the sender's lease lives without renewal: renewed every third of it while the run lasts. */
export const DIGEST_LEASE_MS = 120_000;
/** First retry after a temporary failure, in milliseconds; doubled for each further attempt. */
export const RETRY_BASE_MS = 30_000;
/** Longest wait between two attempts, in milliseconds. */
export const RETRY_MAX_DELAY_MS = 30 * 60_000;
/** How long one run keeps waiting for retries before leaving them to the next run, in milliseconds. */
export const RETRY_MAX_WAIT_MS = 5 * 60_000;
/**
 * 4xx answers for one address after which it is treated as a permanent failure (with the default backoff that is
 * about two hours of trying). Connection failures never count: they are the server's, not the address's.
 */
export const MAX_TEMPORARY_ATTEMPTS = 8;
/**
 * Mails handed to the pool per connection at once: two, so that a connection has its next mail queued while this
 * process records the previous one (a queued mail is not yet transmitted: a kill then leaves it `sending`, and the
 * next run sends it once).
 */
const IN_FLIGHT_PER_CONNECTION = 2;
/** Rows claimed at once per connection: enough to keep every connection busy, few to requeue after a stop. */
const CLAIM_ROWS_PER_CONNECTION = 8;

/** The lease of a cadence's sender. */
export function digestLeaseJob(cadence: DigestPeriod['cadence']): string {
  return `digest:${cadence}`;
}

/**
 * The Message-ID of a subscription's digest for a period: the same every time it is sent, so that a resend after a
 * crash in the unclosable window is recognisably the same message. `daily:2026-11-30` -> `<daily.2026-11-30.42.digest@host>`.
 */
export function digestMessageId(periodKey: string, subscriptionId: number, baseUrl: string): string {
  const host = new URL(baseUrl).hostname || 'localhost';
  return `<${periodKey.replace(/[^A-Za-z0-9.-]/g, '.')}.${subscriptionId}.digest@${host}>`;
}

/**
 * One bare address and nothing else (no name, no second address, no line break): addresses are validated when
 * subscribing, and this second check keeps a row written some other way from ever becoming a header injection.
 */
const SINGLE_ADDRESS = /^[^\s@<>,;:"()[\]\\]+@[^\s@<>,;:"()[\]\\]+$/;

/** A subscription id no row has (the largest 32-bit integer): stands in for the real one in a mail template. */
const TEMPLATE_SUBSCRIPTION_ID = 2_147_483_647;
const TEMPLATE_ADDRESS = 'template@invalid';

type RenderOptions = Parameters<typeof digestMail>[2];

/**
 * The digest mail of one content for any subscription, rendered once: the only per-subscription parts are the
 * address and the signed unsubscribe link (footer and List-Unsubscribe), which are swapped into a mail rendered for
 * a stand-in subscription. The first use is checked against a full digestMail; should rendering ever put anything
 * else of the subscription into the mail, the check fails and every mail of that content is rendered in full.
 */
export function digestMailTemplate(
  content: DigestContent,
  options: RenderOptions,
): (subscription: { id: number; email: string }) => MailMessage {
  const template = digestMail(content, { id: TEMPLATE_SUBSCRIPTION_ID, email: TEMPLATE_ADDRESS }, options);
  const standIn = unsubscribeUrl(options.baseUrl, options.secret, TEMPLATE_SUBSCRIPTION_ID);
  const standInHtml = escapeHtml(standIn);
  const fill = (subscription: { id: number; email: string }): MailMessage => {
    const link = unsubscribeUrl(options.baseUrl, options.secret, subscription.id);
    const linkHtml = escapeHtml(link);
    return {
      ...template,
      to: subscription.email,
      text: template.text.replaceAll(standIn, link),
      ...(template.html === undefined ? {} : { html: template.html.replaceAll(standInHtml, linkHtml) }),
      ...(template.headers === undefined
        ? {}
        : {
            headers: Object.fromEntries(
              Object.entries(template.headers).map(([name, value]) => [name, value.replaceAll(standIn, link)]),
            ),
          }),
    };
  };
  let verified: boolean | null = null;
  return (subscription) => {
    if (verified === null) {
      const full = digestMail(content, subscription, options);
      verified = JSON.stringify(fill(subscription)) === JSON.stringify(full);
      return full;
    }
    return verified ? fill(subscription) : digestMail(content, subscription, options);
  };
}

/** Delay before attempt `attempt + 1` after `attempt` temporary failures (1, 2, ...). */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

export interface SendDependencies {
  store: PaperStore;
  db: Kysely<Database>;
  search: LexicalSearch;
  deliveries: DigestDeliveryStore;
  leases: JobLeases;
  /** The mail transport; `connections` (a pooled SMTP transport's) sets how many mails are in flight at once. */
  transport: MailTransport & { readonly connections?: number };
}

export interface RetryPolicy {
  baseMs: number;
  maxDelayMs: number;
  /** Bound on the total time one run waits for retries (tests shorten it). */
  maxWaitMs: number;
}

export interface SendRequest {
  period: DigestPeriod;
  /** Weekly: the weekday (0 = Sunday) whose subscribers are due; null = every weekly subscriber. */
  weeklyDay: number | null;
  /** Only this subscription (`--to`). */
  subscriptionId?: number;
  /** Trending papers per digest (PAPERBOY_DIGEST_SIZE). */
  size: number;
  baseUrl: string;
  siteName: string;
  /** The key that signs unsubscribe links. */
  secret: string;
  /** This run in lease rows and claimed_by: `host:pid:random` (see worker.ts workerHolderName). */
  holder: string;
  retry?: Partial<RetryPolicy>;
  /** The worker stopping: no new mails (those in flight finish and are recorded). */
  signal?: AbortSignal;
  now?: () => Date;
  /** Called after each final outcome (sent or failed). */
  onProgress?: (progress: SendProgress) => void;
  /** A line for the operator (a subscription paused, the server unreachable). */
  log?: (line: string) => void;
}

export interface SendProgress {
  done: number;
  total: number;
}

export interface SendSummary {
  periodKey: string;
  /** 'busy': another sender holds the lease (nothing done); 'interrupted': stopped by the signal or a lost lease. */
  outcome: 'done' | 'busy' | 'interrupted' | 'no-papers';
  /** The lease's holder when busy. */
  busyHolder?: string;
  /** Rows added by this run's planning. */
  planned: number;
  /** Orphans of a dead run put back in the queue. */
  requeued: number;
  /** Sent by this run. */
  sent: number;
  /** Already sent by an earlier run for this period (not sent again). */
  alreadySent: number;
  /** Permanent failures in this run. */
  failed: number;
  /** Subscriptions paused by this run. */
  paused: number;
  /** Rows still queued at the end (temporary failures waiting for their next attempt). */
  waitingForRetry: number;
  /** Rows skipped by this run (unsubscribed or paused since planning, or no papers at all). */
  skipped: number;
  /** When the earliest waiting retry is due. */
  nextRetryAt: Date | null;
}

/** Sends the period's digest to every subscription due (see the module comment). */
export async function sendDigests(deps: SendDependencies, request: SendRequest): Promise<SendSummary> {
  const now = request.now ?? (() => new Date());
  const { period } = request;
  const key = period.key;
  const only = request.subscriptionId;
  const summary: SendSummary = {
    periodKey: key,
    outcome: 'done',
    planned: 0,
    requeued: 0,
    sent: 0,
    alreadySent: 0,
    failed: 0,
    paused: 0,
    waitingForRetry: 0,
    skipped: 0,
    nextRetryAt: null,
  };
  const lease = await claimLease(deps.leases, digestLeaseJob(period.cadence), request.holder);
  if ('busyHolder' in lease) return { ...summary, outcome: 'busy', busyHolder: lease.busyHolder };
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  request.signal?.addEventListener('abort', onAbort);
  if (request.signal?.aborted) stop.abort();
  const renewal = setInterval(() => {
    deps.leases.renew(lease.held).then(
      (held) => {
        if (!held) {
          request.log?.(`${key}: the sender's lease was lost; stopping`);
          stop.abort();
        }
      },
      () => undefined,
    );
  }, DIGEST_LEASE_MS / 3);
  try {
    const { deliveries } = deps;
    summary.requeued = await deliveries.requeueOrphans(key, now(), only);
    summary.planned = await deliveries.planPeriod(
      { periodKey: key, cadence: period.cadence, weeklyDay: request.weeklyDay, subscriptionId: only },
      now(),
    );
    summary.skipped += await deliveries.skipInactive(key, now());
    const before = await deliveries.counts(key, only);
    summary.alreadySent = before.sent;
    if ((await deps.store.countPapers()) === 0) {
      summary.skipped += await deliveries.skipAll(key, now(), only);
      return { ...summary, outcome: 'no-papers' };
    }
    await runQueue(deps, request, summary, before.queued, stop.signal, now);
    if (stop.signal.aborted) summary.outcome = 'interrupted';
    const after = await deliveries.counts(key, only);
    summary.waitingForRetry = after.queued;
    summary.nextRetryAt = await deliveries.earliestRetry(key, only);
    return summary;
  } finally {
    clearInterval(renewal);
    request.signal?.removeEventListener('abort', onAbort);
    await deps.leases.release(lease.held).catch(() => undefined);
  }
}

async function claimLease(
  leases: JobLeases,
  job: string,
  holder: string,
): Promise<{ held: HeldLease } | { busyHolder: string }> {
  const held = await leases.claim(job, holder, DIGEST_LEASE_MS);
  if (held) return { held };
  const current = await leases.holderOf?.(job);
  return { busyHolder: current ?? 'another sender' };
}

/** Claims and sends until nothing is due within the wait bound, the signal fires, or the queue is empty. */
async function runQueue(
  deps: SendDependencies,
  request: SendRequest,
  summary: SendSummary,
  total: number,
  signal: AbortSignal,
  now: () => Date,
): Promise<void> {
  const { deliveries, transport } = deps;
  const key = request.period.key;
  const only = request.subscriptionId;
  const retry: RetryPolicy = {
    baseMs: request.retry?.baseMs ?? RETRY_BASE_MS,
    maxDelayMs: request.retry?.maxDelayMs ?? RETRY_MAX_DELAY_MS,
    maxWaitMs: request.retry?.maxWaitMs ?? RETRY_MAX_WAIT_MS,
  };
  const connections = Math.max(1, transport.connections ?? 1);
  const inFlightMax = connections * IN_FLIGHT_PER_CONNECTION;
  const deadline = now().getTime() + retry.maxWaitMs;
  type Mailer = ((subscription: { id: number; email: string }) => MailMessage) | null;
  const renderOptions = { baseUrl: request.baseUrl, siteName: request.siteName, secret: request.secret };
  const mailers = new Map<string, Promise<Mailer>>();
  /** The digest for these topics, composed and rendered once per run (null: the instance has no papers). */
  const mailerFor = (topicsJson: string, topics: SubscriptionTopics) => {
    let mailer = mailers.get(topicsJson);
    if (!mailer) {
      mailer = composeDigest(deps, { period: request.period, topics, size: request.size }).then((content) =>
        content ? digestMailTemplate(content, renderOptions) : null,
      );
      // A failed composition is not cached: the next row tries again.
      mailer.catch(() => mailers.delete(topicsJson));
      mailers.set(topicsJson, mailer);
    }
    return mailer;
  };

  const buffer: ClaimedDelivery[] = [];
  let refill: Promise<void> | null = null;
  let exhausted = false;
  let inFlight = 0;
  let settleWaiters: Array<() => void> = [];
  /** The server could not be reached: nothing is tried before this instant (ms). */
  let serverDownUntil = 0;
  let connectionFailuresInARow = 0;
  let done = 0;

  const settled = () =>
    new Promise<void>((resolve) => {
      settleWaiters.push(resolve);
    });
  const notifySettled = () => {
    const waiters = settleWaiters;
    settleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  /** Fills the buffer: due rows now, or (nothing due) waits for in-flight sends or the next retry within bounds. */
  const fill = async (): Promise<void> => {
    for (;;) {
      if (signal.aborted) return;
      const rows = await deliveries.claimDue(key, request.holder, connections * CLAIM_ROWS_PER_CONNECTION, now(), only);
      if (rows.length > 0) {
        buffer.push(...rows);
        return;
      }
      if (inFlight > 0) {
        // A send in flight may yet fail temporarily and come back as a retry: decide after it settles.
        await settled();
        continue;
      }
      const next = await deliveries.earliestRetry(key, only);
      if (next === null || next.getTime() > deadline) {
        exhausted = true;
        return;
      }
      await sleep(next.getTime() - now().getTime(), signal);
    }
  };

  const nextRow = async (): Promise<ClaimedDelivery | null> => {
    for (;;) {
      if (signal.aborted) return null;
      const wait = serverDownUntil - now().getTime();
      if (wait > 0) {
        if (serverDownUntil > deadline) return null;
        await sleep(wait, signal);
        continue;
      }
      const row = buffer.shift();
      if (row) return row;
      if (exhausted) return null;
      refill ??= fill().finally(() => {
        refill = null;
      });
      await refill;
    }
  };

  const sendOne = async (row: ClaimedDelivery): Promise<void> => {
    const messageId = digestMessageId(key, row.subscriptionId, request.baseUrl);
    let failure: unknown = null;
    try {
      if (!SINGLE_ADDRESS.test(row.email)) {
        throw Object.assign(new Error('the subscription address is not one plain address; not sent'), {
          responseCode: 553,
        });
      }
      const mailer = await mailerFor(row.topicsJson, row.topics);
      if (!mailer) throw new Error('the instance has no papers');
      await transport.send({ ...mailer({ id: row.subscriptionId, email: row.email }), messageId });
    } catch (error) {
      failure = error;
    }
    if (failure === null) {
      // The server has accepted the mail: record it now (the only window left open is this one commit).
      connectionFailuresInARow = 0;
      const marked = await deliveries.markSent(row.id, request.holder, messageId, now(), row.consecutiveFailures > 0);
      if (marked) summary.sent += 1;
      done += 1;
      request.onProgress?.({ done, total });
      return;
    }
    const kind = classifyMailError(failure);
    const reason = describeMailError(failure);
    const attempts = row.attempts + 1;
    if (kind === 'permanent' || (kind === 'temporary' && attempts >= MAX_TEMPORARY_ATTEMPTS)) {
      const { paused } = await deliveries.markFailed(row.id, request.holder, reason, now());
      summary.failed += 1;
      if (paused) {
        summary.paused += 1;
        request.log?.(`subscription ${row.subscriptionId} paused: its address keeps failing (${reason})`);
      }
      done += 1;
      request.onProgress?.({ done, total });
      return;
    }
    let retryAt: number;
    if (kind === 'connection') {
      if (now().getTime() < serverDownUntil) {
        // Another mail in flight already found the server down: the same outage, the same pause.
        retryAt = serverDownUntil;
      } else {
        connectionFailuresInARow += 1;
        retryAt = now().getTime() + retryDelayMs(connectionFailuresInARow, retry.baseMs, retry.maxDelayMs);
        serverDownUntil = retryAt;
        request.log?.(
          `the SMTP server cannot be reached (${reason}); trying again at ${new Date(retryAt).toISOString()}`,
        );
      }
    } else {
      retryAt = now().getTime() + retryDelayMs(attempts, retry.baseMs, retry.maxDelayMs);
    }
    await deliveries.markRetry(row.id, request.holder, reason, new Date(retryAt), now());
  };

  const worker = async () => {
    for (;;) {
      const row = await nextRow();
      if (!row) return;
      inFlight += 1;
      try {
        await sendOne(row);
      } finally {
        inFlight -= 1;
        notifySettled();
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: inFlightMax }, () => worker()));
  } finally {
    // Rows claimed but not tried (stopping, or the server down past the wait bound) go back to the queue.
    const left = buffer.splice(0);
    if (left.length > 0) {
      const retryAt = serverDownUntil > now().getTime() ? new Date(serverDownUntil) : null;
      await deliveries.unclaim(
        left.map((row) => row.id),
        request.holder,
        retryAt,
        now(),
      );
    }
  }
}

/** Waits `ms`, or less when the signal fires. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}
