/**
 * The issue's figure for the whole arXiv: `paperboy import` of a GENERATED 1,000,000-record snapshot file (synthetic,
 * bench/synthetic-arxiv.ts) as a child process, into a fresh SQLite file and into PostgreSQL, reporting papers/s and
 * peak memory (RSS), against the raw better-sqlite3 insert of the same file (bench/raw-insert.ts) in the same run.
 * One run per target: at this size a run takes about a minute and the spread between runs is small next to it.
 *
 * PostgreSQL: PAPERBOY_BENCH_PG_URL's server when set (a database is created and dropped there), otherwise a
 * throwaway cluster started on loopback by the tests' own global setup (imported, not copied), like bench/upvotes.ts.
 *
 * `MILLION_BENCH_PAPERS=20000 npm run bench -- --only=million` is the short mode for development.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { BATCH_SIZE_RECORDS } from '../src/ingest/import-stream.ts';
import { type MeasuredRun, runMeasured } from './child-processes.ts';
import { throwawayPostgres } from './postgres.ts';
import { writeSnapshotFile } from './synthetic-arxiv.ts';

/** Records in the full run's file. */
export const MILLION_PAPERS = 1_000_000;
const BYTES_PER_MIB = 1024 * 1024;

export interface MillionRun {
  target: string;
  papers: number;
  wallSeconds: number;
  papersPerSecond: number;
  cpuSeconds: number;
  peakRssBytes: number;
  foreignCpuShare: number | null;
}

export interface MillionFigures {
  papers: number;
  fileBytes: number;
  generateSeconds: number;
  sqlite: MillionRun;
  raw: MillionRun;
  postgres: MillionRun | { skipped: string };
}

type Progress = (message: string) => void;

export async function runMillionBench(workDir: string, progress: Progress): Promise<MillionFigures> {
  const papers = Number(process.env.MILLION_BENCH_PAPERS ?? MILLION_PAPERS);
  if (!Number.isInteger(papers) || papers < 1) throw new Error('MILLION_BENCH_PAPERS must be a whole number');
  const file = join(workDir, `synthetic-arxiv-${papers}.jsonl`);
  const usageFile = join(workDir, 'million-usage.json');
  progress(`million: generating ${papers.toLocaleString('en')} synthetic papers (seeded)`);
  const generateStarted = performance.now();
  const fileBytes = writeSnapshotFile(file, papers);
  const generateSeconds = (performance.now() - generateStarted) / 1000;
  progress(`million: wrote ${(fileBytes / BYTES_PER_MIB).toFixed(0)} MiB in ${generateSeconds.toFixed(0)} s`);
  // Fill tsx's transform cache first, so that no measured import pays for compiling TypeScript.
  await runMeasured(['bin/paperboy.js', '--version'], childEnv(), usageFile);

  try {
    const sqlitePath = join(workDir, 'million-import.db');
    progress(`million: paperboy import into SQLite, ${papers.toLocaleString('en')} papers`);
    const sqliteRun = await runMeasured(
      ['bin/paperboy.js', 'import', file],
      childEnv({ DATABASE_URL: `sqlite:${sqlitePath}` }),
      usageFile,
    );
    requireSqliteCount(sqlitePath, papers, 'paperboy import');
    removeDatabase(sqlitePath);

    const rawPath = join(workDir, 'million-raw.db');
    progress('million: raw better-sqlite3 insert, same file (baseline)');
    const rawRun = await runMeasured(
      ['bin/run-ts.js', 'bench/raw-insert.ts', file, rawPath, String(BATCH_SIZE_RECORDS)],
      childEnv(),
      usageFile,
    );
    requireSqliteCount(rawPath, papers, 'raw insert');
    removeDatabase(rawPath);

    let postgres: MillionFigures['postgres'];
    const server = await throwawayPostgres('million');
    if (server.url) {
      try {
        progress(`million: paperboy import into PostgreSQL, ${papers.toLocaleString('en')} papers`);
        const run = await runMeasured(
          ['bin/paperboy.js', 'import', file],
          childEnv({ DATABASE_URL: server.url }),
          usageFile,
        );
        await requirePostgresCount(server.url, papers);
        postgres = toRun('paperboy import (PostgreSQL)', papers, run);
      } finally {
        await server.stop();
      }
    } else {
      progress(`million: PostgreSQL skipped (${server.skipped})`);
      postgres = { skipped: server.skipped };
    }
    return {
      papers,
      fileBytes,
      generateSeconds,
      sqlite: toRun('paperboy import (SQLite)', papers, sqliteRun),
      raw: toRun('raw better-sqlite3 insert (baseline)', papers, rawRun),
      postgres,
    };
  } finally {
    rmSync(file, { force: true });
  }
}

