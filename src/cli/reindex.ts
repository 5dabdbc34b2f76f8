/**
 * `paperboy reindex [--lexical-only | --embeddings-only]`: rebuilds every search index synchronously: the lexical
 * index (SQLite: FTS5's 'rebuild'; PostgreSQL: REINDEX of the GIN index over the generated tsvector column, which
 * the database itself keeps current) and every paper's vector with the configured embedder (PAPERBOY_EMBEDDER),
 * replacing vectors made by any other embedder. Progress (count, rate, ETA) on a terminal, nothing but the summary
 * otherwise. Exit 0 when done, 2 for usage, 1 when something failed (what was written stays consistent: vectors are
 * stored per batch, and a rerun does everything again), 130 when interrupted.
 */
import type { Command } from 'commander';
import { sql } from 'kysely';
import { createBarDisplay, type ProgressDisplay, perSecond } from '../ingest/progress.ts';
import type { Embedder } from '../search/embedder.ts';
import { KyselyEmbeddingStore } from '../storage/embedding-store.ts';
import { embedPapers } from '../worker/embed-job.ts';
import { CliError, openRuntime, type Runtime } from './runtime.ts';

const EXIT_USAGE = 2;
/** What a shell reports for a process stopped by SIGINT. */
const EXIT_INTERRUPTED = 130;
/** How often the progress bar is redrawn, in milliseconds. */

interface ReindexOptions {
  lexicalOnly?: boolean;
  embeddingsOnly?: boolean;
}

const HELP_TEXT = `
Rebuilds, synchronously:
  the lexical index   SQLite: the FTS5 index over titles, authors and abstracts; PostgreSQL: the GIN index of the
                      full-text column
  the embeddings      every paper's vector for semantic search, with PAPERBOY_EMBEDDER (vectors of another
                      embedder are replaced); skipped when PAPERBOY_EMBEDDER=off

The web processes pick up new vectors within seconds. Normally nothing needs this: the indexes follow every write
and the worker embeds new papers in the background; run it after changing PAPERBOY_EMBEDDER to have every paper
embedded at once, or when an index is suspected damaged.

Exit status: 0 done, 1 failed (a rerun starts again), 2 usage, 130 interrupted.
`;

export function registerReindexCommand(program: Command): void {
  program
    .command('reindex')
    .description('rebuild the search indexes and every paper embedding now, with progress')
    .option('--lexical-only', 'rebuild only the lexical (full-text) index')
    .option('--embeddings-only', 'recompute only the embeddings')
    .addHelpText('after', HELP_TEXT)
    .action(async (options: ReindexOptions) => {
      await reindex(options);
    });
}

async function reindex(options: ReindexOptions): Promise<void> {
  if (options.lexicalOnly && options.embeddingsOnly) {
    throw new CliError(
      '--lexical-only and --embeddings-only exclude each other (give neither to rebuild both)',
      EXIT_USAGE,
    );
  }
  const runtime = await openRuntime();
  try {
    if (!options.embeddingsOnly) await rebuildLexical(runtime);
    if (!options.lexicalOnly) {
      if (runtime.config.embedder === 'off') {
        if (options.embeddingsOnly) {
          throw new CliError('PAPERBOY_EMBEDDER is off: there is no embedder to compute embeddings with');
        }
        process.stdout.write('embeddings: skipped (PAPERBOY_EMBEDDER=off)\n');
      } else {
        await rebuildEmbeddings(runtime);
      }
    }
  } finally {
    await runtime.database.close();
  }
}

async function rebuildLexical(runtime: Runtime): Promise<void> {
  const started = performance.now();
  const { db, dialect } = runtime.database;
  try {
    if (dialect === 'postgres') await sql`reindex index papers_search`.execute(db);
    else await sql`insert into papers_fts(papers_fts) values ('rebuild')`.execute(db);
  } catch (error) {
    throw new CliError(`could not rebuild the lexical index: ${(error as Error).message}`);
  }
  const papers = await runtime.store.countPapers();
  process.stdout.write(`lexical index: rebuilt over ${papers} papers in ${seconds(started)} s\n`);
}

async function rebuildEmbeddings(runtime: Runtime): Promise<void> {
  let embedder: Embedder | null;
  try {
    // Loaded on demand: the other commands do not need the embedders' code.
    const { createEmbedder } = await import('../search/embedders/index.ts');
    embedder = await createEmbedder(runtime.config, { log: (line) => process.stderr.write(`${line}\n`) });
  } catch (error) {
    throw new CliError(
      `cannot load the embedder (PAPERBOY_EMBEDDER=${runtime.config.embedder}): ${(error as Error).message}`,
    );
  }
  if (!embedder) return;
  const store = new KyselyEmbeddingStore(runtime.database.db);
  const total = (await store.counts(embedder.id)).papers;
  const progress = progressBar(process.stderr, total);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const started = performance.now();
  let result: { embedded: number; finished: boolean };
  try {
    result = await embedPapers(store, embedder, {
      all: true,
      signal: stop.signal,
      onProgress: ({ embedded }) => progress?.update(embedded),
    });
  } catch (error) {
    throw new CliError(`embedding failed: ${(error as Error).message} (vectors stored so far are kept)`);
  } finally {
    progress?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await embedder.close();
  }
  const elapsed = (performance.now() - started) / 1000;
  if (!result.finished) {
    throw new CliError(`interrupted after embedding ${result.embedded} of ${total} papers`, EXIT_INTERRUPTED);
  }
  const rate = Math.round(result.embedded / Math.max(elapsed, 0.001));
  process.stdout.write(
    `embeddings: ${result.embedded} papers embedded with ${embedder.id} in ${elapsed.toFixed(1)} s (${rate} papers/s)\n`,
  );
}

/** A bar with count, rate and ETA on a terminal; null elsewhere (scripts and logs see the summary only). */
function progressBar(stream: NodeJS.WriteStream, total: number): ProgressDisplay<number> | null {
  if (!stream.isTTY || total === 0) return null;
  return createBarDisplay<number>(stream, {
    format: 'embedding [{bar}] {percentage}% | {value}/{total} papers | {rate} papers/s | ETA {eta_formatted}',
    etaBuffer: 20,
    position: (done, seconds) => ({ value: Math.min(done, total), total, payload: { rate: perSecond(done, seconds) } }),
  });
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}
