/**
 * Subscribing to the digest as a visitor would, in Debian's real Chromium (through Playwright) against the real
 * server on loopback (SQLite, the bundled sample papers) with a real SMTP sink (SMTP_URL):
 *
 *   1. on /feeds and on /papers the subscribe box is there; on /feeds the visitor fills it with the keyboard only
 *      (an address, weekly, Enter), lands on the subscribe form with both filled in, and sends it with Enter;
 *   2. the confirmation mail arrives at the sink; its link opens a page with one button; pressing it makes the
 *      subscription active;
 *   3. signed in with the same address (the mailed sign-in link), the person finds it in settings, changes it there
 *      (the prefilled form: daily, a keyword; their own address, so at once) and unsubscribes with one button.
 *
 * Every page of the way has no serious axe violations at 1280 and 390 px, in light and dark, and no sideways
 * scrolling on the phone. The steps share one browser context and run in order. Screenshots go to test-artifacts/.
 * Skipped with a note when Chromium is not installed, unless PAPERBOY_REQUIRE_BROWSER=1 (CI).
 */
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import {
  ARTIFACTS_DIR,
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
const EMAIL = 'lise.meitner@lab.example.org';

describe.skipIf(chromiumPath === null)('subscribing to the digest in a real browser (Chromium)', () => {
  let sink: SmtpSink;
  let site: RunningSite;
  let browser: Browser;
  let page: Page;
  /** Requests to anywhere but the site (there must be none). */
  const external: string[] = [];
  const scriptErrors: string[] = [];

  beforeAll(async () => {
    ensureDir(ARTIFACTS_DIR);
    sink = await startSmtpSink();
    site = await startDemoSite({ env: { SMTP_URL: sink.url } });
    ({ browser, page } = await openSiteBrowser(chromiumPath!, site.baseUrl, DESKTOP, {
      external,
      scriptErrors,
    }));
  });

  const step = orderedSteps('subscribe', () => page);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await sink?.close();
  });

  const url = (path: string) => `${site.baseUrl}${path}`;
  const text = async (locator: ReturnType<Page['locator']>) =>
    ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
  const rows = () =>
    site.database.db.selectFrom('subscriptions').selectAll().where('email', '=', EMAIL).orderBy('id').execute();

  /** Waits for running CSS transitions and animations to finish (axe measures colours as they are). */
  async function settleAnimations(): Promise<void> {
    await page.evaluate(() => Promise.allSettled(document.getAnimations().map((animation) => animation.finished)));
  }

  /**
   * axe-core on the page as it is, at 1280 and 390 px in light and dark: no serious or critical violations, and
   * nothing wider than the phone's screen. The viewport and scheme are put back after.
   */
  async function expectAccessible(label: string): Promise<void> {
    try {
      for (const viewport of [DESKTOP, PHONE]) {
        for (const colorScheme of ['light', 'dark'] as const) {
          await page.setViewportSize(viewport);
          await page.emulateMedia({ colorScheme });
          await settleAnimations();
          const where = `${label} at ${viewport.width} px, ${colorScheme}`;
          const violations = (await new AxeBuilder({ page }).analyze()).violations
            .filter((violation) => BLOCKING_IMPACTS.has(violation.impact ?? ''))
            .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
          expect(violations, `axe on ${where}`).toEqual([]);
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
          );
          expect(overflow, `sideways scrolling on ${where}`).toBeLessThanOrEqual(0);
        }
      }
    } finally {
      await page.setViewportSize(DESKTOP);
      await page.emulateMedia({ colorScheme: 'light' });
    }
  }

  /** The element that has the keyboard focus: its id, or its tag and text. */
  const focused = () =>
    page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      if (!element) return '';
      return element.id || `${element.tagName.toLowerCase()}:${(element.textContent ?? '').trim()}`;
    });

  step('1. finds the box on /feeds and /papers, and subscribes from /feeds with the keyboard', async () => {
    await page.goto(url('/papers'));
    const feedBox = page.locator('section.subscribe-box');
    expect(await text(feedBox.locator('h2'))).toBe('Trending papers in your inbox');
    expect(await feedBox.isVisible()).toBe(true);

    await page.goto(url('/feeds'));
    expect(await text(page.locator('h1'))).toBe('Feeds');
    const box = page.locator('section.subscribe-box');
    expect(await text(box.locator('h2'))).toBe('Trending papers in your inbox');
    await expectAccessible('/feeds');

    // Keyboard only: from the last feed link, Tab into the box, type, choose weekly with an arrow key, Enter.
    await page.locator('.feed-list a').last().focus();
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('subscribe-box-email');
    await page.keyboard.type(EMAIL);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).value)).toBe('daily');
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).value)).toBe('weekly');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('button:Subscribe');
    await page.keyboard.press('Enter');

    // Anonymous feed pages are shared by every visitor (no CSRF token): the box opens the form, filled in.
    await page.waitForURL((address) => address.pathname === '/subscribe');
    expect(await page.getByLabel('Email address').inputValue()).toBe(EMAIL);
    expect(await page.getByRole('radio', { name: 'Weekly' }).isChecked()).toBe(true);
    await expectAccessible('/subscribe');
    await settleAnimations();
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'subscribe-form.png'), fullPage: true });
    await page.getByLabel('Email address').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => text(page.locator('h1'))).toBe('Check your inbox');
    expect(await text(page.locator('.lede'))).toContain(EMAIL);
    await expectAccessible('the "check your inbox" page');
    expect((await rows()).map((row) => [row.status, row.cadence])).toEqual([['pending', 'weekly']]);
  });

  step('2. confirms with the mailed link and its one button', async () => {
    const [mail] = await sink.waitForMessages(1);
    expect(mail!.envelope.to).toEqual([EMAIL]);
    expect(mail!.parsed.subject).toBe('Confirm your weekly Paperboy digest');
    const link = /(https?:\/\/\S+\/subscriptions\/confirm\?token=[\w-]+)/.exec(mail!.parsed.text ?? '')?.[1];
    expect(link, 'a confirmation link in the text part').toBeDefined();
    expect(link!.startsWith(url('/subscriptions/confirm?token='))).toBe(true);

    await page.goto(link!);
    expect(await text(page.locator('h1'))).toBe('Confirm your subscription');
    await expectAccessible('the confirmation page');
    // Opening the link (as a mail scanner does) confirms nothing.
    expect((await rows())[0]!.status).toBe('pending');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => text(page.locator('h1'))).toBe('Subscribed');
    expect(await text(page.locator('.lede'))).toContain(`${EMAIL} now receives the weekly digest`);
    await expectAccessible('the "subscribed" page');
    const [row] = await rows();
    expect(row!.status).toBe('active');
    expect(row!.confirmed_at).not.toBeNull();
  });

  step('3. signed in with that address, changes and ends the subscription in settings', async () => {
    await page.goto(url('/login?next=/settings'));
    await page.getByLabel('Email address').fill(EMAIL);
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await expect.poll(() => text(page.locator('h1'))).toBe('Check your inbox');
    const mail = (await sink.waitForMessages(2))[1]!;
    const link = /(https?:\/\/\S+\/login\/verify\?token=\S+)/.exec(mail.parsed.text ?? '')?.[1];
    expect(link).toBeDefined();
    await page.goto(link!);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(url('/settings'));

    const section = page.locator('section[aria-labelledby="subscriptions-title"]');
    expect(await text(section.locator('h2'))).toBe('Your subscriptions');
    const item = section.locator('.subscription-item');
    expect(await item.count()).toBe(1);
    expect(await text(item)).toContain(EMAIL);
    expect(await text(item.locator('.badge'))).toBe('active');
    expect(await text(item)).toContain('Weekly, on Mondays');
    expect(await text(item)).toContain('No topics');
    await expectAccessible('/settings with a subscription');
    await settleAnimations();
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'subscribe-settings.png'), fullPage: true });

    // Change: the form comes filled in; daily with a keyword, saved at once (it is the account's own address).
    await item.getByRole('link', { name: 'Change the weekly digest' }).click();
    await page.waitForURL((address) => address.pathname === '/subscribe');
    expect(await text(page.locator('h1'))).toBe('Change your subscription');
    expect(await page.getByRole('radio', { name: 'Weekly' }).isChecked()).toBe(true);
    await expectAccessible('the change form');
    await settleAnimations();
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'subscribe-change-form.png'), fullPage: true });
    await page.getByRole('radio', { name: 'Daily, on weekdays' }).check();
    await page.getByLabel('Keywords').fill('diffusion, kinetic theory');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL((address) => address.pathname === '/settings');
    expect(await text(page.locator('.notice'))).toContain('Your subscription is saved');
    expect(await text(item)).toContain('Daily, on weekdays');
    expect(await text(item)).toContain('keywords diffusion, kinetic theory');
    expect((await rows()).map((row) => [row.cadence, row.status])).toEqual([
      ['weekly', 'unsubscribed'],
      ['daily', 'active'],
    ]);
    // No confirmation mail for one's own address.
    expect(sink.messages).toHaveLength(2);

    // Paused by the sender after bounces: settings say so and what to do; "Resume" lifts the pause.
    await site.database.db
      .updateTable('subscriptions')
      .set({ paused_at: new Date().toISOString(), consecutive_failures: 5 })
      .where('email', '=', EMAIL)
      .where('status', '=', 'active')
      .execute();
    await page.reload();
    expect(await text(item.locator('.badge'))).toBe('paused');
    expect(await text(item)).toContain('kept bouncing');
    await expectAccessible('/settings with a paused subscription');
    await item.getByRole('button', { name: 'Resume the daily digest' }).click();
    await page.waitForURL((address) => address.pathname === '/settings');
    expect(await text(page.locator('.notice'))).toContain('Resumed');
    expect(await text(item.locator('.badge'))).toBe('active');

    // Unsubscribe: one button, no JavaScript needed.
    await item.getByRole('button', { name: 'Unsubscribe from the daily digest' }).click();
    await page.waitForURL((address) => address.pathname === '/settings');
    expect(await text(page.locator('.notice'))).toContain('Unsubscribed');
    expect(await section.locator('.subscription-item').count()).toBe(0);
    expect(await text(section)).toContain('You receive no digests');
    expect(await section.getByRole('link', { name: 'Subscribe' }).getAttribute('href')).toBe('/subscribe');
    await expectAccessible('/settings without subscriptions');
    expect((await rows()).map((row) => row.status)).toEqual(['unsubscribed', 'unsubscribed']);

    expect(external, 'requests leaving the site').toEqual([]);
    expect(scriptErrors).toEqual([]);
  });
});
