/**
 * The community features end to end, as one person's visit in Debian's real Chromium (through Playwright) against
 * the real server listening on loopback (SQLite, the bundled sample papers and the demo community), a real SMTP
 * sink (SMTP_URL) and the local arXiv API replaying recorded answers (PAPERBOY_ARXIV_API_URL):
 *
 *   1. sign in by the emailed link (the mail read from the sink);
 *   2. upvote a paper on the feed (instantly, over the JSON API) and take it back, both surviving a reload;
 *   3. submit 1605.08386 by pasting its arXiv link, fetched from the arXiv replay, onto today's feed;
 *   4. comment with Markdown and math, reply, edit;
 *   5. comments carrying script payloads stay text;
 *   7. no serious axe violations and no sideways scrolling at 390 px on the pages of the visit (signed in);
 *   6. sign out from settings, after which the API refuses the old browser.
 *
 * The steps share one browser context and run in order (7 before 6: the pages are checked signed in). Screenshots
 * go to test-artifacts/; with PAPERBOY_UPDATE_SCREENSHOTS=1 the README's community-*.png in docs/screenshots/ are
 * refreshed too. Skipped with a note when Chromium is not installed, unless PAPERBOY_REQUIRE_BROWSER=1 (CI).
 */
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { todayIn } from '../src/domain/feed-period.ts';
import { usernameFromEmail } from '../src/domain/username.ts';
import { USER_AGENT_PRODUCT } from '../src/ingest/arxiv-api-client.ts';
import { SESSION_COOKIE } from '../src/web/auth.ts';
import { type ArxivReplay, startArxivReplay } from './support/arxiv-replay.ts';
import {
  ARTIFACTS_DIR,
  DOCS_SCREENSHOTS_DIR,
  ensureDir,
  findChromium,
  openSiteBrowser,
  orderedSteps,
  type RunningSite,
  startDemoSite,
} from './support/browser.ts';
import { type SmtpSink, startSmtpSink } from './support/smtp.ts';

const chromiumPath = findChromium().executablePath;

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const BLOCKING_IMPACTS = new Set(['serious', 'critical']);
const EMAIL = 'emmy.noether@lab.example.org';
/** The demo feed's most upvoted paper (42 demo upvotes), first on the feed. */
const FEED_PAPER = '0704.0002';
const FEED_PAPER_UPVOTES = 42;
/** The recorded arXiv answer (test/fixtures/arxiv/api/id-1605.08386.xml): a paper from 2016. */
const SUBMITTED = '1605.08386';
const SUBMITTED_TITLE = 'Heat-bath random walks with Markov bases';
const SUBMITTED_PATH = `/papers/${SUBMITTED}`;
const COMMENT = '**bold** and $e^{i\\pi}+1=0$';
const EDITED_COMMENT = "**bold** and $e^{i\\pi}+1=0$, Euler's identity.";
const REPLY = 'Thanks: the *edited* version is clearer.';
const XSS_PAYLOADS = ['<img src=x onerror="window.__pwned=1">', '[x](javascript:window.__pwned=1)'];
const updateDocs = process.env.PAPERBOY_UPDATE_SCREENSHOTS === '1';

