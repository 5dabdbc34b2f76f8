/**
 * The digest sender's ledger (digest_deliveries), on SQLite or PostgreSQL. A row per subscription and period, unique
 * on (subscription_id, period_key), moves queued -> sending -> sent | failed | skipped (or back to queued for a
 * retry). Every transition is one conditional UPDATE (on the status it expects and, while sending, on the run that
 * claimed it), so a row can never be sent twice by two runs, and a run that lost its claim changes nothing.
 *
 * Planning inserts with ON CONFLICT DO NOTHING: a rerun, or a sender restarted after a crash, plans the same period
 * again and finds every row it already has. A permanent failure counts against the subscription; after
 * PAUSE_AFTER_CONSECUTIVE_FAILURES of them in a row the subscription is paused (no new rows) until its owner confirms
 * the address again.
 */
import { type Kysely, type Selectable, sql } from 'kysely';
import type { Cadence, SubscriptionTopics } from '../domain/subscription-topics.ts';
import { topicsFromJson } from '../domain/subscription-topics.ts';
import type { Database, DigestDeliveriesTable } from './schema.ts';

/** Permanent failures in a row (over as many periods) after which a subscription is paused. */
export const PAUSE_AFTER_CONSECUTIVE_FAILURES = 3;
/** The longest error text kept on a row, in characters (SMTP answers can be long). */
const LAST_ERROR_MAX_CHARS = 500;

export type DeliveryStatus = DigestDeliveriesTable['status'];
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['queued', 'sending', 'sent', 'failed', 'skipped'];

/** Which subscriptions a period is for. */
export interface PlanRequest {
  periodKey: string;
  cadence: Cadence;
  /**
   * Weekly only: the weekday (0 = Sunday ... 6, like subscriptions.weekly_day) whose subscribers are due; null =
   * every weekly subscriber, whatever day they chose (the CLI's "send now").
   */
  weeklyDay: number | null;
  /** Only this subscription (`paperboy digest send --to`). */
  subscriptionId?: number;
}

/** A row claimed for sending, with what the sender needs of its subscription. */
export interface ClaimedDelivery {
  id: number;
  subscriptionId: number;
  periodKey: string;
  attempts: number;
  email: string;
  /** The topics JSON as stored (the sender caches "for you" per distinct value). */
  topicsJson: string;
  topics: SubscriptionTopics;
  /** The subscription's permanent failures in a row when claimed (a success resets them). */
  consecutiveFailures: number;
}

export type DeliveryCounts = Record<DeliveryStatus, number>;

export interface DigestDeliveryStore {
  /** Inserts a queued row for every active, unpaused subscription the request names; returns how many were new. */
  planPeriod(request: PlanRequest, now: Date): Promise<number>;
  /** What planning would do, without writing: subscriptions it names, and how many already have a row. */
  previewPlan(request: PlanRequest): Promise<{ subscriptions: number; alreadyRecorded: number }>;
  /**
   * Puts rows left `sending` by a dead run back in the queue (call only under the sender's lease, when no live run
   * can hold any). Returns how many.
   */
  requeueOrphans(periodKey: string, now: Date, subscriptionId?: number): Promise<number>;
  /** Marks queued rows whose subscription has ended or been paused since planning as skipped. */
  skipInactive(periodKey: string, now: Date): Promise<number>;
  /** Claims up to `limit` due queued rows for this run (status sending, claimed_by = run). */
  claimDue(
    periodKey: string,
    run: string,
    limit: number,
    now: Date,
    subscriptionId?: number,
  ): Promise<ClaimedDelivery[]>;
  /** Puts rows this run claimed but did not try back in the queue (due at `retryAt`, or at once when null). */
  unclaim(ids: number[], run: string, retryAt: Date | null, now: Date): Promise<number>;
  /**
   * The mail was accepted: sent, and (`endStreak`: the subscription had failures in a row) its failure streak is
   * over. False when the claim was lost.
   */
  markSent(id: number, run: string, messageId: string, now: Date, endStreak?: boolean): Promise<boolean>;
  /** A temporary failure: back in the queue until `nextAttemptAt`, one more attempt counted. */
  markRetry(id: number, run: string, error: string, nextAttemptAt: Date, now: Date): Promise<boolean>;
  /**
   * A permanent failure for this address: failed, the subscription's streak + 1, paused when it reaches
   * PAUSE_AFTER_CONSECUTIVE_FAILURES. Returns whether the subscription is now paused.
   */
  markFailed(id: number, run: string, error: string, now: Date): Promise<{ paused: boolean }>;
  /** Every queued (or claimed) row of the period marked skipped (the instance has nothing to send). */
  skipAll(periodKey: string, now: Date, subscriptionId?: number): Promise<number>;
  /** Rows per status for a period. */
  counts(periodKey: string, subscriptionId?: number): Promise<DeliveryCounts>;
  /** The earliest next_attempt_at of queued retries in the period (null: none waiting). */
  earliestRetry(periodKey: string, subscriptionId?: number): Promise<Date | null>;
}

