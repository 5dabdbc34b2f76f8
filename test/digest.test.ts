/**
 * The digest on SQLite and PostgreSQL: what is chosen (trending order, "for you" by category, author and keyword,
 * never repeating the top list, nothing outside the days), how it is written (escaped, a readable text part, an HTML
 * part without images or scripts whose links are all absolute on PAPERBOY_BASE_URL, unsubscribe headers), and the
 * admins-only preview page.
 */
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { composeDigest, type DigestContent, type DigestSources } from '../src/digest/compose.ts';
import { digestMail, oneSentenceSummary, renderDigest, shortAuthors } from '../src/digest/render.ts';
import { digestPeriodOn, previewPeriodOn } from '../src/domain/digest-period.ts';
import { todayIn } from '../src/domain/feed-period.ts';
import { NO_TOPICS } from '../src/domain/subscription-topics.ts';
import { createLexicalSearch } from '../src/search/lexical-search.ts';
import { createPerson } from './support/accounts.ts';
import { createTestApp, type TestApp, testListing, testRecord } from './support/app.ts';
import { databaseKinds } from './support/databases.ts';

const BASE = 'http://papers.test';
const TODAY = todayIn('UTC');
const LONG_AGO = DateTime.fromISO(TODAY, { zone: 'utc' }).minus({ days: 10 }).toISODate()!;
const at = (hour: string) => `${TODAY}T${hour}:00.000Z`;

