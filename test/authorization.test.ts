/**
 * The authorisation matrix (issue 3, "an authorisation test for every action and role"), on SQLite and PostgreSQL:
 * every state-changing action of the site, JSON API and HTML form alike, plus the admin-only reads, against every
 * kind of caller. Each cell is one test on a fresh set of rows: it snapshots every table (and the data version),
 * sends one request, and checks the status; a refused request must leave every table exactly as it was and say why
 * ({error, message} for the API, a friendly HTML page for forms), an allowed one must write what the action writes.
 *
 * Reading the table: one row per action, one column per caller, in the order of ROLES. A number is the expected
 * status (below 400: the action is done and its table changes; 400 and above: refused, nothing changes);
 * `noop(s)` answers s and writes nothing (signing out with no session, a read); `__` does not apply (the author
 * and "another member" columns exist only for actions on something someone owns: a comment, an API token).
 *
 * The callers who have something wrong with them (banned, revoked token, forged or missing CSRF token) are, in each
 * row, the person who would otherwise be allowed: a member, the comment's author, or an admin. So a banned admin
 * is refused moderation, a banned author their own comment, and a forged token is the only thing stopping a request
 * that would otherwise succeed. The forged token is a valid one for another session (what an attacker's own page
 * carries). Anonymous form rows are posted as a browser that loaded the form (pb_csrf cookie and its token); on the
 * sign-in forms, which anonymous people post, the forged and missing CSRF tokens are that browser's.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashSecretToken, newSecretToken, signWith } from '../src/accounts/secret-tokens.ts';
import { NO_TOPICS } from '../src/domain/subscription-topics.ts';
import { unsubscribeToken } from '../src/mail/subscription-mails.ts';
import { KyselyAccountStore } from '../src/storage/account-store.ts';
import { KyselyCommentStore } from '../src/storage/comment-store.ts';
import { instanceSecret } from '../src/storage/instance-secrets.ts';
import type { Database } from '../src/storage/schema.ts';
import { SubscriptionSettingsStore } from '../src/storage/subscription-settings.ts';
import { KyselySubscriptionStore } from '../src/storage/subscription-store.ts';
import { VoteStore } from '../src/storage/vote-store.ts';
import { ANONYMOUS_CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER } from '../src/web/auth.ts';
import { createPerson, type TestPerson } from './support/accounts.ts';
import { createTestApp, type TestApp, testRecord } from './support/app.ts';
import { databaseKinds } from './support/databases.ts';

// ---- Callers ---------------------------------------------------------------------------------------------------

const ROLES = [
  'anonymous',
  'member (session + CSRF)',
  'member (Bearer)',
  'author/owner (session + CSRF)',
  'another member (session + CSRF)',
  'admin (session + CSRF)',
  'banned (session + CSRF)',
  'banned (Bearer)',
  'revoked Bearer token',
  'forged CSRF token',
  'no CSRF token',
] as const;
type Role = (typeof ROLES)[number];

/** Who may do the action; the banned, revoked and CSRF-less callers of the row are this person gone wrong. */
type Allowed = 'anyone' | 'signed-in' | 'member' | 'author' | 'admin';

// ---- Outcomes --------------------------------------------------------------------------------------------------

interface Outcome {
  status: number;
  /** Whether the action's table must change (false: nothing at all may change). */
  writes: boolean;
}
type Cell = number | Outcome | null;
/** Answers `status` and changes nothing. */
const noop = (status: number): Outcome => ({ status, writes: false });
/** Not applicable to this action. */
const __ = null;
type Expectations = [Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell];

function outcomeOf(cell: number | Outcome): Outcome {
  return typeof cell === 'number' ? { status: cell, writes: cell < 400 } : cell;
}

// ---- The actions -----------------------------------------------------------------------------------------------

const TABLES = [
  'papers',
  'listings',
  'data_version',
  'users',
  'sessions',
  'magic_links',
  'oidc_identities',
  'api_tokens',
  'upvotes',
  'comments',
  'audit_log',
  'instance_secrets',
  'subscriptions',
] as const;
type Table = (typeof TABLES)[number];

/** What each test starts from (made afresh for every cell). */
interface Fixture {
  /** A recent paper in the catalogue, not on the feed (so it can be submitted and featured). */
  paperId: string;
  oldStyleId: string;
  /** A member who wrote `commentId` on the paper and holds the spare token `spareTokenId`. */
  owner: TestPerson;
  commentId: number;
  spareTokenId: number;
  /** The member admins ban (or unban). */
  target: TestPerson;
  /** An unused sign-in link's token (for a new address). */
  signInToken: string;
  /** The owner's active digest subscription (to their account address). */
  subscriptionId: number;
  /** Its signed one-click unsubscribe path (what the digest's List-Unsubscribe header carries). */
  unsubscribePath: string;
  /** The unused confirmation link's token of a pending subscription (another address). */
  confirmationToken: string;
  /** The caller, when it is a person. */
  actor: TestPerson | null;
  db: Kysely<Database>;
}

