/**
 * Digest subscriptions, stored through Kysely on SQLite or PostgreSQL. Each change is one statement or one
 * transaction whose conditions make it safe under concurrency: a confirmation link is used by one conditional
 * UPDATE (a second press finds it used), and the partial unique index keeps one pending or active row per address
 * and cadence even when two requests race (the loser updates the winner's row).
 */
import type { Kysely, Selectable } from 'kysely';
import { hashSecretToken, newSecretToken } from '../accounts/secret-tokens.ts';
import { type Cadence, type SubscriptionTopics, topicsFromJson, topicsToJson } from '../domain/subscription-topics.ts';
import { isUniqueViolation } from './database.ts';
import type { Database, SubscriptionsTable } from './schema.ts';

/** How long a confirmation link works, in days. */
export const CONFIRMATION_LIFETIME_DAYS = 7;
const MS_PER_DAY = 86_400_000;
/** The window over which confirmation mails to one address are counted, in milliseconds (one hour). */
export const CONFIRMATION_MAIL_WINDOW_MS = 3_600_000;

export type SubscriptionStatus = 'pending' | 'active' | 'unsubscribed';

export interface Subscription {
  id: number;
  email: string;
  cadence: Cadence;
  weeklyDay: number | null;
  topics: SubscriptionTopics;
  status: SubscriptionStatus;
  userId: number | null;
  createdAt: string;
  confirmedAt: string | null;
  unsubscribedAt: string | null;
  consecutiveFailures: number;
  pausedAt: string | null;
}

export interface SubscriptionRequest {
  email: string;
  cadence: Cadence;
  weeklyDay: number | null;
  topics: SubscriptionTopics;
  userId: number | null;
}

/** What subscribing did: a new row, a pending row renewed, or an active row that awaits confirmation of changes. */
export type SubscribeOutcome = 'created' | 'renewed-pending' | 'change-requested';

export interface PendingConfirmation {
  subscription: Subscription;
  outcome: SubscribeOutcome;
  /** The secret for the confirmation link (only its hash is stored). */
  token: string;
}

export type ConfirmationState = 'valid' | 'already-confirmed' | 'expired' | 'cancelled' | 'unknown';

export type UnsubscribeOutcome = 'unsubscribed' | 'already-unsubscribed' | 'unknown';

export interface SubscriptionStore {
  /** Confirmation mails sent to the address (all cadences) in the current hour window. */
  confirmationMailsInWindow(email: string, now: Date): Promise<number>;
  /**
   * Records a subscription request with a new confirmation link: inserts a pending row, or renews the address's
   * pending row for this cadence (settings replaced), or, for an active one, keeps it active and holds the new
   * settings until the link is used.
   */
  requestSubscription(request: SubscriptionRequest, now: Date): Promise<PendingConfirmation>;
  /** Forgets a row created by a request whose mail could not be sent. */
  deleteSubscription(id: number): Promise<void>;
  /** Whether a confirmation link would work now, without using it. */
  confirmationState(token: string, now: Date): Promise<ConfirmationState>;
  /** Uses a confirmation link exactly once; returns its state before the attempt ('valid' = it is now confirmed). */
  confirm(token: string, now: Date): Promise<{ state: ConfirmationState; subscription: Subscription | null }>;
  find(id: number): Promise<Subscription | null>;
  /** Ends a subscription (once; a repeat changes nothing). */
  unsubscribe(id: number, now: Date): Promise<UnsubscribeOutcome>;
  /** The live (pending or active) subscriptions of an address or an account, for settings. */
  listForUser(userId: number, email: string): Promise<Subscription[]>;
}

type Row = Selectable<SubscriptionsTable>;

export class KyselySubscriptionStore implements SubscriptionStore {
  constructor(private readonly db: Kysely<Database>) {}

  async confirmationMailsInWindow(email: string, now: Date): Promise<number> {
    const since = new Date(now.getTime() - CONFIRMATION_MAIL_WINDOW_MS).toISOString();
    const rows = await this.db
      .selectFrom('subscriptions')
      .select('mails_in_window')
      .where('email', '=', email)
      .where('mails_window_started_at', '>', since)
      .execute();
    return rows.reduce((sum, row) => sum + Number(row.mails_in_window), 0);
  }

  async requestSubscription(request: SubscriptionRequest, now: Date): Promise<PendingConfirmation> {
    try {
      return await this.tryRequest(request, now);
    } catch (error) {
      // Two requests raced to insert the first row for this address and cadence: the loser updates the winner's.
      if (!isUniqueViolation(error)) throw error;
      return await this.tryRequest(request, now);
    }
  }

