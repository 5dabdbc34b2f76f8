/**
 * A digest subscription as the JSON API shows it to its owner: what they chose and where it stands. The state
 * folds the sender's pause into one word (`paused`: mails to the address bounced, nothing is sent until it is
 * resumed), so that a client need not know how the sender counts failures. Secrets (confirmation hashes) and the
 * mail-cap bookkeeping are never shown.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { Subscription } from '../../storage/subscription-store.ts';

export const SubscriptionJson = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  cadence: Type.Union([Type.Literal('daily'), Type.Literal('weekly')]),
  weeklyDay: Type.Union([Type.Integer({ minimum: 0, maximum: 6 }), Type.Null()], {
    description: 'weekly digests: 0 (Sunday) to 6; null for daily ones',
  }),
  topics: Type.Object({
    categories: Type.Array(Type.String()),
    authors: Type.Array(Type.String()),
    keywords: Type.Array(Type.String()),
  }),
  status: Type.Union(
    [Type.Literal('pending'), Type.Literal('active'), Type.Literal('paused'), Type.Literal('unsubscribed')],
    {
      description:
        'pending: waiting for the mailed confirmation link; paused: mails to the address bounced, resume it in settings',
    },
  ),
  createdAt: Type.String(),
  confirmedAt: Type.Union([Type.String(), Type.Null()]),
  pausedAt: Type.Union([Type.String(), Type.Null()]),
  unsubscribedAt: Type.Union([Type.String(), Type.Null()]),
});

export type SubscriptionJsonValue = Static<typeof SubscriptionJson>;

/** Where a subscription stands, in one word (see SubscriptionJson.status). */
export function subscriptionState(subscription: Subscription): SubscriptionJsonValue['status'] {
  if (subscription.status === 'active' && subscription.pausedAt !== null) return 'paused';
  return subscription.status;
}

export function subscriptionJson(subscription: Subscription): SubscriptionJsonValue {
  return {
    id: subscription.id,
    email: subscription.email,
    cadence: subscription.cadence,
    weeklyDay: subscription.weeklyDay,
    topics: subscription.topics,
    status: subscriptionState(subscription),
    createdAt: subscription.createdAt,
    confirmedAt: subscription.confirmedAt,
    pausedAt: subscription.pausedAt,
    unsubscribedAt: subscription.unsubscribedAt,
  };
}