interface Action {
  name: string;
  kind: 'json' | 'form' | 'page';
  request(f: Fixture): { method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; url: string; body?: Record<string, string> };
  allowed: Allowed;
  /** The table an allowed request changes (null for reads). */
  writes: Table | null;
  /** Forged/missing CSRF tokens come from an anonymous browser (forms people post before signing in). */
  anonymousCsrf?: true;
  /** Sets the scene after the caller exists (e.g. hide what is to be unhidden). */
  before?(f: Fixture): Promise<void>;
  /** What a 404 says for this action (default: an API token that is not the caller's). */
  notFound?: { code: string; words: RegExp };
  expect: Expectations;
}

const PAPER = '2501.00001';
const OLD_STYLE = 'hep-th/9901001';
const FEATURE_DAY = '2024-03-05';

const hidePaper = (which: 'paperId' | 'oldStyleId') => async (f: Fixture) => {
  await f.db.updateTable('papers').set({ hidden_at: new Date().toISOString() }).where('id', '=', f[which]).execute();
};
const hideComment = async (f: Fixture) => {
  await f.db
    .updateTable('comments')
    .set({ hidden_at: new Date().toISOString() })
    .where('id', '=', f.commentId)
    .execute();
  await f.db.updateTable('papers').set({ num_comments: 0 }).where('id', '=', f.paperId).execute();
};
const banTarget = async (f: Fixture) => {
  await new KyselyAccountStore(f.db).setBanned(f.target.user.id, new Date().toISOString());
};
const pauseSubscription = async (f: Fixture) => {
  await f.db
    .updateTable('subscriptions')
    .set({ paused_at: new Date().toISOString(), consecutive_failures: 5 })
    .where('id', '=', f.subscriptionId)
    .execute();
};
const NOT_YOUR_SUBSCRIPTION = { code: 'not_found', words: /None of your subscriptions has this id/ };
const actorUpvotes = (which: 'paperId' | 'oldStyleId') => async (f: Fixture) => {
  if (f.actor) await new VoteStore(f.db).upvote(f.actor.user.id, f[which]);
};

