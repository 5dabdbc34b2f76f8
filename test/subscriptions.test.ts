/**
 * Digest subscriptions end to end through the app, on SQLite and PostgreSQL, with the mail caught by a real SMTP
 * server: subscribe (API and the feed pages' form) -> confirmation mail (parsed; its link answers on the app) ->
 * confirm with one press -> active; re-subscribing updates the row; every bad input refused with nothing stored
 * and no mail (invalid addresses, header injection, bad cadence and topics, forged, reused, expired and altered
 * tokens, a flood -> 429); leaving by the RFC 8058 one-click POST without cookies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecretToken } from '../src/accounts/secret-tokens.ts';
import { listUnsubscribeHeaders, unsubscribeToken, unsubscribeUrl } from '../src/mail/subscription-mails.ts';
import { createPerson } from './support/accounts.ts';
import { createTestApp, type TestApp } from './support/app.ts';
import { CookieJar, csrfFromPage } from './support/cookie-jar.ts';
import { databaseKinds } from './support/databases.ts';
import { type SmtpSink, startSmtpSink } from './support/smtp.ts';

const SECRET = 'subscriptions-test-secret-0123456789abcdef';
const LINK = /http:\/\/papers\.test(\/subscriptions\/confirm\?token=([A-Za-z0-9_-]+))/;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
/** Each test's requests come from their own client address, so that the per-client rate limit meets only the flood. */
let clientCounter = 0;
const newClient = () => `10.9.${Math.floor(++clientCounter / 250)}.${clientCounter % 250}`;

