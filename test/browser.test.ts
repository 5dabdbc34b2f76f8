/**
 * The pages in a real browser (Chromium through Playwright) against the real server on a loopback port: following
 * a paper from the feed, typeset math, accessibility (axe-core, light and dark), keyboard use, phone widths and
 * pages without JavaScript. Screenshots go to test-artifacts/; with PAPERBOY_UPDATE_SCREENSHOTS=1 the README's
 * screenshots in docs/screenshots/ are refreshed too.
 *
 * Skipped with a note when Chromium is not installed, unless PAPERBOY_REQUIRE_BROWSER=1 (CI), which fails instead.
 */
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ARTIFACTS_DIR,
  DOCS_SCREENSHOTS_DIR,
  ensureDir,
  findChromium,
  launchChromium,
  type RunningSite,
  startDemoSite,
} from './support/browser.ts';

const chromiumPath = findChromium().executablePath;

const DESKTOP = { width: 1280, height: 900 };
/** A common phone (iPhone 12-15 class) and the narrowest screen still in use. */
const PHONES = [
  { width: 390, height: 844 },
  { width: 320, height: 640 },
];
const BLOCKING_IMPACTS = new Set(['serious', 'critical']);
/** The demo feed's most upvoted paper, whose abstract has math. */
const MATH_PAPER = '/papers/0704.0002';
/** A paper with every detail filled in (versions, journal, DOI, categories) and plenty of math, for the README. */
const SHOWCASE_PAPER = '/papers/0704.0144';

describe.skipIf(chromiumPath === null)('in a real browser (Chromium)', () => {
  let site: RunningSite;
  let browser: Browser;

  beforeAll(async () => {
    site = await startDemoSite();
    browser = await launchChromium(chromiumPath!);
    ensureDir(ARTIFACTS_DIR);
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  /** Opens a page in a fresh context and runs `use`, closing the context after. */
  async function withPage<T>(
    options: BrowserContextOptions,
    path: string,
    use: (page: Page) => Promise<T>,
  ): Promise<T> {
    const context = await browser.newContext({ viewport: DESKTOP, ...options });
    // Pages load everything from our own server: no CDN, no web font from elsewhere.
    const external: string[] = [];
    await context.route(
      (url) => url.origin !== site.baseUrl,
      (route) => {
        external.push(route.request().url());
        return route.abort();
      },
    );
    try {
      const page = await context.newPage();
      const response = await page.goto(`${site.baseUrl}${path}`);
      expect(response?.status(), path).toBeLessThan(500);
      const result = await use(page);
      expect(external, `requests leaving the site from ${path}`).toEqual([]);
      return result;
    } finally {
      await context.close();
    }
  }

  it('opens the feed, follows a paper link and shows its math typeset', async () => {
    await withPage({ colorScheme: 'light' }, '/', async (page) => {
      await expect(page.locator('h1').textContent()).resolves.toBe('Friday, 1 March 2024');
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'feed-desktop-light.png') });
      const firstTitle = page.locator('.card-title a').first();
      await expect(firstTitle.textContent()).resolves.toBe('Sparsity-certifying Graph Decompositions');
      await firstTitle.click();
      await page.waitForURL(`${site.baseUrl}${MATH_PAPER}`);
      const formula = page.locator('.paper-abstract .katex').first();
      expect(await formula.isVisible()).toBe(true);
      // KaTeX's stylesheet and fonts came from our server: the formula is set in KaTeX's font and its MathML copy
      // (for screen readers) is visually hidden.
      const style = await formula.evaluate((element) => {
        const mathml = element.querySelector('.katex-mathml')!.getBoundingClientRect();
        return {
          font: getComputedStyle(element.querySelector('.mathnormal')!).fontFamily,
          mathmlArea: mathml.width * mathml.height,
        };
      });
      expect(style.font).toContain('KaTeX_Math');
      expect(style.mathmlArea).toBeLessThanOrEqual(1);
      expect(await page.evaluate(() => document.fonts.check('1em KaTeX_Math'))).toBe(true);
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'paper-desktop-light.png'), fullPage: true });
    });
  });

  const axePages = ['/', MATH_PAPER, SHOWCASE_PAPER, '/papers/week/2024-W09', '/papers/date/2024-03-02', '/papers/abc'];
  it.each(axePages.flatMap((path) => (['light', 'dark'] as const).map((scheme) => [path, scheme] as const)))(
    'has no serious or critical axe violations on %s (%s)',
    async (path, colorScheme) => {
      const violations = await withPage({ colorScheme }, path, async (page) => {
        const results = await new AxeBuilder({ page }).analyze();
        return results.violations
          .filter((violation) => BLOCKING_IMPACTS.has(violation.impact ?? ''))
          .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
      });
      expect(violations).toEqual([]);
    },
  );

  it('fits phone screens without horizontal scrolling', async () => {
    for (const viewport of PHONES) {
      for (const path of ['/', SHOWCASE_PAPER, '/papers/abc']) {
        await withPage({ viewport, colorScheme: 'dark' }, path, async (page) => {
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
          );
          expect(overflow, `${path} at ${viewport.width}px`).toBeLessThanOrEqual(0);
          const name = `${path === '/' ? 'feed' : path.includes('abc') ? 'error' : 'paper'}-phone-${viewport.width}-dark`;
          await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`) });
        });
      }
    }
  });

  it('can be used with the keyboard: a skip link first, a visible focus ring', async () => {
    await withPage({}, '/', async (page) => {
      await page.keyboard.press('Tab');
      const skip = await page.evaluate(() => {
        const element = document.activeElement as HTMLElement;
        return { text: element.textContent, outline: getComputedStyle(element).outlineStyle, top: element.offsetTop };
      });
      expect(skip.text).toBe('Skip to main content');
      expect(skip.outline).not.toBe('none');
      expect(skip.top).toBeGreaterThanOrEqual(0);
      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab');
      const next = await page.evaluate(() => {
        const element = document.activeElement as HTMLElement;
        return { inMain: element.closest('main') !== null, outline: getComputedStyle(element).outlineStyle };
      });
      expect(next.inMain).toBe(true);
      expect(next.outline).not.toBe('none');
    });
  });

  it('works without JavaScript', async () => {
    await withPage({ javaScriptEnabled: false }, MATH_PAPER, async (page) => {
      expect(await page.locator('.paper-abstract .katex').first().isVisible()).toBe(true);
      expect(await page.locator('a', { hasText: 'Read the PDF' }).getAttribute('href')).toBe(
        'https://arxiv.org/pdf/0704.0002',
      );
    });
  });

  it('takes the screenshots for the README', async () => {
    const shots: [string, string, BrowserContextOptions, boolean][] = [
      ['feed-desktop-light.png', '/', { colorScheme: 'light' }, false],
      ['paper-desktop-light.png', SHOWCASE_PAPER, { colorScheme: 'light' }, false],
      ['feed-desktop-dark.png', '/', { colorScheme: 'dark' }, false],
      [
        'paper-phone-dark.png',
        SHOWCASE_PAPER,
        { colorScheme: 'dark', viewport: PHONES[0]!, deviceScaleFactor: 2 },
        false,
      ],
    ];
    const updateDocs = process.env.PAPERBOY_UPDATE_SCREENSHOTS === '1';
    for (const [file, path, options, fullPage] of shots) {
      await withPage(options, path, async (page) => {
        await page.screenshot({ path: join(ARTIFACTS_DIR, `readme-${file}`), fullPage });
        if (updateDocs) await page.screenshot({ path: join(ensureDir(DOCS_SCREENSHOTS_DIR), file), fullPage });
      });
    }
  });
});
