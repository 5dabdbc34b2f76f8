/**
 * Real-browser tests: Debian's Chromium driven by Playwright, against the real server on a loopback port.
 *
 * - Chromium found (`PAPERBOY_CHROMIUM` or the usual paths): the browser tests run.
 * - Not found: they are skipped with a note, unless `PAPERBOY_REQUIRE_BROWSER=1` (set by CI), which makes a missing
 *   browser a failure. Install it with `apt-get install -y chromium`.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterEach, it } from 'vitest';
import { type Config, loadConfig } from '../../src/config.ts';
import type { PaperRecord } from '../../src/domain/paper.ts';
import { createArxivApiClient } from '../../src/ingest/arxiv-api-client.ts';
import { loadSampleDataIfEmpty, readSampleRecords } from '../../src/ingest/sample-data.ts';
import { KyselyAccountStore } from '../../src/storage/account-store.ts';
import { KyselyCommentStore } from '../../src/storage/comment-store.ts';
import { type DatabaseHandle, openDatabase } from '../../src/storage/database.ts';
import { migrateToLatest } from '../../src/storage/migrate.ts';
import { KyselyPaperStore } from '../../src/storage/paper-store.ts';
import { VoteStore } from '../../src/storage/vote-store.ts';
import { buildApp, type PaperboyApp } from '../../src/web/app.ts';
import { freePort } from './processes.ts';

const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Flags for a quiet, sandbox-free headless Chromium in containers and CI (see machine-recipes.md). */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Where browser tests keep their screenshots (gitignored). */
export const ARTIFACTS_DIR = join(import.meta.dirname, '..', '..', 'test-artifacts');
/** Where the README's screenshots live. */
export const DOCS_SCREENSHOTS_DIR = join(import.meta.dirname, '..', '..', 'docs', 'screenshots');

export interface BrowserAvailability {
  executablePath: string | null;
  /** Why the browser tests are skipped, when they are. */
  skipReason: string | null;
}

/** Finds Chromium; throws when it is missing but required (`PAPERBOY_REQUIRE_BROWSER=1`). */
export function findChromium(): BrowserAvailability {
  const given = process.env.PAPERBOY_CHROMIUM;
  const candidates = given ? [given] : CHROMIUM_CANDIDATES;
  const executablePath = candidates.find((path) => existsSync(path)) ?? null;
  if (executablePath) return { executablePath, skipReason: null };
  const missing = `Chromium not found (looked at ${candidates.join(', ')}); install it with 'apt-get install -y chromium'`;
  if (process.env.PAPERBOY_REQUIRE_BROWSER === '1') throw new Error(`PAPERBOY_REQUIRE_BROWSER=1 but ${missing}`);
  const reason = `${missing}. Browser tests skipped.`;
  console.warn(reason);
  return { executablePath: null, skipReason: reason };
}

/** Launches headless Chromium (Playwright gives each launch a fresh temporary profile and removes it on close). */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}

export interface SiteBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
}

/**
 * Chromium with one context and one page for a journey through the site at `siteOrigin`: requests to anywhere else
 * are refused and recorded in `record.external` (a page must need no CDN, fonts or scripts from elsewhere), and
 * uncaught script errors are recorded in `record.scriptErrors`.
 */
export async function openSiteBrowser(
  executablePath: string,
  siteOrigin: string,
  viewport: { width: number; height: number },
  record: { external: string[]; scriptErrors: string[] },
): Promise<SiteBrowser> {
  const browser = await launchChromium(executablePath);
  const context = await browser.newContext({ viewport, colorScheme: 'light' });
  await context.route(
    (url) => url.origin !== siteOrigin,
    (route) => {
      record.external.push(route.request().url());
      return route.abort();
    },
  );
  const page = await context.newPage();
  page.on('pageerror', (error) => record.scriptErrors.push(`${page.url()}: ${error.message}`));
  return { browser, context, page };
}

