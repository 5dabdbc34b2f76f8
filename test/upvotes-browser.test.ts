/**
 * The upvote button in a real browser (Chromium through Playwright) against the real server: the instant toggle
 * over the JSON API, its roll-back and announcement on failure, the same button without JavaScript, the trending
 * page, accessibility (axe-core) and phone widths. Skipped with a note when Chromium is not installed.
 */
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { todayIn } from '../src/domain/feed-period.ts';
import { KyselyAccountStore } from '../src/storage/account-store.ts';
import { SESSION_COOKIE } from '../src/web/auth.ts';
import {
  ARTIFACTS_DIR,
  ensureDir,
  findChromium,
  launchChromium,
  type RunningSite,
  startDemoSite,
} from './support/browser.ts';
import { testListing, testRecord } from './support/records.ts';

const chromiumPath = findChromium().executablePath;
/** Papers listed today for the trending page, with a title each. */
const TODAY_PAPERS = ['2501.00101', '2501.00102', '2501.00103'];
const PHONE = { width: 390, height: 844 };
const BLOCKING_IMPACTS = new Set(['serious', 'critical']);

describe.skipIf(chromiumPath === null)('upvoting in a real browser (Chromium)', () => {
  let site: RunningSite;
  let browser: Browser;
  let sessionToken: string;

  beforeAll(async () => {
    site = await startDemoSite();
    browser = await launchChromium(chromiumPath!);
    const today = todayIn('America/New_York');
    await site.store.upsertPapers(
      TODAY_PAPERS.map((id, i) =>
        testRecord(id, { title: `A study of upvotes, part ${i + 1}: why $\\alpha$ matters`, categories: ['cs.LG'] }),
      ),
    );
    await site.store.addListings(
      TODAY_PAPERS.map((id, i) => testListing(id, today, new Date(Date.now() - (i + 1) * 3_600_000).toISOString())),
    );
    const accounts = new KyselyAccountStore(site.database.db);
    const user = await accounts.createUser({ email: 'clicker@example.org', username: 'clicker', isAdmin: false });
    sessionToken = (await accounts.createSession(user.id, 'chromium')).token;
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  async function signedIn(options: { javaScriptEnabled?: boolean; viewport?: typeof PHONE } = {}) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
    await context.addCookies([{ name: SESSION_COOKIE, value: sessionToken, url: site.baseUrl }]);
    return context;
  }

  async function votesOn(id: string): Promise<{ rows: number; upvotes: number }> {
    const db = site.database.db;
    const rows = await db
      .selectFrom('upvotes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('paper_id', '=', id)
      .executeTakeFirstOrThrow();
    const paper = await db.selectFrom('papers').select('upvotes').where('id', '=', id).executeTakeFirstOrThrow();
    return { rows: Number(rows.n), upvotes: Number(paper.upvotes) };
  }

  const button = (page: Page, id: string) => page.locator(`#upvote-${id.replace(/[^\w-]/g, '-')} .vote-button`);
  const count = (page: Page, id: string) => page.locator(`#upvote-${id.replace(/[^\w-]/g, '-')} .vote-count`);

  it('toggles at once over the API, and the state survives a reload', async () => {
    const context = await signedIn();
    const page = await context.newPage();
    try {
      const id = TODAY_PAPERS[0]!;
      await page.goto(`${site.baseUrl}/papers/trending`);
      await expect.poll(() => button(page, id).getAttribute('aria-pressed')).toBe('false');
      expect(await button(page, id).getAttribute('title')).toBe('Upvote');
      const answered = page.waitForResponse((r) => r.url().endsWith(`/api/papers/${id}/upvote`));
      await button(page, id).click();
      expect(await button(page, id).getAttribute('aria-pressed')).toBe('true');
      expect((await answered).status()).toBe(200);
      await expect.poll(() => count(page, id).textContent()).toBe('1');
      expect(page.url()).toBe(`${site.baseUrl}/papers/trending`); // no navigation
      expect(await votesOn(id)).toEqual({ rows: 1, upvotes: 1 });

      await page.reload();
      expect(await button(page, id).getAttribute('aria-pressed')).toBe('true');
      const removed = page.waitForResponse((r) => r.url().endsWith(`/api/papers/${id}/upvote`));
      await button(page, id).click();
      expect((await removed).request().method()).toBe('DELETE');
      await expect.poll(() => count(page, id).textContent()).toBe('0');
      expect(await votesOn(id)).toEqual({ rows: 0, upvotes: 0 });
    } finally {
      await context.close();
    }
  });

  it('rolls back and says why when the server refuses', async () => {
    const context = await signedIn();
    const page = await context.newPage();
    try {
      const id = TODAY_PAPERS[1]!;
      await page.route('**/api/papers/*/upvote', (route) =>
        route.fulfill({
          status: 429,
          contentType: 'application/json',
          headers: { 'retry-after': '30' },
          body: JSON.stringify({ error: 'rate_limited', message: 'Too many requests; please wait 30 seconds.' }),
        }),
      );
      await page.goto(`${site.baseUrl}/papers/trending`);
      await button(page, id).click();
      const status = page.locator(`#upvote-${id.replace('.', '-')} [role="status"]`);
      await expect.poll(() => status.textContent()).toBe('Too many requests; please wait 30 seconds.');
      expect(await button(page, id).getAttribute('aria-pressed')).toBe('false');
      expect(await count(page, id).textContent()).toBe('0');
      expect(await status.isVisible()).toBe(true);
      await page.screenshot({ path: join(ensureDir(ARTIFACTS_DIR), 'upvote-error-desktop.png') });
      expect(await votesOn(id)).toEqual({ rows: 0, upvotes: 0 });
    } finally {
      await context.close();
    }
  });

  it('works as a plain form without JavaScript, coming back to the button', async () => {
    const context = await signedIn({ javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      const id = TODAY_PAPERS[2]!;
      await page.goto(`${site.baseUrl}/papers/${id}`);
      await button(page, id).click();
      await page.waitForLoadState();
      expect(page.url()).toBe(`${site.baseUrl}/papers/${id}#upvote-${id.replace('.', '-')}`);
      expect(await button(page, id).getAttribute('aria-pressed')).toBe('true');
      expect(await votesOn(id)).toEqual({ rows: 1, upvotes: 1 });
      await button(page, id).click();
      await page.waitForLoadState();
      expect(await button(page, id).getAttribute('aria-pressed')).toBe('false');
      expect(await votesOn(id)).toEqual({ rows: 0, upvotes: 0 });
    } finally {
      await context.close();
    }
  });

  it('sends anonymous readers to sign in, and back', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${site.baseUrl}/papers/trending`);
      const link = page.getByRole('link', { name: /Sign in to upvote “A study of upvotes, part 1/ });
      expect(await link.getAttribute('href')).toBe('/login?next=%2Fpapers%2Ftrending');
    } finally {
      await context.close();
    }
  });

  it.each(['/papers/trending', '/', `/papers/${TODAY_PAPERS[0]}`])(
    'has no serious axe violations and no sideways scrolling at 390 px on %s (signed in)',
    async (path) => {
      const context = await signedIn({ viewport: PHONE });
      const page = await context.newPage();
      try {
        await page.goto(`${site.baseUrl}${path}`);
        const results = await new AxeBuilder({ page }).analyze();
        const blocking = results.violations.filter((v) => BLOCKING_IMPACTS.has(v.impact ?? ''));
        expect(blocking.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow).toBeLessThanOrEqual(0);
        const name = path === '/' ? 'feed' : path.startsWith('/papers/trending') ? 'trending' : 'paper';
        await page.screenshot({
          path: join(ensureDir(ARTIFACTS_DIR), `upvote-${name}-phone-390.png`),
          fullPage: false,
        });
      } finally {
        await context.close();
      }
    },
  );

  it('keeps the counts exact after all of that', async () => {
    for (const id of TODAY_PAPERS) {
      const { rows, upvotes } = await votesOn(id);
      expect(upvotes).toBe(rows);
    }
  });
});
