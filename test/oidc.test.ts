/**
 * Single sign-on against a REAL OpenID Connect provider (oidc-provider) listening on loopback, on SQLite and
 * PostgreSQL. The provider's own login and consent pages are driven over HTTP with a cookie jar, exactly as a
 * browser would; the app is driven with `app.inject`. Covers: first sign-in creates the account once, the next one
 * signs the same person in, an existing account with the same verified email is linked, an unverified email is
 * refused, and cancelled, forged-state, replayed and cookieless callbacks get a friendly 400 with nothing stored.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyAccountStore } from '../src/storage/account-store.ts';
import { createPerson } from './support/accounts.ts';
import { createTestApp, type TestApp } from './support/app.ts';
import { CookieJar } from './support/cookie-jar.ts';
import { databaseKinds, sqliteKind } from './support/databases.ts';

const CLIENT_ID = 'paperboy-tests';
const CLIENT_SECRET = 'a-client-secret-for-the-tests-only';
const CALLBACK = 'http://papers.test/login/oidc/callback';

/** The provider's people: login name -> claims. */
const PEOPLE: Record<string, Record<string, unknown>> = {
  alice: { email: 'alice@example.org', email_verified: true, preferred_username: 'alice', name: 'Alice Example' },
  bob: { email: 'Bob@Example.org', email_verified: true, preferred_username: 'bobby', name: 'Bob' },
  mallory: { email: 'victim@example.org', email_verified: false, preferred_username: 'mallory' },
  nomail: { preferred_username: 'nomail' },
};

let server: Server;
let issuer: string;

