/**
 * Turns the figures into console tables and into bench/RESULTS.md (machine, method, tables, interpretation).
 */
import { QUIET_CPU_SHARE } from './cpu-accounting.ts';
import type { HttpFigures } from './http-bench.ts';
import { LOAD_OPTIONS, SERVER_LOG_LEVEL } from './http-bench.ts';
import type { LoadResult } from './http-load.ts';
import {
  BASELINE_BATCH_PAPERS,
  CAPPED_HEAP_MIB,
  type ImportFigures,
  type ImportRun,
  LARGE_FILE_PAPERS,
  RUNS_PER_MEASUREMENT,
  SMALL_FILE_PAPERS,
} from './import-bench.ts';
import type { MachineFacts } from './machine.ts';

export interface BenchResults {
  startedAt: Date;
  totalSeconds: number;
  machine: MachineFacts;
  /** Share of the CPU other processes used just before the run (0-1), null when unknown. */
  backgroundCpuShare: number | null;
  imports: ImportFigures | null;
  http: HttpFigures | null;
}

const BYTES_PER_KIB = 1024;
const BYTES_PER_MIB = 1024 * 1024;
/** Peak memory on the large file may exceed the small file's by this factor and still count as constant. */
const CONSTANT_MEMORY_TOLERANCE = 1.5;
/** Above this share of the CPU used by other processes, a measurement is flagged as disturbed. */
const DISTURBED_CPU_SHARE = 0.05;

/** Ratios below this are shown with significant digits instead of two decimals. */
const SMALL_RATIO = 0.1;

type Table = { header: string[]; rows: string[][] };

/** Plain-text tables for the terminal. */
export function renderConsole(results: BenchResults): string {
  const tables = [results.imports && importTable(results.imports), results.http && httpTable(results.http)];
  const text = tables
    .filter((table): table is Table => table !== null)
    .map(textTable)
    .join('\n\n');
  const warning = contentionWarning(results);
  return warning ? `${text}\n\n${warning}` : text;
}

/** The whole results file. */
export function renderMarkdown(results: BenchResults): string {
  const { machine } = results;
  const sections = [
    '# Benchmark results',
    '',
    `Written by \`npm run bench\` (bench/run.ts) on ${results.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC; the run took ${results.totalSeconds.toFixed(0)} s. Do not edit by hand: run it again (see bench/README.md).`,
    '',
    'All papers here are **synthetic benchmark data** (bench/synthetic-arxiv.ts, seeded, shaped like the arXiv metadata snapshot), generated into a temporary directory and deleted afterwards.',
    '',
    '## Machine',
    '',
    markdownTable({
      header: ['CPU', 'cores', 'memory', 'kernel', 'Node', 'SQLite', 'Fastify', 'autocannon'],
      rows: [
        [
          machine.cpuModel,
          String(machine.cores),
          `${machine.memoryGiB.toFixed(1)} GiB`,
          machine.kernel,
          machine.nodeVersion,
          machine.sqliteVersion,
          machine.fastifyVersion,
          machine.autocannonVersion,
        ],
      ],
    }),
    '',
    '## Method',
    '',
    ...methodLines(results),
  ];
  if (results.imports) sections.push('', '## Import', '', markdownTable(importTable(results.imports)));
  if (results.http) sections.push('', '## HTTP', '', markdownTable(httpTable(results.http)));
  sections.push('', '## Interpretation', '', interpretation(results), '');
  return sections.join('\n');
}

