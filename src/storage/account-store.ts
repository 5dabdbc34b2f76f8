/**
 * Accounts: people, their browser sessions and API tokens, emailed sign-in links, their identities at an OpenID
 * Connect provider, and what their profile page reads, stored through Kysely on SQLite or PostgreSQL. Secrets are
 * stored only as SHA-256 hashes (accounts/secret-tokens.ts). Every sign-in (link consumed or identity matched, the
 * account created when new, the session started) is one transaction: it happens entirely or not at all.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { hashSecretToken, newSecretToken } from '../accounts/secret-tokens.ts';
import { firstFreeUsername, usernameCandidates } from '../domain/account-names.ts';
import { usernameFromEmail, usernameKey } from '../domain/username.ts';
import { isUniqueViolation } from './database.ts';
import { bumpDataVersion } from './paper-store.ts';
import type { Database, UsersTable } from './schema.ts';

export interface User {
  id: number;
  email: string;
  username: string;
  displayName: string | null;
  isAdmin: boolean;
  /** When an admin banned the person; null for people in good standing. */
  bannedAt: string | null;
  createdAt: string;
}

export interface NewUser {
  email: string;
  username: string;
  displayName?: string | null;
  isAdmin?: boolean;
}

export interface SessionInfo {
  user: User;
  tokenHash: string;
  createdAt: string;
  expiresAt: string;
}

export interface ApiTokenInfo {
  id: number;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** The email or username is already someone's. */
export class AccountConflictError extends Error {
  constructor(
    readonly field: 'email' | 'username',
    value: string,
  ) {
    super(
      field === 'email' ? `An account with the email ${value} exists already.` : `The username '${value}' is taken.`,
    );
    this.name = 'AccountConflictError';
  }
}

/** A browser session as settings list it. */
export interface SessionListing {
  /** The session's token hash: what tells "this browser" apart (never the cookie's secret). */
  tokenHash: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  userAgent: string | null;
}

/** How an emailed sign-in link stands: usable, or why not. */
export type MagicLinkState = 'valid' | 'expired' | 'used' | 'unknown';

/** A new browser session: the cookie's secret (returned once) and when it ends. */
export interface NewSession {
  token: string;
  expiresAt: string;
}

/** A completed sign-in: who, whether the account was made just now, the session, and where to go next. */
export interface SignedIn {
  status: 'ok';
  user: User;
  created: boolean;
  session: NewSession;
}

export type MagicLinkSignIn = (SignedIn & { returnTo: string | null }) | { status: Exclude<MagicLinkState, 'valid'> };

/** What an OpenID Connect provider told us about the person, after the token exchange was verified. */
export interface OidcIdentity {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  /** The base for a new account's username (see domain/account-names.ts). */
  usernameBase: string;
  displayName: string | null;
}

/**
 * Why a provider's identity cannot sign anyone in: it shares no email address, or one it has not verified (we
 * neither create an account for an address nobody proved, nor attach the identity to the account that has it).
 */
export type OidcSignIn = (SignedIn & { linked: boolean }) | { status: 'email_missing' | 'email_unverified' };

/** A paper on someone's profile: the papers they upvoted. */
export interface ProfilePaper {
  id: string;
  title: string;
  upvotes: number;
  numComments: number;
  /** When they upvoted it. */
  at: string;
}

/** A comment on someone's profile (visible ones only). */
export interface ProfileComment {
  id: number;
  paperId: string;
  paperTitle: string;
  body: string;
  createdAt: string;
  editedAt: string | null;
}

/** How long a browser stays signed in, in days. */
export const SESSION_LIFETIME_DAYS = 30;
const MS_PER_DAY = 86_400_000;
/** A session's last-seen time is written at most this often, in milliseconds (it is shown in settings). */
const SESSION_TOUCH_INTERVAL_MS = 3_600_000;
/** Characters of an API token kept in clear to tell tokens apart (`pb_` and 6 random characters). */
const TOKEN_PREFIX_LENGTH = 9;
export const API_TOKEN_PREFIX = 'pb_';
/** How long an emailed sign-in link works, in minutes. */
export const MAGIC_LINK_LIFETIME_MINUTES = 15;
const MS_PER_MINUTE = 60_000;
/** Used and expired sign-in links are deleted this long after they expire, in days (kept a little for support). */
const MAGIC_LINK_RETENTION_DAYS = 1;
/** Bytes of randomness in the suffix of a username when every numbered variant is taken. */
const RANDOM_USERNAME_SUFFIX_BYTES = 3;

export interface AccountStore {
  /** Throws AccountConflictError when the email or username is taken. */
  createUser(input: NewUser): Promise<User>;
  getUserById(id: number): Promise<User | null>;
  getUserByEmail(email: string): Promise<User | null>;
  /** Case-insensitive. */
  getUserByUsername(username: string): Promise<User | null>;
  setBanned(userId: number, bannedAt: string | null): Promise<void>;
  setAdmin(userId: number, isAdmin: boolean): Promise<void>;
  /** A new session for the user; returns the cookie's secret (shown once, stored hashed). */
  createSession(userId: number, userAgent: string | null): Promise<NewSession>;
  /** The live session for a cookie's secret, or null (unknown or expired). */
  findSession(token: string): Promise<SessionInfo | null>;
  deleteSession(token: string): Promise<void>;
  /** Signs the person out everywhere; returns how many sessions ended. */
  deleteUserSessions(userId: number): Promise<number>;
  /** A new API token; the token itself is returned once and stored hashed. */
  createApiToken(userId: number, name: string): Promise<{ token: string; info: ApiTokenInfo }>;
  /** The owner of a live (not revoked) API token, or null. */
  findApiTokenUser(token: string): Promise<User | null>;
  listApiTokens(userId: number): Promise<ApiTokenInfo[]>;
  /** Revokes one of the person's own tokens; false when they have no such live token. */
  revokeApiToken(userId: number, tokenId: number): Promise<boolean>;

