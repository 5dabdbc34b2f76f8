/**
 * The /submit page and its plain HTML form, on SQLite and PostgreSQL: the sign-in prompt for anonymous visitors,
 * the form with its CSRF token, success (303 to the paper), and refusals shown on the form with what was entered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayInTimeZone } from '../src/domain/announcement.ts';
import { type ArxivApiClient, createArxivApiClient } from '../src/ingest/arxiv-api-client.ts';
import { createPerson, type TestPerson } from './support/accounts.ts';
import { createTestApp, type TestApp, testRecord } from './support/app.ts';
import { type ArxivReplay, startArxivReplay } from './support/arxiv-replay.ts';
import { databaseKinds } from './support/databases.ts';

let replay: ArxivReplay;
let arxiv: ArxivApiClient;

beforeAll(async () => {
  replay = await startArxivReplay();
  arxiv = createArxivApiClient({ endpoint: replay.url, baseUrl: 'http://papers.test', minRequestSpacingMs: 20 });
});
afterAll(async () => {
  await arxiv?.close();
  await replay?.close();
});

/** The value of the form field `name` in a page (attributes as Preact renders them). */
function fieldValue(html: string, name: string): string | null {
  for (const [, attributes] of html.matchAll(/<input((?:\s+[\w:-]+(?:="[^"]*")?)*)\s*\/?>/g)) {
    if (!attributes?.includes(` name="${name}"`)) continue;
    return /\svalue="([^"]*)"/.exec(attributes)?.[1] ?? '';
  }
  return null;
}

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

describe.each(databaseKinds())('the /submit form on $name', (kind) => {
  let t: TestApp;
  let member: TestPerson;

  beforeAll(async () => {
    if (!kind.available) return;
    t = await createTestApp(kind, undefined, { PAPERBOY_SUBMISSION_MAX_AGE_DAYS: '36500' }, { arxiv });
    member = await createPerson(t);
    await t.store.upsertPapers(['2304.00001', '2304.00002', '2304.00003'].map((id) => testRecord(id)));
  });
  afterAll(async () => {
    await t?.close();
  });

  const post = (headers: Record<string, string>, fields: Record<string, string>) =>
    t.app.inject({
      method: 'POST',
      url: '/submit',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: form(fields),
    });

  async function listingCount(): Promise<number> {
    const row = await t.database.db
      .selectFrom('listings')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  it.skipIf(!kind.available)('asks anonymous visitors to sign in, coming back here', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/submit?paperId=2206.00927' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Sign in to submit a paper');
    expect(res.body).toContain('href="/login?next=%2Fsubmit%3FpaperId%3D2206.00927"');
    expect(res.body).not.toContain('<form class="submit-form"');
    const plain = await t.app.inject({ method: 'GET', url: '/submit' });
    expect(plain.body).toContain('href="/login?next=%2Fsubmit"');
  });

  it.skipIf(!kind.available)('shows members the form with their CSRF token, prefilled from the address', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/submit?paperId=arXiv:2304.00001',
      headers: { cookie: member.cookie },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('private, no-cache');
    expect(fieldValue(res.body, '_csrf')).toBe(member.csrf);
    expect(fieldValue(res.body, 'paperId')).toBe('arXiv:2304.00001');
    expect(res.body).toContain('<label for="submit-paper">');
    expect(res.body).toMatch(/up to 10 papers a day/);
    expect(res.body).toContain('aria-current="true">Submit');
  });

  it.skipIf(!kind.available)('lists the paper and sends the person to its page (303)', async () => {
    const res = await post(
      { cookie: member.cookie },
      { _csrf: member.csrf, paperId: 'https://arxiv.org/abs/2304.00001v2', comment: 'Worth it <b>really</b>.' },
    );
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/papers/2304.00001');
    expect(await t.store.getListing('2304.00001')).toMatchObject({
      source: 'user',
      submittedByUserId: member.user.id,
      comment: 'Worth it <b>really</b>.',
    });
    const page = await t.app.inject({ method: 'GET', url: '/papers/2304.00001' });
    expect(page.statusCode).toBe(200);
    // The paper page names the submitter and quotes their comment, as text.
    expect(page.body).toContain(`Submitted by <a href="/u/${member.user.username}">@${member.user.username}</a>`);
    expect(page.body).toContain('Worth it &lt;b>really&lt;/b>.');
  });

  it.skipIf(!kind.available)('fetches a paper new to the catalogue from arXiv', async () => {
    const res = await post({ cookie: member.cookie }, { _csrf: member.csrf, paperId: '2204.08348' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/papers/2204.08348');
    expect(await t.store.getPaper('2204.08348')).not.toBeNull();
  });

  it.skipIf(!kind.available)('without a valid CSRF token: 403, the form again with what was entered', async () => {
    const before = await listingCount();
    const entered = { paperId: '2304.00002', comment: 'Nice <b>work</b>', githubRepo: 'https://github.com/a/b' };
    for (const token of [null, 'forged-token']) {
      const res = await post({ cookie: member.cookie }, token ? { ...entered, _csrf: token } : entered);
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.body).toContain('role="alert"');
      expect(res.body).toContain('did not come from this site');
      expect(fieldValue(res.body, 'paperId')).toBe('2304.00002');
      expect(fieldValue(res.body, 'githubRepo')).toBe('https://github.com/a/b');
      expect(res.body).toContain('Nice &lt;b>work&lt;/b>');
      // A fresh, valid token to try again with.
      expect(fieldValue(res.body, '_csrf')).toBe(member.csrf);
    }
    expect(await listingCount()).toBe(before);
  });

  it.skipIf(!kind.available)('shows a refusal on the form: a duplicate links the paper and its day', async () => {
    const before = await listingCount();
    const res = await post({ cookie: member.cookie }, { _csrf: member.csrf, paperId: '2304.00001' });
    expect(res.statusCode).toBe(409);
    const today = dayInTimeZone(new Date(), 'America/New_York');
    expect(res.body).toContain(`Paper 2304.00001 is already on the daily feed: it was listed on ${today}.`);
    expect(res.body).toContain('href="/papers/2304.00001"');
    expect(res.body).toContain(`href="/papers/date/${today}"`);
    expect(fieldValue(res.body, 'paperId')).toBe('2304.00001');
    expect(await listingCount()).toBe(before);
  });

  it.skipIf(!kind.available)('shows malformed input on the form, escaped, with a 400', async () => {
    const before = await listingCount();
    const res = await post(
      { cookie: member.cookie },
      { _csrf: member.csrf, paperId: '<script>alert(1)</script>', comment: 'x' },
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Cannot submit this paper');
    expect(res.body).not.toContain('<script>alert(1)</script>');
    expect(fieldValue(res.body, 'paperId')).toBe('&lt;script>alert(1)&lt;/script>');
    const long = await post(
      { cookie: member.cookie },
      { _csrf: member.csrf, paperId: '2304.00003', comment: 'y'.repeat(501) },
    );
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain('at most 500 are allowed');
    expect(await listingCount()).toBe(before);
  });

  it.skipIf(!kind.available)('answers anonymous and banned posts on the page, storing nothing', async () => {
    const before = await listingCount();
    const anonymous = await post({}, { paperId: '2304.00003' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.body).toContain('Sign in to submit a paper');
    expect(anonymous.body).toContain('href="/login?next=%2Fsubmit%3FpaperId%3D2304.00003"');
    const banned = await createPerson(t, { role: 'banned' });
    const page = await t.app.inject({ method: 'GET', url: '/submit', headers: { cookie: banned.cookie } });
    expect(page.body).toContain('Your account has been suspended');
    const refused = await post({ cookie: banned.cookie }, { _csrf: banned.csrf, paperId: '2304.00003' });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('suspended');
    expect(await listingCount()).toBe(before);
  });
});