function methodLines(results: BenchResults): string[] {
  const { warmupSeconds, durationSeconds, connections } = LOAD_OPTIONS;
  const lines: string[] = [];
  const imports = results.imports;
  if (imports) {
    lines.push(
      `- **Import**: a ${LARGE_FILE_PAPERS.toLocaleString('en')}-paper JSON-lines file (${mib(imports.largeFileBytes)}; abstracts of 600-1,400 characters with some TeX, 1-12 authors, 1-3 categories and versions, some null fields) imported by \`node bin/paperboy.js import FILE\` into a fresh SQLite file, as a child process. Wall time runs from spawn to exit, so it includes starting the CLI (${imports.cliStartup.wallSeconds.toFixed(2)} s for \`paperboy --version\`). CPU time and peak RSS are the child's own (\`process.resourceUsage()\` at exit, bench/report-usage.js). The median of ${RUNS_PER_MEASUREMENT} runs by wall time is shown, with the fastest and slowest in brackets; every run is checked to have stored every paper, and \`sync\` runs before each so that none pays for the previous one's disk writes.`,
      `- **Import baseline**: bench/raw-insert.ts, a child process started the same way: it creates the schema with Paperboy's migrations, reads the same file, maps each line to the same \`papers\` columns (authors and versions JSON-encoded, ISO timestamps, whitespace collapsed) and inserts with one prepared better-sqlite3 statement in transactions of ${BASELINE_BATCH_PAPERS.toLocaleString('en')} rows, the importer's batch size (same pragmas: WAL, synchronous=NORMAL). No merging with existing rows, no validation. Runs alternate with the import's. ${imports.rowsDiffering === 0 ? 'Checked on the first run: both write identical rows (timestamps aside).' : `**Warning**: on the first run ${imports.rowsDiffering.toLocaleString('en')} papers were stored differently by the two, so the ratio compares slightly different work.`}`,
      `- **Memory**: the same import of the first ${SMALL_FILE_PAPERS.toLocaleString('en')} papers, to compare peak RSS against a file ${LARGE_FILE_PAPERS / SMALL_FILE_PAPERS}× larger; and the large import again with V8's old space capped at ${CAPPED_HEAP_MIB} MiB (\`--max-old-space-size\`), which an import holding on to its records would not survive. RSS includes the tsx loader's worker thread and SQLite's page cache.`,
    );
  }
  if (results.http) {
    const { fixture } = results.http;
    lines.push(
      `- **HTTP**: \`node bin/paperboy.js serve\` as a child process with \`LOG_LEVEL=${SERVER_LOG_LEVEL}\` (no request logs), on SQLite holding ${(fixture.papersPerDay * fixture.days).toLocaleString('en')} papers listed ${fixture.papersPerDay} a day over ${fixture.days} days (written through Paperboy's store); the loaded day is ${fixture.benchDay}. Baseline: a bare Fastify ${results.machine.fastifyVersion} hello-world (bench/hello-world-server.ts, no logger) in its own child process. One server runs at a time.`,
      `- **Load**: autocannon ${results.machine.autocannonVersion} from the benchmark process, ${connections} connections, ${warmupSeconds} s warm-up (discarded) then ${durationSeconds} s measured per target. The load generator shares the machine's ${results.machine.cores} cores with the server. Latency percentiles come from every response time (autocannon's own histogram only resolves whole milliseconds). Server CPU per request is the server process's CPU time (/proc) over the measured seconds divided by the responses. Any non-2xx response, connection error or timeout fails the run.`,
    );
  }
  lines.push(
    `- **Contention**: "others' CPU" is the share of the whole machine's CPU capacity used by processes other than the benchmark's own during that measurement (/proc/stat against our processes' CPU time). Before each measurement the run waits for a quiet machine (under ${percent(QUIET_CPU_SHARE)}, at most 3 minutes in all). Before the run, other processes used ${results.backgroundCpuShare === null ? 'an unknown share' : percent(results.backgroundCpuShare)} of it. Wall-time figures from a measurement with others' CPU above ${percent(DISTURBED_CPU_SHARE)} are disturbed; CPU-time figures much less so.${results.imports && !('skipped' in results.imports.postgres) ? " For the PostgreSQL import, the database server's processes count as others, and the server shares the same cores." : ''}`,
  );
  return lines;
}

