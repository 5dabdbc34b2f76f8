/**
 * The changes a signed-in person makes to their own digest subscriptions from settings, beside the double opt-in
 * of subscription-store.ts: an address that is the person's own account address has been proven already (by a
 * sign-in link or a provider's verified address), so subscribing it, changing its topics or cadence, or resuming it
 * after bounces takes effect at once, without a confirmation mail. Each change is one transaction, and the partial
 * unique index (one live row per address and cadence) holds under races exactly as for the opt-in path.
 */
import type { Kysely } from 'kysely';
import { topicsToJson } from '../domain/subscription-topics.ts';
import { isUniqueViolation } from './database.ts';
import type { Database } from './schema.ts';
import { findLiveSubscriptionRow, type SubscriptionRequest } from './subscription-store.ts';

/** What an immediate subscription did: a new active row, a pending row activated, or an active row changed. */
export type OwnSubscribeOutcome = 'created' | 'activated' | 'updated';

export interface OwnSubscribeResult {
  /** The id of the live subscription for the address and cadence, now active with the given settings. */
  id: number;
  outcome: OwnSubscribeOutcome;
  /** The subscription `replacesId` named, when it was ended by this change (a change of cadence). */
  replacedId: number | null;
}

export class SubscriptionSettingsStore {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Makes the address's subscription for this cadence active with these settings (inserting it, activating a
   * pending one, or changing an active one), clears a pause (the owner has just said the address works) and, when
   * `replacesId` names another live subscription, ends it in the same transaction: moving from daily to weekly
   * never leaves both running, nor neither. The caller has checked that the address is the person's own and that
   * `replacesId` is theirs.
   */
  async subscribeOwnAddress(
    request: SubscriptionRequest & { userId: number },
    now: Date,
    replacesId: number | null = null,
  ): Promise<OwnSubscribeResult> {
    try {
      return await this.trySubscribe(request, now, replacesId);
    } catch (error) {
      // Two requests raced to insert the first row for this address and cadence: the loser updates the winner's.
      if (!isUniqueViolation(error)) throw error;
      return await this.trySubscribe(request, now, replacesId);
    }
  }

  private async trySubscribe(
    request: SubscriptionRequest & { userId: number },
    now: Date,
    replacesId: number | null,
  ): Promise<OwnSubscribeResult> {
    const nowIso = now.toISOString();
    return await this.db.transaction().execute(async (trx) => {
      const live = await findLiveSubscriptionRow(trx, request.email, request.cadence);
      let id: number;
      let outcome: OwnSubscribeOutcome;
      if (!live) {
        const inserted = await trx
          .insertInto('subscriptions')
          .values({
            email: request.email,
            cadence: request.cadence,
            weekly_day: request.weeklyDay,
            topics: topicsToJson(request.topics),
            status: 'active',
            user_id: request.userId,
            confirmation_token_hash: null,
            confirmation_expires_at: null,
            confirmation_used_at: null,
            requested_changes: null,
            mails_window_started_at: null,
            mails_in_window: 0,
            created_at: nowIso,
            updated_at: nowIso,
            confirmed_at: nowIso,
            unsubscribed_at: null,
            consecutive_failures: 0,
            paused_at: null,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        id = Number(inserted.id);
        outcome = 'created';
      } else {
        await trx
          .updateTable('subscriptions')
          .set({
            status: 'active',
            weekly_day: request.weeklyDay,
            topics: topicsToJson(request.topics),
            user_id: request.userId,
            confirmed_at: live.confirmed_at ?? nowIso,
            // A confirmation link still in a mailbox now reads "already confirmed" and changes nothing.
            confirmation_used_at: live.confirmation_used_at ?? (live.confirmation_token_hash ? nowIso : null),
            requested_changes: null,
            consecutive_failures: 0,
            paused_at: null,
            updated_at: nowIso,
          })
          .where('id', '=', live.id)
          .execute();
        id = Number(live.id);
        outcome = live.status === 'pending' ? 'activated' : 'updated';
      }
      let replacedId: number | null = null;
      if (replacesId !== null && replacesId !== id) {
        const ended = await trx
          .updateTable('subscriptions')
          .set({ status: 'unsubscribed', unsubscribed_at: nowIso, updated_at: nowIso, requested_changes: null })
          .where('id', '=', replacesId)
          .where('status', '<>', 'unsubscribed')
          .executeTakeFirst();
        if (Number(ended.numUpdatedRows) === 1) replacedId = replacesId;
      }
      return { id, outcome, replacedId };
    });
  }

  /**
   * Lifts the pause the digest sender put on an address that kept bouncing (the owner says it works again): the
   * next digest is tried. Returns whether a paused, active subscription was resumed.
   */
  async resume(id: number, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('subscriptions')
      .set({ paused_at: null, consecutive_failures: 0, updated_at: now.toISOString() })
      .where('id', '=', id)
      .where('status', '=', 'active')
      .where('paused_at', 'is not', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