  /** A new account named after `usernameBase`, numbered when the name is taken (`ada`, `ada2`, ...). */
  createUserWithFreeUsername(input: Omit<NewUser, 'username'> & { usernameBase: string }): Promise<User>;
  /** Everyone, oldest account first (the operator's `users list`). */
  listUsers(): Promise<User[]>;
  /**
   * Changes a person's username and display name; throws AccountConflictError when the username is someone
   * else's. Names show on public pages, so cached answers are invalidated in the same transaction.
   */
  updateProfile(userId: number, profile: { username: string; displayName: string | null }): Promise<User>;
  /** The person's live sessions, most recently seen first. */
  listSessions(userId: number): Promise<SessionListing[]>;

  /** Stores a sign-in link for the address (hashed) and returns its secret, once. */
  createMagicLink(email: string, returnTo: string | null): Promise<NewSession>;
  /** Forgets a link that could not be mailed. */
  deleteMagicLink(token: string): Promise<void>;
  /** Links made for the address since `sinceIso` (to cap how much mail one address receives). */
  countMagicLinksSince(email: string, sinceIso: string): Promise<number>;
  /** Whether a link would work now, without using it (the confirmation page). */
  magicLinkState(token: string): Promise<MagicLinkState>;
  /**
   * Uses a link exactly once (one conditional UPDATE: a second use, even at the same instant, finds it used), finds
   * or creates the account for its address and starts a session, all in one transaction.
   */
  signInWithMagicLink(token: string, userAgent: string | null): Promise<MagicLinkSignIn>;
  /**
   * Signs in the person behind a provider's identity: the account already linked to (issuer, subject); else the
   * account with the same verified email, which gets linked; else a new account. One transaction.
   */
  signInWithOidc(identity: OidcIdentity, userAgent: string | null): Promise<OidcSignIn>;