function importTable(figures: ImportFigures): Table {
  const raw = figures.rawLarge;
  /** `compare` = false for runs whose rate is not comparable with the baseline's (a smaller file). */
  const row = (name: string, run: ImportRun, range?: { minSeconds: number; maxSeconds: number }, compare = true) => [
    name,
    run.papers.toLocaleString('en'),
    range
      ? `${run.wallSeconds.toFixed(2)} s (${range.minSeconds.toFixed(2)}-${range.maxSeconds.toFixed(2)})`
      : `${run.wallSeconds.toFixed(2)} s`,
    Math.round(run.papersPerSecond).toLocaleString('en'),
    `${run.cpuSeconds.toFixed(2)} s`,
    mib(run.peakRssBytes),
    share(run.foreignCpuShare),
    compare ? ratio(run.papersPerSecond, raw.papersPerSecond) : '-',
    compare ? ratio(raw.cpuSeconds / raw.papers, run.cpuSeconds / run.papers) : '-',
  ];
  const rows = [
    row('paperboy import (SQLite)', figures.importLarge, figures.importLargeRange),
    row('raw better-sqlite3 insert (baseline)', raw, figures.rawLargeRange),
    row('paperboy import (SQLite), small file (start-up dominates)', figures.importSmall, undefined, false),
    row(`paperboy import (SQLite), heap capped at ${CAPPED_HEAP_MIB} MiB`, figures.importLargeCappedHeap),
  ];
  if ('skipped' in figures.postgres) {
    rows.push([
      'paperboy import (PostgreSQL)',
      '-',
      `skipped: ${figures.postgres.skipped}`,
      '-',
      '-',
      '-',
      '-',
      '-',
      '-',
    ]);
  } else {
    rows.push(row('paperboy import (PostgreSQL)', figures.postgres));
  }
  const startup = figures.cliStartup;
  rows.push([
    'CLI start-up (`paperboy --version`)',
    '-',
    `${startup.wallSeconds.toFixed(2)} s`,
    '-',
    `${startup.cpuSeconds.toFixed(2)} s`,
    mib(startup.peakRssBytes),
    '-',
    '-',
    '-',
  ]);
  return {
    header: [
      'import',
      'papers',
      'wall time',
      'papers/s',
      'CPU time',
      'peak RSS',
      "others' CPU",
      'papers/s vs raw',
      'CPU per paper, raw / this',
    ],
    rows,
  };
}

function httpTable(figures: HttpFigures): Table {
  const base = figures.helloWorld;
  const row = (name: string, result: LoadResult) => [
    name,
    Math.round(result.requestsPerSecond).toLocaleString('en'),
    `${result.p50Ms.toFixed(2)} ms`,
    `${result.p99Ms.toFixed(2)} ms`,
    `${Math.round(result.bytesPerResponse).toLocaleString('en')} B`,
    result.serverCpuMicrosPerRequest === null ? '-' : `${Math.round(result.serverCpuMicrosPerRequest)} µs`,
    share(result.foreignCpuShare),
    ratio(result.requestsPerSecond, base.requestsPerSecond),
  ];
  return {
    header: [
      'target',
      'requests/s',
      'p50',
      'p99',
      'response size',
      'server CPU/request',
      "others' CPU",
      'requests/s vs hello-world',
    ],
    rows: [
      row('Fastify hello-world `GET /` (baseline)', base),
      row(
        `\`GET /papers/date/${figures.fixture.benchDay}\` (HTML, ${figures.pagePapersShown} papers), cache off`,
        figures.page,
      ),
      row(
        `\`GET /api/daily_papers?date=${figures.fixture.benchDay}\` (JSON, ${figures.apiItems} items), cache off`,
        figures.api,
      ),
      row(`\`GET /papers/date/${figures.fixture.benchDay}\` (HTML), cache on (as shipped)`, figures.pageCached),
      row(
        `\`GET /api/daily_papers?date=${figures.fixture.benchDay}\` (JSON), cache on (as shipped)`,
        figures.apiCached,
      ),
    ],
  };
}