  private async tryRequest(request: SubscriptionRequest, now: Date): Promise<PendingConfirmation> {
    const token = newSecretToken();
    const nowIso = now.toISOString();
    const link = {
      confirmation_token_hash: hashSecretToken(token),
      confirmation_expires_at: new Date(now.getTime() + CONFIRMATION_LIFETIME_DAYS * MS_PER_DAY).toISOString(),
      confirmation_used_at: null,
      updated_at: nowIso,
    };
    return await this.db.transaction().execute(async (trx) => {
      const live = await findLiveSubscriptionRow(trx, request.email, request.cadence);
      const windowStart = new Date(now.getTime() - CONFIRMATION_MAIL_WINDOW_MS).toISOString();
      const windowFields = (row: Row | undefined) =>
        row?.mails_window_started_at && row.mails_window_started_at > windowStart
          ? { mails_window_started_at: row.mails_window_started_at, mails_in_window: Number(row.mails_in_window) + 1 }
          : { mails_window_started_at: nowIso, mails_in_window: 1 };
      if (!live) {
        const inserted = await trx
          .insertInto('subscriptions')
          .values({
            email: request.email,
            cadence: request.cadence,
            weekly_day: request.weeklyDay,
            topics: topicsToJson(request.topics),
            status: 'pending',
            user_id: request.userId,
            requested_changes: null,
            created_at: nowIso,
            confirmed_at: null,
            unsubscribed_at: null,
            paused_at: null,
            ...link,
            ...windowFields(undefined),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return { subscription: toSubscription(inserted), outcome: 'created' as const, token };
      }
      const pending = live.status === 'pending';
      const updated = await trx
        .updateTable('subscriptions')
        .set({
          ...link,
          ...windowFields(live),
          ...(pending
            ? { weekly_day: request.weeklyDay, topics: topicsToJson(request.topics), requested_changes: null }
            : { requested_changes: JSON.stringify({ weeklyDay: request.weeklyDay, topics: request.topics }) }),
          user_id: live.user_id ?? request.userId,
        })
        .where('id', '=', live.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return {
        subscription: toSubscription(updated),
        outcome: pending ? ('renewed-pending' as const) : ('change-requested' as const),
        token,
      };
    });
  }

  async deleteSubscription(id: number): Promise<void> {
    await this.db.deleteFrom('subscriptions').where('id', '=', id).execute();
  }

  async confirmationState(token: string, now: Date): Promise<ConfirmationState> {
    const row = await this.db
      .selectFrom('subscriptions')
      .selectAll()
      .where('confirmation_token_hash', '=', hashSecretToken(token))
      .executeTakeFirst();
    return stateOf(row, now);
  }

  async confirm(token: string, now: Date): Promise<{ state: ConfirmationState; subscription: Subscription | null }> {
    const hash = hashSecretToken(token);
    const nowIso = now.toISOString();
    return await this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('subscriptions')
        .selectAll()
        .where('confirmation_token_hash', '=', hash)
        .executeTakeFirst();
      const state = stateOf(row, now);
      if (state !== 'valid' || !row) return { state, subscription: row ? toSubscription(row) : null };
      const changes = row.requested_changes ? parseChanges(row.requested_changes) : null;
      // Conditional on the link still being unused: of two presses at the same instant, one confirms.
      const updated = await trx
        .updateTable('subscriptions')
        .set({
          status: 'active',
          confirmed_at: row.confirmed_at ?? nowIso,
          confirmation_used_at: nowIso,
          requested_changes: null,
          updated_at: nowIso,
          // The owner just proved the address works again: a paused (bouncing) subscription resumes.
          consecutive_failures: 0,
          paused_at: null,
          ...(changes ? { weekly_day: changes.weeklyDay, topics: topicsToJson(changes.topics) } : {}),
        })
        .where('id', '=', row.id)
        .where('confirmation_token_hash', '=', hash)
        .where('confirmation_used_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      if (!updated) return { state: 'already-confirmed' as const, subscription: toSubscription(row) };
      return { state: 'valid' as const, subscription: toSubscription(updated) };
    });
  }

  async find(id: number): Promise<Subscription | null> {
    const row = await this.db.selectFrom('subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toSubscription(row) : null;
  }

  async unsubscribe(id: number, now: Date): Promise<UnsubscribeOutcome> {
    const nowIso = now.toISOString();
    const result = await this.db
      .updateTable('subscriptions')
      .set({ status: 'unsubscribed', unsubscribed_at: nowIso, updated_at: nowIso, requested_changes: null })
      .where('id', '=', id)
      .where('status', '<>', 'unsubscribed')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 1) return 'unsubscribed';
    return (await this.find(id)) ? 'already-unsubscribed' : 'unknown';
  }

  async listForUser(userId: number, email: string): Promise<Subscription[]> {
    const rows = await this.db
      .selectFrom('subscriptions')
      .selectAll()
      .where((eb) => eb.or([eb('user_id', '=', userId), eb('email', '=', email)]))
      .where('status', '<>', 'unsubscribed')
      .orderBy('id')
      .execute();
    return rows.map(toSubscription);
  }
}

function stateOf(row: Row | undefined, now: Date): ConfirmationState {
  if (!row) return 'unknown';
  if (row.status === 'unsubscribed') return 'cancelled';
  if (row.confirmation_used_at) return 'already-confirmed';
  if (!row.confirmation_expires_at || row.confirmation_expires_at <= now.toISOString()) return 'expired';
  return 'valid';
}

function parseChanges(json: string): { weeklyDay: number | null; topics: SubscriptionTopics } | null {
  try {
    const value = JSON.parse(json) as { weeklyDay?: unknown; topics?: unknown };
    const weeklyDay = typeof value.weeklyDay === 'number' ? value.weeklyDay : null;
    return { weeklyDay, topics: topicsFromJson(JSON.stringify(value.topics ?? {})) };
  } catch {
    return null;
  }
}

function toSubscription(row: Row): Subscription {
  return {
    id: Number(row.id),
    email: row.email,
    cadence: row.cadence,
    weeklyDay: row.weekly_day === null ? null : Number(row.weekly_day),
    topics: topicsFromJson(row.topics),
    status: row.status,
    userId: row.user_id === null ? null : Number(row.user_id),
    createdAt: row.created_at,
    confirmedAt: row.confirmed_at,
    unsubscribedAt: row.unsubscribed_at,
    consecutiveFailures: Number(row.consecutive_failures),
    pausedAt: row.paused_at,
  };
}

/** The address's pending or active row for a cadence (the partial unique index allows one), if any. */
export async function findLiveSubscriptionRow(
  db: Kysely<Database>,
  email: string,
  cadence: Cadence,
): Promise<Row | undefined> {
  return await db
    .selectFrom('subscriptions')
    .selectAll()
    .where('email', '=', email)
    .where('cadence', '=', cadence)
    .where('status', '<>', 'unsubscribed')
    .executeTakeFirst();
}
