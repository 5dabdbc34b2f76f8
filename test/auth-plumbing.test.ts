/**
 * The plumbing every community feature stands on, on SQLite and PostgreSQL: accounts, sessions and API tokens in
 * the store; who `request.viewer` is for cookies and Bearer tokens; CSRF on state changes; rate limits answering 429.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWith } from '../src/accounts/secret-tokens.ts';
import { loadConfig } from '../src/config.ts';
import { AccountConflictError, KyselyAccountStore } from '../src/storage/account-store.ts';
import { type DatabaseHandle, openDatabase } from '../src/storage/database.ts';
import { instanceSecret } from '../src/storage/instance-secrets.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { csrfTokenFor, RATE_LIMITS, rateLimit, registerAuth } from '../src/web/auth.ts';
import { HttpError, sendApiError } from '../src/web/errors.ts';
import { databaseKinds } from './support/databases.ts';

const SECRET = 'k'.repeat(40);

describe.each(databaseKinds())('accounts and authentication on $name', (kind) => {
  let handle: DatabaseHandle;
  let accounts: KyselyAccountStore;
  let app: FastifyInstance;
  let clock = new Date('2026-03-01T12:00:00.000Z');

  beforeAll(async () => {
    if (!kind.available) return;
    handle = openDatabase((await kind.create()).url);
    await migrateToLatest(handle.db);
    accounts = new KyselyAccountStore(handle.db, () => clock);
    const config = loadConfig({ LOG_LEVEL: 'silent', PAPERBOY_SECRET: SECRET });
    app = Fastify();
    app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
      if (error instanceof HttpError) {
        for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
        return sendApiError(reply, error.statusCode, error.code, error.message);
      }
      return reply.status(error.statusCode ?? 500).send({ error: 'other', message: error.message });
    });
    await registerAuth(app, { accounts, config, secret: SECRET });
    app.get('/who', async (request) => ({
      username: request.viewer?.user.username ?? null,
      via: request.viewer?.via ?? null,
    }));
    app.get('/form', async (request, reply) => ({ csrf: csrfTokenFor(request, reply, config, SECRET) }));
    app.post('/change', async (request) => ({ changedBy: request.viewer?.user.username ?? null }));
    app.post('/anonymous-form', { config: { csrf: true } }, async () => ({ ok: true }));
    app.post('/limited', { config: rateLimit(config, { max: 2, timeWindow: '1 minute' }) }, async () => ({ ok: true }));
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await handle?.close();
  });

  it.skipIf(!kind.available)('creates people with unique emails and usernames, regardless of case', async () => {
    const ada = await accounts.createUser({ email: ' Ada@Example.org ', username: 'Ada' });
    expect(ada).toMatchObject({ email: 'ada@example.org', username: 'Ada', isAdmin: false, bannedAt: null });
    await expect(accounts.createUser({ email: 'ADA@example.org', username: 'other' })).rejects.toThrow(
      AccountConflictError,
    );
    await expect(accounts.createUser({ email: 'ada2@example.org', username: 'ada' })).rejects.toThrow(/taken/);
    expect((await accounts.getUserByUsername('ADA'))?.id).toBe(ada.id);
    expect((await accounts.getUserByEmail('ada@EXAMPLE.org'))?.id).toBe(ada.id);
  });

  it.skipIf(!kind.available)('resolves a session cookie, and forgets it when it expires or ends', async () => {
    const user = await accounts.createUser({ email: 'sam@example.org', username: 'sam' });
    const { token } = await accounts.createSession(user.id, 'test agent');
    const who = await app.inject({ url: '/who', headers: { cookie: `pb_session=${token}` } });
    expect(who.json()).toEqual({ username: 'sam', via: 'session' });

    const unknown = await app.inject({ url: '/who', headers: { cookie: 'pb_session=forged' } });
    expect(unknown.json()).toEqual({ username: null, via: null });
    expect(String(unknown.headers['set-cookie'])).toMatch(/pb_session=;/);

    clock = new Date(clock.getTime() + 31 * 86_400_000);
    expect((await app.inject({ url: '/who', headers: { cookie: `pb_session=${token}` } })).json().username).toBeNull();
    clock = new Date('2026-03-01T12:00:00.000Z');

    const second = await accounts.createSession(user.id, null);
    expect(await accounts.deleteUserSessions(user.id)).toBe(2);
    expect(await accounts.findSession(second.token)).toBeNull();
  });

  it.skipIf(!kind.available)(
    'resolves Bearer tokens, refuses unknown, malformed and revoked ones with 401',
    async () => {
      const user = await accounts.createUser({ email: 'tok@example.org', username: 'tok' });
      const { token, info } = await accounts.createApiToken(user.id, 'laptop');
      expect(token).toMatch(/^pb_/);
      expect(info.prefix).toBe(token.slice(0, 9));
      const ok = await app.inject({ url: '/who', headers: { authorization: `Bearer ${token}` } });
      expect(ok.json()).toEqual({ username: 'tok', via: 'token' });

      for (const authorization of ['Bearer pb_unknown', 'Basic dG9rOnB3', 'Bearer']) {
        const res = await app.inject({ url: '/who', headers: { authorization } });
        expect(res.statusCode, authorization).toBe(401);
        expect(res.json().error).toBe('invalid_token');
      }

      expect(await accounts.revokeApiToken(user.id + 1000, info.id)).toBe(false);
      expect(await accounts.revokeApiToken(user.id, info.id)).toBe(true);
      const revoked = await app.inject({ url: '/who', headers: { authorization: `Bearer ${token}` } });
      expect(revoked.statusCode).toBe(401);
      expect(revoked.json().message).toMatch(/revoked/);
      expect((await accounts.listApiTokens(user.id))[0]?.revokedAt).not.toBeNull();
    },
  );

  it.skipIf(!kind.available)(
    'wants a CSRF token bound to the session for state changes made with a cookie',
    async () => {
      const user = await accounts.createUser({ email: 'csrf@example.org', username: 'csrf' });
      const { token } = await accounts.createSession(user.id, null);
      const other = await accounts.createSession(user.id, null);
      const cookie = `pb_session=${token}`;
      const form = await app.inject({ url: '/form', headers: { cookie } });
      const csrf = form.json().csrf as string;

      const missing = await app.inject({ method: 'POST', url: '/change', headers: { cookie } });
      expect(missing.statusCode).toBe(403);
      expect(missing.json()).toMatchObject({ error: 'csrf_failed', message: expect.stringMatching(/Reload the page/) });

      const forged = await app.inject({
        method: 'POST',
        url: '/change',
        headers: { cookie, 'x-csrf-token': 'forged' },
      });
      expect(forged.statusCode).toBe(403);
      // A token from another session of the same person does not do either.
      const otherCsrf = (await app.inject({ url: '/form', headers: { cookie: `pb_session=${other.token}` } })).json()
        .csrf as string;
      expect(
        (await app.inject({ method: 'POST', url: '/change', headers: { cookie, 'x-csrf-token': otherCsrf } }))
          .statusCode,
      ).toBe(403);

      const viaHeader = await app.inject({ method: 'POST', url: '/change', headers: { cookie, 'x-csrf-token': csrf } });
      expect(viaHeader.json()).toEqual({ changedBy: 'csrf' });
      const viaForm = await app.inject({
        method: 'POST',
        url: '/change',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: `_csrf=${encodeURIComponent(csrf)}`,
      });
      expect(viaForm.json()).toEqual({ changedBy: 'csrf' });
    },
  );

  it.skipIf(!kind.available)('checks anonymous forms against the pb_csrf cookie they were served with', async () => {
    const page = await app.inject({ url: '/form' });
    const setCookie = String(page.headers['set-cookie']);
    expect(setCookie).toMatch(/pb_csrf=[\w-]+;.*HttpOnly/);
    const nonce = /pb_csrf=([\w-]+)/.exec(setCookie)![1]!;
    const csrf = page.json().csrf as string;
    expect(csrf).toBe(signWith(SECRET, `anonymous:${nonce}`));

    const ok = await app.inject({
      method: 'POST',
      url: '/anonymous-form',
      headers: { cookie: `pb_csrf=${nonce}`, 'x-csrf-token': csrf },
    });
    expect(ok.statusCode).toBe(200);
    const noCookie = await app.inject({ method: 'POST', url: '/anonymous-form', headers: { 'x-csrf-token': csrf } });
    expect(noCookie.statusCode).toBe(403);
    const tossed = await app.inject({
      method: 'POST',
      url: '/anonymous-form',
      headers: { cookie: 'pb_csrf=attackerchosenvalue12345', 'x-csrf-token': csrf },
    });
    expect(tossed.statusCode).toBe(403);
    // Without a session or the route's flag, there is no ambient credential to protect.
    expect((await app.inject({ method: 'POST', url: '/change' })).json()).toEqual({ changedBy: null });
  });

  it.skipIf(!kind.available)('needs no CSRF token with a Bearer token (no ambient credential)', async () => {
    const user = await accounts.createUser({ email: 'api@example.org', username: 'api' });
    const { token } = await accounts.createApiToken(user.id, 'script');
    const res = await app.inject({ method: 'POST', url: '/change', headers: { authorization: `Bearer ${token}` } });
    expect(res.json()).toEqual({ changedBy: 'api' });
  });

  it.skipIf(!kind.available)('rate limits per person, answering 429 with Retry-After and a sentence', async () => {
    const user = await accounts.createUser({ email: 'busy@example.org', username: 'busy' });
    const { token } = await accounts.createApiToken(user.id, 'script');
    const headers = { authorization: `Bearer ${token}` };
    expect((await app.inject({ method: 'POST', url: '/limited', headers })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/limited', headers })).statusCode).toBe(200);
    const limited = await app.inject({ method: 'POST', url: '/limited', headers });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json()).toMatchObject({ error: 'rate_limited', message: expect.stringMatching(/wait/) });
    // Someone else is not limited by it.
    expect((await app.inject({ method: 'POST', url: '/limited' })).statusCode).toBe(200);
  });

  it.skipIf(!kind.available)('shares one generated signing key between processes', async () => {
    const first = await instanceSecret(handle.db, 'test-key');
    expect(first).toMatch(/^[\w-]{43}$/);
    expect(await instanceSecret(handle.db, 'test-key')).toBe(first);
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => instanceSecret(handle.db, 'race-key')));
    expect(new Set(concurrent).size).toBe(1);
  });
});

describe('rate limits switched off', () => {
  it('leave routes unlimited (benchmarks)', () => {
    const config = loadConfig({ PAPERBOY_RATE_LIMITS: '0' });
    expect(rateLimit(config, RATE_LIMITS.upvote)).toEqual({});
    expect(rateLimit(loadConfig({}), RATE_LIMITS.upvote)).toEqual({ rateLimit: RATE_LIMITS.upvote });
  });
});