/** Sentences written from the figures, so that they always match the tables above them. */
function interpretation(results: BenchResults): string {
  const sentences: string[] = [];
  const imports = results.imports;
  if (imports) {
    const wallShare = imports.importLarge.papersPerSecond / imports.rawLarge.papersPerSecond;
    const cpuShare = imports.rawLarge.cpuSeconds / imports.importLarge.cpuSeconds;
    const startupShare = imports.cliStartup.wallSeconds / imports.importLarge.wallSeconds;
    sentences.push(
      `\`paperboy import\` stores ${Math.round(imports.importLarge.papersPerSecond).toLocaleString('en')} papers/s, ${percent(wallShare)} of the raw insert's rate (by CPU time, ${percent(cpuShare)}): validation, text cleaning, merge-on-upsert through Kysely and CLI start-up (${percent(startupShare)} of its wall time) make it take ${(1 / wallShare).toFixed(1)}× as long as the bare minimum that writes the same rows.`,
    );
    const growth = imports.importLarge.peakRssBytes / imports.importSmall.peakRssBytes;
    const capped = imports.importLargeCappedHeap;
    sentences.push(
      growth <= CONSTANT_MEMORY_TOLERANCE
        ? `Peak memory is ${mib(imports.importSmall.peakRssBytes)} for ${SMALL_FILE_PAPERS.toLocaleString('en')} papers and ${mib(imports.importLarge.peakRssBytes)} for ${LARGE_FILE_PAPERS.toLocaleString('en')} (${growth.toFixed(2)}× for ten times the input), and the ${LARGE_FILE_PAPERS.toLocaleString('en')}-paper import also completes with the heap capped at ${CAPPED_HEAP_MIB} MiB (${mib(capped.peakRssBytes)}): the import streams in constant memory, and the extra RSS on the large file is V8 growing its heap lazily, not records kept.`
        : `Peak memory grows with the input: ${mib(imports.importSmall.peakRssBytes)} for ${SMALL_FILE_PAPERS.toLocaleString('en')} papers but ${mib(imports.importLarge.peakRssBytes)} for ${LARGE_FILE_PAPERS.toLocaleString('en')} (${growth.toFixed(2)}×); it still completes with the heap capped at ${CAPPED_HEAP_MIB} MiB (${mib(capped.peakRssBytes)}), so look at native memory (SQLite, buffers) first.`,
    );
  }
  const http = results.http;
  if (http) {
    const base = http.helloWorld.requestsPerSecond;
    sentences.push(
      `Building every answer (cache off), the JSON API serves a ${http.apiItems}-paper day at ${percent(http.api.requestsPerSecond / base)} of a hello-world's request rate and the HTML page at ${percent(http.page.requestsPerSecond / base)}: each answer is ${kib(http.api.bytesPerResponse)} of JSON or ${kib(http.page.bytesPerResponse)} of HTML built from a few SQLite queries per request, against ${Math.round(http.helloWorld.bytesPerResponse)} bytes, so per-request work, not Fastify, sets these rates.`,
      `As shipped, an answer is built once per data version and then reused after one primary-key read: the API at ${percent(http.apiCached.requestsPerSecond / base)} and the page at ${percent(http.pageCached.requestsPerSecond / base)} of hello-world, where writing ${kib(http.pageCached.bytesPerResponse)} to the socket is most of what is left. Every write (an import, a listing, later a vote) bumps the version, so the first request after it pays the full cost again.`,
      `The load generator runs on the same ${results.machine.cores} cores as the server, so absolute rates are lower than with a separate client; compare ratios and server CPU per request across runs.`,
    );
  }
  const warning = contentionWarning(results);
  if (warning) sentences.push(warning);
  return sentences.join(' ');
}

/** A sentence when other processes took a noticeable share of the CPU during some measurement, else null. */
function contentionWarning(results: BenchResults): string | null {
  const shares = [
    results.backgroundCpuShare,
    ...(results.imports
      ? [results.imports.importLarge, results.imports.rawLarge, results.imports.importSmall].map(
          (r) => r.foreignCpuShare,
        )
      : []),
    ...(results.http
      ? [
          results.http.helloWorld,
          results.http.page,
          results.http.api,
          results.http.pageCached,
          results.http.apiCached,
        ].map((r) => r.foreignCpuShare)
      : []),
  ].filter((value): value is number => value !== null);
  const worst = Math.max(0, ...shares);
  if (worst <= DISTURBED_CPU_SHARE) return null;
  return `**Disturbed run**: other processes used up to ${percent(worst)} of the machine's CPU during a measurement, so wall-time figures (papers/s, requests/s) are lower than the machine can do; CPU-time figures are more reliable. Run again on a quiet machine.`;
}

/** `0.62×`; small ratios keep two significant digits (`0.0081×`) rather than rounding to zero. */
function ratio(value: number, baseline: number): string {
  const r = value / baseline;
  return `${r >= SMALL_RATIO ? r.toFixed(2) : r.toPrecision(2)}×`;
}

/** Two significant digits at most: `52%`, `8.7%`, `0.63%`, `5%`. */
function percent(value: number): string {
  const hundredths = value * 100;
  return `${hundredths >= 10 ? hundredths.toFixed(0) : String(Number(hundredths.toPrecision(2)))}%`;
}

function share(value: number | null): string {
  return value === null ? '-' : percent(value);
}

function mib(bytes: number): string {
  return `${(bytes / BYTES_PER_MIB).toFixed(0)} MiB`;
}

function kib(bytes: number): string {
  return `${(bytes / BYTES_PER_KIB).toFixed(0)} KiB`;
}

function markdownTable({ header, rows }: Table): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Columns padded to their widest cell; backticks and bold marks dropped. */
function textTable({ header, rows }: Table): string {
  const all = [header, ...rows].map((cells) => cells.map((cell) => cell.replaceAll('`', '')));
  const widths = header.map((_, column) => Math.max(...all.map((cells) => cells[column]!.length)));
  const format = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ');
  const [head, ...body] = all;
  return [format(head!), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(format)].join('\n');
}
