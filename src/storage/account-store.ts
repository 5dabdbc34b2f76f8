/**
 * Accounts: people, their browser sessions and their API tokens, stored through Kysely on SQLite or PostgreSQL.
 * Secrets are stored only as SHA-256 hashes (accounts/secret-tokens.ts).
 */
import type { Kysely, Selectable } from 'kysely';
import { hashSecretToken, newSecretToken } from '../accounts/secret-tokens.ts';
import { usernameKey } from '../domain/username.ts';
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

/** How long a browser stays signed in, in days. */
export const SESSION_LIFETIME_DAYS = 30;
const MS_PER_DAY = 86_400_000;
/** A session's last-seen time is written at most this often, in milliseconds (it is shown in settings). */
const SESSION_TOUCH_INTERVAL_MS = 3_600_000;
/** Characters of an API token kept in clear to tell tokens apart (`pb_` and 6 random characters). */
const TOKEN_PREFIX_LENGTH = 9;
export const API_TOKEN_PREFIX = 'pb_';

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
  createSession(userId: number, userAgent: string | null): Promise<{ token: string; expiresAt: string }>;
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
      const row = await trx
        .insertInto('users')
        .values({
          email,
          username: input.username,
          username_key: key,
          display_name: input.displayName ?? null,
          is_admin: input.isAdmin ? 1 : 0,
          banned_at: null,
          created_at: this.now().toISOString(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return rowToUser(row);
    });
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

  async createSession(userId: number, userAgent: string | null): Promise<{ token: string; expiresAt: string }> {
    const token = newSecretToken();
    const now = this.now();
    const expiresAt = new Date(now.getTime() + SESSION_LIFETIME_DAYS * MS_PER_DAY).toISOString();
    await this.db
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