// biome-ignore format: the matrix is easier to read aligned
const ACTIONS: Action[] = [
  // ---- Accounts
  // expected status by caller:
  //         anon       member  bearer     author  other  admin      banned  b.bearer   revoked  forged     no csrf
  { name: 'POST /login (ask for a sign-in link, form)', kind: 'form', allowed: 'anyone', anonymousCsrf: true, writes: 'magic_links',
    request: () => ({ method: 'POST', url: '/login', body: { email: 'newcomer@example.org', next: '/' } }),
    expect: [200,       200,    200,       __,     __,    200,       200,    200,       401,     403,       403] },
  { name: 'POST /api/auth/magic-link (ask for a sign-in link, API)', kind: 'json', allowed: 'anyone', writes: 'magic_links',
    request: () => ({ method: 'POST', url: '/api/auth/magic-link', body: { email: 'newcomer@example.org' } }),
    expect: [202,       202,    202,       __,     __,    202,       202,    202,       401,     403,       403] },
  { name: 'POST /login/verify (use a sign-in link)', kind: 'form', allowed: 'anyone', anonymousCsrf: true, writes: 'magic_links',
    request: (f) => ({ method: 'POST', url: '/login/verify', body: { token: f.signInToken } }),
    expect: [303,       303,    303,       __,     __,    303,       303,    303,       401,     403,       403] },
  { name: 'POST /logout', kind: 'form', allowed: 'signed-in', writes: 'sessions',
    request: () => ({ method: 'POST', url: '/logout' }),
    expect: [noop(303), 303,    noop(303), __,     __,    303,       303,    noop(303), 401,     403,       403] },
  { name: 'POST /logout/everywhere', kind: 'form', allowed: 'signed-in', writes: 'sessions',
    request: () => ({ method: 'POST', url: '/logout/everywhere' }),
    expect: [401,       303,    303,       __,     __,    303,       303,    303,       401,     403,       403] },
  { name: 'POST /settings/profile', kind: 'form', allowed: 'member', writes: 'users',
    request: () => ({ method: 'POST', url: '/settings/profile', body: { username: 'renamed', displayName: 'Renamed' } }),
    expect: [401,       303,    303,       __,     __,    303,       403,    403,       401,     403,       403] },
  { name: 'POST /settings/tokens (create an API token)', kind: 'form', allowed: 'member', writes: 'api_tokens',
    request: () => ({ method: 'POST', url: '/settings/tokens', body: { name: 'my script' } }),
    expect: [401,       201,    403,       __,     __,    201,       403,    403,       401,     403,       403] },
  { name: 'POST /settings/tokens/{id}/revoke', kind: 'form', allowed: 'author', writes: 'api_tokens',
    request: (f) => ({ method: 'POST', url: `/settings/tokens/${f.spareTokenId}/revoke` }),
    expect: [401,       404,    404,       303,    404,   404,       303,    303,       401,     403,       403] },
  // ---- Digest subscriptions (a subscriber's own address starts at once; any other needs its confirmation mail)
  // expected status by caller:
  //         anon       member  bearer     author  other  admin      banned  b.bearer   revoked  forged     no csrf
  { name: 'POST /api/subscriptions (subscribe an address, API)', kind: 'json', allowed: 'anyone', writes: 'subscriptions',
    request: () => ({ method: 'POST', url: '/api/subscriptions', body: { email: 'reader@example.net', cadence: 'daily' } }),
    expect: [202,       202,    202,       __,     __,    202,       202,    202,       401,     403,       403] },
  { name: "POST /api/subscriptions (the caller's own address: active at once)", kind: 'json', allowed: 'anyone', writes: 'subscriptions',
    request: (f) => ({ method: 'POST', url: '/api/subscriptions', body: { email: f.actor?.user.email ?? 'reader@example.net', cadence: 'weekly' } }),
    expect: [202,       201,    201,       __,     __,    201,       201,    201,       401,     403,       403] },
  { name: 'POST /subscriptions (subscribe, form)', kind: 'form', allowed: 'anyone', anonymousCsrf: true, writes: 'subscriptions',
    request: () => ({ method: 'POST', url: '/subscriptions', body: { email: 'reader@example.net', cadence: 'daily' } }),
    expect: [200,       200,    200,       __,     __,    200,       200,    200,       401,     403,       403] },
  { name: "POST /subscriptions (form, the caller's own address: active at once)", kind: 'form', allowed: 'anyone', anonymousCsrf: true, writes: 'subscriptions',
    request: (f) => ({ method: 'POST', url: '/subscriptions', body: { email: f.actor?.user.email ?? 'reader@example.net', cadence: 'weekly' } }),
    expect: [200,       303,    303,       __,     __,    303,       303,    303,       401,     403,       403] },
  { name: 'POST /subscriptions/confirm (use a confirmation link)', kind: 'form', allowed: 'anyone', anonymousCsrf: true, writes: 'subscriptions',
    request: (f) => ({ method: 'POST', url: '/subscriptions/confirm', body: { token: f.confirmationToken } }),
    expect: [200,       200,    200,       __,     __,    200,       200,    200,       401,     403,       403] },
  // RFC 8058: mail clients post without cookies or CSRF token; the signed link is the credential.
  { name: 'POST /subscriptions/unsubscribe?s=&t= (one-click)', kind: 'form', allowed: 'anyone', anonymousCsrf: true, writes: 'subscriptions',
    request: (f) => ({ method: 'POST', url: f.unsubscribePath, body: { 'List-Unsubscribe': 'One-Click' } }),
    expect: [200,       200,    200,       __,     __,    200,       200,    200,       401,     200,       200] },
  { name: 'GET /api/subscriptions (read)', kind: 'json', allowed: 'signed-in', writes: null,
    request: () => ({ method: 'GET', url: '/api/subscriptions' }),
    expect: [401,       noop(200), noop(200), __,  __,    noop(200), noop(200), noop(200), 401,  noop(200), noop(200)] },
  { name: 'DELETE /api/subscriptions/{id}', kind: 'json', allowed: 'author', writes: 'subscriptions', notFound: NOT_YOUR_SUBSCRIPTION,
    request: (f) => ({ method: 'DELETE', url: `/api/subscriptions/${f.subscriptionId}` }),
    expect: [401,       404,    404,       200,    404,   404,       200,    200,       401,     403,       403] },
  { name: 'POST /settings/subscriptions/{id}/unsubscribe', kind: 'form', allowed: 'author', writes: 'subscriptions', notFound: NOT_YOUR_SUBSCRIPTION,
    request: (f) => ({ method: 'POST', url: `/settings/subscriptions/${f.subscriptionId}/unsubscribe` }),
    expect: [401,       404,    404,       303,    404,   404,       303,    303,       401,     403,       403] },
  { name: 'POST /settings/subscriptions/{id}/resume (after bounces)', kind: 'form', allowed: 'author', writes: 'subscriptions', notFound: NOT_YOUR_SUBSCRIPTION, before: pauseSubscription,
    request: (f) => ({ method: 'POST', url: `/settings/subscriptions/${f.subscriptionId}/resume` }),
    expect: [401,       404,    404,       303,    404,   404,       303,    303,       401,     403,       403] },
  // ---- Upvotes
  // expected status by caller:
  //         anon       member  bearer     author  other  admin      banned  b.bearer   revoked  forged     no csrf
  { name: 'POST /api/papers/{id}/upvote', kind: 'json', allowed: 'member', writes: 'upvotes',
    request: (f) => ({ method: 'POST', url: `/api/papers/${f.paperId}/upvote` }),
    expect: [401,       200,    200,       __,     __,    200,       403,    403,       401,     403,       403] },
  { name: 'POST /api/papers/{archive}/{number}/upvote (old-style id)', kind: 'json', allowed: 'member', writes: 'upvotes',
    request: (f) => ({ method: 'POST', url: `/api/papers/${f.oldStyleId}/upvote` }),
    expect: [401,       200,    200,       __,     __,    200,       403,    403,       401,     403,       403] },
  { name: 'DELETE /api/papers/{id}/upvote', kind: 'json', allowed: 'member', writes: 'upvotes', before: actorUpvotes('paperId'),
    request: (f) => ({ method: 'DELETE', url: `/api/papers/${f.paperId}/upvote` }),
    expect: [401,       200,    200,       __,     __,    200,       403,    403,       401,     403,       403] },
  { name: 'DELETE /api/papers/{archive}/{number}/upvote (old-style id)', kind: 'json', allowed: 'member', writes: 'upvotes', before: actorUpvotes('oldStyleId'),
    request: (f) => ({ method: 'DELETE', url: `/api/papers/${f.oldStyleId}/upvote` }),
    expect: [401,       200,    200,       __,     __,    200,       403,    403,       401,     403,       403] },
  { name: 'POST /papers/{id}/upvote (form)', kind: 'form', allowed: 'member', writes: 'upvotes',
    request: (f) => ({ method: 'POST', url: `/papers/${f.paperId}/upvote` }),
    expect: [noop(303), 303,    303,       __,     __,    303,       403,    403,       401,     403,       403] },
  { name: 'POST /papers/{archive}/{number}/upvote (form, old-style id)', kind: 'form', allowed: 'member', writes: 'upvotes',
    request: (f) => ({ method: 'POST', url: `/papers/${f.oldStyleId}/upvote` }),
    expect: [noop(303), 303,    303,       __,     __,    303,       403,    403,       401,     403,       403] },
  // ---- Submissions
  // expected status by caller:
  //         anon       member  bearer     author  other  admin      banned  b.bearer   revoked  forged     no csrf
  { name: 'POST /api/papers/submit', kind: 'json', allowed: 'member', writes: 'listings',
    request: (f) => ({ method: 'POST', url: '/api/papers/submit', body: { paperId: f.paperId } }),
    expect: [401,       201,    201,       __,     __,    201,       403,    403,       401,     403,       403] },
  { name: 'POST /submit (form)', kind: 'form', allowed: 'member', writes: 'listings',
    request: (f) => ({ method: 'POST', url: '/submit', body: { paperId: f.paperId } }),
    expect: [401,       303,    303,       __,     __,    303,       403,    403,       401,     403,       403] },
  // ---- Comments
  // expected status by caller:
  //         anon       member  bearer     author  other  admin      banned  b.bearer   revoked  forged     no csrf
  { name: 'POST /api/papers/{id}/comments', kind: 'json', allowed: 'member', writes: 'comments',
    request: (f) => ({ method: 'POST', url: `/api/papers/${f.paperId}/comments`, body: { body: 'A fine paper.' } }),
    expect: [401,       201,    201,       __,     __,    201,       403,    403,       401,     403,       403] },
  { name: 'POST /api/papers/{archive}/{number}/comments (old-style id)', kind: 'json', allowed: 'member', writes: 'comments',
    request: (f) => ({ method: 'POST', url: `/api/papers/${f.oldStyleId}/comments`, body: { body: 'A fine paper.' } }),
    expect: [401,       201,    201,       __,     __,    201,       403,    403,       401,     403,       403] },
  { name: 'POST /papers/{id}/comments (form)', kind: 'form', allowed: 'member', writes: 'comments',
    request: (f) => ({ method: 'POST', url: `/papers/${f.paperId}/comments`, body: { body: 'A fine paper.' } }),
    expect: [401,       303,    303,       __,     __,    303,       403,    403,       401,     403,       403] },
  { name: 'POST /papers/{archive}/{number}/comments (form, old-style id)', kind: 'form', allowed: 'member', writes: 'comments',
    request: (f) => ({ method: 'POST', url: `/papers/${f.oldStyleId}/comments`, body: { body: 'A fine paper.' } }),
    expect: [401,       303,    303,       __,     __,    303,       403,    403,       401,     403,       403] },
  { name: 'PATCH /api/comments/{id} (edit)', kind: 'json', allowed: 'author', writes: 'comments',
    request: (f) => ({ method: 'PATCH', url: `/api/comments/${f.commentId}`, body: { body: 'Edited.' } }),
    expect: [401,       403,    403,       200,    403,   403,       403,    403,       401,     403,       403] },
  { name: 'DELETE /api/comments/{id}', kind: 'json', allowed: 'author', writes: 'comments',
    request: (f) => ({ method: 'DELETE', url: `/api/comments/${f.commentId}` }),
    expect: [401,       403,    403,       200,    403,   403,       403,    403,       401,     403,       403] },
  { name: 'POST /comments/{id}/edit (form)', kind: 'form', allowed: 'author', writes: 'comments',
    request: (f) => ({ method: 'POST', url: `/comments/${f.commentId}/edit`, body: { body: 'Edited.' } }),
    expect: [401,       403,    403,       303,    403,   403,       403,    403,       401,     403,       403] },
  { name: 'POST /comments/{id}/delete (form)', kind: 'form', allowed: 'author', writes: 'comments',
    request: (f) => ({ method: 'POST', url: `/comments/${f.commentId}/delete` }),
    expect: [401,       403,    403,       303,    403,   403,       403,    403,       401,     403,       403] },
  { name: 'POST /comments/{id}/hide (form)', kind: 'form', allowed: 'admin', writes: 'comments',
    request: (f) => ({ method: 'POST', url: `/comments/${f.commentId}/hide` }),
    expect: [401,       403,    403,       403,    403,   303,       403,    403,       401,     403,       403] },
  { name: 'POST /comments/{id}/unhide (form)', kind: 'form', allowed: 'admin', writes: 'comments', before: hideComment,
    request: (f) => ({ method: 'POST', url: `/comments/${f.commentId}/unhide` }),
    expect: [401,       403,    403,       403,    403,   303,       403,    403,       401,     403,       403] },
  // ---- Moderation, JSON API
  // expected status by caller:
  //         anon       member  bearer     author  other  admin      banned  b.bearer   revoked  forged     no csrf
  { name: 'POST /api/admin/papers/{id}/feature', kind: 'json', allowed: 'admin', writes: 'listings',
    request: (f) => ({ method: 'POST', url: `/api/admin/papers/${f.paperId}/feature`, body: { date: FEATURE_DAY } }),
    expect: [401,       403,    403,       __,     __,    200,       403,    403,       401,     403,       403] },
  { name: 'POST /api/admin/papers/{id}/hide', kind: 'json', allowed: 'admin', writes: 'papers',
    request: (f) => ({ method: 'POST', url: `/api/admin/papers/${f.paperId}/hide`, body: { reason: 'spam' } }),
    expect: [401,       403,    403,       __,     __,    200,       403,    403,       401,     403,       403] },
  { name: 'POST /api/admin/papers/{id}/unhide', kind: 'json', allowed: 'admin', writes: 'papers', before: hidePaper('paperId'),
    request: (f) => ({ method: 'POST', url: `/api/admin/papers/${f.paperId}/unhide` }),
    expect: [401,       403,    403,       __,     __,    200,       403,    403,       401,     403,       403] },
  { name: 'POST /api/admin/papers/{archive}/{number}/feature (old-style id)', kind: 'json', allowed: 'admin', writes: 'listings',
    request: (f) => ({ method: 'POST', url: `/api/admin/papers/${f.oldStyleId}/feature`, body: { date: FEATURE_DAY } }),
    expect: [401,       403,    403,       __,     __,    200,       403,    403,       401,     403,       403] },
  { name: 'POST /api/admin/papers/{archive}/{number}/hide (old-style id)', kind: 'json', allowed: 'admin', writes: 'papers',
    request: (f) => ({ method: 'POST', url: `/api/admin/papers/${f.oldStyleId}/hide` }),
    expect: [401,       403,    403,       __,     __,    200,       403,    403,       401,     403,       403] },
  { name: 'POST /api/admin/papers/{archive}/{number}/unhide (old-style id)', kind: 'json', allowed: 'admin', writes: 'papers', before: hidePaper('oldStyleId'),
    request: (f) => ({ method: 'POST', url: `/api/admin/papers/${f.oldStyleId}/unhide` }),
    expect: [401,       403,    403,       __,     __,    200,       403,    403,       401,     403,       403] },
  { name: 'POST /api/admin/comments/{id}/hide', kind: 'json', allowed: 'admin', writes: 'comments',
    request: (f) => ({ method: 'POST', url: `/api/admin/comments/${f.commentId}/hide`, body: { reason: 'rude' } }),
    expect: [401,       403,    403,       403,    403,   200,       403,    403,       401,     403,       403] },
  { name: 'POST /api/admin/comments/{id}/unhide', kind: 'json', allowed: 'admin', writes: 'comments', before: hideComment,
    request: (f) => ({ method: 'POST', url: `/api/admin/comments/${f.commentId}/unhide` }),
    expect: [401,       403,    403,       403,    403,   200,       403,    403,       401,     403,       403] },
  { name: 'POST /api/admin/users/{username}/ban', kind: 'json', allowed: 'admin', writes: 'users',
    request: (f) => ({ method: 'POST', url: `/api/admin/users/${f.target.user.username}/ban` }),
    expect: [401,       403,    403,       __,     __,    200,       403,    403,       401,     403,       403] },
  { name: 'POST /api/admin/users/{username}/unban', kind: 'json', allowed: 'admin', writes: 'users', before: banTarget,
    request: (f) => ({ method: 'POST', url: `/api/admin/users/${f.target.user.username}/unban` }),
    expect: [401,       403,    403,       __,     __,    200,       403,    403,       401,     403,       403] },
  { name: 'GET /api/admin/audit-log (read)', kind: 'json', allowed: 'admin', writes: null,
    request: () => ({ method: 'GET', url: '/api/admin/audit-log' }),
    expect: [401,       403,    403,       __,     __,    noop(200), 403,    403,       401,     noop(200), noop(200)] },
  // ---- Moderation, the admin page and its forms
  // expected status by caller:
  //         anon       member  bearer     author  other  admin      banned  b.bearer   revoked  forged     no csrf
  { name: 'GET /admin (read)', kind: 'page', allowed: 'admin', writes: null,
    request: () => ({ method: 'GET', url: '/admin' }),
    expect: [401,       403,    403,       __,     __,    noop(200), 403,    403,       401,     noop(200), noop(200)] },
  { name: 'POST /admin/feature', kind: 'form', allowed: 'admin', writes: 'listings',
    request: (f) => ({ method: 'POST', url: '/admin/feature', body: { paperId: f.paperId, date: FEATURE_DAY } }),
    expect: [401,       403,    403,       __,     __,    303,       403,    403,       401,     403,       403] },
  { name: 'POST /admin/paper-visibility (hide)', kind: 'form', allowed: 'admin', writes: 'papers',
    request: (f) => ({ method: 'POST', url: '/admin/paper-visibility', body: { paperId: f.paperId, action: 'hide' } }),
    expect: [401,       403,    403,       __,     __,    303,       403,    403,       401,     403,       403] },
  { name: 'POST /admin/paper-visibility (unhide)', kind: 'form', allowed: 'admin', writes: 'papers', before: hidePaper('paperId'),
    request: (f) => ({ method: 'POST', url: '/admin/paper-visibility', body: { paperId: f.paperId, action: 'unhide' } }),
    expect: [401,       403,    403,       __,     __,    303,       403,    403,       401,     403,       403] },
  { name: 'POST /admin/comment-visibility (hide)', kind: 'form', allowed: 'admin', writes: 'comments',
    request: (f) => ({ method: 'POST', url: '/admin/comment-visibility', body: { commentId: String(f.commentId), action: 'hide' } }),
    expect: [401,       403,    403,       403,    403,   303,       403,    403,       401,     403,       403] },
  { name: 'POST /admin/comment-visibility (unhide)', kind: 'form', allowed: 'admin', writes: 'comments', before: hideComment,
    request: (f) => ({ method: 'POST', url: '/admin/comment-visibility', body: { commentId: String(f.commentId), action: 'unhide' } }),
    expect: [401,       403,    403,       403,    403,   303,       403,    403,       401,     403,       403] },
  { name: 'POST /admin/user-ban (ban)', kind: 'form', allowed: 'admin', writes: 'users',
    request: (f) => ({ method: 'POST', url: '/admin/user-ban', body: { username: f.target.user.username, action: 'ban' } }),
    expect: [401,       403,    403,       __,     __,    303,       403,    403,       401,     403,       403] },
  { name: 'POST /admin/user-ban (unban)', kind: 'form', allowed: 'admin', writes: 'users', before: banTarget,
    request: (f) => ({ method: 'POST', url: '/admin/user-ban', body: { username: f.target.user.username, action: 'unban' } }),
    expect: [401,       403,    403,       __,     __,    303,       403,    403,       401,     403,       403] },
];