/** Listed today at different times: the later, the higher its trending score (no votes anywhere). */
const PAPERS = [
  testRecord('2611.00001', {
    title: 'Wombats & <b>bold</b> claims about $x<y$',
    abstract: 'We study the wombat, e.g. its burrows. A second sentence that must not appear.',
    authors: ['Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'Edsger Dijkstra'],
  }),
  testRecord('2611.00002', { title: 'Second trending', abstract: '' }),
  testRecord('2611.00003', { title: 'Vision paper', categories: ['cs.CV'] }),
  testRecord('2611.00004', { title: 'By Hopper', authors: ['Grace Hopper'] }),
  testRecord('2611.00005', { title: 'Keyword paper', abstract: 'Marsupials such as the wombat dig.' }),
  testRecord('2611.00006', { title: 'Old wombat vision', categories: ['cs.CV'], authors: ['Grace Hopper'] }),
  testRecord('2611.00007', { title: 'Unrelated' }),
];
const LISTINGS = [
  testListing('2611.00001', TODAY, at('06:00')),
  testListing('2611.00002', TODAY, at('05:00')),
  testListing('2611.00003', TODAY, at('04:00')),
  testListing('2611.00004', TODAY, at('03:00')),
  testListing('2611.00005', TODAY, at('02:00')),
  testListing('2611.00006', LONG_AGO, `${LONG_AGO}T06:00:00.000Z`),
  testListing('2611.00007', TODAY, at('01:00')),
];
const TOPICS = { categories: ['cs.CV'], authors: ['grace hopper'], keywords: ['Wombat'] };

const ids = (items: { paper: { id: string } }[]) => items.map((item) => item.paper.id);

describe('digest text helpers', () => {
  it('shortens author lists and takes the first sentence of an abstract as plain text', () => {
    expect(shortAuthors([])).toBe('');
    expect(shortAuthors(['A'])).toBe('A');
    expect(shortAuthors(['A', 'B'])).toBe('A and B');
    expect(shortAuthors(['A', 'B', 'C', 'D'])).toBe('A, B, C et al.');
    expect(oneSentenceSummary('We show $O(n^2)$ bounds. Then more.')).toBe('We show O(n^2) bounds.');
    expect(oneSentenceSummary('One, e.g. this, goes on.\nSecond.')).toBe('One, e.g. this, goes on.');
    expect(oneSentenceSummary('')).toBe('');
    const long = oneSentenceSummary(`${'word '.repeat(100)}end.`);
    expect(long.length).toBeLessThanOrEqual(281);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe.each(databaseKinds())('digest on $name', (kind) => {
  let t: TestApp;
  let sources: DigestSources;
  const weekday = digestPeriodOn('weekly', TODAY)!;

  beforeAll(async () => {
    if (!kind.available) return;
    t = await createTestApp(kind, undefined, { PAPERBOY_TIMEZONE: 'UTC', PAPERBOY_RATE_LIMITS: '0' });
    sources = { store: t.store, db: t.database.db, search: createLexicalSearch(t.database.db, t.database.dialect) };
  });
  afterAll(async () => {
    await t?.close();
  });

  it.runIf(kind.available)('is skipped only when the instance has no papers at all', async () => {
    expect(await composeDigest(sources, { period: weekday, topics: TOPICS, size: 2 })).toBeNull();
    // The preview page says so instead of showing an empty mail.
    const admin = await createPerson(t, { role: 'admin' });
    const empty = await t.app.inject({ url: '/digest/preview', headers: { cookie: admin.cookie } });
    expect(empty.statusCode).toBe(404);
    expect(empty.body).toContain('no papers yet');
    await t.store.upsertPapersAndListings(PAPERS, LISTINGS);
  });

  it.runIf(kind.available)(
    'takes the top trending papers and for-you matches outside them, in trending order',
    async () => {
      const content = (await composeDigest(sources, { period: weekday, topics: TOPICS, size: 2 }))!;
      expect(ids(content.top)).toEqual(['2611.00001', '2611.00002']);
      // 00001 matches the keyword but is already in the top list; 00006 matches everything but was listed too long ago.
      expect(ids(content.forYou)).toEqual(['2611.00003', '2611.00004', '2611.00005']);
      expect(content.forYou.map((item) => item.reasons)).toEqual([
        [{ kind: 'category', value: 'cs.CV' }],
        [{ kind: 'author', value: 'grace hopper' }],
        [{ kind: 'keyword', value: 'Wombat' }],
      ]);
      const bigger = (await composeDigest(sources, { period: weekday, topics: NO_TOPICS, size: 10 }))!;
      expect(ids(bigger.top)).toEqual([
        '2611.00001',
        '2611.00002',
        '2611.00003',
        '2611.00004',
        '2611.00005',
        '2611.00007',
      ]);
      expect(bigger.forYou).toEqual([]);
      expect(bigger.hasTopics).toBe(false);
    },
  );

  it.runIf(kind.available)('shows at most five for-you papers', async () => {
    const everyone = { categories: ['cs.LG', 'cs.CV'], authors: [], keywords: [] };
    const content = (await composeDigest(sources, { period: weekday, topics: everyone, size: 1 }))!;
    expect(ids(content.forYou)).toEqual(['2611.00002', '2611.00003', '2611.00004', '2611.00005', '2611.00007']);
  });

  it.runIf(kind.available)('writes an escaped, self-contained HTML part and a readable text part', async () => {
    const content = (await composeDigest(sources, { period: weekday, topics: TOPICS, size: 2 })) as DigestContent;
    const mail = digestMail(
      content,
      { id: 42, email: 'reader@example.org' },
      { baseUrl: BASE, siteName: 'Paperboy', secret: 'k'.repeat(40) },
    );
    expect(mail.to).toBe('reader@example.org');
    expect(mail.subject).toMatch(/^This week's trending papers, /);
    expect(mail.headers?.['List-Unsubscribe']).toMatch(
      /^<http:\/\/papers\.test\/subscriptions\/unsubscribe\?s=42&t=.+>$/,
    );
    expect(mail.headers?.['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');

    const html = mail.html!;
    expect(html).not.toMatch(/<img|<script|<iframe|<link|url\(|@import/i);
    expect(html).toContain('<meta name="color-scheme" content="light dark">');
    expect(html).toContain('Wombats &amp; &lt;b&gt;bold&lt;/b&gt; claims');
    expect(html).not.toContain('<b>bold</b>');
    const links = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(5);
    for (const link of links) expect(link.startsWith(`${BASE}/`)).toBe(true);
    expect(links).toContain(`${BASE}/papers/2611.00001`);
    expect(links.some((link) => link.startsWith(`${BASE}/subscriptions/unsubscribe?s=42&amp;t=`))).toBe(true);

    const text = mail.text;
    // No markup of ours; the title's own `<b>` is text and stays as the author wrote it.
    expect(text).not.toMatch(/<(?:a|td|tr|table|p|div|br)\b/i);
    expect(text).not.toContain('&amp;');
    expect(text).toContain('1. Wombats & <b>bold</b> claims about x<y');
    expect(text).toContain('Ada Lovelace, Alan Turing, Grace Hopper et al.');
    expect(text).toContain('We study the wombat, e.g. its burrows.');
    expect(text).not.toContain('second sentence');
    expect(text).toContain('0 upvotes');
    expect(text).toContain(`${BASE}/papers/2611.00003`);
    expect(text).toContain('FOR YOU');
    expect(text).toContain('in cs.CV');
    expect(text).toContain('by grace hopper');
    expect(text).toContain(`Unsubscribe (one click): ${BASE}/subscriptions/unsubscribe?s=42&t=`);
  });

  it.runIf(kind.available)('lets admins only see the preview page', async () => {
    const anonymous = await t.app.inject({ url: '/digest/preview' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['content-type']).toMatch(/text\/html/);
    const member = await createPerson(t);
    expect((await t.app.inject({ url: '/digest/preview', headers: { cookie: member.cookie } })).statusCode).toBe(403);
    expect((await t.app.inject({ url: '/digest/preview', headers: member.bearer })).statusCode).toBe(403);
    const admin = await createPerson(t, { role: 'admin' });
    const daily = await t.app.inject({ url: '/digest/preview?cadence=daily', headers: { cookie: admin.cookie } });
    expect(daily.statusCode).toBe(200);
    expect(daily.headers['cache-control']).toBe('private, no-store');
    expect(daily.body).toContain('Trending papers, ');
    expect(daily.body).toContain(`${BASE}/papers/2611.00001`);
    expect(daily.body).not.toMatch(/<img|<script/i);
    const weekly = await t.app.inject({ url: '/digest/preview?cadence=weekly', headers: { cookie: admin.cookie } });
    expect(weekly.body).toContain('This week&#39;s trending papers');
    const bad = await t.app.inject({ url: '/digest/preview?cadence=hourly', headers: { cookie: admin.cookie } });
    expect(bad.statusCode).toBe(400);
  });
});

describe('digest subjects', () => {
  const subjectOf = (cadence: 'daily' | 'weekly', day: string) =>
    renderDigest(
      { period: previewPeriodOn(cadence, day), top: [], forYou: [], hasTopics: false },
      { baseUrl: BASE, siteName: 'Paperboy', unsubscribeLink: `${BASE}/u` },
    ).subject;

  it('names the day or the days covered', () => {
    expect(subjectOf('daily', '2026-11-30')).toBe('Trending papers, Monday 30 November');
    expect(subjectOf('weekly', '2026-11-29')).toBe("This week's trending papers, 23–29 November");
    expect(subjectOf('weekly', '2026-12-02')).toBe("This week's trending papers, 26 November – 2 December");
    expect(subjectOf('weekly', '2027-01-02')).toBe("This week's trending papers, 27 December 2026 – 2 January 2027");
  });
});

describe('PAPERBOY_DIGEST_SIZE', () => {
  it('defaults to 10 papers and refuses sizes that are not a digest', () => {
    expect(loadConfig({}).digestSize).toBe(10);
    expect(loadConfig({ PAPERBOY_DIGEST_SIZE: '25' }).digestSize).toBe(25);
    for (const bad of ['0', '51', '3.5', 'ten']) {
      expect(() => loadConfig({ PAPERBOY_DIGEST_SIZE: bad })).toThrow(/PAPERBOY_DIGEST_SIZE must be a whole number/);
    }
  });
});