describe.each(databaseKinds())('subscriptions on $name', (kind) => {
  let t: TestApp;
  let sink: SmtpSink;

  beforeAll(async () => {
    if (!kind.available) return;
    sink = await startSmtpSink();
    t = await createTestApp(kind, undefined, { SMTP_URL: sink.url, PAPERBOY_SECRET: SECRET });
  });
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  const db = () => t.database.db;
  const rows = (email: string) =>
    db().selectFrom('subscriptions').selectAll().where('email', '=', email).orderBy('id').execute();
  const countRows = async () =>
    Number(
      (
        await db()
          .selectFrom('subscriptions')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  function apiSubscribe(body: unknown, remoteAddress = newClient()) {
    return t.app.inject({ method: 'POST', url: '/api/subscriptions', payload: body as object, remoteAddress });
  }

  /** The newest mail to `to` after `before` mails, waiting for it to arrive. */
  async function mailTo(before: number, to: string) {
    const received = await sink.waitForMessages(before + 1);
    const mail = received.slice(before).find((m) => m.envelope.to.includes(to));
    expect(mail, `a mail to ${to}`).toBeDefined();
    return mail!;
  }

  /** Opens the confirmation link like a browser and presses "Confirm". */
  async function confirm(path: string) {
    const jar = new CookieJar();
    const page = await t.app.inject({ method: 'GET', url: path });
    jar.store(page.headers['set-cookie']);
    if (page.statusCode !== 200 || !page.body.includes('name="token"')) return { page, done: null };
    const token = /name="token" value="([^"]+)"/.exec(page.body)![1]!;
    const done = await t.app.inject({
      method: 'POST',
      url: '/subscriptions/confirm',
      headers: { ...FORM, cookie: jar.header() },
      payload: form({ token, _csrf: csrfFromPage(page.body) }),
    });
    return { page, done };
  }

  it.skipIf(!kind.available)(
    'subscribes, mails a confirmation link that answers on the app, and confirms once',
    async () => {
      const before = sink.messages.length;
      const asked = await apiSubscribe({
        email: ' Grace.Hopper@Example.org ',
        cadence: 'weekly',
        topics: { categories: ['cs.LG'], authors: ['Grace Hopper'], keywords: ['compilers'] },
      });
      expect(asked.statusCode).toBe(202);
      expect(asked.json()).toEqual({ message: expect.stringContaining('confirmation link') });
      expect(asked.body).not.toMatch(/token/);

      const mail = await mailTo(before, 'grace.hopper@example.org');
      expect(mail.envelope.to).toEqual(['grace.hopper@example.org']);
      expect(mail.parsed.subject).toBe('Confirm your weekly Paperboy digest');
      const match = LINK.exec(mail.parsed.text ?? '');
      expect(match).not.toBeNull();
      const [, path, token] = match!;
      expect(mail.parsed.html).toContain(`/subscriptions/confirm?token=${token}`);

      const [row] = await rows('grace.hopper@example.org');
      expect(row).toMatchObject({ status: 'pending', cadence: 'weekly', weekly_day: 1, user_id: null });
      expect(row!.confirmation_token_hash).toBe(hashSecretToken(token!));
      expect(Date.parse(row!.confirmation_expires_at!) - Date.parse(row!.created_at)).toBe(7 * 86_400_000);
      expect(JSON.parse(row!.topics)).toEqual({
        categories: ['cs.LG'],
        authors: ['Grace Hopper'],
        keywords: ['compilers'],
      });

      // Opening the link (as a mail scanner would) confirms nothing.
      const opened = await t.app.inject({ method: 'GET', url: path! });
      expect(opened.statusCode).toBe(200);
      expect(opened.headers['referrer-policy']).toBe('no-referrer');
      expect(opened.body).toContain('action="/subscriptions/confirm"');
      expect((await rows('grace.hopper@example.org'))[0]!.status).toBe('pending');

      const { done } = await confirm(path!);
      expect(done!.statusCode).toBe(200);
      expect(done!.body).toContain('Subscribed');
      const [active] = await rows('grace.hopper@example.org');
      expect(active!.status).toBe('active');
      expect(active!.confirmed_at).not.toBeNull();

      // Reused: a friendly "already confirmed", nothing changed.
      const again = await confirm(path!);
      expect(again.page.statusCode).toBe(200);
      expect(again.page.body).toContain('Already confirmed');
      const jar = new CookieJar();
      const form0 = await t.app.inject({ method: 'GET', url: '/subscribe' });
      jar.store(form0.headers['set-cookie']);
      const pressedAgain = await t.app.inject({
        method: 'POST',
        url: '/subscriptions/confirm',
        headers: { ...FORM, cookie: jar.header() },
        payload: form({ token: token!, _csrf: csrfFromPage(form0.body) }),
      });
      expect(pressedAgain.statusCode).toBe(200);
      expect(pressedAgain.body).toContain('Already confirmed');
      expect((await rows('grace.hopper@example.org'))[0]!.confirmed_at).toBe(active!.confirmed_at);
    },
  );

  it.skipIf(!kind.available)(
    're-subscribing updates the one row: pending at once, active after confirming',
    async () => {
      const email = 'resub@example.org';
      let before = sink.messages.length;
      expect((await apiSubscribe({ email, cadence: 'daily' })).statusCode).toBe(202);
      await mailTo(before, email);
      before = sink.messages.length;
      const again = await apiSubscribe({ email, cadence: 'daily', topics: { keywords: ['graphs'] } });
      expect(again.statusCode).toBe(202);
      const second = await mailTo(before, email);
      let live = await rows(email);
      expect(live).toHaveLength(1);
      expect(JSON.parse(live[0]!.topics).keywords).toEqual(['graphs']);
      const [, path] = LINK.exec(second.parsed.text ?? '')!;
      expect((await confirm(path!)).done!.statusCode).toBe(200);

      // Active: a stranger's re-subscription changes nothing until the new link is pressed.
      before = sink.messages.length;
      expect((await apiSubscribe({ email, cadence: 'daily', topics: { keywords: ['spam'] } })).statusCode).toBe(202);
      const third = await mailTo(before, email);
      live = await rows(email);
      expect(live).toHaveLength(1);
      expect(live[0]!.status).toBe('active');
      expect(JSON.parse(live[0]!.topics).keywords).toEqual(['graphs']);
      const [, path3] = LINK.exec(third.parsed.text ?? '')!;
      expect((await confirm(path3!)).done!.statusCode).toBe(200);
      live = await rows(email);
      expect(live).toHaveLength(1);
      expect(JSON.parse(live[0]!.topics).keywords).toEqual(['spam']);

      // Another cadence is another subscription (an hour later: the address had its 3 mails for this hour).
      await db()
        .updateTable('subscriptions')
        .set({ mails_window_started_at: new Date(Date.now() - 3_600_001).toISOString() })
        .where('email', '=', email)
        .execute();
      before = sink.messages.length;
      expect((await apiSubscribe({ email, cadence: 'weekly' })).statusCode).toBe(202);
      await mailTo(before, email);
      expect(await rows(email)).toHaveLength(2);
    },
  );

  it.skipIf(!kind.available)('refuses bad input with a sentence, storing nothing and mailing nobody', async () => {
    const bad: unknown[] = [
      { email: 'x@y.org\r\nBcc: z@w.org', cadence: 'daily' },
      { email: 'x@y.org\nBcc: z@w.org', cadence: 'daily' },
      { email: 'Ada <ada@example.org>', cadence: 'daily' },
      { email: 'a@example.org, b@example.org', cadence: 'daily' },
      { email: 'not-an-address', cadence: 'daily' },
      { email: '', cadence: 'daily' },
      { email: `${'a'.repeat(250)}@example.org`, cadence: 'daily' },
      { email: 'ok@example.org', cadence: 'hourly' },
      { email: 'ok@example.org' },
      { email: 'ok@example.org', cadence: 'weekly', weeklyDay: 9 },
      { email: 'ok@example.org', cadence: 'daily', topics: { categories: ['no such thing!'] } },
      { email: 'ok@example.org', cadence: 'daily', topics: { authors: ['A\r\nBcc: z@w.org'] } },
      {
        email: 'ok@example.org',
        cadence: 'daily',
        topics: { keywords: Array.from({ length: 21 }, (_, i) => `k${i}`) },
      },
      { email: 'ok@example.org', cadence: 'daily', topics: { keywords: ['x'.repeat(101)] } },
      { email: 'ok@example.org', cadence: 'daily', topics: 'cs.LG' },
    ];
    const stored = await countRows();
    const mailed = sink.messages.length;
    for (const body of bad) {
      const res = await apiSubscribe(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().message).toMatch(/\.$/);
    }
    // The form answers the same refusals on the page, with the form again.
    const jar = new CookieJar();
    const page = await t.app.inject({ method: 'GET', url: '/subscribe' });
    jar.store(page.headers['set-cookie']);
    const refused = await t.app.inject({
      method: 'POST',
      url: '/subscriptions',
      remoteAddress: newClient(),
      headers: { ...FORM, cookie: jar.header() },
      payload: form({ email: 'x@y.org\r\nBcc: z@w.org', cadence: 'daily', _csrf: csrfFromPage(page.body) }),
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('line breaks');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await countRows()).toBe(stored);
    expect(sink.messages.length).toBe(mailed);
  });

  it.skipIf(!kind.available)('refuses forged, altered and expired confirmation links', async () => {
    const garbled = await t.app.inject({ method: 'GET', url: '/subscriptions/confirm?token=abc' });
    expect(garbled.statusCode).toBe(400);
    expect(garbled.body).toContain('confirmation link');
    const forged = await t.app.inject({ method: 'GET', url: `/subscriptions/confirm?token=${'A'.repeat(43)}` });
    expect(forged.statusCode).toBe(400);

    const email = 'late@example.org';
    const before = sink.messages.length;
    expect((await apiSubscribe({ email, cadence: 'daily' })).statusCode).toBe(202);
    const mail = await mailTo(before, email);
    const [, path, token] = LINK.exec(mail.parsed.text ?? '')!;
    // Altered: one character changed.
    const altered = `${token!.slice(0, -1)}${token!.endsWith('A') ? 'B' : 'A'}`;
    expect((await t.app.inject({ method: 'GET', url: `/subscriptions/confirm?token=${altered}` })).statusCode).toBe(
      400,
    );
    // Expired: the link's week is over.
    await db()
      .updateTable('subscriptions')
      .set({ confirmation_expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('email', '=', email)
      .execute();
    const expired = await confirm(path!);
    expect(expired.page.statusCode).toBe(410);
    expect(expired.page.body).toContain('expired');
    expect((await rows(email))[0]!.status).toBe('pending');
  });

  it.skipIf(!kind.available)(
    'unsubscribes by the one-click POST without cookies; forged tokens change nothing',
    async () => {
      const email = 'leaver@example.org';
      const before = sink.messages.length;
      expect((await apiSubscribe({ email, cadence: 'daily' })).statusCode).toBe(202);
      const mail = await mailTo(before, email);
      await confirm(LINK.exec(mail.parsed.text ?? '')![1]!);
      const [row] = await rows(email);
      expect(row!.status).toBe('active');
      const id = Number(row!.id);

      const headers = listUnsubscribeHeaders('http://papers.test', SECRET, id);
      expect(headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
      const url = /^<(.+)>$/.exec(headers['List-Unsubscribe'])![1]!;
      expect(url).toBe(unsubscribeUrl('http://papers.test', SECRET, id));
      const path = url.replace('http://papers.test', '');

      // The page has one button and changes nothing.
      const page = await t.app.inject({ method: 'GET', url: path });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Unsubscribe');
      expect((await rows(email))[0]!.status).toBe('active');

      // Forged, altered, another subscription's token, a garbled id: refused, nothing changed.
      const other = await createOtherSubscription();
      const attempts = [
        `/subscriptions/unsubscribe?s=${id}&t=${'A'.repeat(43)}`,
        `/subscriptions/unsubscribe?s=${id}&t=${unsubscribeToken(SECRET, id).slice(0, -1)}x`,
        `/subscriptions/unsubscribe?s=${id}&t=${unsubscribeToken(SECRET, other)}`,
        `/subscriptions/unsubscribe?s=${other}&t=${unsubscribeToken(SECRET, id)}`,
        `/subscriptions/unsubscribe?s=${id}&t=${unsubscribeToken('another-secret-of-enough-length-000000', id)}`,
        `/subscriptions/unsubscribe?s=${id}x&t=${unsubscribeToken(SECRET, id)}`,
        `/subscriptions/unsubscribe?s=${id}`,
      ];
      for (const attempt of attempts) {
        const res = await t.app.inject({
          method: 'POST',
          url: attempt,
          headers: FORM,
          payload: 'List-Unsubscribe=One-Click',
        });
        expect([400, 403], attempt).toContain(res.statusCode);
      }
      expect((await rows(email))[0]!.status).toBe('active');
      expect(
        (await db().selectFrom('subscriptions').select('status').where('id', '=', other).executeTakeFirst())!.status,
      ).toBe('active');

      // RFC 8058: a mail client's POST, no cookies, no CSRF token (urlencoded here, multipart below).
      const oneClick = await t.app.inject({
        method: 'POST',
        url: path,
        headers: FORM,
        payload: 'List-Unsubscribe=One-Click',
      });
      expect(oneClick.statusCode).toBe(200);
      const [gone] = await rows(email);
      expect(gone!.status).toBe('unsubscribed');
      expect(gone!.unsubscribed_at).not.toBeNull();

      // Repeated (multipart, as some clients send it): 200, still unsubscribed, the time unchanged.
      const boundary = 'xyzBOUNDARY';
      const repeated = await t.app.inject({
        method: 'POST',
        url: path,
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload: `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`,
      });
      expect(repeated.statusCode).toBe(200);
      const [still] = await rows(email);
      expect(still!.status).toBe('unsubscribed');
      expect(still!.unsubscribed_at).toBe(gone!.unsubscribed_at);
      // The page now says so, and the confirmation link of a cancelled subscription no longer works.
      expect((await t.app.inject({ method: 'GET', url: path })).body).toContain('already unsubscribed');

      // Subscribing again makes a new subscription (the old row stays as history).
      const b2 = sink.messages.length;
      expect((await apiSubscribe({ email, cadence: 'daily' })).statusCode).toBe(202);
      await mailTo(b2, email);
      expect((await rows(email)).map((r) => r.status).sort()).toEqual(['pending', 'unsubscribed']);
    },
  );

  async function createOtherSubscription(): Promise<number> {
    const email = `other${clientCounter}@example.org`;
    const before = sink.messages.length;
    await apiSubscribe({ email, cadence: 'daily' });
    const mail = await mailTo(before, email);
    await confirm(LINK.exec(mail.parsed.text ?? '')![1]!);
    return Number((await rows(email))[0]!.id);
  }

  it.skipIf(!kind.available)(
    'the feed page box leads to a CSRF-checked form that answers "check your inbox"',
    async () => {
      const home = await t.app.inject({ method: 'GET', url: '/' });
      expect(home.body).toContain('Trending papers in your inbox');
      // Anonymous feed pages are cached and shared: the box opens the form that carries the token.
      expect(home.body).toContain('action="/subscribe"');
      const email = 'box@example.org';
      const jar = new CookieJar();
      const page = await t.app.inject({
        method: 'GET',
        url: `/subscribe?email=${encodeURIComponent(email)}&cadence=weekly`,
      });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(`value="${email}"`);
      jar.store(page.headers['set-cookie']);
      const client = newClient();

      // Without the token: 403, nothing stored.
      const noToken = await t.app.inject({
        method: 'POST',
        url: '/subscriptions',
        remoteAddress: client,
        headers: { ...FORM, cookie: jar.header() },
        payload: form({ email, cadence: 'weekly' }),
      });
      expect(noToken.statusCode).toBe(403);
      expect(await rows(email)).toHaveLength(0);

      const before = sink.messages.length;
      const done = await t.app.inject({
        method: 'POST',
        url: '/subscriptions',
        remoteAddress: client,
        headers: { ...FORM, cookie: jar.header() },
        payload: form({ email, cadence: 'weekly', _csrf: csrfFromPage(page.body) }),
      });
      expect(done.statusCode).toBe(200);
      expect(done.body).toContain('Check your inbox');
      await mailTo(before, email);
      expect((await rows(email))[0]!.cadence).toBe('weekly');

      // Signed in, the feed page carries a token and the box posts straight to /subscriptions.
      const person = await createPerson(t);
      const signedIn = await t.app.inject({ method: 'GET', url: '/', headers: { cookie: person.cookie } });
      expect(signedIn.body).toContain('action="/subscriptions"');
    },
  );

  it.skipIf(!kind.available)(
    'signed in: their own address starts at once, another address still needs its confirmation mail',
    async () => {
      const person = await createPerson(t);
      const own = person.user.email;
      const mailed = sink.messages.length;
      // The API, with a session: 201 and the subscription, active, no mail.
      const api = await t.app.inject({
        method: 'POST',
        url: '/api/subscriptions',
        remoteAddress: newClient(),
        headers: person.headers,
        payload: { email: own.toUpperCase(), cadence: 'daily', topics: { keywords: ['graphs'] } },
      });
      expect(api.statusCode).toBe(201);
      expect(api.json().subscription).toMatchObject({ email: own, cadence: 'daily', status: 'active' });
      // The form with the topics typed as lists: saved at once, back to settings.
      const formed = await t.app.inject({
        method: 'POST',
        url: '/subscriptions',
        remoteAddress: newClient(),
        headers: { ...FORM, cookie: person.cookie },
        payload: form({
          email: own,
          cadence: 'weekly',
          weeklyDay: '3',
          categories: 'cs.LG, math.AG',
          authors: 'Ada Lovelace',
          keywords: '',
          _csrf: person.csrf,
        }),
      });
      expect(formed.statusCode).toBe(303);
      expect(formed.headers.location).toMatch(/^\/settings\?done=subscribed/);
      const [daily, weekly] = await rows(own);
      expect(daily).toMatchObject({ status: 'active', cadence: 'daily', user_id: person.user.id });
      expect(weekly).toMatchObject({ status: 'active', cadence: 'weekly', weekly_day: 3 });
      expect(JSON.parse(weekly!.topics)).toEqual({
        categories: ['cs.LG', 'math.AG'],
        authors: ['Ada Lovelace'],
        keywords: [],
      });

      // Someone else's address from the same session: the usual 202 and a confirmation mail, nothing active.
      const other = 'not-mine@example.org';
      const asked = await t.app.inject({
        method: 'POST',
        url: '/api/subscriptions',
        remoteAddress: newClient(),
        headers: person.headers,
        payload: { email: other, cadence: 'daily' },
      });
      expect(asked.statusCode).toBe(202);
      await mailTo(mailed, other);
      expect(sink.messages.slice(mailed).map((m) => m.envelope.to[0])).toEqual([other]);
      expect((await rows(other))[0]).toMatchObject({ status: 'pending', user_id: null });

      // Settings and the API list the person's own two, not the other address's.
      const list = await t.app.inject({ method: 'GET', url: '/api/subscriptions', headers: person.bearer });
      expect(list.statusCode).toBe(200);
      expect(list.json().subscriptions.map((s: { cadence: string }) => s.cadence)).toEqual(['daily', 'weekly']);
      const settings = await t.app.inject({ method: 'GET', url: '/settings', headers: { cookie: person.cookie } });
      expect(settings.body).toContain('Your subscriptions');
      expect(settings.body).toContain('Weekly, on Wednesdays');
      expect(settings.body).toContain('categories cs.LG, math.AG; authors Ada Lovelace');
      expect(settings.body).toContain('keywords graphs');
      expect(settings.body).not.toContain(other);
      expect((await t.app.inject({ method: 'GET', url: '/api/subscriptions' })).statusCode).toBe(401);
      const doc = (await t.app.inject('/openapi.json')).json();
      expect(doc.paths['/api/subscriptions'].get.summary).toMatch(/live subscriptions/);
      expect(doc.paths['/api/subscriptions/{id}'].delete.summary).toMatch(/404/);
    },
  );

  it.skipIf(!kind.available)(
    'signed in: changes cadence and topics from the prefilled form, unsubscribes and resumes; others get 404',
    async () => {
      const person = await createPerson(t);
      const stranger = await createPerson(t);
      const own = person.user.email;
      // Subscribed anonymously first (pending, no account link): the settings still show it, waiting.
      const before = sink.messages.length;
      expect((await apiSubscribe({ email: own, cadence: 'daily' })).statusCode).toBe(202);
      const mail = await mailTo(before, own);
      const [pending] = await rows(own);
      let settings = await t.app.inject({ method: 'GET', url: '/settings', headers: { cookie: person.cookie } });
      expect(settings.body).toContain('waiting for confirmation');
      const id = Number(pending!.id);

      // The edit form, prefilled; a stranger (or an anonymous visitor) cannot open it.
      const edit = await t.app.inject({
        method: 'GET',
        url: `/subscribe?edit=${id}`,
        headers: { cookie: person.cookie },
      });
      expect(edit.statusCode).toBe(200);
      expect(edit.body).toContain('Change your subscription');
      expect(edit.body).toContain(`name="replaces" value="${id}"`);
      expect(
        (await t.app.inject({ method: 'GET', url: `/subscribe?edit=${id}`, headers: { cookie: stranger.cookie } }))
          .statusCode,
      ).toBe(404);
      const anonymous = await t.app.inject({ method: 'GET', url: `/subscribe?edit=${id}` });
      expect(anonymous.statusCode).toBe(303);
      expect(anonymous.headers.location).toBe(`/login?next=${encodeURIComponent(`/subscribe?edit=${id}`)}`);

      // Saving it as weekly with a keyword: the daily one ends, the weekly one is active; the old mailed link is used up.
      const saved = await t.app.inject({
        method: 'POST',
        url: '/subscriptions',
        remoteAddress: newClient(),
        headers: { ...FORM, cookie: person.cookie },
        payload: form({
          email: own,
          cadence: 'weekly',
          weeklyDay: '5',
          keywords: 'diffusion',
          replaces: String(id),
          _csrf: person.csrf,
        }),
      });
      expect(saved.statusCode).toBe(303);
      expect(saved.headers.location).toMatch(/done=subscription-saved/);
      const after = await rows(own);
      expect(after.map((r) => [r.cadence, r.status])).toEqual([
        ['daily', 'unsubscribed'],
        ['weekly', 'active'],
      ]);
      const weeklyId = Number(after[1]!.id);
      expect((await confirm(LINK.exec(mail.parsed.text ?? '')![1]!)).page.statusCode).toBe(410);

      // A stranger cannot end it (404, the same as an unknown id), by form or API; nothing changes.
      for (const attempt of [
        t.app.inject({ method: 'DELETE', url: `/api/subscriptions/${weeklyId}`, headers: stranger.bearer }),
        t.app.inject({ method: 'DELETE', url: '/api/subscriptions/999999', headers: person.bearer }),
        t.app.inject({
          method: 'POST',
          url: `/settings/subscriptions/${weeklyId}/unsubscribe`,
          headers: { ...FORM, cookie: stranger.cookie },
          payload: form({ _csrf: stranger.csrf }),
        }),
      ]) {
        const res = await attempt;
        expect(res.statusCode).toBe(404);
      }
      expect((await rows(own))[1]!.status).toBe('active');

      // Paused by the sender (bounces): settings say so and what to do; Resume lifts it.
      await db()
        .updateTable('subscriptions')
        .set({ paused_at: new Date().toISOString(), consecutive_failures: 5 })
        .where('id', '=', weeklyId)
        .execute();
      settings = await t.app.inject({ method: 'GET', url: '/settings', headers: { cookie: person.cookie } });
      expect(settings.body).toContain('paused');
      expect(settings.body).toContain('kept bouncing');
      const listed = await t.app.inject({ method: 'GET', url: '/api/subscriptions', headers: person.bearer });
      expect(listed.json().subscriptions[0]).toMatchObject({ id: weeklyId, status: 'paused' });
      const resumed = await t.app.inject({
        method: 'POST',
        url: `/settings/subscriptions/${weeklyId}/resume`,
        headers: { ...FORM, cookie: person.cookie },
        payload: form({ _csrf: person.csrf }),
      });
      expect(resumed.statusCode).toBe(303);
      expect((await rows(own))[1]).toMatchObject({ paused_at: null, consecutive_failures: 0 });

      // Unsubscribed from settings (form, CSRF): gone from the list; the API DELETE repeats it harmlessly.
      const noCsrf = await t.app.inject({
        method: 'POST',
        url: `/settings/subscriptions/${weeklyId}/unsubscribe`,
        headers: { ...FORM, cookie: person.cookie },
        payload: form({}),
      });
      expect(noCsrf.statusCode).toBe(403);
      const ended = await t.app.inject({
        method: 'POST',
        url: `/settings/subscriptions/${weeklyId}/unsubscribe`,
        headers: { ...FORM, cookie: person.cookie },
        payload: form({ _csrf: person.csrf }),
      });
      expect(ended.statusCode).toBe(303);
      expect(ended.headers.location).toMatch(/^\/settings\?done=unsubscribed/);
      settings = await t.app.inject({
        method: 'GET',
        url: '/settings?done=unsubscribed',
        headers: { cookie: person.cookie },
      });
      expect(settings.body).toContain('Unsubscribed: no more digests');
      expect(settings.body).toContain('You receive no digests');
      expect(settings.body).toContain('href="/subscribe"');
      const repeated = await t.app.inject({
        method: 'DELETE',
        url: `/api/subscriptions/${weeklyId}`,
        headers: person.bearer,
      });
      expect(repeated.statusCode).toBe(200);
      expect(repeated.json().subscription.status).toBe('unsubscribed');
      expect((await t.app.inject({ method: 'GET', url: '/api/subscriptions', headers: person.bearer })).json()).toEqual(
        {
          subscriptions: [],
        },
      );
    },
  );

  it.skipIf(!kind.available)('caps mails per address and answers a flood with 429 and Retry-After', async () => {
    const email = 'flooded@example.org';
    const before = sink.messages.length;
    // From many clients: the address gets at most 3 confirmation mails an hour, with the same answer every time.
    for (let i = 0; i < 5; i++) expect((await apiSubscribe({ email, cadence: 'daily' })).statusCode).toBe(202);
    await sink.waitForMessages(before + 3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sink.messages.slice(before).filter((m) => m.envelope.to.includes(email))).toHaveLength(3);
    expect(await rows(email)).toHaveLength(1);

    // From one client: 5 requests in 15 minutes, then 429 with Retry-After, nothing stored.
    const client = newClient();
    for (let i = 0; i < 5; i++) {
      expect((await apiSubscribe({ email: `flood${i}@example.org`, cadence: 'daily' }, client)).statusCode).toBe(202);
    }
    const limited = await apiSubscribe({ email: 'flood-extra@example.org', cadence: 'daily' }, client);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(await rows('flood-extra@example.org')).toHaveLength(0);
  });
});