// ---- The tests -------------------------------------------------------------------------------------------------

/** How a caller authenticates, and the CSRF token it sends (if any). */
interface Caller {
  person: TestPerson | null;
  headers: Record<string, string>;
  csrf: string | null;
}

type Snapshot = Record<Table, string[]>;

/** Why a refusal happens, by caller: the API's error code, and words of the sentence a page shows. */
function refusalReason(action: Action, role: Role, status: number): { code: string; words: RegExp } {
  if (status === 404) return action.notFound ?? { code: 'token_not_found', words: /no live API token/ };
  if (role === 'revoked Bearer token') return { code: 'invalid_token', words: /not valid \(unknown or revoked\)/ };
  if (role === 'anonymous') return { code: 'unauthorized', words: /Sign in/ };
  if (role === 'forged CSRF token' || role === 'no CSRF token') {
    return { code: 'csrf_failed', words: /did not come from this site/ };
  }
  if (role === 'banned (session + CSRF)' || role === 'banned (Bearer)') {
    return { code: 'banned', words: /suspended by the moderators/ };
  }
  return { code: 'forbidden', words: /Only (admins|its author) may|API tokens are made on the settings page/ };
}

describe.each(databaseKinds())('authorisation matrix on $name', (kind) => {
  let t: TestApp;
  let secret: string;
  let accounts: KyselyAccountStore;

  beforeAll(async () => {
    if (!kind.available) return;
    t = await createTestApp(kind, undefined, { PAPERBOY_RATE_LIMITS: '0' });
    secret = t.secret ?? (await instanceSecret(t.database.db, 'signing-key'));
    accounts = new KyselyAccountStore(t.database.db);
  });
  afterAll(async () => {
    await t?.close();
  });
  // Every cell starts from empty tables (the signing key and the data version stay).
  afterEach(async () => {
    if (!kind.available) return;
    const db = t.database.db;
    for (const table of [
      'subscriptions',
      'audit_log',
      'comments',
      'upvotes',
      'listings',
      'api_tokens',
      'sessions',
      'oidc_identities',
      'magic_links',
      'users',
      'papers',
    ] as const) {
      await db.deleteFrom(table).execute();
    }
  });

  /** Every row of every table, in a stable order. */
  async function snapshot(): Promise<Snapshot> {
    const db = t.database.db;
    const dumps = await Promise.all(
      TABLES.map(async (table) => {
        const rows = await db.selectFrom(table).selectAll().execute();
        return rows.map((row) => JSON.stringify(row)).sort();
      }),
    );
    return Object.fromEntries(TABLES.map((table, index) => [table, dumps[index]!])) as Snapshot;
  }

  async function person(role: 'member' | 'admin', banned = false): Promise<TestPerson> {
    const made = await createPerson(t, { role });
    if (banned) await accounts.setBanned(made.user.id, new Date().toISOString());
    return made;
  }

  /** The fixture every cell starts from, and the caller for `role` in this row. */
  async function arrange(action: Action, role: Role): Promise<{ fixture: Fixture; caller: Caller }> {
    const db = t.database.db;
    const recent = new Date(Date.now() - 86_400_000).toISOString();
    await t.store.upsertPapers([
      testRecord(PAPER, { versions: [{ version: 1, created: recent }] }),
      testRecord(OLD_STYLE, { versions: [{ version: 1, created: recent }] }),
    ]);
    const owner = await person('member');
    const made = await new KyselyCommentStore(db).create({
      paperId: PAPER,
      userId: owner.user.id,
      parentId: null,
      body: 'The first comment.',
    });
    if (!made.ok) throw new Error(`fixture comment: ${made.reason}`);
    const spare = await accounts.createApiToken(owner.user.id, 'spare');
    const target = await person('member');
    const link = await accounts.createMagicLink('newcomer@example.org', '/');
    const subscribed = await new SubscriptionSettingsStore(db).subscribeOwnAddress(
      { email: owner.user.email, cadence: 'daily', weeklyDay: null, topics: NO_TOPICS, userId: owner.user.id },
      new Date(),
    );
    const waiting = await new KyselySubscriptionStore(db).requestSubscription(
      { email: 'waiting@example.net', cadence: 'daily', weeklyDay: null, topics: NO_TOPICS, userId: null },
      new Date(),
    );

    // The person who may do the action; the banned, revoked and CSRF-less callers are this person.
    const privileged = async (banned = false): Promise<TestPerson> => {
      if (action.allowed === 'author') {
        if (banned) await accounts.setBanned(owner.user.id, new Date().toISOString());
        return owner;
      }
      return person(action.allowed === 'admin' ? 'admin' : 'member', banned);
    };
    const session = (who: TestPerson, csrf: string | null): Caller => ({
      person: who,
      headers: { cookie: who.cookie },
      csrf,
    });
    const bearer = (who: TestPerson, token = who.token): Caller => ({
      person: who,
      headers: { authorization: `Bearer ${token}` },
      csrf: null,
    });
    const anonymousBrowser = (csrf: 'valid' | 'forged' | 'missing'): Caller => {
      const nonce = randomBytes(24).toString('base64url');
      const signed = signWith(secret, `anonymous:${csrf === 'forged' ? randomBytes(24).toString('base64url') : nonce}`);
      return {
        person: null,
        headers: { cookie: `${ANONYMOUS_CSRF_COOKIE}=${nonce}` },
        csrf: csrf === 'missing' ? null : signed,
      };
    };
    /** A CSRF token that is valid, but for another session (what an attacker's own page carries). */
    const forgedToken = () => signWith(secret, `session:${hashSecretToken(newSecretToken())}`);

    let caller: Caller;
    switch (role) {
      case 'anonymous':
        caller = action.kind === 'form' ? anonymousBrowser('valid') : { person: null, headers: {}, csrf: null };
        break;
      case 'member (session + CSRF)': {
        const who = await person('member');
        caller = session(who, who.csrf);
        break;
      }
      case 'member (Bearer)':
        caller = bearer(await person('member'));
        break;
      case 'author/owner (session + CSRF)':
        caller = session(owner, owner.csrf);
        break;
      case 'another member (session + CSRF)': {
        // A commenter on the same paper: writing a comment there gives no say over anyone else's.
        const who = await person('member');
        await new KyselyCommentStore(db).create({ paperId: PAPER, userId: who.user.id, parentId: null, body: 'Mine.' });
        caller = session(who, who.csrf);
        break;
      }
      case 'admin (session + CSRF)': {
        const who = await person('admin');
        caller = session(who, who.csrf);
        break;
      }
      case 'banned (session + CSRF)': {
        const who = await privileged(true);
        caller = session(who, who.csrf);
        break;
      }
      case 'banned (Bearer)':
        caller = bearer(await privileged(true));
        break;
      case 'revoked Bearer token': {
        const who = await privileged();
        const revoked = await accounts.createApiToken(who.user.id, 'revoked');
        await accounts.revokeApiToken(who.user.id, revoked.info.id);
        caller = bearer(who, revoked.token);
        break;
      }
      case 'forged CSRF token': {
        if (action.anonymousCsrf) {
          caller = anonymousBrowser('forged');
          break;
        }
        const who = await privileged();
        caller = session(who, forgedToken());
        break;
      }
      case 'no CSRF token': {
        if (action.anonymousCsrf) {
          caller = anonymousBrowser('missing');
          break;
        }
        caller = session(await privileged(), null);
        break;
      }
    }
    const fixture: Fixture = {
      paperId: PAPER,
      oldStyleId: OLD_STYLE,
      owner,
      commentId: made.comment.id,
      spareTokenId: spare.info.id,
      target,
      signInToken: link.token,
      subscriptionId: subscribed.id,
      unsubscribePath: `/subscriptions/unsubscribe?s=${subscribed.id}&t=${unsubscribeToken(secret, subscribed.id)}`,
      confirmationToken: waiting.token,
      actor: caller.person,
      db,
    };
    await action.before?.(fixture);
    // A token's first use records when it was used: bookkeeping of authentication, not the action. Recorded here
    // beforehand, so that a refused request must leave api_tokens exactly as it was.
    await db
      .updateTable('api_tokens')
      .set({ last_used_at: new Date().toISOString() })
      .where('last_used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .execute();
    return { fixture, caller };
  }

  function send(action: Action, fixture: Fixture, caller: Caller) {
    const { method, url, body } = action.request(fixture);
    const headers = { ...caller.headers };
    if (action.kind === 'form') {
      const fields = new URLSearchParams(body ?? {});
      if (caller.csrf) fields.set(CSRF_FIELD, caller.csrf);
      return t.app.inject({
        method,
        url,
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        payload: fields.toString(),
      });
    }
    if (caller.csrf) headers[CSRF_HEADER] = caller.csrf;
    return t.app.inject({ method, url, headers, ...(body ? { payload: body } : {}) });
  }

  for (const action of ACTIONS) {
    describe(action.name, () => {
      for (const [index, role] of ROLES.entries()) {
        const cell = action.expect[index];
        if (cell === null || cell === undefined) continue;
        const expected = outcomeOf(cell);
        const label = `${role}: ${expected.status}${expected.writes ? '' : expected.status < 400 ? ', writes nothing' : ', refused, nothing changed'}`;

        it.skipIf(!kind.available)(label, async () => {
          const { fixture, caller } = await arrange(action, role);
          const before = await snapshot();
          const response = await send(action, fixture, caller);
          const after = await snapshot();
          const changed = TABLES.filter((table) => JSON.stringify(before[table]) !== JSON.stringify(after[table]));
          const context = `${action.name} as ${role}: ${response.statusCode} ${response.body.slice(0, 300)}`;

          expect(response.statusCode, context).toBe(expected.status);
          if (expected.writes) {
            expect(changed, context).toContain(action.writes);
          } else {
            // Nothing at all: every row of every table, and the data version, as they were.
            expect(after, context).toEqual(before);
          }

          const type = String(response.headers['content-type'] ?? '');
          if (expected.status >= 400) {
            const reason = refusalReason(action, role, expected.status);
            if (action.kind === 'json') {
              expect(type, context).toMatch(/^application\/json/);
              const answer = response.json() as Record<string, unknown>;
              expect(Object.keys(answer).sort(), context).toEqual(['error', 'message']);
              expect(answer.error, context).toBe(reason.code);
              expect(answer.message, context).toMatch(/^[A-Z'"].{8,}[.!?)]$/s);
            } else {
              expect(type, context).toMatch(/^text\/html/);
              expect(response.body.startsWith('<!doctype html>'), context).toBe(true);
              // A sentence for people, in the page's message or alert.
              expect(response.body, context).toMatch(/class="error-message"|role="alert"/);
              expect(response.body, context).toMatch(reason.words);
              expect(response.body, context).not.toMatch(/\n\s+at |node_modules|node:internal|\.tsx?:\d+|FST_ERR/);
            }
          } else if (expected.status === 303) {
            expect(response.headers.location, context).toMatch(/^\//);
          } else if (action.kind === 'json') {
            expect(type, context).toMatch(/^application\/json/);
            expect(response.json(), context).not.toHaveProperty('error');
          } else {
            expect(type, context).toMatch(/^text\/html/);
          }
        });
      }
    });
  }
});
