/**
 * The digest mail end to end, in real parts: the real server listening on loopback (SQLite, the bundled sample
 * papers with the demo community's upvotes), a subscription made and confirmed through the site like a reader
 * would (API, mailed link, the confirm button), the digest composed and rendered (composeDigest + digestMail) and
 * sent through the real SmtpMailTransport (nodemailer) to a real SMTP server (smtp-server), and the message parsed
 * by mailparser:
 *
 * - headers: From, exactly one recipient, Subject, Date, Message-ID, RFC 8058 List-Unsubscribe(-Post);
 * - both parts, nothing fetched from elsewhere (no image, script, stylesheet or frame);
 * - every link of both parts is on PAPERBOY_BASE_URL and answers on the running server, and paper links show
 *   their paper;
 * - the one-click POST of the header ends the subscription without cookies; altered tokens, another subscription's
 *   token and a replay change nothing;
 * - the HTML part in real Chromium (nothing loaded from the network: every request is blocked and counted) at
 *   600 px and 375 px, light and dark: nothing overflows sideways, and axe-core finds no colour-contrast or other
 *   serious violation. docs/screenshots/digest-mail.png is refreshed with PAPERBOY_UPDATE_SCREENSHOTS=1;
 * - the same digest through the digest sender (sendDigests): sent once, the same parts and headers, with its
 *   stable Message-ID, and a second run sends nothing.
 *
 * The browser half is skipped with a note when Chromium is not installed, unless PAPERBOY_REQUIRE_BROWSER=1 (CI).
 */
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeDigest, type DigestContent } from '../src/digest/compose.ts';
import { digestMail, digestSubject, paperUrl } from '../src/digest/render.ts';
import { digestMessageId, sendDigests } from '../src/digest/send.ts';
import { type DigestPeriod, digestPeriodOn } from '../src/domain/digest-period.ts';
import { unsubscribeToken } from '../src/mail/subscription-mails.ts';
import { type MailMessage, SmtpMailTransport } from '../src/mail/transport.ts';
import { createLexicalSearch } from '../src/search/lexical-search.ts';
import { KyselyDigestDeliveryStore } from '../src/storage/digest-delivery-store.ts';
import { KyselySubscriptionStore, type Subscription } from '../src/storage/subscription-store.ts';
import { KyselyJobLeases } from '../src/worker/leases.ts';
import {
  ARTIFACTS_DIR,
  DOCS_SCREENSHOTS_DIR,
  ensureDir,
  findChromium,
  launchChromium,
  type RunningSite,
  startDemoSite,
} from './support/browser.ts';
import { CookieJar, csrfFromPage } from './support/cookie-jar.ts';
import { type ReceivedMail, type SmtpSink, startSmtpSink } from './support/smtp.ts';

const chromiumPath = findChromium().executablePath;

const SECRET = 'digest-mail-test-secret-0123456789abcdef';
const MAIL_FROM = 'Paperboy <digest@papers.example.org>';
const SITE_NAME = 'Paperboy';
const READER = 'marie.curie@lab.example.org';
/** Topics that match demo papers outside the top few (so the "for you" section has entries). */
const TOPICS = { categories: ['physics.flu-dyn'], authors: ['Alan Turing'], keywords: ['diffusion'] };
/** Trending papers in the digest: fewer than the demo lists, so that "for you" finds others. */
const DIGEST_SIZE = 4;
/** The demo feed's latest day (a Friday): the digest is the one sent that day. */
const SEND_DAY = '2024-03-01';
const WIDTHS = [600, 375] as const;
const SCHEMES = ['light', 'dark'] as const;
const BLOCKING_IMPACTS = new Set(['serious', 'critical']);
const updateDocs = process.env.PAPERBOY_UPDATE_SCREENSHOTS === '1';

