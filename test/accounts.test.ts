/**
 * Accounts end to end through the app, on SQLite and PostgreSQL: sign-in by emailed link with the mail caught by a
 * real SMTP server, expired, reused and garbled links, header injection in the address, CSRF on every account form,
 * sessions (sign out here and everywhere), settings (names, API tokens shown once and revoked), `/api/me` and
 * Hugging Face's `whoami-v2`, and the rate limit on the sign-in form.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecretToken } from '../src/accounts/secret-tokens.ts';
import { KyselyAccountStore } from '../src/storage/account-store.ts';
import { createPerson } from './support/accounts.ts';
import { createTestApp, type TestApp } from './support/app.ts';
import { CookieJar, csrfFromPage } from './support/cookie-jar.ts';
import { databaseKinds } from './support/databases.ts';
import { type SmtpSink, startSmtpSink } from './support/smtp.ts';

const LINK = /http:\/\/papers\.test\/login\/verify\?token=([A-Za-z0-9_-]+)/;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe.each(databaseKinds())('accounts on $name', (kind) => {
  let t: TestApp;
  let sink: SmtpSink;

  beforeAll(async () => {
    if (!kind.available) return;
    sink = await startSmtpSink();
    t = await createTestApp(kind, undefined, { SMTP_URL: sink.url, PAPERBOY_RATE_LIMITS: '0' });
  });
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  const db = () => t.database.db;
  const count = async (table: 'users' | 'sessions' | 'magic_links' | 'api_tokens') =>
    Number(
      (
        await db()
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  /** Opens the sign-in form like a browser: the anonymous CSRF cookie in the jar, the token from the page. */
  async function openLoginForm(jar: CookieJar, next?: string): Promise<string> {
    const res = await t.app.inject({ method: 'GET', url: `/login${next ? `?next=${encodeURIComponent(next)}` : ''}` });
    expect(res.statusCode).toBe(200);
    jar.store(res.headers['set-cookie']);
    return csrfFromPage(res.body);
  }

  async function requestLink(jar: CookieJar, email: string, next?: string) {
    const csrf = await openLoginForm(jar, next);
    return t.app.inject({
      method: 'POST',
      url: '/login',
      headers: { ...FORM, cookie: jar.header() },
      payload: form({ email, _csrf: csrf, ...(next ? { next } : {}) }),
    });
  }

  /** Opens the emailed link and presses "Sign in". */
  async function useLink(jar: CookieJar, token: string) {
    const page = await t.app.inject({
      method: 'GET',
      url: `/login/verify?token=${token}`,
      headers: { cookie: jar.header() },
    });
    jar.store(page.headers['set-cookie']);
    if (page.statusCode !== 200) return page;
    const res = await t.app.inject({
      method: 'POST',
      url: '/login/verify',
      headers: { ...FORM, cookie: jar.header() },
      payload: form({ token, _csrf: csrfFromPage(page.body) }),
    });
    jar.store(res.headers['set-cookie']);
    return res;
  }

  it.skipIf(!kind.available)('signs a new person in by emailed link, once, and makes their account', async () => {
    const jar = new CookieJar();
    const before = sink.messages.length;
    const asked = await requestLink(jar, ' Ada.Lovelace+papers@Example.org ', '/settings');
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain('Check your inbox');
    expect(asked.body).toContain('ada.lovelace+papers@example.org');
    expect(asked.body).not.toMatch(LINK); // mail is configured: the link is only in the mail
    expect(asked.headers['cache-control']).toBe('no-store');

    const [mail] = (await sink.waitForMessages(before + 1)).slice(before);
    expect(mail!.envelope.to).toEqual(['ada.lovelace+papers@example.org']);
    expect(mail!.parsed.subject).toBe('Your sign-in link for Paperboy');
    const token = LINK.exec(mail!.parsed.text ?? '')?.[1];
    expect(token).toBeDefined();
    expect(mail!.parsed.html).toContain(`/login/verify?token=${token}`);

    // Stored hashed, with a 15-minute life, unused.
    const row = await db()
      .selectFrom('magic_links')
      .selectAll()
      .where('email', '=', 'ada.lovelace+papers@example.org')
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(hashSecretToken(token!));
    expect(Date.parse(row.expires_at) - Date.parse(row.created_at)).toBe(15 * 60_000);
    expect(row.return_to).toBe('/settings');

    // Opening the link (as a mail scanner would) uses nothing up.
    const confirm = await t.app.inject({ method: 'GET', url: `/login/verify?token=${token}` });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.headers['referrer-policy']).toBe('no-referrer');
    expect(confirm.body).toContain('action="/login/verify"');
    expect(
      (
        await db()
          .selectFrom('magic_links')
          .select('used_at')
          .where('token_hash', '=', row.token_hash)
          .executeTakeFirstOrThrow()
      ).used_at,
    ).toBeNull();

    const usersBefore = await count('users');
    const signedIn = await useLink(jar, token!);
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.headers.location).toBe('/settings');
    const cookie = [signedIn.headers['set-cookie']].flat().find((c) => c?.startsWith('pb_session='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(await count('users')).toBe(usersBefore + 1);
    const user = await new KyselyAccountStore(db()).getUserByEmail('ada.lovelace+papers@example.org');
    expect(user?.username).toBe('ada-lovelace');

    const settings = await t.app.inject({ method: 'GET', url: '/settings', headers: { cookie: jar.header() } });
    expect(settings.statusCode).toBe(200);
    expect(settings.body).toContain('@ada-lovelace');
    expect(settings.body).toContain('this browser');

    // The same link again: refused, and nothing more is stored.
    const sessions = await count('sessions');
    const again = await t.app.inject({
      method: 'POST',
      url: '/login/verify',
      headers: { ...FORM, cookie: jar.header() },
      payload: form({ token: token!, _csrf: csrfFromPage(settings.body) }),
    });
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain('used already');
    expect(again.headers['set-cookie']).toBeUndefined();
    expect(await count('sessions')).toBe(sessions);
    const reopened = await t.app.inject({ method: 'GET', url: `/login/verify?token=${token}` });
    expect(reopened.statusCode).toBe(410);

    // A second sign-in finds the same account.
    const jar2 = new CookieJar();
    await requestLink(jar2, 'ada.lovelace+papers@example.org');
    const second = (await sink.waitForMessages(before + 2))[before + 1]!;
    const token2 = LINK.exec(second.parsed.text ?? '')![1]!;
    const res = await useLink(jar2, token2);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/');
    expect(await count('users')).toBe(usersBefore + 1);
  });

  it.skipIf(!kind.available)('numbers the username of a new account when the name is taken', async () => {
    await createPerson(t, { username: 'grace', email: 'grace.h@example.org' });
    const token = await new KyselyAccountStore(db()).createMagicLink('grace@elsewhere.org', null);
    const res = await useLink(new CookieJar(), token.token);
    expect(res.statusCode).toBe(303);
    expect((await new KyselyAccountStore(db()).getUserByEmail('grace@elsewhere.org'))?.username).toBe('grace2');
  });

  it.skipIf(!kind.available)('refuses an expired link with a friendly page, storing nothing', async () => {
    const past = new KyselyAccountStore(db(), () => new Date(Date.now() - 16 * 60_000));
    const { token } = await past.createMagicLink('late@example.org', null);
    const [users, sessions] = [await count('users'), await count('sessions')];
    const page = await t.app.inject({ method: 'GET', url: `/login/verify?token=${token}` });
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('This link has expired');
    expect(page.body).toContain('href="/login"');

    const jar = new CookieJar();
    const csrf = await openLoginForm(jar);
    const res = await t.app.inject({
      method: 'POST',
      url: '/login/verify',
      headers: { ...FORM, cookie: jar.header() },
      payload: form({ token, _csrf: csrf }),
    });
    expect(res.statusCode).toBe(410);
    expect(res.body).toContain('request a new one');
    expect(await count('users')).toBe(users);
    expect(await count('sessions')).toBe(sessions);
    const row = await db()
      .selectFrom('magic_links')
      .select('used_at')
      .where('token_hash', '=', hashSecretToken(token))
      .executeTakeFirstOrThrow();
    expect(row.used_at).toBeNull();
  });

  it.skipIf(!kind.available)('refuses unknown and garbled links with a 400', async () => {
    const unknown = await t.app.inject({ method: 'GET', url: `/login/verify?token=${'A'.repeat(43)}` });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('not one of ours');
    for (const url of ['/login/verify?token=abc', '/login/verify', '/login/verify?token=%3Cscript%3E']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(400);
      expect(res.body).toContain('garbled');
    }
  });

  it.skipIf(!kind.available)('uses a link once even when it is pressed twice at the same moment', async () => {
    const { token } = await new KyselyAccountStore(db()).createMagicLink('twice@example.org', null);
    const jar = new CookieJar();
    const csrf = await openLoginForm(jar);
    const press = () =>
      t.app.inject({
        method: 'POST',
        url: '/login/verify',
        headers: { ...FORM, cookie: jar.header() },
        payload: form({ token, _csrf: csrf }),
      });
    const statuses = (await Promise.all([press(), press(), press()])).map((r) => r.statusCode).sort();
    expect(statuses).toEqual([303, 410, 410]);
  });

  it.skipIf(!kind.available)('makes one account when two links for a new address are used at once', async () => {
    const store = new KyselyAccountStore(db());
    const links = await Promise.all(Array.from({ length: 4 }, () => store.createMagicLink('race@example.org', null)));
    const sessionsBefore = await count('sessions');
    const results = await Promise.all(links.map(({ token }) => store.signInWithMagicLink(token, null)));
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    const ids = new Set(results.map((r) => (r.status === 'ok' ? r.user.id : -1)));
    expect(ids.size).toBe(1);
    const accounts = await db().selectFrom('users').select('id').where('email', '=', 'race@example.org').execute();
    expect(accounts).toHaveLength(1);
    expect(await count('sessions')).toBe(sessionsBefore + 4);
  });

  it.skipIf(!kind.available)(
    'refuses addresses that try to smuggle headers or recipients, storing and sending nothing',
    async () => {
      const links = await count('magic_links');
      const mails = sink.messages.length;
      const attempts = [
        'victim@example.org\r\nBcc: everyone@example.org',
        'victim@example.org\nSubject: free money',
        'victim@example.org%0d%0aBcc:x@example.org',
        'victim@example.org, other@example.org',
        'Victim <victim@example.org>',
        'bcc:victim@example.org',
        'not-an-address',
        '',
        `${'a'.repeat(250)}@example.org`,
      ];
      for (const email of attempts) {
        const res = await t.app.inject({ method: 'POST', url: '/api/auth/magic-link', payload: { email } });
        expect(res.statusCode, email).toBe(400);
        expect(res.json().error).toBe('invalid_email');
        expect(res.json().message).toMatch(/\.$/);
      }
      const jar = new CookieJar();
      const page = await requestLink(jar, 'victim@example.org\r\nBcc: everyone@example.org');
      expect(page.statusCode).toBe(400);
      expect(page.body).toContain('without line breaks');
      expect(page.body).toContain('name="email"');
      expect(await count('magic_links')).toBe(links);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(sink.messages.length).toBe(mails);
    },
  );

  it.skipIf(!kind.available)(
    'answers the JSON request with 202, the same whether or not an account exists',
    async () => {
      const mails = sink.messages.length;
      const known = await t.app.inject({
        method: 'POST',
        url: '/api/auth/magic-link',
        payload: { email: 'ada.lovelace+papers@example.org', next: 'https://evil.example/' },
      });
      const unknown = await t.app.inject({
        method: 'POST',
        url: '/api/auth/magic-link',
        payload: { email: 'nobody-yet@example.org' },
      });
      expect(known.statusCode).toBe(202);
      expect(unknown.statusCode).toBe(202);
      expect(Object.keys(known.json()).sort()).toEqual(Object.keys(unknown.json()).sort());
      expect(known.json()).not.toHaveProperty('link');
      await sink.waitForMessages(mails + 2);
      const row = await db()
        .selectFrom('magic_links')
        .select('return_to')
        .where('email', '=', 'ada.lovelace+papers@example.org')
        .orderBy('created_at', 'desc')
        .executeTakeFirstOrThrow();
      expect(row.return_to).toBeNull(); // an absolute `next` is never kept
    },
  );

  it.skipIf(!kind.available)('refuses forged CSRF tokens on the account forms, changing nothing', async () => {
    const person = await createPerson(t, { username: 'forgery-target' });
    const forged = { ...FORM, cookie: person.cookie };
    const links = await count('magic_links');

    const jar = new CookieJar();
    await openLoginForm(jar);
    const login = await t.app.inject({
      method: 'POST',
      url: '/login',
      headers: { ...FORM, cookie: jar.header() },
      payload: form({ email: 'someone@example.org', _csrf: 'forged' }),
    });
    expect(login.statusCode).toBe(403);
    expect(login.body).toContain('did not come from this site');
    const noToken = await t.app.inject({
      method: 'POST',
      url: '/login',
      headers: FORM,
      payload: form({ email: 'someone@example.org' }),
    });
    expect(noToken.statusCode).toBe(403);
    expect(await count('magic_links')).toBe(links);

    for (const [url, fields] of [
      ['/logout', {}],
      ['/logout/everywhere', {}],
      ['/settings/profile', { username: 'hijacked', displayName: 'Hijacked' }],
      ['/settings/tokens', { name: 'stolen' }],
    ] as const) {
      const res = await t.app.inject({
        method: 'POST',
        url,
        headers: forged,
        payload: form({ ...fields, _csrf: 'x'.repeat(43) }),
      });
      expect(res.statusCode, url).toBe(403);
    }
    const me = await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: person.cookie } });
    expect(me.statusCode).toBe(200); // still signed in
    expect(me.json().username).toBe('forgery-target');
    expect(me.json().displayName).toBeNull();
    expect(await new KyselyAccountStore(db()).listApiTokens(person.user.id)).toHaveLength(1); // the helper's own
  });

  it.skipIf(!kind.available)('signs out this browser, or every browser of the person', async () => {
    const person = await createPerson(t, { username: 'leaver' });
    const store = new KyselyAccountStore(db());
    const other = await store.createSession(person.user.id, 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0');
    const otherCookie = `pb_session=${other.token}`;

    const settings = await t.app.inject({ method: 'GET', url: '/settings', headers: { cookie: person.cookie } });
    expect(settings.body).toContain('Firefox on Linux');
    expect(settings.body).toContain('Sign out everywhere');

    // Signing out here ends only this browser's session.
    const third = await store.createSession(person.user.id, 'vitest');
    const thirdCookie = `pb_session=${third.token}`;
    const thirdPage = await t.app.inject({ method: 'GET', url: '/settings', headers: { cookie: thirdCookie } });
    const out = await t.app.inject({
      method: 'POST',
      url: '/logout',
      headers: { ...FORM, cookie: thirdCookie },
      payload: form({ _csrf: csrfFromPage(thirdPage.body) }),
    });
    expect(out.statusCode).toBe(303);
    expect(String(out.headers['set-cookie'])).toMatch(/pb_session=;/);
    expect((await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: thirdCookie } })).statusCode).toBe(
      401,
    );
    expect((await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: otherCookie } })).statusCode).toBe(
      200,
    );

    const everywhere = await t.app.inject({ method: 'POST', url: '/logout/everywhere', headers: person.headers });
    expect(everywhere.statusCode).toBe(303);
    expect(everywhere.headers.location).toBe('/');
    expect(String(everywhere.headers['set-cookie'])).toMatch(/pb_session=;/);
    for (const cookie of [person.cookie, otherCookie]) {
      const me = await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
      expect(me.statusCode).toBe(401);
    }
    expect(await store.listSessions(person.user.id)).toEqual([]);
  });
});
