/**
 * `paperboy ingest daily` as a user runs it: the real binary, a real SQLite file, and the local feed and API
 * replays; exit codes, the exact stdout/stderr lines, and no progress output when stderr is not a terminal.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ArxivReplay, startArxivReplay } from './support/arxiv-replay.ts';
import { type ArxivRssReplay, startArxivRssReplay, UNKNOWN_ID_FEED, WEEKDAY_FEED } from './support/arxiv-rss-replay.ts';
import { type RunResult, runPaperboy } from './support/processes.ts';

let api: ArxivReplay;
let rss: ArxivRssReplay;

beforeAll(async () => {
  api = await startArxivReplay();
  rss = await startArxivRssReplay({ upstreamApiUrl: api.url });
});
afterAll(async () => {
  await rss?.close();
  await api?.close();
});
afterEach(() => {
  rss.useFeed(WEEKDAY_FEED);
});

function freshDatabasePath(): string {
  return join(mkdtempSync(join(tmpdir(), 'paperboy-ingest-daily-cli-')), 'paperboy.db');
}

function run(args: string[], databasePath: string, env: Record<string, string> = {}): Promise<RunResult> {
  return runPaperboy(['ingest', 'daily', ...args], {
    DATABASE_URL: `sqlite:${databasePath}`,
    PAPERBOY_TIMEZONE: 'America/New_York',
    PAPERBOY_BASE_URL: 'https://papers.example.org',
    PAPERBOY_ARXIV_RSS_URL: rss.url,
    PAPERBOY_ARXIV_API_URL: api.url,
    PAPERBOY_CATEGORIES: 'cs.LG,cs.CV',
    ...env,
  });
}

function rows(databasePath: string, sql: string): unknown[] {
  const db = new Database(databasePath, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

const lines = (text: string) => text.split('\n').filter((line) => line.length > 0);

describe('paperboy ingest daily (the binary)', () => {
  it('ingests the announcement, prints one summary line, draws no progress off a terminal, and is idempotent', async () => {
    const db = freshDatabasePath();
    const first = await run([], db);
    expect(first).toEqual({
      code: 0,
      stdout:
        'cs.LG+cs.CV, announcement of 2026-02-19: 6 announced, 6 fetched (6 new, 0 updated, 0 unchanged), ' +
        '4 listed on the daily feed, 0 missing\n',
      stderr: '',
    });
    expect(rss.feedRequests().at(-1)?.headers['user-agent']).toBe('Paperboy/0.1 (+https://papers.example.org)');
    const second = await run([], db);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('6 fetched (0 new, 0 updated, 6 unchanged), 0 listed on the daily feed');
    expect(rows(db, "select status from ingest_runs where source = 'daily' order by id")).toEqual([
      { status: 'ok' },
      { status: 'ok' },
    ]);
    expect(rows(db, 'select count(*) as n from listings')).toEqual([{ n: 4 }]);
  });

  it('takes --categories over PAPERBOY_CATEGORIES, and only catalogues with PAPERBOY_LISTING=submissions', async () => {
    const db = freshDatabasePath();
    const result = await run(['--categories', 'cs.LG, cs.CV'], db, {
      PAPERBOY_CATEGORIES: 'math.AG',
      PAPERBOY_LISTING: 'submissions',
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('none listed (PAPERBOY_LISTING=submissions');
    expect(rss.feedRequests().at(-1)?.url).toBe('/rss/cs.LG+cs.CV');
    expect(rows(db, 'select count(*) as n from listings')).toEqual([{ n: 0 }]);
  });

  it('names the papers the API did not return and exits 3', async () => {
    rss.useFeed(UNKNOWN_ID_FEED);
    const result = await run([], freshDatabasePath());
    expect(result.code).toBe(3);
    expect(lines(result.stdout)).toEqual([
      'cs.LG+cs.CV, announcement of 2026-02-19: 2 announced, 1 fetched (1 new, 0 updated, 0 unchanged), ' +
        '1 listed on the daily feed, 1 missing',
    ]);
    expect(lines(result.stderr)).toEqual([
      "2602.99999: announced (new) but arXiv's API did not return it",
      "paperboy: cs.LG+cs.CV: 1 announced paper was not returned by arXiv's API (see above); the rest was ingested",
    ]);
  });

  it('fails in one line with exit 1 when the feed cannot be had, writing no paper', async () => {
    const db = freshDatabasePath();
    rss.failNext({ kind: 'status', status: 404 });
    const result = await run([], db);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: "paperboy: cs.LG+cs.CV: arXiv's announcement feed failed: it answered HTTP 404; nothing was written\n",
    });
    expect(rows(db, 'select count(*) as n from papers')).toEqual([{ n: 0 }]);
    expect(rows(db, 'select status from ingest_runs')).toEqual([{ status: 'failed' }]);
  });

  it('refuses to run without categories, or with a malformed one, as a usage error (exit 2)', async () => {
    const none = await run([], freshDatabasePath(), { PAPERBOY_CATEGORIES: '' });
    expect(none).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'paperboy: no categories to ingest: give --categories (e.g. cs.LG,cs.CV) or set PAPERBOY_CATEGORIES\n',
    });
    const bad = await run(['--categories', 'cs.LG,CS CV'], freshDatabasePath());
    expect(bad.code).toBe(2);
    expect(lines(bad.stderr)).toEqual([
      "paperboy: --categories must be arXiv categories separated by commas, e.g. cs.LG,cs.CV (got 'cs.LG,CS CV': " +
        "'CS' is not a category)",
    ]);
  });
});
