/**
 * `npm run bench`: measures the import and the HTTP server against baselines run on the same machine in the same
 * run, prints the tables, and writes bench/RESULTS.md. Takes about two and a half minutes.
 *
 * `npm run bench -- --only=import`, `--only=http` or `--only=upvotes` runs one part and prints its table without
 * writing the file (`UPVOTE_BENCH_SECONDS=3` shortens the upvote part for development; see bench/upvotes.ts).
 * `PAPERBOY_BENCH_PG_URL=postgres://...` adds an import into PostgreSQL (a database is created and dropped there).
 * `--only=million` (the snapshot import of a generated million papers, SQLite, PostgreSQL and the raw baseline;
 * `MILLION_BENCH_PAPERS=20000` shortens it) and `--only=spacing` (arXiv API request spacing;
 * `API_SPACING_BENCH_REQUESTS=4` shortens it) are the ingest issue's figures. `--only=search` (search latency,
 * embedding throughput and server memory at 100,000 generated papers; `SEARCH_BENCH_PAPERS=20000` shortens it) is
 * the search issue's. `--only=digest` (digest delivery to 10,000 subscribers on a loopback SMTP sink;
 * `DIGEST_BENCH_SUBSCRIBERS=1000` shortens it) is the digest issue's.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderSpacingConsole, renderSpacingMarkdown, runSpacingBench } from './api-spacing.ts';
import { killAllChildren, REPO_ROOT } from './child-processes.ts';
import { backgroundCpuShare } from './cpu-accounting.ts';
import { renderDigestConsole, renderDigestMarkdown, runDigestBench } from './digest.ts';
import { runHttpBench } from './http-bench.ts';
import { runImportBench } from './import-bench.ts';
import { renderMillionConsole, renderMillionMarkdown, runMillionBench } from './import-million.ts';
import { describeMachine } from './machine.ts';
import { type BenchResults, renderConsole, renderMarkdown } from './results-report.ts';
import { renderSearchConsole, renderSearchMarkdown, runSearchBench } from './search.ts';
import { renderUpvoteConsole, renderUpvoteMarkdown, runUpvoteBench } from './upvotes.ts';

const RESULTS_PATH = join(REPO_ROOT, 'bench', 'RESULTS.md');
/** How long the machine is watched for other load before the run, in milliseconds. */
const BACKGROUND_SAMPLE_MS = 2_000;
/** Above this share of the CPU used by others before the run, a warning is printed. */
const BUSY_MACHINE_SHARE = 0.05;
/** Exit status after Ctrl-C, as shells report it (128 + SIGINT). */
const INTERRUPTED_EXIT_CODE = 130;

type Part = 'import' | 'http' | 'upvotes' | 'million' | 'spacing' | 'search' | 'digest';
const ALL_PARTS: Part[] = ['import', 'http', 'upvotes', 'million', 'spacing', 'search', 'digest'];

const startedAt = new Date();
const startedMs = performance.now();
const parts = selectedParts(process.argv.slice(2));
const workDir = mkdtempSync(join(tmpdir(), 'paperboy-bench-'));

function progress(message: string): void {
  const elapsedSeconds = (performance.now() - startedMs) / 1000;
  process.stderr.write(`[bench ${elapsedSeconds.toFixed(0).padStart(3)} s] ${message}\n`);
}

/** Stops every child and deletes the temporary files (the generated data and databases). */
function cleanUp(): void {
  killAllChildren();
  rmSync(workDir, { recursive: true, force: true });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    progress(`${signal}: stopping child processes and removing ${workDir}`);
    cleanUp();
    process.exit(INTERRUPTED_EXIT_CODE);
  });
}

try {
  progress(`working in ${workDir}`);
  const machine = describeMachine();
  const background = await backgroundCpuShare(BACKGROUND_SAMPLE_MS);
  if (background !== null && background > BUSY_MACHINE_SHARE) {
    progress(`WARNING: other processes are using ${(background * 100).toFixed(0)}% of the CPU: figures will be noisy`);
  }
  const imports = parts.includes('import') ? await runImportBench(workDir, progress) : null;
  const http = parts.includes('http') ? await runHttpBench(workDir, progress) : null;
  const upvotes = parts.includes('upvotes') ? await runUpvoteBench(workDir, progress) : null;
  const million = parts.includes('million') ? await runMillionBench(workDir, progress) : null;
  const spacing = parts.includes('spacing') ? await runSpacingBench(progress) : null;
  const search = parts.includes('search') ? await runSearchBench(workDir, progress) : null;
  const digest = parts.includes('digest') ? await runDigestBench(workDir, progress) : null;
  const results: BenchResults = {
    startedAt,
    totalSeconds: (performance.now() - startedMs) / 1000,
    machine,
    backgroundCpuShare: background,
    imports,
    http,
  };
  console.log(renderConsole(results));
  if (upvotes) console.log(`\n${renderUpvoteConsole(upvotes)}`);
  if (million) console.log(`\n${renderMillionConsole(million)}`);
  if (spacing) console.log(`\n${renderSpacingConsole(spacing)}`);
  if (search) console.log(`\n${renderSearchConsole(search)}`);
  if (digest) console.log(`\n${renderDigestConsole(digest)}`);
  if (parts.length === ALL_PARTS.length) {
    writeFileSync(
      RESULTS_PATH,
      renderMarkdown(results) +
        (upvotes ? renderUpvoteMarkdown(upvotes) : '') +
        (million ? renderMillionMarkdown(million) : '') +
        (spacing ? renderSpacingMarkdown(spacing) : '') +
        (search ? renderSearchMarkdown(search) : '') +
        (digest ? renderDigestMarkdown(digest) : ''),
    );
    progress(`wrote ${RESULTS_PATH}`);
  } else {
    progress('partial run: bench/RESULTS.md left as it was');
  }
} catch (error) {
  progress(`FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  cleanUp();
}

function selectedParts(args: string[]): Part[] {
  const only = args.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
  if (only === undefined) return ALL_PARTS;
  if ((ALL_PARTS as string[]).includes(only)) return [only as Part];
  console.error(`usage: npm run bench [-- --only=${ALL_PARTS.join('|--only=')}] (got '${only}')`);
  process.exit(2);
}