/** The HTML entities our renderer writes in attributes. */
function decodeAttribute(value: string): string {
  return value
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

/** A header as transmitted (folded lines joined), by name; null when absent. */
function rawHeader(mail: ReceivedMail, name: string): string | null {
  const line = mail.parsed.headerLines.find((header) => header.key === name.toLowerCase());
  if (!line) return null;
  return line.line
    .replace(/\r?\n[ \t]+/g, ' ')
    .slice(name.length + 1)
    .trim();
}

describe('the digest mail, end to end in real parts', () => {
  let sink: SmtpSink;
  let site: RunningSite;
  let subscriptions: KyselySubscriptionStore;
  let subscription: Subscription;
  let content: DigestContent;
  let period: DigestPeriod;
  let mail: ReceivedMail;
  let message: MailMessage;
  /** Chromium, when installed (launched with the site, closed after). */
  let browser: Browser | null = null;

  const url = (path: string) => `${site.baseUrl}${path}`;
  const statusOf = async (id: number) => (await subscriptions.find(id))!;

  beforeAll(async () => {
    if (chromiumPath !== null) {
      browser = await launchChromium(chromiumPath);
      ensureDir(ARTIFACTS_DIR);
    }
    sink = await startSmtpSink();
    site = await startDemoSite({ env: { SMTP_URL: sink.url, PAPERBOY_SECRET: SECRET, PAPERBOY_MAIL_FROM: MAIL_FROM } });
    subscriptions = new KyselySubscriptionStore(site.database.db);

    // A reader subscribes through the site and confirms with the mailed link, like in a browser.
    const asked = await fetch(url('/api/subscriptions'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: READER, cadence: 'daily', topics: TOPICS }),
    });
    expect(asked.status).toBe(202);
    const [confirmation] = await sink.waitForMessages(1);
    const link = /http:\/\/127\.0\.0\.1:\d+\/subscriptions\/confirm\?token=[\w-]+/.exec(
      confirmation!.parsed.text ?? '',
    );
    expect(link).not.toBeNull();
    const jar = new CookieJar();
    const page = await fetch(link![0]);
    jar.store(page.headers.getSetCookie());
    const body = await page.text();
    const token = /name="token" value="([^"]+)"/.exec(body)![1]!;
    const confirmed = await fetch(url('/subscriptions/confirm'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
      body: new URLSearchParams({ token, _csrf: csrfFromPage(body) }).toString(),
    });
    expect(confirmed.status).toBe(200);
    const row = await site.database.db
      .selectFrom('subscriptions')
      .select('id')
      .where('email', '=', READER)
      .executeTakeFirstOrThrow();
    subscription = (await subscriptions.find(Number(row.id)))!;
    expect(subscription.status).toBe('active');
    expect(subscription.topics).toEqual(TOPICS);

    // The day's digest, composed from the running site's database and sent through the real SMTP transport.
    period = digestPeriodOn('daily', SEND_DAY)!;
    const composed = await composeDigest(
      { store: site.store, db: site.database.db, search: createLexicalSearch(site.database.db, 'sqlite') },
      { period, topics: subscription.topics, size: DIGEST_SIZE },
    );
    expect(composed).not.toBeNull();
    content = composed!;
    message = digestMail(content, subscription, { baseUrl: site.config.baseUrl, siteName: SITE_NAME, secret: SECRET });
    const transport = new SmtpMailTransport(sink.url, site.config.mailFrom);
    try {
      const sent = await transport.send(message);
      expect(sent.messageId).toMatch(/^<.+@.+>$/);
    } finally {
      await transport.close();
    }
    mail = (await sink.waitForMessages(2))[1]!;
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await sink?.close();
  });

  it('has the papers: the top trending with upvotes, and "for you" by the topics', () => {
    expect(content.top).toHaveLength(DIGEST_SIZE);
    const upvotes = content.top.map((item) => item.paper.upvotes);
    expect(upvotes[0]).toBeGreaterThan(0);
    expect(content.forYou.length).toBeGreaterThan(0);
    expect(content.hasTopics).toBe(true);
  });

  it('carries the right headers: From, one recipient, Subject, Date, Message-ID, one-click unsubscribe', () => {
    const { parsed, envelope } = mail;
    expect(parsed.from?.value).toEqual([{ address: 'digest@papers.example.org', name: 'Paperboy' }]);
    expect(envelope.to).toEqual([READER]);
    const to = Array.isArray(parsed.to) ? parsed.to : [parsed.to];
    expect(to.flatMap((address) => address?.value.map((value) => value.address))).toEqual([READER]);
    expect(parsed.cc).toBeUndefined();
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.subject).toBe(digestSubject(period));
    expect(parsed.subject).toBe('Trending papers, Friday 1 March');
    expect(parsed.date).toBeInstanceOf(Date);
    expect(Math.abs(parsed.date!.getTime() - Date.now())).toBeLessThan(5 * 60_000);
    expect(parsed.messageId).toMatch(/^<[^<>@\s]+@[^<>@\s]+>$/);

    const listUnsubscribe = rawHeader(mail, 'List-Unsubscribe');
    expect(listUnsubscribe).toBe(
      `<${site.config.baseUrl}/subscriptions/unsubscribe?s=${subscription.id}&t=${unsubscribeToken(SECRET, subscription.id)}>`,
    );
    expect(listUnsubscribe).toMatch(/^<https?:\/\//);
    expect(rawHeader(mail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
  });

  it('has a text part and an HTML part, with nothing to fetch from elsewhere', () => {
    const { text, html } = mail.parsed;
    expect(text).toContain('TRENDING');
    expect(text).toContain('FOR YOU');
    expect(text).toContain(content.top[0]!.paper.id);
    expect(typeof html).toBe('string');
    const page = html as string;
    expect(page).toContain('<table role="presentation"');
    expect(page).not.toMatch(/<img\b|<script\b|<iframe\b|<object\b|<embed\b|<link\b|<video\b|<audio\b|<form\b/i);
    expect(page).not.toMatch(/\bsrc\s*=|\bsrcset\s*=|\bbackground\s*=|url\(|@import|\bon[a-z]+\s*=/i);
    expect(page).not.toMatch(/javascript:/i);
  });

  /** Every link of both parts, absolute, `&` decoded. */
  function linksOfBothParts(): { html: string[]; text: string[] } {
    const html = [...(mail.parsed.html as string).matchAll(/href="([^"]*)"/g)].map((m) => decodeAttribute(m[1]!));
    const text = [...(mail.parsed.text ?? '').matchAll(/https?:\/\/[^\s<>()]+/g)].map((m) => m[0]);
    return { html, text };
  }

  it('links only to PAPERBOY_BASE_URL, and every link answers on the running server', async () => {
    const { html, text } = linksOfBothParts();
    expect(html.length).toBeGreaterThan(DIGEST_SIZE);
    expect(text.length).toBeGreaterThan(DIGEST_SIZE);
    const base = `${site.config.baseUrl}/`;
    expect(site.config.baseUrl).toBe(site.baseUrl);
    for (const link of [...html, ...text]) expect(link.startsWith(base), link).toBe(true);
    // The same links in both parts (the text part shows the same digest).
    expect([...new Set(text)].sort()).toEqual([...new Set(html)].filter((link) => link !== base).sort());

    for (const link of new Set([...html, ...text])) {
      const answer = await fetch(link, { redirect: 'manual' });
      expect(answer.status, link).toBe(200);
      await answer.arrayBuffer();
    }
    // Opening the unsubscribe link (a mail scanner) only shows the page with its button.
    expect((await statusOf(subscription.id)).status).toBe('active');
  });

  it('links each paper to the page of that paper', async () => {
    for (const item of [...content.top, ...content.forYou]) {
      const link = paperUrl(site.config.baseUrl, item.paper);
      expect(mail.parsed.html as string).toContain(`href="${link}"`);
      expect(mail.parsed.text).toContain(link);
      const page = await (await fetch(link)).text();
      expect(page, link).toContain(`<link rel="canonical" href="${link}"/>`);
      expect(page, link).toContain(item.paper.id);
    }
  });

  it('goes out the same through the digest sender, once per period (sendDigests)', async () => {
    const before = sink.messages.length;
    const transport = new SmtpMailTransport(sink.url, site.config.mailFrom);
    const run = () =>
      sendDigests(
        {
          store: site.store,
          db: site.database.db,
          search: createLexicalSearch(site.database.db, 'sqlite'),
          deliveries: new KyselyDigestDeliveryStore(site.database.db),
          leases: new KyselyJobLeases(site.database.db),
          transport,
        },
        {
          period,
          weeklyDay: null,
          subscriptionId: subscription.id,
          size: DIGEST_SIZE,
          baseUrl: site.config.baseUrl,
          siteName: SITE_NAME,
          secret: SECRET,
          holder: `digest-mail-test:${process.pid}`,
        },
      );
    try {
      const first = await run();
      expect(first).toMatchObject({ outcome: 'done', sent: 1, failed: 0 });
      const second = await run();
      expect(second).toMatchObject({ outcome: 'done', sent: 0, alreadySent: 1 });
    } finally {
      await transport.close();
    }
    const sent = (await sink.waitForMessages(before + 1))[before]!;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sink.messages).toHaveLength(before + 1);
    expect(sent.envelope.to).toEqual([READER]);
    expect(sent.parsed.subject).toBe(mail.parsed.subject);
    expect(sent.parsed.messageId).toBe(digestMessageId(period.key, subscription.id, site.config.baseUrl));
    expect(rawHeader(sent, 'List-Unsubscribe')).toBe(rawHeader(mail, 'List-Unsubscribe'));
    expect(rawHeader(sent, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    // The very digest this file checked: the same parts, word for word.
    expect(sent.parsed.html).toBe(mail.parsed.html);
    expect(sent.parsed.text).toBe(mail.parsed.text);
  });

  it('ends the subscription by the one-click POST, without cookies; altered or replayed tokens change nothing', async () => {
    const oneClick = /^<(.+)>$/.exec(rawHeader(mail, 'List-Unsubscribe')!)![1]!;
    const post = (target: string) =>
      fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
        redirect: 'manual',
      });
    const token = unsubscribeToken(SECRET, subscription.id);
    const flipped = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    const altered = [
      oneClick.replace(`t=${token}`, `t=${flipped}`),
      oneClick.replace(`s=${subscription.id}`, `s=${subscription.id + 1}`),
      oneClick.replace(
        `t=${token}`,
        `t=${unsubscribeToken('another-instance-secret-0123456789abcdef', subscription.id)}`,
      ),
      oneClick.replace(`&t=${token}`, ''),
    ];
    for (const attempt of altered) {
      const refused = await post(attempt);
      expect([400, 403], attempt).toContain(refused.status);
      await refused.arrayBuffer();
    }
    expect((await statusOf(subscription.id)).status).toBe('active');

    const done = await post(oneClick);
    expect(done.status).toBe(200);
    expect(done.headers.get('set-cookie')).toBeNull();
    expect(await done.text()).toContain('Unsubscribed');
    const ended = await statusOf(subscription.id);
    expect(ended.status).toBe('unsubscribed');

    // The reader subscribes again (a new subscription); replaying the old one-click request touches neither.
    const again = await fetch(url('/api/subscriptions'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: READER, cadence: 'daily' }),
    });
    expect(again.status).toBe(202);
    const replayed = await post(oneClick);
    expect(replayed.status).toBe(200);
    await replayed.arrayBuffer();
    expect(await statusOf(subscription.id)).toEqual(ended);
    const live = await subscriptions.listForUser(0, READER);
    expect(live).toHaveLength(1);
    expect(live[0]!.id).not.toBe(subscription.id);
    expect(live[0]!.status).toBe('pending');
  });

  describe.skipIf(chromiumPath === null)('the HTML part in real Chromium', () => {
    it.each(WIDTHS.flatMap((width) => SCHEMES.map((scheme) => [width, scheme] as const)))(
      'renders at %i px (%s) without loading anything, overflowing, or serious axe violations',
      async (width, colorScheme) => {
        const context = await browser!.newContext({ viewport: { width, height: 900 }, colorScheme });
        const requests: string[] = [];
        await context.route('**/*', (route) => {
          requests.push(route.request().url());
          return route.abort();
        });
        try {
          const page = await context.newPage();
          await page.emulateMedia({ colorScheme });
          await page.setContent(mail.parsed.html as string, { waitUntil: 'load' });
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
          );
          expect(overflow, `sideways overflow at ${width} px`).toBeLessThanOrEqual(0);
          // The dark colours apply in the dark scheme (clients that honour prefers-color-scheme).
          const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
          expect(background).toBe(colorScheme === 'dark' ? 'rgb(17, 19, 23)' : 'rgb(244, 245, 247)');

          const results = await new AxeBuilder({ page }).analyze();
          const blocking = results.violations
            .filter((violation) => violation.id === 'color-contrast' || BLOCKING_IMPACTS.has(violation.impact ?? ''))
            .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
          expect(blocking).toEqual([]);

          const name = `digest-mail-${width}-${colorScheme}.png`;
          await page.screenshot({ path: join(ARTIFACTS_DIR, name), fullPage: true });
          if (updateDocs && width === 600 && colorScheme === 'light') {
            await page.screenshot({ path: join(ensureDir(DOCS_SCREENSHOTS_DIR), 'digest-mail.png'), fullPage: true });
          }
          expect(requests, 'network requests from the mail').toEqual([]);
        } finally {
          await context.close();
        }
      },
    );
  });
});
