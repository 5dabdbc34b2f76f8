/**
 * Digest subscriptions, shared by the pages and the API: subscribe (double opt-in: a pending row and a
 * confirmation mail), confirm with the emailed link, and unsubscribe with a signed link. Input is checked strictly
 * before anything is stored or mailed; the answer to a subscription is the same whether or not the address was
 * known, so that the form tells strangers nothing about who subscribes.
 */
import { safeEqual } from '../accounts/secret-tokens.ts';
import type { Config } from '../config.ts';
import { checkSignInEmail } from '../domain/sign-in-email.ts';
import { type Cadence, checkCadence, checkTopics, checkWeeklyDay } from '../domain/subscription-topics.ts';
import { subscriptionConfirmationMail, unsubscribeToken } from '../mail/subscription-mails.ts';
import type { MailTransport } from '../mail/transport.ts';
import { requireSignedIn, requireSubscriptionOwner, type Viewer } from '../policy/policy.ts';
import type { SubscriptionSettingsStore } from '../storage/subscription-settings.ts';
import {
  CONFIRMATION_LIFETIME_DAYS,
  type Subscription,
  type SubscriptionStore,
  type UnsubscribeOutcome,
} from '../storage/subscription-store.ts';
import { HttpError } from './errors.ts';

/** The site's name in mail. */
const SITE_NAME = 'Paperboy';
/** Confirmation mails one address receives per hour, whoever asks: a retry or two, never a mail bomb. */
export const MAX_CONFIRMATION_MAILS_PER_HOUR = 3;
/** What a client is told to wait after the mail server failed, in seconds. */
const MAIL_RETRY_AFTER_SECONDS = 60;
/** A confirmation secret as newSecretToken makes it: 32 random bytes in base64url. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** An unsubscribe token as signWith makes it: an HMAC-SHA256 in base64url. */
const SIGNATURE_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** Subscription ids are positive integers, well inside a JavaScript number. */
const ID_PATTERN = /^[1-9]\d{0,14}$/;

/** The one answer to every accepted subscription request. */
export const SUBSCRIBE_MESSAGE =
  'If this address can receive mail, a confirmation link is on its way; the subscription starts when you press it (the link works for 7 days).';

export interface SubscriptionDeps {
  subscriptions: SubscriptionStore;
  /** Immediate changes to a signed-in person's own address (no confirmation mail needed). */
  settings: SubscriptionSettingsStore;
  mailer: MailTransport;
  config: Config;
  logError: (fields: Record<string, unknown>, message: string) => void;
}

export interface SubscribeInput {
  email?: unknown;
  cadence?: unknown;
  weeklyDay?: unknown;
  topics?: unknown;
  /**
   * The id of the signed-in person's subscription this request replaces (a change of cadence from settings: the old
   * one ends when the new one starts). Only honoured for their own address, where the change is immediate.
   */
  replaces?: unknown;
}

export interface SubscribeAnswer {
  email: string;
  cadence: Cadence;
  message: string;
  /**
   * The subscription, active already, when the address was the signed-in person's own account address (proven at
   * sign-in, so no confirmation mail); null when a confirmation mail was sent (or would have been).
   */
  activated: Subscription | null;
  /** What the immediate change did (null with a confirmation mail). */
  outcome: 'created' | 'activated' | 'updated' | null;
}

/**
 * Records a subscription request and mails its confirmation link. A new address gets a pending subscription; a
 * pending one gets its settings replaced and a new link; an active one stays active, and the new settings wait for
 * the link. Past the hourly mail cap for the address nothing changes and the answer is the same.
 */
