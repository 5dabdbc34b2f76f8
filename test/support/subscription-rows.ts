/**
 * A `subscriptions` row as a confirmed subscription stores it, for tests and benchmarks that need many subscribers
 * without the double opt-in mails (which test/subscriptions.test.ts covers): the one place that knows every column.
 */
import type { Insertable } from 'kysely';
import {
  type Cadence,
  NO_TOPICS,
  type SubscriptionTopics,
  topicsToJson,
} from '../../src/domain/subscription-topics.ts';
import type { SubscriptionsTable } from '../../src/storage/schema.ts';

export interface SubscriptionRowFields {
  cadence?: Cadence;
  weeklyDay?: number | null;
  topics?: SubscriptionTopics;
  status?: 'pending' | 'active' | 'unsubscribed';
  pausedAt?: string | null;
  /** When it was created and (if active) confirmed. */
  now?: Date;
}

/** The row of `email`'s subscription: active, daily, without topics unless `fields` say otherwise. */
export function subscriptionRow(email: string, fields: SubscriptionRowFields = {}): Insertable<SubscriptionsTable> {
  const now = (fields.now ?? new Date()).toISOString();
  const status = fields.status ?? 'active';
  return {
    email,
    cadence: fields.cadence ?? 'daily',
    weekly_day: fields.weeklyDay ?? null,
    topics: topicsToJson(fields.topics ?? NO_TOPICS),
    status,
    user_id: null,
    confirmation_token_hash: null,
    confirmation_expires_at: null,
    confirmation_used_at: null,
    requested_changes: null,
    mails_window_started_at: null,
    created_at: now,
    updated_at: now,
    confirmed_at: status === 'active' ? now : null,
    unsubscribed_at: null,
    paused_at: fields.pausedAt ?? null,
  };
}
