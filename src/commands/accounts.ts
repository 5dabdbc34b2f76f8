/**
 * What people do with their accounts, shared by the pages and the API: ask for a sign-in link and use it, sign in
 * through an OpenID Connect provider, change their names, make and revoke API tokens, and read a profile. Each
 * checks its input strictly (an HttpError with a sentence) before anything is written.
 */
import { type OidcSignInClient, OidcSignInError, type PendingOidcSignIn } from '../accounts/oidc-client.ts';
import { signInMail } from '../accounts/sign-in-mail.ts';
import { type Config, servesLoopbackOnly } from '../config.ts';
import { baseUsername, DISPLAY_NAME_MAX_LENGTH, TOKEN_NAME_MAX_LENGTH } from '../domain/account-names.ts';
import { returnPathOrHome, safeReturnPath } from '../domain/return-path.ts';
import { checkSignInEmail } from '../domain/sign-in-email.ts';
import { usernameProblem } from '../domain/username.ts';
import type { MailTransport } from '../mail/transport.ts';
import type { Viewer } from '../policy/policy.ts';
import {
  AccountConflictError,
  type AccountStore,
  type ApiTokenInfo,
  MAGIC_LINK_LIFETIME_MINUTES,
  type NewSession,
  type ProfileComment,
  type ProfilePaper,
  type SessionListing,
  type User,
} from '../storage/account-store.ts';
import type { ListedPaper, PaperStore } from '../storage/paper-store.ts';
import type { Subscription, SubscriptionStore } from '../storage/subscription-store.ts';
import { HttpError } from './errors.ts';

/** The site's name in mail. */
const SITE_NAME = 'Paperboy';
/** Sign-in mails one address receives per window, whoever asks: a typo or two, never a mail bomb. */
const MAX_LINKS_PER_ADDRESS = 5;
const LINK_WINDOW_MINUTES = 15;
const MS_PER_MINUTE = 60_000;
/** A link's secret as newSecretToken makes it: 32 random bytes in base64url. */
const LINK_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** Live API tokens one person may hold (more is a script gone wrong). */
const MAX_LIVE_TOKENS = 50;
/** What a client is told to wait after the mail server failed, in seconds. */
const MAIL_RETRY_AFTER_SECONDS = 60;

export interface SignInDeps {
  accounts: AccountStore;
  mailer: MailTransport;
  config: Config;
  /** Where failures that the person cannot fix are recorded. */
  logError: (fields: Record<string, unknown>, message: string) => void;
}

export interface SignInLinkRequested {
  email: string;
  /**
   * The link itself, only when mail is not configured and the server listens on loopback only (development: it is
   * shown on the page).
   */
  devLink: string | null;
}

/**
 * Mails a sign-in link to the address. The answer is the same whether or not an account exists, so that the form
 * does not tell strangers who has one.
 */
export async function requestSignInLink(
  deps: SignInDeps,
  input: { email?: unknown; next?: unknown },
  now = new Date(),
): Promise<SignInLinkRequested> {
  const checked = checkSignInEmail(input.email);
  if (!checked.ok) throw new HttpError(400, 'invalid_email', checked.problem);
  const email = checked.email;
  const since = new Date(now.getTime() - LINK_WINDOW_MINUTES * MS_PER_MINUTE).toISOString();
  if ((await deps.accounts.countMagicLinksSince(email, since)) >= MAX_LINKS_PER_ADDRESS) {
    // Same answer as usual: the earlier mails are on their way, and the address's owner is spared a flood.
    return { email, devLink: null };
  }
  const { token } = await deps.accounts.createMagicLink(email, safeReturnPath(input.next));
  const link = `${deps.config.baseUrl}/login/verify?token=${token}`;
  try {
    await deps.mailer.send(
      signInMail({
        to: email,
        link,
        siteName: SITE_NAME,
        baseUrl: deps.config.baseUrl,
        lifetimeMinutes: MAGIC_LINK_LIFETIME_MINUTES,
      }),
    );
  } catch (error) {
    await deps.accounts.deleteMagicLink(token);
    deps.logError({ err: error }, 'sign-in mail could not be sent');
    throw new HttpError(
      503,
      'mail_failed',
      'The sign-in mail could not be sent just now; please try again in a few minutes.',
      { 'retry-after': String(MAIL_RETRY_AFTER_SECONDS) },
    );
  }
  // Without SMTP the link is always in the log; on the page only when nobody but this machine can reach the server.
  const showLink = deps.mailer.kind === 'log' && servesLoopbackOnly(deps.config);
  return { email, devLink: showLink ? link : null };
}