export async function subscribe(
  deps: SubscriptionDeps,
  input: SubscribeInput,
  viewer: Viewer | null,
  now = new Date(),
): Promise<SubscribeAnswer> {
  const email = checkSignInEmail(input.email);
  if (!email.ok) throw new HttpError(400, 'invalid_email', email.problem);
  const cadence = checkCadence(input.cadence);
  if (!cadence.ok) throw new HttpError(400, 'invalid_parameter', cadence.problem);
  const weeklyDay = checkWeeklyDay(cadence.value, input.weeklyDay);
  if (!weeklyDay.ok) throw new HttpError(400, 'invalid_parameter', weeklyDay.problem);
  const topics = checkTopics(input.topics);
  if (!topics.ok) throw new HttpError(400, 'invalid_parameter', topics.problem);
  const answer: SubscribeAnswer = {
    email: email.email,
    cadence: cadence.value,
    message: SUBSCRIBE_MESSAGE,
    activated: null,
    outcome: null,
  };

  if (viewer && viewer.user.email.toLowerCase() === email.email) {
    // The account's address was proven when its owner signed in (a mailed link, or a provider's verified address):
    // a second proof by mail would add nothing, so the subscription (or the change) takes effect now.
    let replacesId: number | null = null;
    if (input.replaces !== undefined && input.replaces !== null && input.replaces !== '') {
      const replaced = await findOwnSubscription(deps.subscriptions, viewer, input.replaces);
      if (replaced.status !== 'unsubscribed') replacesId = replaced.id;
    }
    const done = await deps.settings.subscribeOwnAddress(
      {
        email: email.email,
        cadence: cadence.value,
        weeklyDay: weeklyDay.value,
        topics: topics.value,
        userId: viewer.user.id,
      },
      now,
      replacesId,
    );
    const activated = await deps.subscriptions.find(done.id);
    if (!activated) throw new Error(`subscription ${done.id} vanished after it was saved`);
    const what = cadence.value === 'daily' ? 'daily digest (weekdays)' : 'weekly digest';
    const message =
      done.outcome === 'updated'
        ? `Saved: your ${what} to ${email.email} uses the new settings from the next one.`
        : `Subscribed: ${email.email} receives the ${what} from now on (it is your account's address, so no confirmation mail was needed).`;
    return { ...answer, message, activated, outcome: done.outcome };
  }

  if ((await deps.subscriptions.confirmationMailsInWindow(email.email, now)) >= MAX_CONFIRMATION_MAILS_PER_HOUR) {
    // Same answer as usual: the earlier mails are on their way, and the address's owner is spared a flood.
    return answer;
  }
  const ownAddress = viewer?.user.email === email.email ? viewer.user.id : null;
  const pending = await deps.subscriptions.requestSubscription(
    {
      email: email.email,
      cadence: cadence.value,
      weeklyDay: weeklyDay.value,
      topics: topics.value,
      userId: ownAddress,
    },
    now,
  );
  const link = `${deps.config.baseUrl}/subscriptions/confirm?token=${pending.token}`;
  try {
    await deps.mailer.send(
      subscriptionConfirmationMail({
        to: email.email,
        link,
        siteName: SITE_NAME,
        baseUrl: deps.config.baseUrl,
        cadence: cadence.value,
        lifetimeDays: CONFIRMATION_LIFETIME_DAYS,
      }),
    );
  } catch (error) {
    // A row made for this request goes with its mail; an existing one keeps a link nobody has (harmless).
    if (pending.outcome === 'created') await deps.subscriptions.deleteSubscription(pending.subscription.id);
    deps.logError({ err: error }, 'subscription confirmation mail could not be sent');
    throw new HttpError(
      503,
      'mail_failed',
      'The confirmation mail could not be sent just now; please try again in a few minutes.',
      { 'retry-after': String(MAIL_RETRY_AFTER_SECONDS) },
    );
  }
  return answer;
}

const LINK_GARBLED = new HttpError(
  400,
  'invalid_link',
  'This confirmation link is incomplete or not one of ours. Copy the whole link from the most recent mail, or subscribe again.',
);
const LINK_EXPIRED = new HttpError(
  410,
  'link_expired',
  `This confirmation link has expired (links work for ${CONFIRMATION_LIFETIME_DAYS} days); subscribe again to get a new one.`,
);
const LINK_CANCELLED = new HttpError(
  410,
  'link_expired',
  'This subscription was cancelled (unsubscribed) after the link was sent; subscribe again to start it anew.',
);

/** The confirmation secret of a link, checked for shape (a garbled one is a 400, before any database read). */
function requireConfirmationToken(raw: unknown): string {
  if (typeof raw !== 'string' || !TOKEN_PATTERN.test(raw)) throw LINK_GARBLED;
  return raw;
}

export type ConfirmationView = { kind: 'confirm'; token: string } | { kind: 'already-confirmed' };

/** What the confirmation page shows (the button, or "already confirmed"), or a refusal; uses nothing up. */
export async function checkConfirmationLink(
  subscriptions: SubscriptionStore,
  rawToken: unknown,
  now = new Date(),
): Promise<ConfirmationView> {
  const token = requireConfirmationToken(rawToken);
  const state = await subscriptions.confirmationState(token, now);
  if (state === 'valid') return { kind: 'confirm', token };
  if (state === 'already-confirmed') return { kind: 'already-confirmed' };
  throw refusal(state);
}

/** Uses a confirmation link: the subscription becomes active (or, pressed again, nothing changes). */
export async function confirmSubscription(
  subscriptions: SubscriptionStore,
  rawToken: unknown,
  now = new Date(),
): Promise<{ subscription: Subscription; alreadyConfirmed: boolean }> {
  const token = requireConfirmationToken(rawToken);
  const { state, subscription } = await subscriptions.confirm(token, now);
  if ((state === 'valid' || state === 'already-confirmed') && subscription) {
    return { subscription, alreadyConfirmed: state === 'already-confirmed' };
  }
  throw refusal(state);
}

function refusal(state: string): HttpError {
  if (state === 'expired') return LINK_EXPIRED;
  if (state === 'cancelled') return LINK_CANCELLED;
  return LINK_GARBLED;
}

/**
 * The subscription an unsubscribe link names, once its signature is checked: a garbled link is a 400, a signature
 * that is not this subscription's (forged, altered, another subscription's) a 403; nothing is read before.
 */