export class KyselyDigestDeliveryStore implements DigestDeliveryStore {
  constructor(private readonly db: Kysely<Database>) {}

  async planPeriod(request: PlanRequest, now: Date): Promise<number> {
    const nowIso = now.toISOString();
    const result = await this.db
      .insertInto('digest_deliveries')
      .columns(['subscription_id', 'period_key', 'cadence', 'status', 'attempts', 'created_at', 'updated_at'])
      .expression(
        this.plannable(request).select([
          'id',
          sql.val(request.periodKey).as('period_key'),
          sql.val(request.cadence).as('cadence'),
          sql.val('queued').as('status'),
          sql.val(0).as('attempts'),
          sql.val(nowIso).as('created_at'),
          sql.val(nowIso).as('updated_at'),
        ]),
      )
      .onConflict((oc) => oc.columns(['subscription_id', 'period_key']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0);
  }

  async previewPlan(request: PlanRequest): Promise<{ subscriptions: number; alreadyRecorded: number }> {
    const row = await this.plannable(request)
      .select((eb) => [
        eb.fn.countAll<number | string>().as('subscriptions'),
        eb.fn
          .count<number | string>(
            eb
              .selectFrom('digest_deliveries as d')
              .select('d.id')
              .whereRef('d.subscription_id', '=', 'subscriptions.id')
              .where('d.period_key', '=', request.periodKey)
              .limit(1),
          )
          .as('already'),
      ])
      .executeTakeFirstOrThrow();
    return { subscriptions: Number(row.subscriptions), alreadyRecorded: Number(row.already) };
  }

  /** Active, unpaused subscriptions of the cadence (and weekday, or the one id) the request names. */
  private plannable(request: PlanRequest) {
    let query = this.db
      .selectFrom('subscriptions')
      .where('status', '=', 'active')
      .where('paused_at', 'is', null)
      .where('cadence', '=', request.cadence);
    if (request.cadence === 'weekly' && request.weeklyDay !== null) {
      query = query.where('weekly_day', '=', request.weeklyDay);
    }
    if (request.subscriptionId !== undefined) query = query.where('id', '=', request.subscriptionId);
    return query;
  }

  async requeueOrphans(periodKey: string, now: Date, subscriptionId?: number): Promise<number> {
    let query = this.db
      .updateTable('digest_deliveries')
      .set({ status: 'queued', claimed_by: null, next_attempt_at: null, updated_at: now.toISOString() })
      .where('period_key', '=', periodKey)
      .where('status', '=', 'sending');
    if (subscriptionId !== undefined) query = query.where('subscription_id', '=', subscriptionId);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async skipInactive(periodKey: string, now: Date): Promise<number> {
    const result = await this.db
      .updateTable('digest_deliveries')
      .set({ status: 'skipped', last_error: 'unsubscribed or paused before sending', updated_at: now.toISOString() })
      .where('period_key', '=', periodKey)
      .where('status', '=', 'queued')
      .where((eb) =>
        eb(
          'subscription_id',
          'in',
          eb
            .selectFrom('subscriptions')
            .select('id')
            .where((s) => s.or([s('status', '<>', 'active'), s('paused_at', 'is not', null)])),
        ),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async claimDue(
    periodKey: string,
    run: string,
    limit: number,
    now: Date,
    subscriptionId?: number,
  ): Promise<ClaimedDelivery[]> {
    const nowIso = now.toISOString();
    let due = this.db
      .selectFrom('digest_deliveries')
      .select('id')
      .where('period_key', '=', periodKey)
      .where('status', '=', 'queued')
      .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', nowIso)]))
      .orderBy('id')
      .limit(limit);
    if (subscriptionId !== undefined) due = due.where('subscription_id', '=', subscriptionId);
    // Conditional on still being queued: a row another run claimed in between is not taken twice.
    const claimed = await this.db
      .updateTable('digest_deliveries')
      .set({ status: 'sending', claimed_by: run, updated_at: nowIso })
      .where('id', 'in', due)
      .where('status', '=', 'queued')
      .returning(['id', 'subscription_id', 'period_key', 'attempts'])
      .execute();
    if (claimed.length === 0) return [];
    const subscriptions = await this.db
      .selectFrom('subscriptions')
      .select(['id', 'email', 'topics', 'consecutive_failures'])
      .where(
        'id',
        'in',
        claimed.map((row) => row.subscription_id),
      )
      .execute();
    const byId = new Map(subscriptions.map((row) => [Number(row.id), row]));
    return claimed
      .map((row) => {
        const subscription = byId.get(Number(row.subscription_id))!;
        return {
          id: Number(row.id),
          subscriptionId: Number(row.subscription_id),
          periodKey: row.period_key,
          attempts: Number(row.attempts),
          email: subscription.email,
          topicsJson: subscription.topics,
          topics: topicsFromJson(subscription.topics),
          consecutiveFailures: Number(subscription.consecutive_failures),
        };
      })
      .sort((a, b) => a.id - b.id);
  }

  async unclaim(ids: number[], run: string, retryAt: Date | null, now: Date): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await this.db
      .updateTable('digest_deliveries')
      .set({
        status: 'queued',
        claimed_by: null,
        next_attempt_at: retryAt ? retryAt.toISOString() : null,
        updated_at: now.toISOString(),
      })
      .where('id', 'in', ids)
      .where('status', '=', 'sending')
      .where('claimed_by', '=', run)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async markSent(id: number, run: string, messageId: string, now: Date, endStreak = true): Promise<boolean> {
    const nowIso = now.toISOString();
    const mark = (db: Kysely<Database>) =>
      db
        .updateTable('digest_deliveries')
        .set({ status: 'sent', sent_at: nowIso, message_id: messageId, updated_at: nowIso, next_attempt_at: null })
        .where('id', '=', id)
        .where('status', '=', 'sending')
        .where('claimed_by', '=', run)
        .returning('subscription_id')
        .executeTakeFirst();
    // The common case, one statement: the commit that closes the window after the server's answer stays short.
    if (!endStreak) return (await mark(this.db)) !== undefined;
    return await this.db.transaction().execute(async (trx) => {
      const row = await mark(trx);
      if (!row) return false;
      await trx
        .updateTable('subscriptions')
        .set({ consecutive_failures: 0 })
        .where('id', '=', row.subscription_id)
        .where('consecutive_failures', '<>', 0)
        .execute();
      return true;
    });
  }

  async markRetry(id: number, run: string, error: string, nextAttemptAt: Date, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('digest_deliveries')
      .set((eb) => ({
        status: 'queued',
        claimed_by: null,
        attempts: eb('attempts', '+', 1),
        next_attempt_at: nextAttemptAt.toISOString(),
        last_error: error.slice(0, LAST_ERROR_MAX_CHARS),
        updated_at: now.toISOString(),
      }))
      .where('id', '=', id)
      .where('status', '=', 'sending')
      .where('claimed_by', '=', run)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async markFailed(id: number, run: string, error: string, now: Date): Promise<{ paused: boolean }> {
    const nowIso = now.toISOString();
    return await this.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('digest_deliveries')
        .set({ status: 'failed', last_error: error.slice(0, LAST_ERROR_MAX_CHARS), updated_at: nowIso })
        .where('id', '=', id)
        .where('status', '=', 'sending')
        .where('claimed_by', '=', run)
        .returning('subscription_id')
        .executeTakeFirst();
      if (!row) return { paused: false };
      const subscription = await trx
        .updateTable('subscriptions')
        .set((eb) => ({ consecutive_failures: eb('consecutive_failures', '+', 1), updated_at: nowIso }))
        .where('id', '=', row.subscription_id)
        .returning(['consecutive_failures', 'paused_at'])
        .executeTakeFirstOrThrow();
      if (subscription.paused_at !== null) return { paused: true };
      if (Number(subscription.consecutive_failures) < PAUSE_AFTER_CONSECUTIVE_FAILURES) return { paused: false };
      await trx
        .updateTable('subscriptions')
        .set({ paused_at: nowIso })
        .where('id', '=', row.subscription_id)
        .where('paused_at', 'is', null)
        .execute();
      return { paused: true };
    });
  }

  async skipAll(periodKey: string, now: Date, subscriptionId?: number): Promise<number> {
    let query = this.db
      .updateTable('digest_deliveries')
      .set({ status: 'skipped', last_error: 'the instance has no papers', updated_at: now.toISOString() })
      .where('period_key', '=', periodKey)
      .where('status', 'in', ['queued', 'sending']);
    if (subscriptionId !== undefined) query = query.where('subscription_id', '=', subscriptionId);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async counts(periodKey: string, subscriptionId?: number): Promise<DeliveryCounts> {
    let query = this.db
      .selectFrom('digest_deliveries')
      .select((eb) => ['status', eb.fn.countAll<number | string>().as('n')])
      .where('period_key', '=', periodKey)
      .groupBy('status');
    if (subscriptionId !== undefined) query = query.where('subscription_id', '=', subscriptionId);
    const rows = await query.execute();
    const counts: DeliveryCounts = { queued: 0, sending: 0, sent: 0, failed: 0, skipped: 0 };
    for (const row of rows) counts[row.status] = Number(row.n);
    return counts;
  }

  async earliestRetry(periodKey: string, subscriptionId?: number): Promise<Date | null> {
    let query = this.db
      .selectFrom('digest_deliveries')
      .select((eb) => eb.fn.min('next_attempt_at').as('earliest'))
      .where('period_key', '=', periodKey)
      .where('status', '=', 'queued')
      .where('next_attempt_at', 'is not', null);
    if (subscriptionId !== undefined) query = query.where('subscription_id', '=', subscriptionId);
    const row = await query.executeTakeFirst();
    return row?.earliest ? new Date(row.earliest) : null;
  }
}

/** For tests and admin views: a row as stored. */
export type DeliveryRow = Selectable<DigestDeliveriesTable>;