/** The token of a link, checked for shape (a garbled one is a 400, before any database read). */
export function requireLinkToken(raw: unknown): string {
  if (typeof raw !== 'string' || !LINK_TOKEN_PATTERN.test(raw)) {
    throw new HttpError(
      400,
      'invalid_link',
      'This sign-in link is incomplete or garbled. Copy the whole link from the mail, or request a new one.',
    );
  }
  return raw;
}

const LINK_EXPIRED = new HttpError(
  410,
  'link_expired',
  `This sign-in link has expired (links work for ${MAGIC_LINK_LIFETIME_MINUTES} minutes); request a new one.`,
);
const LINK_USED = new HttpError(
  410,
  'link_used',
  'This sign-in link has been used already: each link works once. Request a new one to sign in again.',
);
const LINK_UNKNOWN = new HttpError(
  400,
  'invalid_link',
  'This sign-in link is not one of ours, or it is incomplete. Copy the whole link from the mail, or request a new one.',
);

const LINK_REFUSALS = { expired: LINK_EXPIRED, used: LINK_USED, unknown: LINK_UNKNOWN } as const;

/** Refuses a link that would not work now, without using it (the confirmation page shows only usable links). */
export async function checkSignInLink(accounts: AccountStore, rawToken: unknown): Promise<string> {
  const token = requireLinkToken(rawToken);
  const state = await accounts.magicLinkState(token);
  if (state !== 'valid') throw LINK_REFUSALS[state];
  return token;
}

export interface CompletedSignIn {
  user: User;
  created: boolean;
  session: NewSession;
  /** Where to send the browser now (a local path). */
  next: string;
}

/** Uses a sign-in link: the account (created on first sign-in) and a new session, or a refusal that stores nothing. */
export async function completeSignInLink(
  accounts: AccountStore,
  rawToken: unknown,
  userAgent: string | null,
): Promise<CompletedSignIn> {
  const token = requireLinkToken(rawToken);
  const result = await accounts.signInWithMagicLink(token, userAgent);
  if (result.status !== 'ok') throw LINK_REFUSALS[result.status];
  return {
    user: result.user,
    created: result.created,
    session: result.session,
    next: returnPathOrHome(result.returnTo),
  };
}

/** Signs in (or up) with the claims of a completed OpenID Connect exchange. */
export async function finishOidcSignIn(
  accounts: AccountStore,
  client: OidcSignInClient,
  callbackUrl: URL,
  pending: PendingOidcSignIn,
  userAgent: string | null,
): Promise<CompletedSignIn> {
  let claims: Awaited<ReturnType<OidcSignInClient['finish']>>;
  try {
    claims = await client.finish(callbackUrl, pending);
  } catch (error) {
    if (error instanceof OidcSignInError) {
      throw new HttpError(
        error.unreachable ? 502 : 400,
        error.unreachable ? 'upstream_unavailable' : 'sign_in_failed',
        error.message,
      );
    }
    throw error;
  }
  const result = await accounts.signInWithOidc(
    {
      issuer: claims.issuer,
      subject: claims.subject,
      email: claims.email,
      emailVerified: claims.emailVerified,
      usernameBase: baseUsername({ preferredUsername: claims.preferredUsername, email: claims.email }),
      displayName: claims.name ? claims.name.slice(0, DISPLAY_NAME_MAX_LENGTH) : null,
    },
    userAgent,
  );
  if (result.status !== 'ok') {
    throw new HttpError(
      400,
      'sign_in_failed',
      result.status === 'email_missing'
        ? `${client.name} did not share your email address. Allow Paperboy to see it and try again, or sign in with an emailed link.`
        : `${client.name} has not verified your email address. Verify it there and try again, or sign in with an emailed link.`,
    );
  }
  return { user: result.user, created: result.created, session: result.session, next: returnPathOrHome(pending.next) };
}

/** The person's new names, checked: a valid, free username and a short one-line display name. */
export async function updateProfile(
  accounts: AccountStore,
  user: User,
  input: { username?: unknown; displayName?: unknown },
): Promise<User> {
  const username = typeof input.username === 'string' ? input.username.trim() : '';
  const problem = usernameProblem(username);
  if (problem) throw new HttpError(400, 'invalid_parameter', problem);
  const displayName = typeof input.displayName === 'string' ? input.displayName.trim() : '';
  if (displayName.length > DISPLAY_NAME_MAX_LENGTH) {
    throw new HttpError(400, 'invalid_parameter', `A display name has at most ${DISPLAY_NAME_MAX_LENGTH} characters.`);
  }
  if (/\p{Cc}/u.test(displayName)) {
    throw new HttpError(400, 'invalid_parameter', 'A display name is one line of text, without control characters.');
  }
  try {
    return await accounts.updateProfile(user.id, { username, displayName: displayName || null });
  } catch (error) {
    if (error instanceof AccountConflictError) throw new HttpError(409, 'conflict', error.message);
    throw error;
  }
}