export async function checkUnsubscribeLink(
  subscriptions: SubscriptionStore,
  secret: string,
  rawId: unknown,
  rawToken: unknown,
): Promise<Subscription> {
  if (typeof rawId !== 'string' || !ID_PATTERN.test(rawId) || typeof rawToken !== 'string') {
    throw new HttpError(
      400,
      'invalid_link',
      'This unsubscribe link is incomplete. Copy the whole link from the mail, or use the link in the latest digest.',
    );
  }
  const id = Number(rawId);
  if (!SIGNATURE_PATTERN.test(rawToken) || !safeEqual(rawToken, unsubscribeToken(secret, id))) {
    throw new HttpError(
      403,
      'forbidden',
      'This unsubscribe link has been altered or belongs to another subscription. Use the link in the mail itself.',
    );
  }
  const subscription = await subscriptions.find(id);
  if (!subscription) {
    throw new HttpError(404, 'not_found', 'This subscription no longer exists: no digest will be sent to it.');
  }
  return subscription;
}

/** Ends the subscription an unsubscribe link names (repeated: nothing changes, still unsubscribed). */
export async function unsubscribeWithLink(
  subscriptions: SubscriptionStore,
  secret: string,
  rawId: unknown,
  rawToken: unknown,
  now = new Date(),
): Promise<{ subscription: Subscription; outcome: UnsubscribeOutcome }> {
  const subscription = await checkUnsubscribeLink(subscriptions, secret, rawId, rawToken);
  const outcome = await subscriptions.unsubscribe(subscription.id, now);
  return { subscription, outcome };
}

const NOT_YOURS = new HttpError(404, 'not_found', 'None of your subscriptions has this id.');

/**
 * The viewer's subscription with this id (any status), or a 404 that says the same whether the id is unknown or
 * someone else's (see requireSubscriptionOwner).
 */
export async function findOwnSubscription(
  subscriptions: SubscriptionStore,
  viewer: Viewer | null,
  rawId: unknown,
): Promise<Subscription> {
  requireSignedIn(viewer, 'manage your subscriptions');
  const text = typeof rawId === 'number' ? String(rawId) : rawId;
  if (typeof text !== 'string' || !ID_PATTERN.test(text)) throw NOT_YOURS;
  const subscription = await subscriptions.find(Number(text));
  requireSubscriptionOwner(viewer, subscription);
  return subscription!;
}

/** The live (waiting or active) subscriptions of the signed-in person: their account's, and their address's. */
export async function listOwnSubscriptions(
  subscriptions: SubscriptionStore,
  viewer: Viewer | null,
): Promise<Subscription[]> {
  const user = requireSignedIn(viewer, 'see your subscriptions');
  return await subscriptions.listForUser(user.id, user.email.toLowerCase());
}

/** Ends one of the viewer's subscriptions (repeated: nothing changes, still unsubscribed). */
export async function unsubscribeOwn(
  subscriptions: SubscriptionStore,
  viewer: Viewer | null,
  rawId: unknown,
  now = new Date(),
): Promise<{ subscription: Subscription; outcome: UnsubscribeOutcome }> {
  const subscription = await findOwnSubscription(subscriptions, viewer, rawId);
  const outcome = await subscriptions.unsubscribe(subscription.id, now);
  const after = (await subscriptions.find(subscription.id)) ?? subscription;
  return { subscription: after, outcome };
}

/**
 * Lifts the pause on one of the viewer's subscriptions whose mails bounced (they say the address works again); a
 * subscription that is not paused is a 409 with what to do instead.
 */
export async function resumeOwn(
  deps: Pick<SubscriptionDeps, 'subscriptions' | 'settings'>,
  viewer: Viewer | null,
  rawId: unknown,
  now = new Date(),
): Promise<Subscription> {
  const subscription = await findOwnSubscription(deps.subscriptions, viewer, rawId);
  if (!(await deps.settings.resume(subscription.id, now))) {
    throw new HttpError(
      409,
      'conflict',
      'This subscription is not paused: there is nothing to resume. Its digests are sent as usual.',
    );
  }
  return (await deps.subscriptions.find(subscription.id)) ?? subscription;
}

/**
 * Topics typed in the subscribe form: each field a comma- or line-separated list (categories, author names,
 * keywords); all empty means no topics. The lists are then checked like the API's (checkTopics).
 */
export function topicsFromForm(fields: { categories?: unknown; authors?: unknown; keywords?: unknown }): unknown {
  const split = (value: unknown): string[] | undefined => {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') return value as string[];
    const items = value
      .split(/[,\r\n]+/)
      .map((item) => item.trim())
      .filter((item) => item !== '');
    return items.length > 0 ? items : undefined;
  };
  const topics = {
    categories: split(fields.categories),
    authors: split(fields.authors),
    keywords: split(fields.keywords),
  };
  if (!topics.categories && !topics.authors && !topics.keywords) return undefined;
  return topics;
}