/**
 * Registers tests that build on each other (call inside a describe): after one fails, the rest are skipped (saying
 * which step failed) rather than failing too, and the page as the failing step left it is saved to
 * test-artifacts/<prefix>-failed-<step>.png.
 */
export function orderedSteps(
  prefix: string,
  currentPage: () => Page | undefined,
): (name: string, body: () => Promise<void>) => void {
  let failedStep: string | null = null;
  afterEach(async ({ task }) => {
    const page = currentPage();
    if (task.result?.state === 'fail' && page) {
      failedStep ??= task.name;
      const name = task.name.replace(/\W+/g, '-').slice(0, 60);
      await page.screenshot({ path: join(ARTIFACTS_DIR, `${prefix}-failed-${name}.png`), fullPage: true });
    }
  });
  return (name, body) => {
    it(name, async ({ skip }) => {
      if (failedStep !== null) skip(`step "${failedStep}" failed`);
      await body();
    });
  };
}

export interface RunningSite {
  /** `http://127.0.0.1:PORT`, no trailing slash (also the configured base URL, so mailed links lead here). */
  baseUrl: string;
  app: PaperboyApp;
  config: Config;
  store: KyselyPaperStore;
  database: DatabaseHandle;
  close(): Promise<void>;
}

export interface DemoSiteOptions {
  /**
   * More settings, as the environment would give them (e.g. SMTP_URL, PAPERBOY_ARXIV_API_URL); they win over the
   * demo's own. Without PAPERBOY_ARXIV_API_URL, arXiv's API is a closed local port: no browser test reaches arXiv.
   */
  env?: Record<string, string>;
  /**
   * Least time between two arXiv API requests, in ms: the site then gets its own client of PAPERBOY_ARXIV_API_URL
   * with this spacing (a local replay server needs no 3 s etiquette). Unset: the app's client, 3 s apart.
   */
  arxivRequestSpacingMs?: number;
}

/** Ids of fixture papers whose abstracts are rich in math, listed on the demo feed's latest day. */
export const MATH_PAPER_IDS = ['0704.0002', '0704.0005', '0704.0012', '0704.0062', '0704.0144', '0704.0174'];
/** The day the demo feed's sample listings end on (the sample loader spreads them over the weekdays before it). */
export const DEMO_NOW = new Date('2024-03-01T18:00:00Z');
const DEMO_TIME_ZONE = 'America/New_York';
const KAGGLE_FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'arxiv', 'kaggle-snapshot-200.jsonl');
/** A closed local port: arXiv look-ups fail at once instead of leaving the machine. */
const UNREACHABLE_ARXIV_API_URL = 'http://127.0.0.1:9/api/query';

/**
 * Starts the real server (buildApp + listen on 127.0.0.1) on a fresh SQLite database holding the bundled sample
 * papers plus a few math-heavy papers from the fixtures, listed on the latest day with upvotes and discussions by
 * demo members, so that pages look like a lived-in instance. The port is chosen before the app is built, so that
 * the configured base URL (links in mail, canonical links) is the address the browser uses.
 */
