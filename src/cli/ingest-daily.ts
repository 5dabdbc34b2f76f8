/**
 * `paperboy ingest daily [--categories cs.LG,cs.CV]`: ingests arXiv's latest announcement for the followed categories
 * now, the same run the worker makes on arXiv's schedule (see ingest/daily-ingest.ts and HELP_TEXT).
 */
import type { Command } from 'commander';
import { ConfigError, loadConfig } from '../config.ts';
import { createArxivApiClient } from '../ingest/arxiv-api-client.ts';
import { type DailyIngestResult, formatDailySummary, runDailyIngest } from '../ingest/daily-ingest.ts';
import { createProgressDisplay, type ProgressDisplay } from '../ingest/progress.ts';
import { KyselyIngestStore } from '../storage/ingest-store.ts';
import { EXIT_SOME_SKIPPED } from './import.ts';
import { CliError, openRuntime } from './runtime.ts';

/** Error lines printed before the rest are only counted. */
const MAX_ERROR_LINES = 20;
const EXIT_USAGE = 2;

const HELP_TEXT = `
Reads arXiv's announcement feed (PAPERBOY_ARXIV_RSS_URL/rss/<categories joined by +>), fetches every announced
paper's full metadata from arXiv's API (PAPERBOY_ARXIV_API_URL, 100 ids a request, 3 s apart), and stores the
papers; a replacement adds its new version to the stored paper. With PAPERBOY_LISTING=auto (the default) the new and
cross-listed papers are listed on the daily feed on the announcement's day (PAPERBOY_TIMEZONE); with
PAPERBOY_LISTING=submissions they are only catalogued, and listed when someone submits them. Running it twice for the
same announcement changes nothing. The worker (paperboy worker, or paperboy serve) runs it on arXiv's schedule.

Output: one summary line on stdout, e.g.
  cs.LG+cs.CV, announcement of 2026-02-19: 6 announced, 6 fetched (6 new, 0 updated, 0 unchanged), 4 listed on
  the daily feed, 0 missing
Papers arXiv's API did not return are named on stderr; a progress bar too, only when stderr is a terminal.
Every run is recorded for the admins' ingest page.

Exit codes:
  0  every announced paper was ingested (an empty weekend feed included)
  3  finished, but some announced papers were missing from arXiv's API or unreadable
  1  nothing was written: the feed or the API was unavailable after retries, or a database error
  2  usage error (no categories given or configured, or a malformed category)

Examples:
  paperboy ingest daily
  paperboy ingest daily --categories cs.LG,cs.CV,stat.ML
`;

interface IngestDailyOptions {
  categories?: string;
}

/** Adds `daily` to the `ingest` command. */
export function registerIngestDailyCommand(ingest: Command): void {
  ingest
    .command('daily')
    .description("ingest arXiv's latest announcement for the followed categories (feed, then the API)")
    .option('--categories <list>', 'arXiv categories separated by commas (default: PAPERBOY_CATEGORIES)')
    .addHelpText('after', HELP_TEXT)
    .action(async (options: IngestDailyOptions) => {
      await runIngestDaily(options);
    });
}

async function runIngestDaily(options: IngestDailyOptions): Promise<void> {
  const given = options.categories === undefined ? null : parseCategoriesOption(options.categories);
  const runtime = await openRuntime();
  const { config, store, database } = runtime;
  const categories = given ?? config.categories;
  if (categories.length === 0) {
    await database.close();
    throw new CliError(
      'no categories to ingest: give --categories (e.g. cs.LG,cs.CV) or set PAPERBOY_CATEGORIES',
      EXIT_USAGE,
    );
  }
  const arxiv = createArxivApiClient({ endpoint: config.arxivApiUrl, baseUrl: config.baseUrl });
  let display: ProgressDisplay | null = null;
  let result: DailyIngestResult;
  try {
    result = await runDailyIngest(
      { store, ingestStore: new KyselyIngestStore(database.db), arxiv },
      {
        categories,
        feedBaseUrl: config.arxivRssUrl,
        instanceBaseUrl: config.baseUrl,
        listingMode: config.listingMode,
        timeZone: config.timeZone,
        onProgress: ({ done, total }) => {
          display ??= createProgressDisplay(process.stderr, categories.join('+'), total);
          display.update({ bytesRead: done, records: done });
        },
      },
    );
  } finally {
    (display as ProgressDisplay | null)?.stop();
    await arxiv.close();
    await database.close();
  }
  if (result.failure !== null) throw new CliError(`${categories.join('+')}: ${result.failure}`, 1);
  const problems = result.errors;
  for (const line of problems.slice(0, MAX_ERROR_LINES)) process.stderr.write(`${line}\n`);
  if (problems.length > MAX_ERROR_LINES) process.stderr.write(`…and ${problems.length - MAX_ERROR_LINES} more\n`);
  process.stdout.write(`${formatDailySummary(result, categories)}\n`);
  if (result.status === 'partial') throw new CliError(partialMessage(result, categories), EXIT_SOME_SKIPPED);
}

/** `--categories` checked as PAPERBOY_CATEGORIES is (one rule for both), refused as a usage error. */
function parseCategoriesOption(text: string): string[] {
  try {
    return loadConfig({ PAPERBOY_CATEGORIES: text }).categories;
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new CliError(error.message.replace('PAPERBOY_CATEGORIES', '--categories'), EXIT_USAGE);
    }
    throw error;
  }
}

function partialMessage(result: DailyIngestResult, categories: readonly string[]): string {
  const parts: string[] = [];
  const { missing, skipped } = result.counts;
  if (missing > 0) {
    parts.push(`${missing} announced ${missing === 1 ? 'paper was' : 'papers were'} not returned by arXiv's API`);
  }
  if (skipped > 0) parts.push(`${skipped} ${skipped === 1 ? 'entry was' : 'entries were'} unreadable`);
  return `${categories.join('+')}: ${parts.join(' and ')} (see above); the rest was ingested`;
}
