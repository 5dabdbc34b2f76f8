/**
 * The import benchmark: `paperboy import FILE` as a child process into a fresh SQLite file, against the raw
 * better-sqlite3 baseline (raw-insert.ts) on the same file, plus a small file to show that memory does not grow with
 * the size of the input, and optionally the same import into PostgreSQL.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { BATCH_SIZE_RECORDS } from '../src/ingest/import-stream.ts';
import { type MeasuredRun, runMeasured } from './child-processes.ts';
import { writeSnapshotFile } from './synthetic-arxiv.ts';

const BYTES_PER_MIB = 1024 * 1024;
/** Papers in the main import file. */
export const LARGE_FILE_PAPERS = 100_000;
/** Papers in the small file used to compare peak memory. */
export const SMALL_FILE_PAPERS = 10_000;
/** Rows per transaction in the raw baseline: the importer's own batch size, so that both pay as many commits. */
export const BASELINE_BATCH_PAPERS = BATCH_SIZE_RECORDS;
/**
 * V8 old-space cap for the constant-memory check, in MiB: an import that kept its records (about 170 MB of input)
 * would run out of heap under it.
 */
export const CAPPED_HEAP_MIB = 64;
/** Each import is run this many times on a fresh database; the median run is reported. */
export const RUNS_PER_MEASUREMENT = 3;

export interface ImportRun {
  papers: number;
  wallSeconds: number;
  papersPerSecond: number;
  /** CPU time of the process (all threads): less sensitive than wall time to other load on the machine. */
  cpuSeconds: number;
  peakRssBytes: number;
  /** Share of the machine's CPU that other processes used during the run (0-1), null when unknown. */
  foreignCpuShare: number | null;
}

export interface ImportFigures {
  largeFileBytes: number;
  /** `paperboy import` of the large file: the median run, and the spread of all runs. */
  importLarge: ImportRun;
  importLargeRange: { minSeconds: number; maxSeconds: number };
  /** The raw baseline on the same file. */
  rawLarge: ImportRun;
  rawLargeRange: { minSeconds: number; maxSeconds: number };
  /** `paperboy import` of the small file (memory comparison). */
  importSmall: ImportRun;
  /** `paperboy import` of the large file with the JavaScript heap capped at CAPPED_HEAP_MIB. */
  importLargeCappedHeap: ImportRun;
  /** Papers whose stored row (timestamps aside) differs between the import and the baseline; 0 = same rows. */
  rowsDiffering: number;
  /** `paperboy --version`: what starting the CLI costs, included in every import's wall time. */
  cliStartup: { wallSeconds: number; cpuSeconds: number; peakRssBytes: number };
  /** Import of the large file into PostgreSQL, when PAPERBOY_BENCH_PG_URL names a server. */
  postgres: ImportRun | { skipped: string };
}

type Progress = (message: string) => void;