/** A new personal API token, named so that the person can tell their tokens apart; the secret is returned once. */
export async function createPersonalToken(
  accounts: AccountStore,
  user: User,
  rawName: unknown,
): Promise<{ token: string; info: ApiTokenInfo }> {
  const name = typeof rawName === 'string' ? rawName.trim() : '';
  if (name === '') {
    throw new HttpError(400, 'invalid_parameter', 'Give the token a name, e.g. the script or tool that will use it.');
  }
  if (name.length > TOKEN_NAME_MAX_LENGTH || /\p{Cc}/u.test(name)) {
    throw new HttpError(
      400,
      'invalid_parameter',
      `A token name is one line of at most ${TOKEN_NAME_MAX_LENGTH} characters.`,
    );
  }
  const live = (await accounts.listApiTokens(user.id)).filter((token) => token.revokedAt === null);
  if (live.length >= MAX_LIVE_TOKENS) {
    throw new HttpError(
      400,
      'quota_exceeded',
      `You have ${MAX_LIVE_TOKENS} tokens already; revoke the ones you no longer use first.`,
    );
  }
  return accounts.createApiToken(user.id, name);
}

/** Revokes one of the person's live tokens; 404 when they have no such token. */
export async function revokePersonalToken(accounts: AccountStore, user: User, tokenId: number): Promise<void> {
  if (!(await accounts.revokeApiToken(user.id, tokenId))) {
    throw new HttpError(404, 'token_not_found', 'You have no live API token with this number (revoked already?).');
  }
}

export interface SettingsModel {
  user: User;
  tokens: ApiTokenInfo[];
  sessions: SessionListing[];
  /** The session of the browser asking (to mark "this browser"), when it is a browser. */
  currentSessionHash: string | null;
  /** Their live digest subscriptions (the account's, and the account address's), oldest first. */
  subscriptions: Subscription[];
}

/** What the settings page shows. */
export async function readSettings(
  accounts: AccountStore,
  viewer: Viewer,
  subscriptions: Pick<SubscriptionStore, 'listForUser'>,
): Promise<SettingsModel> {
  const [tokens, sessions, own] = await Promise.all([
    accounts.listApiTokens(viewer.user.id),
    accounts.listSessions(viewer.user.id),
    subscriptions.listForUser(viewer.user.id, viewer.user.email.toLowerCase()),
  ]);
  return { user: viewer.user, tokens, sessions, currentSessionHash: viewer.sessionHash, subscriptions: own };
}

/** Longer names are nobody's: not looked up at all. */
const MAX_LOOKUP_USERNAME_LENGTH = 100;
/** Entries per list on a profile page. */
export const PROFILE_LIST_LIMIT = 30;

export interface ProfileModel {
  user: User;
  submissions: { items: ListedPaper[]; total: number };
  upvoted: { items: ProfilePaper[]; total: number };
  comments: { items: ProfileComment[]; total: number };
}

/** Someone's profile (case-insensitive username): their latest submissions, upvotes and visible comments. */
export async function readProfile(accounts: AccountStore, store: PaperStore, username: string): Promise<ProfileModel> {
  const user = username.length <= MAX_LOOKUP_USERNAME_LENGTH ? await accounts.getUserByUsername(username) : null;
  if (!user) throw new HttpError(404, 'user_not_found', `There is nobody called @${username.slice(0, 40)} here.`);
  if (user.bannedAt) {
    const none = { items: [], total: 0 };
    return { user, submissions: none, upvoted: none, comments: none };
  }
  const [submissions, submissionCount, upvoted, comments] = await Promise.all([
    store.listFeed({ submitterUsername: user.username, sort: 'publishedAt', offset: 0, limit: PROFILE_LIST_LIMIT }),
    store.countFeed({ submitterUsername: user.username }),
    accounts.listUpvotedPapers(user.id, PROFILE_LIST_LIMIT),
    accounts.listVisibleComments(user.id, PROFILE_LIST_LIMIT),
  ]);
  return {
    user,
    submissions: { items: submissions, total: submissionCount },
    upvoted: { items: upvoted.papers, total: upvoted.total },
    comments: { items: comments.comments, total: comments.total },
  };
}