beforeAll(async () => {
  let handler: (request: IncomingMessage, response: ServerResponse) => void = (_q, r) => r.end();
  server = createServer((request, response) => handler(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [CALLBACK],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: ['oidc-test-cookie-key'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'] },
    pkce: { required: () => true },
    // Lifetimes in seconds (set, so that the provider does not print a notice for each default it uses).
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
    features: { devInteractions: { enabled: true } },
    async findAccount(_context: unknown, id: string) {
      return { accountId: id, claims: async () => ({ sub: id, ...(PEOPLE[id] ?? {}) }) };
    },
  });
  handler = provider.callback();
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

/**
 * Follows the provider's pages from the authorization URL: signs in as `login` on its login form, agrees on its
 * consent page (or, with `cancel`, aborts), and returns the callback URL it finally redirects to.
 */
async function atProvider(
  authorizationUrl: string,
  login: string,
  options: { cancel?: boolean } = {},
): Promise<string> {
  const jar = new CookieJar();
  let url = authorizationUrl;
  for (let step = 0; step < 12; step++) {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
    jar.store(res.headers.getSetCookie());
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get('location')!, url).href;
      if (url.startsWith(CALLBACK)) return url;
      continue;
    }
    const html = await res.text();
    expect(res.status, html.slice(0, 500)).toBe(200);
    if (options.cancel) {
      url = new URL(`${new URL(url).pathname}/abort`, url).href;
      continue;
    }
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    expect(action).toBeDefined();
    const fields: Record<string, string> =
      prompt === 'login' ? { prompt, login, password: 'anything' } : { prompt: prompt ?? 'consent' };
    const submitted = await fetch(new URL(action!.replaceAll('&amp;', '&'), url), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    jar.store(submitted.headers.getSetCookie());
    expect(submitted.status).toBeGreaterThanOrEqual(300);
    url = new URL(submitted.headers.get('location')!, url).href;
    if (url.startsWith(CALLBACK)) return url;
  }
  throw new Error('the provider never redirected back');
}

describe.each(databaseKinds())('sign-in through OpenID Connect on $name', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    if (!kind.available) return;
    t = await createTestApp(kind, undefined, {
      OIDC_ISSUER: issuer,
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_NAME: 'Lab SSO',
      PAPERBOY_RATE_LIMITS: '0',
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  const count = async (table: 'users' | 'sessions' | 'oidc_identities') =>
    Number(
      (
        await t.database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  /** Starts at /login/oidc: the provider's address and the app's cookie jar holding the signed attempt. */
  async function start(next?: string) {
    const jar = new CookieJar();
    const res = await t.app.inject({
      method: 'GET',
      url: `/login/oidc${next ? `?next=${encodeURIComponent(next)}` : ''}`,
    });
    expect(res.statusCode).toBe(303);
    jar.store(res.headers['set-cookie']);
    expect(jar.get('pb_oidc')).toBeDefined();
    const location = new URL(String(res.headers.location));
    expect(location.origin).toBe(issuer);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('state')).toBeTruthy();
    expect(location.searchParams.get('nonce')).toBeTruthy();
    expect(location.searchParams.get('redirect_uri')).toBe(CALLBACK);
    return { jar, authorizationUrl: location.href };
  }

  const callback = (jar: CookieJar, url: string) =>
    t.app.inject({
      method: 'GET',
      url: url.slice('http://papers.test'.length),
      headers: { cookie: jar.header(), 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' },
    });

  async function signIn(login: string, next?: string) {
    const { jar, authorizationUrl } = await start(next);
    const res = await callback(jar, await atProvider(authorizationUrl, login));
    jar.store(res.headers['set-cookie']);
    return { res, jar };
  }

  it.skipIf(!kind.available)('offers the provider on the sign-in page', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/login?next=/settings' });
    expect(page.body).toContain('Sign in with Lab SSO');
    expect(page.body).toContain('href="/login/oidc?next=%2Fsettings"');
  });

  it.skipIf(!kind.available)(
    'creates the account on the first sign-in and signs the same person in again',
    async () => {
      const users = await count('users');
      const first = await signIn('alice', '/settings');
      expect(first.res.statusCode, first.res.body.slice(0, 300)).toBe(303);
      expect(first.res.headers.location).toBe('/settings');
      expect(first.jar.get('pb_session')).toBeDefined();
      expect(first.jar.get('pb_oidc')).toBeUndefined(); // the attempt is over
      expect(await count('users')).toBe(users + 1);
      const alice = await new KyselyAccountStore(t.database.db).getUserByEmail('alice@example.org');
      expect(alice).toMatchObject({ username: 'alice', displayName: 'Alice Example' });
      const identity = await t.database.db
        .selectFrom('oidc_identities')
        .selectAll()
        .where('user_id', '=', alice!.id)
        .executeTakeFirstOrThrow();
      expect(identity).toMatchObject({ issuer, subject: 'alice' });

      const me = await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: first.jar.header() } });
      expect(me.json()).toMatchObject({ username: 'alice', authenticatedBy: 'session' });

      const identities = await count('oidc_identities');
      const again = await signIn('alice');
      expect(again.res.statusCode).toBe(303);
      expect(again.res.headers.location).toBe('/');
      expect(await count('users')).toBe(users + 1);
      expect(await count('oidc_identities')).toBe(identities);
      const meAgain = await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: again.jar.header() } });
      expect(meAgain.json().id).toBe(String(alice!.id));
    },
  );

  it.skipIf(!kind.available)('links the identity to the account with the same verified email', async () => {
    const bob = await createPerson(t, { username: 'bob-by-mail', email: 'bob@example.org' });
    const users = await count('users');
    const { res, jar } = await signIn('bob');
    expect(res.statusCode).toBe(303);
    expect(await count('users')).toBe(users);
    const me = await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: jar.header() } });
    expect(me.json()).toMatchObject({ id: String(bob.user.id), username: 'bob-by-mail' });
  });

  it.skipIf(!kind.available)('refuses an unverified or missing email, storing nothing', async () => {
    await createPerson(t, { username: 'victim', email: 'victim@example.org' });
    for (const login of ['mallory', 'nomail']) {
      const before = [await count('users'), await count('sessions'), await count('oidc_identities')];
      const { res, jar } = await signIn(login);
      expect(res.statusCode, login).toBe(400);
      expect(res.body).toMatch(login === 'mallory' ? /has not verified your email/ : /did not share your email/);
      expect(jar.get('pb_session')).toBeUndefined();
      expect([await count('users'), await count('sessions'), await count('oidc_identities')]).toEqual(before);
    }
  });

  it.skipIf(!kind.available)('answers a cancelled sign-in with a friendly 400', async () => {
    const { jar, authorizationUrl } = await start();
    const back = await atProvider(authorizationUrl, 'alice', { cancel: true });
    expect(new URL(back).searchParams.get('error')).toBe('access_denied');
    const res = await callback(jar, back);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('The sign-in at Lab SSO was cancelled or refused.');
    expect(res.body).toContain('href="/login"');
  });

  it.skipIf(!kind.available)(
    'refuses a forged state, a replayed callback and a callback without its cookie',
    async () => {
      const sessions = await count('sessions');
      const forged = await start();
      const back = new URL(await atProvider(forged.authorizationUrl, 'alice'));
      back.searchParams.set('state', 'forged-state');
      const forgedRes = await callback(forged.jar, back.href);
      expect(forgedRes.statusCode).toBe(400);
      expect(forgedRes.body).toContain('Sign-in did not work');

      const { jar, authorizationUrl } = await start();
      const saved = jar.header();
      const url = await atProvider(authorizationUrl, 'alice');
      const ok = await callback(jar, url);
      expect(ok.statusCode).toBe(303);
      // The same callback again, even with the attempt's cookie kept by an attacker: the code is spent.
      const replay = await t.app.inject({
        method: 'GET',
        url: url.slice('http://papers.test'.length),
        headers: { cookie: saved },
      });
      expect(replay.statusCode).toBe(400);
      const cookieless = await t.app.inject({ method: 'GET', url: url.slice('http://papers.test'.length) });
      expect(cookieless.statusCode).toBe(400);
      expect(cookieless.body).toContain('This sign-in attempt has expired');
      expect(await count('sessions')).toBe(sessions + 1);
    },
  );
});

describe('without an OpenID Connect provider configured', () => {
  it('offers no button and answers /login/oidc with 404', async () => {
    const t = await createTestApp(sqliteKind());
    try {
      expect((await t.app.inject({ method: 'GET', url: '/login' })).body).not.toContain('Sign in with');
      expect((await t.app.inject({ method: 'GET', url: '/login/oidc' })).statusCode).toBe(404);
    } finally {
      await t.close();
    }
  });
});