export async function runImportBench(workDir: string, progress: Progress): Promise<ImportFigures> {
  const largeFile = join(workDir, `synthetic-arxiv-${LARGE_FILE_PAPERS}.jsonl`);
  const smallFile = join(workDir, `synthetic-arxiv-${SMALL_FILE_PAPERS}.jsonl`);
  progress(`generating ${LARGE_FILE_PAPERS.toLocaleString('en')} synthetic papers (seeded)`);
  const largeFileBytes = writeSnapshotFile(largeFile, LARGE_FILE_PAPERS);
  writeSnapshotFile(smallFile, SMALL_FILE_PAPERS);
  progress(`wrote ${(largeFileBytes / BYTES_PER_MIB).toFixed(0)} MiB`);

  const usageFile = join(workDir, 'usage.json');
  const baseEnv = childEnv();
  // The first start also fills tsx's transform cache, so that no measured import pays for compiling TypeScript.
  const startupRuns: MeasuredRun[] = [];
  for (let run = 0; run < RUNS_PER_MEASUREMENT; run += 1) {
    startupRuns.push(await runMeasured(['bin/paperboy.js', '--version'], baseEnv, usageFile));
  }
  const cliStartupRun = startupRuns.sort((a, b) => a.wallSeconds - b.wallSeconds)[Math.floor(startupRuns.length / 2)]!;

  const importRuns: ImportRun[] = [];
  const rawRuns: ImportRun[] = [];
  let rowsDiffering = 0;
  for (let run = 1; run <= RUNS_PER_MEASUREMENT; run += 1) {
    const importDb = join(workDir, `import-${run}.db`);
    const rawDb = join(workDir, `raw-${run}.db`);
    progress(`paperboy import, ${LARGE_FILE_PAPERS.toLocaleString('en')} papers (run ${run}/${RUNS_PER_MEASUREMENT})`);
    importRuns.push(await importIntoSqlite(largeFile, LARGE_FILE_PAPERS, importDb, usageFile));
    progress(`raw better-sqlite3 insert, same file (run ${run}/${RUNS_PER_MEASUREMENT})`);
    rawRuns.push(await rawInsert(largeFile, LARGE_FILE_PAPERS, rawDb, usageFile));
    if (run === 1) {
      rowsDiffering = countDifferingRows(importDb, rawDb);
      if (rowsDiffering > 0) progress(`WARNING: the baseline stored ${rowsDiffering} papers differently`);
    }
    removeDatabase(importDb);
    removeDatabase(rawDb);
  }
  progress(`paperboy import, ${SMALL_FILE_PAPERS.toLocaleString('en')} papers (memory comparison)`);
  const smallDb = join(workDir, 'import-small.db');
  const importSmall = await importIntoSqlite(smallFile, SMALL_FILE_PAPERS, smallDb, usageFile);
  removeDatabase(smallDb);
  progress(`paperboy import, ${LARGE_FILE_PAPERS.toLocaleString('en')} papers, heap capped at ${CAPPED_HEAP_MIB} MiB`);
  const cappedDb = join(workDir, 'import-capped.db');
  const importLargeCappedHeap = await importIntoSqlite(largeFile, LARGE_FILE_PAPERS, cappedDb, usageFile, [
    `--max-old-space-size=${CAPPED_HEAP_MIB}`,
  ]).catch((error: unknown) => {
    throw new Error(
      `the import does not run in constant memory: with the heap capped at ${CAPPED_HEAP_MIB} MiB, ${(error as Error).message}`,
    );
  });
  removeDatabase(cappedDb);

  const postgresUrl = process.env.PAPERBOY_BENCH_PG_URL;
  let postgres: ImportFigures['postgres'] = { skipped: 'PAPERBOY_BENCH_PG_URL not set' };
  if (postgresUrl) {
    progress('paperboy import into PostgreSQL (PAPERBOY_BENCH_PG_URL)');
    postgres = await importIntoPostgres(postgresUrl, largeFile, LARGE_FILE_PAPERS, usageFile);
  }

  return {
    largeFileBytes,
    importLarge: median(importRuns),
    importLargeRange: range(importRuns),
    rawLarge: median(rawRuns),
    rawLargeRange: range(rawRuns),
    importSmall,
    importLargeCappedHeap,
    rowsDiffering,
    cliStartup: {
      wallSeconds: cliStartupRun.wallSeconds,
      cpuSeconds: cliStartupRun.cpuSeconds,
      peakRssBytes: cliStartupRun.peakRssBytes,
    },
    postgres,
  };
}

/** The environment for a child: this one's, with Paperboy's own settings pinned. */
function childEnv(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, PAPERBOY_SAMPLE_DATA: '0', LOG_LEVEL: 'warn', PAPERBOY_TIMEZONE: 'UTC', ...overrides };
}

/** `paperboy import FILE` into a new SQLite file (left in place for the caller), with optional Node flags. */
async function importIntoSqlite(
  file: string,
  papers: number,
  dbPath: string,
  usageFile: string,
  nodeFlags: string[] = [],
): Promise<ImportRun> {
  const run = await runMeasured(
    [...nodeFlags, 'bin/paperboy.js', 'import', file],
    childEnv({ DATABASE_URL: `sqlite:${dbPath}` }),
    usageFile,
  );
  requirePaperCount(dbPath, papers, 'paperboy import');
  return toImportRun(papers, run);
}