/** The environment for a child: this one's, with Paperboy's own settings pinned. */
function childEnv(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, PAPERBOY_SAMPLE_DATA: '0', LOG_LEVEL: 'warn', PAPERBOY_TIMEZONE: 'UTC', ...overrides };
}

function toRun(target: string, papers: number, run: MeasuredRun): MillionRun {
  return {
    target,
    papers,
    wallSeconds: run.wallSeconds,
    papersPerSecond: papers / run.wallSeconds,
    cpuSeconds: run.cpuSeconds,
    peakRssBytes: run.peakRssBytes,
    foreignCpuShare: run.foreignCpuShare,
  };
}

/** Fails loudly when a run did not store every paper (a fast import that drops rows is no result). */
function requireSqliteCount(path: string, expected: number, what: string): void {
  const db = new SQLite(path, { readonly: true });
  try {
    const { n } = db.prepare('select count(*) as n from papers').get() as { n: number };
    if (n !== expected) throw new Error(`${what} stored ${n} papers, expected ${expected}`);
  } finally {
    db.close();
  }
}

async function requirePostgresCount(url: string, expected: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('select count(*) as n from papers');
    if (Number(rows[0]?.n) !== expected) {
      throw new Error(`paperboy import into PostgreSQL stored ${rows[0]?.n} papers, expected ${expected}`);
    }
  } finally {
    await client.end();
  }
}

/** Deletes a SQLite file and its WAL and shared-memory files (a million papers is about 2 GB). */
function removeDatabase(path: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
}

/** The table: each target's rate and memory, and its rate against the raw insert's. */
export function millionTable(f: MillionFigures): { header: string[]; rows: string[][] } {
  const row = (run: MillionRun): string[] => [
    run.target,
    run.papers.toLocaleString('en'),
    `${run.wallSeconds.toFixed(1)} s`,
    Math.round(run.papersPerSecond).toLocaleString('en'),
    `${run.cpuSeconds.toFixed(1)} s`,
    `${(run.peakRssBytes / BYTES_PER_MIB).toFixed(0)} MiB`,
    run.foreignCpuShare === null ? 'n/a' : `${(run.foreignCpuShare * 100).toFixed(1)}%`,
    `${(run.papersPerSecond / f.raw.papersPerSecond).toFixed(2)}×`,
  ];
  const rows = [row(f.sqlite), row(f.raw)];
  if ('skipped' in f.postgres) rows.push(['paperboy import (PostgreSQL)', '-', `skipped: ${f.postgres.skipped}`]);
  else rows.push(row(f.postgres));
  return {
    header: ['import', 'papers', 'wall time', 'papers/s', 'CPU time', 'peak RSS', "others' CPU", 'papers/s vs raw'],
    rows: rows.map((r) => [...r, ...Array(8 - r.length).fill('-')]),
  };
}

function fileLine(f: MillionFigures): string {
  return `${f.papers.toLocaleString('en')} synthetic papers, ${(f.fileBytes / BYTES_PER_MIB).toFixed(0)} MiB of JSON lines (generated in ${f.generateSeconds.toFixed(0)} s)`;
}

/** Plain text for the terminal. */
export function renderMillionConsole(f: MillionFigures): string {
  const { header, rows } = millionTable(f);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [`Snapshot import: ${fileLine(f)}`, line(header), ...rows.map(line)].join('\n');
}

/** A section for bench/RESULTS.md. */
export function renderMillionMarkdown(f: MillionFigures): string {
  const { header, rows } = millionTable(f);
  return [
    '',
    '## Snapshot import at a million papers',
    '',
    `\`node bin/paperboy.js import FILE\` of ${fileLine(f)}, as a child process, once per target: into a fresh SQLite file, and into a fresh PostgreSQL database (a throwaway cluster on loopback started as the tests start theirs, with \`fsync=off\` and \`synchronous_commit=off\`, unless PAPERBOY_BENCH_PG_URL names a server). Baseline: bench/raw-insert.ts writing the same rows into SQLite with one prepared statement in transactions of ${BATCH_SIZE_RECORDS}. Peak RSS is the child's (\`process.resourceUsage().maxRSS\` at exit); every run is checked to have stored every paper.`,
    '',
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
  ].join('\n');
}
