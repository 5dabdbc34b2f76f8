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
import type { Viewer } from '../policy/policy.ts';
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
  mailer: MailTransport;
  config: Config;
  logError: (fields: Record<string, unknown>, message: string) => void;
}

export interface SubscribeInput {
  email?: unknown;
  cadence?: unknown;
  weeklyDay?: unknown;
  topics?: unknown;
}

export interface SubscribeAnswer {
  email: string;
  cadence: Cadence;
  message: string;
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
  const answer = { email: email.email, cadence: cadence.value, message: SUBSCRIBE_MESSAGE };

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