async function rawInsert(file: string, papers: number, dbPath: string, usageFile: string): Promise<ImportRun> {
  const run = await runMeasured(
    ['bin/run-ts.js', 'bench/raw-insert.ts', file, dbPath, String(BASELINE_BATCH_PAPERS)],
    childEnv(),
    usageFile,
  );
  requirePaperCount(dbPath, papers, 'raw insert');
  return toImportRun(papers, run);
}

/** Imports into a new database on the server, dropped afterwards; skips (with the reason) if it cannot create one. */
async function importIntoPostgres(
  serverUrl: string,
  file: string,
  papers: number,
  usageFile: string,
): Promise<ImportFigures['postgres']> {
  const databaseName = `paperboy_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  try {
    await admin.connect();
    await admin.query(`create database ${databaseName}`);
  } catch (error) {
    await admin.end().catch(() => {});
    return { skipped: `cannot create a database there: ${(error as Error).message}` };
  }
  try {
    const url = new URL(serverUrl);
    url.pathname = `/${databaseName}`;
    const run = await runMeasured(
      ['bin/paperboy.js', 'import', file],
      childEnv({ DATABASE_URL: url.toString() }),
      usageFile,
    );
    const check = new pg.Client({ connectionString: url.toString() });
    await check.connect();
    try {
      const { rows } = await check.query<{ n: string }>('select count(*) as n from papers');
      if (Number(rows[0]?.n) !== papers)
        throw new Error(`PostgreSQL import stored ${rows[0]?.n} papers, not ${papers}`);
    } finally {
      await check.end();
    }
    return toImportRun(papers, run);
  } finally {
    await admin.query(`drop database if exists ${databaseName} with (force)`).catch(() => {});
    await admin.end().catch(() => {});
  }
}

/** Fails loudly when a run did not store every paper (a fast import that drops rows is no result). */
function requirePaperCount(dbPath: string, expected: number, what: string): void {
  const db = new SQLite(dbPath, { readonly: true });
  try {
    const { n } = db.prepare('select count(*) as n from papers').get() as { n: number };
    if (n !== expected) throw new Error(`${what} stored ${n} papers, expected ${expected}`);
  } finally {
    db.close();
  }
}

/** Columns both writers fill from the input (the created/updated times are each run's clock). */
const COMPARED_COLUMNS =
  'id, title, abstract, authors, categories, primary_category, versions, latest_version, first_version_at, ' +
  'latest_version_at, comments, journal_ref, doi, report_no, license, submitter, github_repo, project_page';

/** How many of the import's rows the baseline did not write identically. */
function countDifferingRows(importDb: string, rawDb: string): number {
  const db = new SQLite(importDb, { readonly: true });
  try {
    db.prepare('attach database ? as baseline').run(rawDb);
    const query = `select count(*) as n from (select ${COMPARED_COLUMNS} from main.papers except select ${COMPARED_COLUMNS} from baseline.papers)`;
    return (db.prepare(query).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Deletes a SQLite file and its WAL and shared-memory files (a 100k-paper database is about 200 MB). */
function removeDatabase(dbPath: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbPath}${suffix}`, { force: true });
}

function toImportRun(papers: number, run: MeasuredRun): ImportRun {
  return {
    papers,
    wallSeconds: run.wallSeconds,
    papersPerSecond: papers / run.wallSeconds,
    cpuSeconds: run.cpuSeconds,
    peakRssBytes: run.peakRssBytes,
    foreignCpuShare: run.foreignCpuShare,
  };
}

function median(runs: ImportRun[]): ImportRun {
  const sorted = [...runs].sort((a, b) => a.wallSeconds - b.wallSeconds);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function range(runs: ImportRun[]): { minSeconds: number; maxSeconds: number } {
  const seconds = runs.map((r) => r.wallSeconds);
  return { minSeconds: Math.min(...seconds), maxSeconds: Math.max(...seconds) };
}