  /** The papers the person upvoted (visible ones), newest vote first, and how many there are. */
  listUpvotedPapers(userId: number, limit: number): Promise<{ papers: ProfilePaper[]; total: number }>;
  /** The person's visible comments (not deleted, not hidden, on visible papers), newest first, and their number. */
  listVisibleComments(userId: number, limit: number): Promise<{ comments: ProfileComment[]; total: number }>;
}

type UserRow = Selectable<UsersTable>;

export class KyselyAccountStore implements AccountStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async createUser(input: NewUser): Promise<User> {
    const email = input.email.trim().toLowerCase();
    const key = usernameKey(input.username);
    return this.db.transaction().execute(async (trx) => {
      const clash = await trx
        .selectFrom('users')
        .select(['email', 'username_key'])
        .where((eb) => eb.or([eb('email', '=', email), eb('username_key', '=', key)]))
        .executeTakeFirst();
      if (clash)
        throw new AccountConflictError(
          clash.email === email ? 'email' : 'username',
          clash.email === email ? email : input.username,
        );
      return this.insertUser(trx, { ...input, email });
    });
  }

  /** Inserts an account whose email and username were checked free (inside the caller's transaction). */
  private async insertUser(db: Kysely<Database>, input: NewUser): Promise<User> {
    const row = await db
      .insertInto('users')
      .values({
        email: input.email.trim().toLowerCase(),
        username: input.username,
        username_key: usernameKey(input.username),
        display_name: input.displayName ?? null,
        is_admin: input.isAdmin ? 1 : 0,
        banned_at: null,
        created_at: this.now().toISOString(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return rowToUser(row);
  }

  async getUserById(id: number): Promise<User | null> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? rowToUser(row) : null;
  }

  async getUserByEmail(email: string): Promise<User | null> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', email.trim().toLowerCase())
      .executeTakeFirst();
    return row ? rowToUser(row) : null;
  }

  async getUserByUsername(username: string): Promise<User | null> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('username_key', '=', usernameKey(username))
      .executeTakeFirst();
    return row ? rowToUser(row) : null;
  }

  async setBanned(userId: number, bannedAt: string | null): Promise<void> {
    await this.db.updateTable('users').set({ banned_at: bannedAt }).where('id', '=', userId).execute();
  }