describe.skipIf(chromiumPath === null)('a member’s visit, end to end in a real browser (Chromium)', () => {
  let sink: SmtpSink;
  let arxiv: ArxivReplay;
  let site: RunningSite;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** Requests to anywhere but the site (there must be none: no CDN, no fonts or scripts from elsewhere). */
  const external: string[] = [];
  /** Uncaught script errors in the pages. */
  const scriptErrors: string[] = [];
  const username = usernameFromEmail(EMAIL);

  beforeAll(async () => {
    ensureDir(ARTIFACTS_DIR);
    [sink, arxiv] = await Promise.all([startSmtpSink(), startArxivReplay()]);
    site = await startDemoSite({
      env: {
        SMTP_URL: sink.url,
        PAPERBOY_ARXIV_API_URL: arxiv.url,
        // 1605.08386 dates from 2016: let members (not only admins) submit papers of any age.
        PAPERBOY_SUBMISSION_MAX_AGE_DAYS: '36500',
      },
      // The replay server is local: no need for arXiv's 3 s between requests.
      arxivRequestSpacingMs: 20,
    });
    ({ browser, context, page } = await openSiteBrowser(chromiumPath!, site.baseUrl, DESKTOP, {
      external,
      scriptErrors,
    }));
  });

  const step = orderedSteps('community', () => page);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await Promise.all([sink?.close(), arxiv?.close()]);
  });

  const url = (path: string) => `${site.baseUrl}${path}`;
  const navAccount = () => page.locator('.site-nav .nav-account');
  const upvoteButton = (id: string) => page.locator(`#upvote-${id.replace(/[^\w-]/g, '-')} .vote-button`);
  const upvoteCount = (id: string) => page.locator(`#upvote-${id.replace(/[^\w-]/g, '-')} .vote-count`);
  const commentCard = (id: number) => page.locator(`#comment-${id} > article`);
  const text = async (locator: ReturnType<Page['locator']>) =>
    ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();

  /** The paper's stored counter and its upvote rows, and whether our member's row is among them. */
  async function votesOn(id: string): Promise<{ stored: number; rows: number; mine: boolean }> {
    const db = site.database.db;
    const paper = await db.selectFrom('papers').select('upvotes').where('id', '=', id).executeTakeFirstOrThrow();
    const rows = await db
      .selectFrom('upvotes')
      .innerJoin('users', 'users.id', 'upvotes.user_id')
      .select('users.username')
      .where('upvotes.paper_id', '=', id)
      .execute();
    return {
      stored: Number(paper.upvotes),
      rows: rows.length,
      mine: rows.some((row) => row.username === username),
    };
  }

  /** The comment id a comment form's redirect pointed at (`/papers/ID#comment-N`). */
  function commentIdFromUrl(): number {
    const match = /#comment-(\d+)$/.exec(page.url());
    expect(match, `the form should come back to the new comment, not ${page.url()}`).not.toBeNull();
    return Number(match![1]);
  }

  async function screenshot(file: string, fullPage: boolean): Promise<void> {
    await page.screenshot({ path: join(ARTIFACTS_DIR, file), fullPage });
    if (updateDocs) await page.screenshot({ path: join(ensureDir(DOCS_SCREENSHOTS_DIR), file), fullPage });
  }

  /** Waits for running CSS transitions and animations to finish. */
  async function settleAnimations(): Promise<void> {
    await page.evaluate(() => Promise.allSettled(document.getAnimations().map((animation) => animation.finished)));
  }

  /**
   * axe-core on the page as it is (desktop, light), then at 390 px in the dark scheme: no serious or critical
   * violations, and nothing wider than the screen. The viewport and scheme are put back after.
   */
  async function expectAccessible(label: string): Promise<void> {
    const blocking = async () =>
      (await new AxeBuilder({ page }).analyze()).violations
        .filter((violation) => BLOCKING_IMPACTS.has(violation.impact ?? ''))
        .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
    try {
      await settleAnimations();
      expect(await blocking(), `axe on ${label} at ${DESKTOP.width} px, light`).toEqual([]);
      await page.setViewportSize(PHONE);
      await page.emulateMedia({ colorScheme: 'dark' });
      // Links and buttons fade between colours (style.css): let them arrive before axe measures contrasts.
      await settleAnimations();
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow, `sideways scrolling on ${label} at ${PHONE.width} px`).toBeLessThanOrEqual(0);
      expect(await blocking(), `axe on ${label} at ${PHONE.width} px, dark`).toEqual([]);
    } finally {
      await page.setViewportSize(DESKTOP);
      await page.emulateMedia({ colorScheme: 'light' });
    }
  }

  step('1. signs in with the link mailed to the address typed on the sign-in page', async () => {
    await page.goto(url('/'));
    expect(await text(navAccount())).toBe('Sign in');
    await navAccount().click();
    await page.waitForURL(url('/login'));
    await expectAccessible('/login');

    await page.getByLabel('Email address').fill(EMAIL);
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await expect.poll(() => text(page.locator('h1'))).toBe('Check your inbox');
    // Mail is configured: the link goes by mail only, never onto the page.
    expect(await page.locator('.dev-link').count()).toBe(0);

    const [mail] = await sink.waitForMessages(1);
    expect(mail!.envelope.to).toEqual([EMAIL]);
    expect(mail!.parsed.subject).toBe('Your sign-in link for Paperboy');
    const link = /(https?:\/\/\S+\/login\/verify\?token=\S+)/.exec(mail!.parsed.text ?? '')?.[1];
    expect(link, 'a sign-in link in the text part').toBeDefined();
    expect(link!.startsWith(url('/login/verify?token='))).toBe(true);
    expect(mail!.parsed.html || '').toContain(link!);

    await page.goto(link!);
    expect(await text(page.locator('h1'))).toBe('Finish signing in');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(url('/'));
    expect(await text(navAccount())).toBe(`@${username}`);
    const me = await page.request.get(url('/api/me'));
    expect(me.status()).toBe(200);
    expect(await me.json()).toMatchObject({ username, email: EMAIL, authenticatedBy: 'session' });
    // Each link works once.
    expect((await page.request.get(link!)).status()).toBe(410);
  });

  step('2. upvotes a paper on the feed at once, keeps it over a reload, and takes it back', async () => {
    await page.goto(url('/'));
    expect(await upvoteButton(FEED_PAPER).getAttribute('aria-pressed')).toBe('false');
    expect(await text(upvoteCount(FEED_PAPER))).toBe(String(FEED_PAPER_UPVOTES));
    expect(await votesOn(FEED_PAPER)).toEqual({ stored: FEED_PAPER_UPVOTES, rows: FEED_PAPER_UPVOTES, mine: false });

    // Hold the API request in the browser: what the page shows meanwhile is the script's, not the server's.
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const api = `**/api/papers/${FEED_PAPER}/upvote`;
    await page.route(api, async (route) => {
      await held;
      await route.continue();
    });
    const answered = page.waitForResponse((r) => r.url().endsWith(`/api/papers/${FEED_PAPER}/upvote`));
    try {
      await upvoteButton(FEED_PAPER).click();
      await expect.poll(() => upvoteButton(FEED_PAPER).getAttribute('aria-pressed')).toBe('true');
      expect(await text(upvoteCount(FEED_PAPER))).toBe(String(FEED_PAPER_UPVOTES + 1));
      expect((await votesOn(FEED_PAPER)).mine, 'the server has not heard of the vote yet').toBe(false);
    } finally {
      release();
    }
    const response = await answered;
    await page.unroute(api);
    expect(response.request().method()).toBe('POST');
    expect(response.status()).toBe(200);
    expect(await response.json()).toEqual({ upvoted: true, upvotes: FEED_PAPER_UPVOTES + 1 });
    expect(page.url()).toBe(url('/')); // no navigation
    expect(await votesOn(FEED_PAPER)).toEqual({
      stored: FEED_PAPER_UPVOTES + 1,
      rows: FEED_PAPER_UPVOTES + 1,
      mine: true,
    });

    await page.reload();
    expect(await upvoteButton(FEED_PAPER).getAttribute('aria-pressed')).toBe('true');
    expect(await text(upvoteCount(FEED_PAPER))).toBe(String(FEED_PAPER_UPVOTES + 1));
    await screenshot('community-feed.png', false);

    const undone = page.waitForResponse((r) => r.url().endsWith(`/api/papers/${FEED_PAPER}/upvote`));
    await upvoteButton(FEED_PAPER).click();
    expect((await undone).request().method()).toBe('DELETE');
    expect((await undone).status()).toBe(200);
    await expect.poll(() => text(upvoteCount(FEED_PAPER))).toBe(String(FEED_PAPER_UPVOTES));
    expect(await upvoteButton(FEED_PAPER).getAttribute('aria-pressed')).toBe('false');
    await page.reload();
    expect(await upvoteButton(FEED_PAPER).getAttribute('aria-pressed')).toBe('false');
    expect(await text(upvoteCount(FEED_PAPER))).toBe(String(FEED_PAPER_UPVOTES));
    expect(await votesOn(FEED_PAPER)).toEqual({ stored: FEED_PAPER_UPVOTES, rows: FEED_PAPER_UPVOTES, mine: false });
  });

  step('3. submits a paper by its arXiv link: fetched from arXiv, on its page and on today’s feed', async () => {
    await page.getByRole('link', { name: 'Submit', exact: true }).click();
    await page.waitForURL(url('/submit'));
    await page.getByLabel('arXiv paper').fill(`https://arxiv.org/abs/${SUBMITTED}v1`);
    await page.getByLabel(/Why read it/).fill('Mixing times of heat-bath walks, for the Monday reading group.');
    const today = todayIn(site.config.timeZone);
    await page.getByRole('button', { name: 'Submit paper' }).click();
    await page.waitForURL(url(SUBMITTED_PATH));
    expect(await text(page.locator('h1'))).toBe(SUBMITTED_TITLE);

    // The metadata came from arXiv's API (the replay), asked once, politely.
    expect(arxiv.requests.map((request) => request.ids)).toEqual([[SUBMITTED]]);
    expect(arxiv.requests[0]!.headers['user-agent']).toBe(`${USER_AGENT_PRODUCT} (+${site.baseUrl})`);
    const listing = await site.database.db
      .selectFrom('listings')
      .innerJoin('users', 'users.id', 'listings.submitted_by_user_id')
      .select(['listings.listed_on', 'listings.source', 'users.username'])
      .where('listings.paper_id', '=', SUBMITTED)
      .executeTakeFirstOrThrow();
    expect(listing).toEqual({ listed_on: today, source: 'user', username });

    await page.getByRole('link', { name: 'Daily papers' }).click();
    await page.waitForURL(url('/'));
    const latestHeading = await text(page.locator('h1'));
    expect(await page.locator(`.card-title a[href="${SUBMITTED_PATH}"]`).textContent()).toBe(SUBMITTED_TITLE);
    await page.goto(url(`/papers/date/${today}`));
    expect(await text(page.locator('h1')), 'the latest day is today').toBe(latestHeading);
    expect(await page.locator(`.card-title a[href="${SUBMITTED_PATH}"]`).count()).toBe(1);
  });

  step('4. comments with Markdown and math, replies, and edits the comment', async () => {
    await page.goto(url(SUBMITTED_PATH));
    expect(await text(page.locator('.paper-header .count-comments'))).toBe('0 comments');
    await page.getByLabel('Add a comment').fill(COMMENT);
    await page.getByRole('button', { name: 'Post comment' }).click();
    await page.waitForURL(new RegExp(`${SUBMITTED_PATH}#comment-\\d+$`));
    const commentId = commentIdFromUrl();
    const body = commentCard(commentId).locator('.comment-body');
    expect(await body.locator('strong').textContent()).toBe('bold');
    expect(await body.locator('.katex').isVisible()).toBe(true);
    expect(await body.locator('.katex-mathml annotation').textContent()).toBe('e^{i\\pi}+1=0');
    expect(await text(commentCard(commentId).locator('.comment-author'))).toBe(username);
    expect(await text(page.locator('.paper-header .count-comments'))).toBe('1 comment');
    expect(await text(page.locator('.discussion-count'))).toBe('(1 comment)');
    const api = await page.request.get(url(`/api/papers/${SUBMITTED}`));
    expect((await api.json()).numComments).toBe(1);

    await commentCard(commentId).locator('summary', { hasText: 'Reply' }).click();
    await page.locator(`#reply-${commentId}`).fill(REPLY);
    await commentCard(commentId).getByRole('button', { name: 'Post reply' }).click();
    await page.waitForURL(new RegExp(`#comment-(?!${commentId}$)\\d+$`));
    const replyId = commentIdFromUrl();
    const reply = page.locator(`#comment-${commentId} > ol.comment-replies > li#comment-${replyId}`);
    expect(await text(reply.locator('.comment-body'))).toBe('Thanks: the edited version is clearer.');
    expect(await reply.locator('.comment-body em').textContent()).toBe('edited');
    expect(await text(page.locator('.paper-header .count-comments'))).toBe('2 comments');

    expect(await commentCard(commentId).locator('.comment-edited').count()).toBe(0);
    await commentCard(commentId).locator('summary', { hasText: 'Edit' }).click();
    expect(await page.locator(`#edit-${commentId}`).inputValue()).toBe(COMMENT);
    await page.locator(`#edit-${commentId}`).fill(EDITED_COMMENT);
    await commentCard(commentId).getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL(new RegExp(`#comment-${commentId}$`));
    expect(await text(commentCard(commentId).locator('.comment-edited'))).toBe('(edited)');
    expect(await text(body)).toContain("Euler's identity.");
    expect(await body.locator('strong').textContent()).toBe('bold');
    expect(await body.locator('.katex').count()).toBe(1);
    expect(await page.locator(`#comment-${replyId} > article .comment-edited`).count()).toBe(0);
    expect(await text(page.locator('.paper-header .count-comments'))).toBe('2 comments');
    await screenshot('community-discussion.png', true);
  });

  step('5. shows script payloads in comments as text, and runs none of them', async () => {
    const ids: number[] = [];
    for (const payload of XSS_PAYLOADS) {
      await page.goto(url(SUBMITTED_PATH));
      await page.getByLabel('Add a comment').fill(payload);
      await page.getByRole('button', { name: 'Post comment' }).click();
      await page.waitForURL(new RegExp(`${SUBMITTED_PATH}#comment-\\d+$`));
      ids.push(commentIdFromUrl());
    }
    await page.reload();
    for (const [index, id] of ids.entries()) {
      const body = commentCard(id).locator('.comment-body');
      expect(await text(body), 'the payload shows as the text typed').toBe(XSS_PAYLOADS[index]);
      expect(await body.locator('img, script, iframe, object, embed, svg').count()).toBe(0);
      // A link may stay only if it is harmless (http, https, mailto or a path here).
      for (const link of await body.locator('a').all()) {
        expect(await link.getAttribute('href')).toMatch(/^(https?:|mailto:|\/)/);
      }
      await body.click();
    }
    expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
    const dangerous = await page.evaluate(() => {
      const found: string[] = [];
      for (const element of Array.from(document.querySelectorAll('#discussion *'))) {
        for (const attribute of Array.from(element.attributes)) {
          if (/^on/i.test(attribute.name)) found.push(`${element.tagName} ${attribute.name}`);
          if (/^\s*javascript:/i.test(attribute.value)) found.push(`${element.tagName} ${attribute.name}`);
        }
      }
      return found;
    });
    expect(dangerous).toEqual([]);
    expect(await text(page.locator('.paper-header .count-comments'))).toBe('4 comments');

    // Around the site: the comment texts also appear on the author's profile.
    await page.locator(`#comment-${ids[0]} .comment-author`).click();
    await page.waitForURL(url(`/u/${username}`));
    expect(await page.locator('main img[src="x"]').count()).toBe(0);
    await page.goBack();
    await page.locator(`#comment-${ids[1]} .comment-time`).click();
    expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
    await page.goto(url(`/u/${username}`));
    expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
  });

  step('7. has no serious axe violations and no sideways scrolling at 390 px on the member’s pages', async () => {
    await page.goto(url('/settings'));
    expect(await text(page.locator('h1'))).toBe('Settings');
    await expectAccessible('/settings');
    await page.goto(url('/submit'));
    expect(await page.getByLabel('arXiv paper').isVisible()).toBe(true);
    await expectAccessible('/submit');
    await page.goto(url(SUBMITTED_PATH));
    expect(await page.locator('#discussion .comment').count()).toBe(4);
    expect(await page.getByLabel('Add a comment').isVisible()).toBe(true);
    await expectAccessible(`${SUBMITTED_PATH} with its discussion`);
  });

  step('6. signs out from the settings page; the API then refuses the browser and its old session', async () => {
    await page.goto(url('/'));
    await navAccount().click();
    await page.waitForURL(url('/settings'));
    expect(await text(page.locator('.settings-header .lede'))).toBe(`Signed in as @${username} (${EMAIL}).`);
    await screenshot('community-settings.png', true);
    const oldSession = (await context.cookies(site.baseUrl)).find((cookie) => cookie.name === SESSION_COOKIE);
    expect(oldSession).toBeDefined();
    const csrf = await page.locator('meta[name="csrf-token"]').getAttribute('content');

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(url('/'));
    expect(await text(navAccount())).toBe('Sign in');
    expect((await context.cookies(site.baseUrl)).map((cookie) => cookie.name)).not.toContain(SESSION_COOKIE);

    const answer = await page.evaluate(
      async ({ path, token }) => {
        const response = await fetch(path, {
          method: 'POST',
          headers: { accept: 'application/json', 'x-csrf-token': token ?? '' },
          credentials: 'same-origin',
        });
        return { status: response.status, body: await response.json() };
      },
      { path: `/api/papers/${FEED_PAPER}/upvote`, token: csrf },
    );
    expect(answer).toMatchObject({ status: 401, body: { error: 'unauthorized' } });
    expect(await votesOn(FEED_PAPER)).toEqual({ stored: FEED_PAPER_UPVOTES, rows: FEED_PAPER_UPVOTES, mine: false });

    // The session ended on the server too: its cookie, put back, no longer signs anyone in.
    await context.addCookies([{ name: SESSION_COOKIE, value: oldSession!.value, url: site.baseUrl }]);
    expect((await page.request.get(url('/api/me'))).status()).toBe(401);
    await context.clearCookies({ name: SESSION_COOKIE });
  });

  it('asked nothing from other sites and raised no script errors on the way', () => {
    expect(external).toEqual([]);
    expect(scriptErrors).toEqual([]);
  });
});
