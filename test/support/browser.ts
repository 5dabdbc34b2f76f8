/**
 * Real-browser tests: Debian's Chromium driven by Playwright, against the real server on a loopback port.
 *
 * - Chromium found (`PAPERBOY_CHROMIUM` or the usual paths): the browser tests run.
 * - Not found: they are skipped with a note, unless `PAPERBOY_REQUIRE_BROWSER=1` (set by CI), which makes a missing
 *   browser a failure. Install it with `apt-get install -y chromium`.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { loadConfig } from '../../src/config.ts';
import type { PaperRecord } from '../../src/domain/paper.ts';
import { loadSampleDataIfEmpty, readSampleRecords } from '../../src/ingest/sample-data.ts';
import { type DatabaseHandle, openDatabase } from '../../src/storage/database.ts';
import { migrateToLatest } from '../../src/storage/migrate.ts';
import { KyselyPaperStore } from '../../src/storage/paper-store.ts';
import { buildApp, type PaperboyApp } from '../../src/web/app.ts';

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

export interface RunningSite {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  baseUrl: string;
  app: PaperboyApp;
  store: KyselyPaperStore;
  database: DatabaseHandle;
  close(): Promise<void>;
}

/** Ids of fixture papers whose abstracts are rich in math, listed on the demo feed's latest day. */
export const MATH_PAPER_IDS = ['0704.0002', '0704.0005', '0704.0012', '0704.0062', '0704.0144', '0704.0174'];
/** The day the demo feed's sample listings end on (the sample loader spreads them over the weekdays before it). */
export const DEMO_NOW = new Date('2024-03-01T18:00:00Z');
const DEMO_TIME_ZONE = 'America/New_York';
const KAGGLE_FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'arxiv', 'kaggle-snapshot-200.jsonl');

/**
 * Starts the real server (buildApp + listen on 127.0.0.1, port 0) on a fresh SQLite database holding the bundled
 * sample papers plus a few math-heavy papers from the fixtures, listed on the latest day with some upvotes and
 * comment counts, so that pages look like a lived-in instance.
 */
export async function startDemoSite(): Promise<RunningSite> {
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
  await giveDemoCounts(database);
  const config = loadConfig({ DATABASE_URL: `sqlite:${path}`, LOG_LEVEL: 'silent', PORT: '0' });
  const app = await buildApp({ store, config, db: database.db }, { logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    app,
    store,
    database,
    async close() {
      await app.close();
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Upvotes and comment counts for the demo (the community features that produce them come later): a decreasing
 * sequence over the latest day's papers, so the feed's order is visible.
 */
async function giveDemoCounts(database: DatabaseHandle): Promise<void> {
  const counts: [string, number, number][] = [
    ['0704.0002', 42, 7],
    ['2308.06675', 31, 4],
    ['0704.0174', 24, 2],
    ['2301.12664', 19, 5],
    ['0704.0144', 12, 1],
    ['0704.0012', 9, 0],
    ['2310.01698', 6, 3],
    ['0704.0005', 3, 0],
  ];
  for (const [id, upvotes, comments] of counts) {
    await database.db.updateTable('papers').set({ upvotes, num_comments: comments }).where('id', '=', id).execute();
  }
}

/** Makes sure a folder exists and returns it. */
export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