export async function startDemoSite(options: DemoSiteOptions = {}): Promise<RunningSite> {
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-browser-'));
  const path = join(dir, 'paperboy.db');
  const database = openDatabase({ dialect: 'sqlite', path });
  await migrateToLatest(database.db);
  const store = new KyselyPaperStore(database.db);
  await loadSampleDataIfEmpty(store, { timeZone: DEMO_TIME_ZONE, now: DEMO_NOW });
  const latestDay = (await store.latestListingDay())!;
  const mathPapers = (await readSampleRecords(KAGGLE_FIXTURE)).filter((r: PaperRecord) =>
    MATH_PAPER_IDS.includes(r.id),
  );
  await store.upsertPapers(mathPapers);
  await store.addListings(
    mathPapers.map((paper, index) => ({
      paperId: paper.id,
      listedOn: latestDay,
      submittedAt: `${latestDay}T1${index}:00:00.000Z`,
      source: 'curator' as const,
      submittedByUserId: null,
      comment: null,
    })),
  );
  await giveDemoCommunity(database);
  const port = await freePort();
  const config = loadConfig({
    DATABASE_URL: `sqlite:${path}`,
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: String(port),
    PAPERBOY_TIMEZONE: DEMO_TIME_ZONE,
    PAPERBOY_ARXIV_API_URL: UNREACHABLE_ARXIV_API_URL,
    ...options.env,
  });
  const arxiv =
    options.arxivRequestSpacingMs === undefined
      ? undefined
      : createArxivApiClient({
          endpoint: config.arxivApiUrl,
          baseUrl: config.baseUrl,
          minRequestSpacingMs: options.arxivRequestSpacingMs,
        });
  const app = await buildApp({ store, config, db: database.db, arxiv }, { logger: false });
  await app.listen({ host: config.host, port: config.port });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    app,
    config,
    store,
    database,
    async close() {
      await app.close();
      await arxiv?.close();
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The demo's members, who cast the demo upvotes and write the demo discussions: usernames, some with a display
 * name (so that both ways of naming an author appear on the pages).
 */
const DEMO_MEMBERS: [username: string, displayName: string | null][] = [
  ['grace', 'Grace H.'],
  ['alan', null],
  ['maria', 'Maria Sk.'],
  ['edsger', null],
  ['leila', 'Leila N.'],
  ['kai', null],
  ['priya', 'Priya R.'],
  ['felix', null],
  ['nadia', null],
  ['omar', 'Omar K.'],
  ['carl', null],
  ['sofia', 'Sofia K.'],
  ['wen', null],
  ['diego', null],
  ['ines', 'Inês M.'],
  ['yusuf', null],
  ['zoe', null],
  ['vera', 'Vera R.'],
  ['mei', null],
  ['jon', null],
  ['chen', 'Chen W.'],
  ['ada', null],
  ['barbara', null],
  ['dana', null],
  ['emil', null],
  ['fatima', null],
  ['hana', null],
  ['ian', null],
  ['karen', null],
  ['leo', null],
  ['lin', null],
  ['niko', null],
  ['quinn', null],
  ['rosa', null],
  ['sam', null],
  ['tariq', null],
  ['uma', null],
  ['xavier', null],
  ['yara', null],
  ['amir', null],
  ['bea', null],
  ['elif', null],
];

/** One demo comment: its author, its Markdown, and the index (in the same paper's list) of the comment it answers. */
interface DemoComment {
  by: string;
  body: string;
  replyTo?: number;
}

/**
 * The latest day's community activity, a decreasing sequence of upvotes so that the feed's order is visible, and
 * discussions with replies, Markdown and math. Made through the same stores the site uses (VoteStore,
 * KyselyCommentStore), so papers.upvotes and papers.num_comments are the counts of real rows, as everywhere else.
 */
const DEMO_ACTIVITY: { id: string; upvotes: number; comments: DemoComment[] }[] = [
  {
    id: '0704.0002',
    upvotes: 42,
    comments: [
      {
        by: 'grace',
        body: 'A pebble game that checks $(k,\\ell)$-sparsity **and** hands you the decomposition: neat.',
      },
      {
        by: 'alan',
        body: 'With $k=2$, $\\ell=3$ these are the Laman graphs, so this doubles as a rigidity test in the plane.',
        replyTo: 0,
      },
      { by: 'grace', body: "Right: every set of $n'$ vertices spans at most $2n'-3$ edges.", replyTo: 1 },
      { by: 'maria', body: 'Putting this on the reading list for Thursday.' },
      { by: 'edsger', body: 'Count me in. I will bring a worked example.', replyTo: 3 },
      { by: 'leila', body: 'Is there an implementation anyone would recommend?' },
      { by: 'kai', body: 'Not that I know of; happy to pair on one.', replyTo: 5 },
    ],
  },
  {
    id: '2308.06675',
    upvotes: 31,
    comments: [
      {
        by: 'priya',
        body: 'Long-time **stability** is what usually breaks learned closures. Curious how this one holds up.',
      },
      { by: 'felix', body: 'Same question: I would like to see rollouts well past the training horizon.', replyTo: 0 },
      { by: 'nadia', body: 'Good pick for the active-matter group.' },
      { by: 'omar', body: 'Agreed, adding it to next week.', replyTo: 2 },
    ],
  },
  {
    id: '0704.0174',
    upvotes: 24,
    comments: [
      { by: 'carl', body: 'Frequentist *vs.* Bayesian over $\\alpha$ in one paper: a good read for the stats club.' },
      { by: 'sofia', body: 'And a reminder that priors are never as innocent as they look.', replyTo: 0 },
    ],
  },
  {
    id: '2301.12664',
    upvotes: 19,
    comments: [
      { by: 'wen', body: 'Solving PDEs in a *latent* space. How does the accuracy scale with the dimension?' },
      { by: 'diego', body: 'That is what I would like to know too.', replyTo: 0 },
      { by: 'ines', body: 'Has anyone tried it on their own PDEs yet?' },
      { by: 'yusuf', body: 'Not yet; planning to this week.', replyTo: 2 },
      { by: 'zoe', body: 'Great figures.' },
    ],
  },
  {
    id: '0704.0144',
    upvotes: 12,
    comments: [
      {
        by: 'vera',
        body: 'A potential $V(\\phi)=V_0+\\delta V(\\phi)$ with a random $\\delta V$: a nice toy model of the landscape.',
      },
    ],
  },
  { id: '0704.0012', upvotes: 9, comments: [] },
  {
    id: '2310.01698',
    upvotes: 6,
    comments: [
      { by: 'mei', body: 'A more robust way to diagonalize S4 sounds like a real practical win.' },
      { by: 'jon', body: 'Agreed, the diagonal-plus-low-rank structure was always fiddly.', replyTo: 0 },
      { by: 'chen', body: 'On the list for the sequence-models reading group.' },
    ],
  },
  { id: '0704.0005', upvotes: 3, comments: [] },
];

/** The demo's votes and comments come one a minute from this time, after the latest day's last listing. */
const DEMO_ACTIVITY_START = new Date('2024-03-01T15:00:00Z');
const DEMO_EVENT_SPACING_MS = 60_000;

/** Creates the demo members and, through the site's own stores, their upvotes and comments (see DEMO_ACTIVITY). */
async function giveDemoCommunity(database: DatabaseHandle): Promise<void> {
  const db = database.db;
  const accounts = new KyselyAccountStore(db, () => DEMO_NOW);
  const members = new Map<string, number>();
  for (const [username, displayName] of DEMO_MEMBERS) {
    const user = await accounts.createUser({ email: `${username}@demo.example.org`, username, displayName });
    members.set(username, user.id);
  }
  const memberIds = [...members.values()];
  let clock = DEMO_ACTIVITY_START.getTime();
  const tick = () => {
    clock += DEMO_EVENT_SPACING_MS;
    return new Date(clock);
  };
  const votes = new VoteStore(db, tick);
  const comments = new KyselyCommentStore(db, tick);
  for (const { id, upvotes, comments: thread } of DEMO_ACTIVITY) {
    if (upvotes > memberIds.length) throw new Error(`the demo has ${memberIds.length} members, too few for ${upvotes}`);
    for (const userId of memberIds.slice(0, upvotes)) {
      const outcome = await votes.upvote(userId, id);
      if (outcome.status !== 'ok') throw new Error(`demo upvote on ${id}: ${outcome.status}`);
    }
    const made: number[] = [];
    for (const { by, body, replyTo } of thread) {
      const parentId = replyTo === undefined ? null : made[replyTo]!;
      const created = await comments.create({ paperId: id, userId: members.get(by)!, parentId, body });
      if (!created.ok) throw new Error(`demo comment on ${id}: ${created.reason}`);
      made.push(created.comment.id);
    }
  }
}

/** Makes sure a folder exists and returns it. */
export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