  async setAdmin(userId: number, isAdmin: boolean): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ is_admin: isAdmin ? 1 : 0 })
      .where('id', '=', userId)
      .execute();
  }

  async createSession(userId: number, userAgent: string | null): Promise<NewSession> {
    return this.createSessionIn(this.db, userId, userAgent);
  }

  private async createSessionIn(db: Kysely<Database>, userId: number, userAgent: string | null): Promise<NewSession> {
    const token = newSecretToken();
    const now = this.now();
    const expiresAt = new Date(now.getTime() + SESSION_LIFETIME_DAYS * MS_PER_DAY).toISOString();
    await db
      .insertInto('sessions')
      .values({
        token_hash: hashSecretToken(token),
        user_id: userId,
        created_at: now.toISOString(),
        expires_at: expiresAt,
        last_seen_at: now.toISOString(),
        user_agent: userAgent ? userAgent.slice(0, 300) : null,
      })
      .execute();
    return { token, expiresAt };
  }

  async findSession(token: string): Promise<SessionInfo | null> {
    const tokenHash = hashSecretToken(token);
    const now = this.now();
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('users')
      .select([
        'sessions.created_at as session_created_at',
        'sessions.expires_at as session_expires_at',
        'sessions.last_seen_at as session_last_seen_at',
      ])
      .where('sessions.token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row || row.session_expires_at <= now.toISOString()) return null;
    if (now.getTime() - Date.parse(row.session_last_seen_at) > SESSION_TOUCH_INTERVAL_MS) {
      await this.db
        .updateTable('sessions')
        .set({ last_seen_at: now.toISOString() })
        .where('token_hash', '=', tokenHash)
        .execute();
    }
    return {
      user: rowToUser(row),
      tokenHash,
      createdAt: row.session_created_at,
      expiresAt: row.session_expires_at,
    };
  }

  async deleteSession(token: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('token_hash', '=', hashSecretToken(token)).execute();
  }

  async deleteUserSessions(userId: number): Promise<number> {
    const result = await this.db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async createApiToken(userId: number, name: string): Promise<{ token: string; info: ApiTokenInfo }> {
    const token = newSecretToken(API_TOKEN_PREFIX);
    const row = await this.db
      .insertInto('api_tokens')
      .values({
        user_id: userId,
        name,
        token_hash: hashSecretToken(token),
        token_prefix: token.slice(0, TOKEN_PREFIX_LENGTH),
        created_at: this.now().toISOString(),
        last_used_at: null,
        revoked_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { token, info: rowToTokenInfo(row) };
  }

  async findApiTokenUser(token: string): Promise<User | null> {
    const row = await this.db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .selectAll('users')
      .select(['api_tokens.id as token_id', 'api_tokens.last_used_at as token_last_used_at'])
      .where('api_tokens.token_hash', '=', hashSecretToken(token))
      .where('api_tokens.revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return null;
    const now = this.now();
    if (!row.token_last_used_at || now.getTime() - Date.parse(row.token_last_used_at) > SESSION_TOUCH_INTERVAL_MS) {
      await this.db
        .updateTable('api_tokens')
        .set({ last_used_at: now.toISOString() })
        .where('id', '=', row.token_id)
        .execute();
    }
    return rowToUser(row);
  }

  async listApiTokens(userId: number): Promise<ApiTokenInfo[]> {
    const rows = await this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return rows.map(rowToTokenInfo);
  }

  async revokeApiToken(userId: number, tokenId: number): Promise<boolean> {
    const result = await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: this.now().toISOString() })
      .where('id', '=', tokenId)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async createUserWithFreeUsername(input: Omit<NewUser, 'username'> & { usernameBase: string }): Promise<User> {
    const email = input.email.trim().toLowerCase();
    return this.db.transaction().execute(async (trx) => {
      const clash = await trx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
      if (clash) throw new AccountConflictError('email', email);
      return this.insertUserWithFreeUsername(trx, { ...input, email });
    });
  }

  /** Inserts the account under the first free variant of its base username (inside the caller's transaction). */
  private async insertUserWithFreeUsername(
    db: Kysely<Database>,
    input: Omit<NewUser, 'username'> & { usernameBase: string },
  ): Promise<User> {
    const candidates = usernameCandidates(input.usernameBase);
    const taken = await db
      .selectFrom('users')
      .select('username_key')
      .where(
        'username_key',
        'in',
        candidates.map((name) => usernameKey(name)),
      )
      .execute();
    const username =
      firstFreeUsername(candidates, new Set(taken.map((row) => row.username_key))) ??
      `${input.usernameBase.slice(0, 20)}-${randomBytes(RANDOM_USERNAME_SUFFIX_BYTES).toString('hex')}`;
    return this.insertUser(db, {
      email: input.email,
      username,
      displayName: input.displayName,
      isAdmin: input.isAdmin,
    });
  }

  async listUsers(): Promise<User[]> {
    const rows = await this.db.selectFrom('users').selectAll().orderBy('id', 'asc').execute();
    return rows.map(rowToUser);
  }

  async updateProfile(userId: number, profile: { username: string; displayName: string | null }): Promise<User> {
    const key = usernameKey(profile.username);
    return this.db.transaction().execute(async (trx) => {
      const clash = await trx
        .selectFrom('users')
        .select('id')
        .where('username_key', '=', key)
        .where('id', '!=', userId)
        .executeTakeFirst();
      if (clash) throw new AccountConflictError('username', profile.username);
      const row = await trx
        .updateTable('users')
        .set({ username: profile.username, username_key: key, display_name: profile.displayName })
        .where('id', '=', userId)
        .returningAll()
        .executeTakeFirstOrThrow();
      await bumpDataVersion(trx);
      return rowToUser(row);
    });
  }

  async listSessions(userId: number): Promise<SessionListing[]> {
    const rows = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('expires_at', '>', this.now().toISOString())
      .orderBy('last_seen_at', 'desc')
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map((row) => ({
      tokenHash: row.token_hash,
      createdAt: row.created_at,
      lastSeenAt: row.last_seen_at,
      expiresAt: row.expires_at,
      userAgent: row.user_agent,
    }));
  }

  async createMagicLink(email: string, returnTo: string | null): Promise<NewSession> {
    const token = newSecretToken();
    const now = this.now();
    const expiresAt = new Date(now.getTime() + MAGIC_LINK_LIFETIME_MINUTES * MS_PER_MINUTE).toISOString();
    await this.db
      .insertInto('magic_links')
      .values({
        token_hash: hashSecretToken(token),
        email: email.trim().toLowerCase(),
        created_at: now.toISOString(),
        expires_at: expiresAt,
        used_at: null,
        return_to: returnTo,
      })
      .execute();
    return { token, expiresAt };
  }

  async deleteMagicLink(token: string): Promise<void> {
    await this.db.deleteFrom('magic_links').where('token_hash', '=', hashSecretToken(token)).execute();
  }

  async countMagicLinksSince(email: string, sinceIso: string): Promise<number> {
    const row = await this.db
      .selectFrom('magic_links')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('email', '=', email.trim().toLowerCase())
      .where('created_at', '>=', sinceIso)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async magicLinkState(token: string): Promise<MagicLinkState> {
    const row = await this.db
      .selectFrom('magic_links')
      .select(['used_at', 'expires_at'])
      .where('token_hash', '=', hashSecretToken(token))
      .executeTakeFirst();
    return linkState(row, this.now().toISOString());
  }

  async signInWithMagicLink(token: string, userAgent: string | null): Promise<MagicLinkSignIn> {
    const tokenHash = hashSecretToken(token);
    return retryOnUniqueViolation(() =>
      this.db.transaction().execute(async (trx): Promise<MagicLinkSignIn> => {
        const nowIso = this.now().toISOString();
        const used = await trx
          .updateTable('magic_links')
          .set({ used_at: nowIso })
          .where('token_hash', '=', tokenHash)
          .where('used_at', 'is', null)
          .where('expires_at', '>', nowIso)
          .returning(['email', 'return_to'])
          .executeTakeFirst();
        if (!used) {
          const row = await trx
            .selectFrom('magic_links')
            .select(['used_at', 'expires_at'])
            .where('token_hash', '=', tokenHash)
            .executeTakeFirst();
          const state = linkState(row, nowIso);
          return { status: state === 'valid' ? 'used' : state };
        }
        const existing = await trx.selectFrom('users').selectAll().where('email', '=', used.email).executeTakeFirst();
        const user = existing
          ? rowToUser(existing)
          : await this.insertUserWithFreeUsername(trx, {
              email: used.email,
              usernameBase: usernameFromEmail(used.email),
            });
        const session = await this.createSessionIn(trx, user.id, userAgent);
        const staleBefore = new Date(Date.parse(nowIso) - MAGIC_LINK_RETENTION_DAYS * MS_PER_DAY).toISOString();
        await trx.deleteFrom('magic_links').where('expires_at', '<', staleBefore).execute();
        await trx.deleteFrom('sessions').where('user_id', '=', user.id).where('expires_at', '<=', nowIso).execute();
        return { status: 'ok', user, created: !existing, session, returnTo: used.return_to };
      }),
    );
  }

  async signInWithOidc(identity: OidcIdentity, userAgent: string | null): Promise<OidcSignIn> {
    return retryOnUniqueViolation(() =>
      this.db.transaction().execute(async (trx): Promise<OidcSignIn> => {
        const linkedRow = await trx
          .selectFrom('oidc_identities')
          .innerJoin('users', 'users.id', 'oidc_identities.user_id')
          .selectAll('users')
          .where('oidc_identities.issuer', '=', identity.issuer)
          .where('oidc_identities.subject', '=', identity.subject)
          .executeTakeFirst();
        if (linkedRow) {
          const user = rowToUser(linkedRow);
          return {
            status: 'ok',
            user,
            created: false,
            linked: false,
            session: await this.createSessionIn(trx, user.id, userAgent),
          };
        }
        if (!identity.email) return { status: 'email_missing' };
        if (!identity.emailVerified) return { status: 'email_unverified' };
        const email = identity.email.trim().toLowerCase();
        const existing = await trx.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
        const user = existing
          ? rowToUser(existing)
          : await this.insertUserWithFreeUsername(trx, {
              email,
              usernameBase: identity.usernameBase,
              displayName: identity.displayName,
            });
        await trx
          .insertInto('oidc_identities')
          .values({
            issuer: identity.issuer,
            subject: identity.subject,
            user_id: user.id,
            created_at: this.now().toISOString(),
          })
          .execute();
        const session = await this.createSessionIn(trx, user.id, userAgent);
        return { status: 'ok', user, created: !existing, linked: true, session };
      }),
    );
  }

  async listUpvotedPapers(userId: number, limit: number): Promise<{ papers: ProfilePaper[]; total: number }> {
    const visible = this.db
      .selectFrom('upvotes')
      .innerJoin('papers', 'papers.id', 'upvotes.paper_id')
      .where('upvotes.user_id', '=', userId)
      .where('papers.hidden_at', 'is', null);
    const [rows, count] = await Promise.all([
      visible
        .select([
          'papers.id',
          'papers.title',
          'papers.upvotes',
          'papers.num_comments',
          'upvotes.created_at as voted_at',
        ])
        .orderBy('upvotes.created_at', 'desc')
        .orderBy('papers.id', 'asc')
        .limit(limit)
        .execute(),
      visible.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return {
      papers: rows.map((row) => ({
        id: row.id,
        title: row.title,
        upvotes: Number(row.upvotes),
        numComments: Number(row.num_comments),
        at: row.voted_at,
      })),
      total: Number(count.n),
    };
  }

  async listVisibleComments(userId: number, limit: number): Promise<{ comments: ProfileComment[]; total: number }> {
    const visible = this.db
      .selectFrom('comments')
      .innerJoin('papers', 'papers.id', 'comments.paper_id')
      .where('comments.user_id', '=', userId)
      .where('comments.deleted_at', 'is', null)
      .where('comments.hidden_at', 'is', null)
      .where('papers.hidden_at', 'is', null);
    const [rows, count] = await Promise.all([
      visible
        .select([
          'comments.id',
          'comments.paper_id',
          'papers.title as paper_title',
          'comments.body',
          'comments.created_at',
          'comments.edited_at',
        ])
        .orderBy('comments.created_at', 'desc')
        .orderBy('comments.id', 'desc')
        .limit(limit)
        .execute(),
      visible.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return {
      comments: rows.map((row) => ({
        id: Number(row.id),
        paperId: row.paper_id,
        paperTitle: row.paper_title,
        body: row.body,
        createdAt: row.created_at,
        editedAt: row.edited_at,
      })),
      total: Number(count.n),
    };
  }
}

/** A stored link's state at `nowIso` (an absent row is unknown). */
function linkState(row: { used_at: string | null; expires_at: string } | undefined, nowIso: string): MagicLinkState {
  if (!row) return 'unknown';
  if (row.used_at !== null) return 'used';
  return row.expires_at <= nowIso ? 'expired' : 'valid';
}

/** How often a sign-in that lost a race to create the same account (or username) is tried again. */
const UNIQUE_VIOLATION_ATTEMPTS = 3;

/**
 * Runs a transaction again when it failed on a unique constraint: two first sign-ins for one new address (or two
 * new accounts wanting one username) at the same instant both see no account and both insert; the loser's retry
 * finds the winner's row and signs in to it instead of failing.
 */
async function retryOnUniqueViolation<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= UNIQUE_VIOLATION_ATTEMPTS || !isUniqueViolation(error)) throw error;
    }
  }
}

export function rowToUser(row: UserRow): User {
  return {
    id: Number(row.id),
    email: row.email,
    username: row.username,
    displayName: row.display_name,
    isAdmin: Number(row.is_admin) === 1,
    bannedAt: row.banned_at,
    createdAt: row.created_at,
  };
}

function rowToTokenInfo(row: Selectable<Database['api_tokens']>): ApiTokenInfo {
  return {
    id: Number(row.id),
    name: row.name,
    prefix: row.token_prefix,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}
