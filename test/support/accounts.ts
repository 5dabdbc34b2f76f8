/**
 * People for tests: a user with a live browser session (cookie and CSRF token, as a page would embed it) and,
 * when asked, a personal API token. Sessions and tokens are made through the real account store.
 */
import { hashSecretToken, signWith } from '../../src/accounts/secret-tokens.ts';
import { KyselyAccountStore, type User } from '../../src/storage/account-store.ts';
import { instanceSecret } from '../../src/storage/instance-secrets.ts';
import { CSRF_HEADER, SESSION_COOKIE } from '../../src/web/auth.ts';
import type { TestApp } from './app.ts';

export interface TestPerson {
  user: User;
  /** `pb_session=...`, for the `cookie` header. */
  cookie: string;
  /** The CSRF token the person's pages carry. */
  csrf: string;
  /** Headers for a state-changing request by this person's browser: cookie and CSRF token. */
  headers: Record<string, string>;
  /** A personal API token (`pb_...`). */
  token: string;
  /** `Authorization: Bearer` for the token. */
  bearer: Record<string, string>;
}

let counter = 0;

/** A new person on the test app's database; `role` makes an admin, or a banned member. */
export async function createPerson(
  t: TestApp,
  options: { username?: string; email?: string; role?: 'member' | 'admin' | 'banned' } = {},
): Promise<TestPerson> {
  counter += 1;
  const accounts = new KyselyAccountStore(t.database.db);
  const username = options.username ?? `reader${counter}`;
  const user = await accounts.createUser({
    email: options.email ?? `${username}@example.org`,
    username,
    isAdmin: options.role === 'admin',
  });
  if (options.role === 'banned') await accounts.setBanned(user.id, new Date().toISOString());
  const session = await accounts.createSession(user.id, 'vitest');
  const secret = t.secret ?? (await instanceSecret(t.database.db, 'signing-key'));
  const csrf = signWith(secret, `session:${hashSecretToken(session.token)}`);
  const cookie = `${SESSION_COOKIE}=${session.token}`;
  const { token } = await accounts.createApiToken(user.id, 'tests');
  const fresh = (await accounts.getUserById(user.id))!;
  return {
    user: fresh,
    cookie,
    csrf,
    headers: { cookie, [CSRF_HEADER]: csrf },
    token,
    bearer: { authorization: `Bearer ${token}` },
  };
}
