/**
 * The signed-in side of accounts, on SQLite and PostgreSQL: settings (names, API tokens shown once, revoked tokens
 * refused with 401), `/api/me` and Hugging Face's `whoami-v2`, profile pages with submissions, upvotes and visible
 * comments; plus, on SQLite, the development sign-in without SMTP and the rate limit on the sign-in form.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyAccountStore } from '../src/storage/account-store.ts';
import { createPerson, type TestPerson } from './support/accounts.ts';
import { createTestApp, type TestApp, testRecord } from './support/app.ts';
import { CookieJar, csrfFromPage } from './support/cookie-jar.ts';
import { databaseKinds, sqliteKind } from './support/databases.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe.each(databaseKinds())('settings, tokens and profiles on $name', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    if (!kind.available) return;
    t = await createTestApp(kind, undefined, { PAPERBOY_RATE_LIMITS: '0' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const post = (person: TestPerson, url: string, fields: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { ...FORM, cookie: person.cookie },
      payload: form({ ...fields, _csrf: person.csrf }),
    });
  const dataVersion = () => t.store.dataVersion();

  it.skipIf(!kind.available)('sends anonymous visitors of settings to sign in, and back', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/settings' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login?next=/settings');
    const login = await t.app.inject({ method: 'GET', url: '/login?next=/settings' });
    expect(login.body).toContain('name="next" value="/settings"');
    for (const next of ['https://evil.example/', '//evil.example', '/\\evil.example', '/login']) {
      const page = await t.app.inject({ method: 'GET', url: `/login?next=${encodeURIComponent(next)}` });
      expect(page.body, next).not.toContain('name="next"');
    }
    expect((await t.app.inject({ method: 'POST', url: '/settings/profile', payload: {} })).statusCode).toBe(401);
  });

  it.skipIf(!kind.available)('changes username and display name, unique regardless of case', async () => {
    const ada = await createPerson(t, { username: 'ada' });
    await createPerson(t, { username: 'Taken' });
    const version = await dataVersion();
    const saved = await post(ada, '/settings/profile', { username: 'Ada_L', displayName: '  Ada Lovelace ' });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/settings?done=profile');
    const page = await t.app.inject({ method: 'GET', url: '/settings?done=profile', headers: { cookie: ada.cookie } });
    expect(page.body).toContain('Your profile is saved.');
    expect(page.body).toContain('@Ada_L');
    expect(await dataVersion()).toBeGreaterThan(version); // names show on public pages: caches are invalidated

    const clash = await post(ada, '/settings/profile', { username: 'taken', displayName: 'x' });
    expect(clash.statusCode).toBe(409);
    expect(clash.body).toContain('is taken');
    expect(clash.body).toContain('value="taken"');
    for (const username of ['a', 'has space', 'admin', '-dash', 'x'.repeat(31)]) {
      const bad = await post(ada, '/settings/profile', { username, displayName: '' });
      expect(bad.statusCode, username).toBe(400);
    }
    const longName = await post(ada, '/settings/profile', { username: 'Ada_L', displayName: 'n'.repeat(61) });
    expect(longName.statusCode).toBe(400);
    const user = await new KyselyAccountStore(t.database.db).getUserById(ada.user.id);
    expect(user).toMatchObject({ username: 'Ada_L', displayName: 'Ada Lovelace' });

    const banned = await createPerson(t, { role: 'banned' });
    const refused = await post(banned, '/settings/profile', { username: 'renamed', displayName: '' });
    expect(refused.statusCode).toBe(403);
  });

  it.skipIf(!kind.available)(
    'shows a new API token once, lists it by prefix, and a revoked token is refused with 401',
    async () => {
      const person = await createPerson(t, { username: 'scripter' });
      const created = await post(person, '/settings/tokens', { name: 'reading list' });
      expect(created.statusCode).toBe(201);
      expect(created.headers['cache-control']).toBe('no-store');
      const token = /id="new-token-value"[^>]*value="(pb_[A-Za-z0-9_-]+)"/.exec(created.body)?.[1];
      expect(token).toBeDefined();
      expect(created.body).toContain('shown only this once');

      const listed = await t.app.inject({ method: 'GET', url: '/settings', headers: { cookie: person.cookie } });
      expect(listed.body).toContain('reading list');
      expect(listed.body).toContain(`${token!.slice(0, 9)}…`);
      expect(listed.body).not.toContain(token!);

      const bearer = { authorization: `Bearer ${token}` };
      const me = await t.app.inject({ method: 'GET', url: '/api/me', headers: bearer });
      expect(me.statusCode).toBe(200);
      expect(me.json()).toMatchObject({
        username: 'scripter',
        authenticatedBy: 'token',
        isAdmin: false,
        banned: false,
      });

      // A token cannot mint tokens.
      const minted = await t.app.inject({
        method: 'POST',
        url: '/settings/tokens',
        headers: { ...bearer, ...FORM },
        payload: form({ name: 'x' }),
      });
      expect(minted.statusCode).toBe(403);

      const tokens = await new KyselyAccountStore(t.database.db).listApiTokens(person.user.id);
      const id = tokens.find((info) => info.name === 'reading list')!.id;
      const revoked = await post(person, `/settings/tokens/${id}/revoke`);
      expect(revoked.statusCode).toBe(303);
      const after = await t.app.inject({ method: 'GET', url: '/api/me', headers: bearer });
      expect(after.statusCode).toBe(401);
      expect(after.json().error).toBe('invalid_token');
      expect(after.headers['x-error-message']).toContain('revoked');

      expect((await post(person, `/settings/tokens/${id}/revoke`)).statusCode).toBe(404);
      const other = await createPerson(t);
      const othersToken = (await new KyselyAccountStore(t.database.db).listApiTokens(other.user.id))[0]!.id;
      expect((await post(person, `/settings/tokens/${othersToken}/revoke`)).statusCode).toBe(404);
      expect((await new KyselyAccountStore(t.database.db).listApiTokens(other.user.id))[0]!.revokedAt).toBeNull();

      const unnamed = await post(person, '/settings/tokens', { name: '   ' });
      expect(unnamed.statusCode).toBe(400);
      expect(unnamed.body).toContain('Give the token a name');
    },
  );

  it.skipIf(!kind.available)('answers /api/me and whoami-v2, and 401 for anonymous callers', async () => {
    const anonymous = await t.app.inject({ method: 'GET', url: '/api/me' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ error: 'unauthorized' });
    expect((await t.app.inject({ method: 'GET', url: '/api/whoami-v2' })).statusCode).toBe(401);

    const admin = await createPerson(t, { username: 'curator', role: 'admin' });
    const me = await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: admin.cookie } });
    expect(me.json()).toMatchObject({
      username: 'curator',
      email: 'curator@example.org',
      isAdmin: true,
      authenticatedBy: 'session',
      profileUrl: 'http://papers.test/u/curator',
    });
    const whoami = await t.app.inject({ method: 'GET', url: '/api/whoami-v2', headers: admin.bearer });
    expect(whoami.json()).toMatchObject({
      type: 'user',
      name: 'curator',
      fullname: 'curator',
      auth: { type: 'access_token', accessToken: { role: 'write' } },
    });
  });

  it.skipIf(!kind.available)('shows profiles with submissions, upvotes and visible comments only', async () => {
    const person = await createPerson(t, { username: 'Reader_Profile' });
    const db = t.database.db;
    await t.store.upsertPapers([
      testRecord('2401.00001', { title: 'Submitted paper' }),
      testRecord('2401.00002', { title: 'Upvoted paper' }),
      testRecord('2401.00003', { title: 'Hidden paper' }),
    ]);
    await t.store.addListings([
      {
        paperId: '2401.00001',
        listedOn: '2024-01-03',
        submittedAt: '2024-01-03T10:00:00.000Z',
        source: 'user',
        submittedByUserId: person.user.id,
        comment: null,
      },
    ]);
    await db
      .updateTable('papers')
      .set({ hidden_at: '2024-01-05T00:00:00.000Z' })
      .where('id', '=', '2401.00003')
      .execute();
    await db
      .insertInto('upvotes')
      .values([
        { user_id: person.user.id, paper_id: '2401.00002', created_at: '2024-01-04T00:00:00.000Z' },
        { user_id: person.user.id, paper_id: '2401.00003', created_at: '2024-01-05T00:00:00.000Z' },
      ])
      .execute();
    const comment = (body: string, extra: { deleted_at?: string; hidden_at?: string } = {}) => ({
      paper_id: '2401.00002',
      user_id: person.user.id,
      parent_id: null,
      body,
      created_at: '2024-01-04T12:00:00.000Z',
      edited_at: null,
      deleted_at: extra.deleted_at ?? null,
      hidden_at: extra.hidden_at ?? null,
    });
    const [visible] = await db
      .insertInto('comments')
      .values([
        comment('A **visible** comment about [the method](https://example.org).'),
        comment('A deleted comment', { deleted_at: '2024-01-05T00:00:00.000Z' }),
        comment('A hidden comment', { hidden_at: '2024-01-05T00:00:00.000Z' }),
      ])
      .returning('id')
      .execute();

    const redirect = await t.app.inject({ method: 'GET', url: '/u/reader_profile' });
    expect(redirect.statusCode).toBe(301);
    expect(redirect.headers.location).toBe('/u/Reader_Profile');
    const res = await t.app.inject({ method: 'GET', url: '/u/Reader_Profile' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('@Reader_Profile');
    expect(res.body).toContain('Submitted paper');
    expect(res.body).toContain('Upvoted paper');
    expect(res.body).not.toContain('Hidden paper');
    expect(res.body).toContain('A visible comment about the method.');
    expect(res.body).toContain(`href="/papers/2401.00002#comment-${visible!.id}"`);
    expect(res.body).not.toContain('A deleted comment');
    expect(res.body).not.toContain('A hidden comment');

    const unknown = await t.app.inject({ method: 'GET', url: '/u/nobody-here' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('There is nobody called @nobody-here here.');

    await createPerson(t, { username: 'suspended-one', role: 'banned' });
    const suspended = await t.app.inject({ method: 'GET', url: '/u/suspended-one' });
    expect(suspended.statusCode).toBe(200);
    expect(suspended.body).toContain('This account is suspended');
  });
});

describe('sign-in without SMTP and the sign-in rate limit (SQLite)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(sqliteKind());
  });
  afterAll(async () => {
    await t?.close();
  });

  it('shows the link on the page and in the JSON when mail is not configured (development)', async () => {
    const api = await t.app.inject({
      method: 'POST',
      url: '/api/auth/magic-link',
      payload: { email: 'dev@example.org' },
      remoteAddress: '10.0.0.1',
    });
    expect(api.statusCode).toBe(202);
    expect(api.json().link).toMatch(/^http:\/\/papers\.test\/login\/verify\?token=[\w-]{43}$/);

    const jar = new CookieJar();
    const login = await t.app.inject({ method: 'GET', url: '/login', remoteAddress: '10.0.0.2' });
    jar.store(login.headers['set-cookie']);
    const res = await t.app.inject({
      method: 'POST',
      url: '/login',
      remoteAddress: '10.0.0.2',
      headers: { ...FORM, cookie: jar.header() },
      payload: form({ email: 'dev@example.org', _csrf: csrfFromPage(login.body) }),
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Development:');
    expect(res.body).toMatch(/href="http:\/\/papers\.test\/login\/verify\?token=[\w-]{43}"/);
  });

  it('never shows the link to the requester when others can reach the server (HOST 0.0.0.0)', async () => {
    const exposed = await createTestApp(sqliteKind(), undefined, { HOST: '0.0.0.0' });
    try {
      const api = await exposed.app.inject({
        method: 'POST',
        url: '/api/auth/magic-link',
        payload: { email: 'victim@example.org' },
      });
      expect(api.statusCode).toBe(202);
      expect(api.json().link).toBeUndefined();
      expect(api.body).not.toMatch(/token=/);
    } finally {
      await exposed.close();
    }
  });

  it('answers 429 with Retry-After after 5 sign-in attempts from one address', async () => {
    const jar = new CookieJar();
    const login = await t.app.inject({ method: 'GET', url: '/login', remoteAddress: '10.0.0.3' });
    jar.store(login.headers['set-cookie']);
    const attempt = () =>
      t.app.inject({
        method: 'POST',
        url: '/login',
        remoteAddress: '10.0.0.3',
        headers: { ...FORM, cookie: jar.header() },
        payload: form({ email: 'hammer@example.org', _csrf: csrfFromPage(login.body) }),
      });
    for (let i = 0; i < 5; i++) expect((await attempt()).statusCode).toBe(200);
    const limited = await attempt();
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body).toContain('Too many requests');
    // Another address is not affected.
    const elsewhere = await t.app.inject({
      method: 'POST',
      url: '/api/auth/magic-link',
      payload: { email: 'hammer@example.org' },
      remoteAddress: '10.0.0.4',
    });
    expect(elsewhere.statusCode).toBe(202);
  });
});
