/**
 * `paperboy ingest oai --from YYYY-MM-DD --until YYYY-MM-DD [--set cs] [--restart]`: backfills the catalogue from
 * arXiv's OAI-PMH endpoint (see src/ingest/oai-harvest.ts for the harvest, its etiquette and how it resumes), with a
 * progress bar on a terminal, one summary line on stdout, and the exit codes of `paperboy import`.
 */

import type { Command } from 'commander';
import {
  checkHarvestRange,
  harvestOai,
  OaiHarvestError,
  type OaiHarvestProgress,
  type OaiHarvestResult,
} from '../ingest/oai-harvest.ts';
import { createBarDisplay, perSecond } from '../ingest/progress.ts';
import { KyselyIngestStore } from '../storage/ingest-store.ts';
import { EXIT_SOME_SKIPPED } from './import.ts';
import { CliError, openRuntime } from './runtime.ts';

/** Skip messages printed per run before the rest are only counted. */
const MAX_MESSAGES = 20;
const EXIT_USAGE = 2;
const MS_PER_SECOND = 1_000;
/** How often the bar is redrawn, in milliseconds. */

const HELP_TEXT = `
Harvests every record whose OAI datestamp (the day arXiv last changed it) lies between --from and --until, both
included, in the arXivRaw format (every version and its date), from PAPERBOY_ARXIV_OAI_URL. Records are merged with
what the database has, as by paperboy import; records arXiv deleted are counted and skipped.

The harvest can be stopped at any time (Ctrl-C, a crash, a lost connection): after each page is written its
resumption token is saved in the database, and running the same command again (same --from, --until and --set)
continues at that page. arXiv's tokens expire after a while; --restart starts from the first page again.

arXiv's etiquette is kept: one connection, requests at least 3 s apart, 503 and 429 waited out as Retry-After asks,
other failures (5xx, timeouts, HTML pages, truncated XML) retried with doubling backoff, and a User-Agent naming
PAPERBOY_BASE_URL.

Output: a summary line on stdout, e.g.
  OAI-PMH 2024-01-01..2024-01-31 (set cs): 3 pages, 1000 records: 998 imported (998 new, 0 updated, 0 unchanged), 1 skipped, 1 deleted on arXiv
Skipped records, retries and errors go to stderr; a progress bar too, only when stderr is a terminal.

Exit codes: 0 done; 3 done but some records were skipped; 1 the harvest stopped (arXiv unavailable or an OAI-PMH
error; run it again to resume); 2 usage error (e.g. a date that does not exist, or --from after --until).

Examples:
  paperboy ingest oai --from 2024-06-01 --until 2024-06-30 --set cs
  paperboy ingest oai --from 2024-06-01 --until 2024-06-30 --set cs --restart
`;

interface OaiCommandOptions {
  from: string;
  until: string;
  set?: string;
  restart?: boolean;
}

/** Adds `ingest oai` to the `ingest` command. */
export function registerIngestOaiCommand(ingest: Command): void {
  ingest
    .command('oai')
    .description("harvest arXiv's OAI-PMH endpoint (arXivRaw) for a range of days; resumes where it stopped")
    .requiredOption('--from <YYYY-MM-DD>', 'first datestamp to harvest')
    .requiredOption('--until <YYYY-MM-DD>', 'last datestamp to harvest (included)')
    .option('--set <set>', 'an arXiv set, e.g. cs, math or physics:hep-th (default: all of arXiv)')
    .option('--restart', 'ignore a saved position and start from the first page')
    .addHelpText('after', HELP_TEXT)
    .action(async (options: OaiCommandOptions) => {
      await runOaiHarvest(options);
    });
}

async function runOaiHarvest(options: OaiCommandOptions): Promise<void> {
  const range = { from: options.from, until: options.until, set: options.set ?? null };
  const problem = checkHarvestRange(range);
  if (problem) throw new CliError(problem, EXIT_USAGE);

  const runtime = await openRuntime();
  const label = `OAI-PMH ${range.from}..${range.until}${range.set ? ` (set ${range.set})` : ''}`;
  const progress = createHarvestProgress(process.stderr);
  let shown = 0;
  let hidden = 0;
  let result: OaiHarvestResult;
  try {
    result = await harvestOai(
      { papers: runtime.store, ingest: new KyselyIngestStore(runtime.database.db) },
      {
        ...range,
        endpoint: runtime.config.arxivOaiUrl,
        baseUrl: runtime.config.baseUrl,
        timeZone: runtime.config.timeZone,
        restart: options.restart ?? false,
        onResume: (resume) => {
          const done = resume.cursor !== null ? `, ${resume.cursor} records done` : '';
          progress.log(
            `resuming the harvest at page ${resume.page} (resumption token ${resume.token}${done}, saved ${resume.savedAt})`,
          );
        },
        onPage: (page) => progress.update(page),
        onRetry: (retry) =>
          progress.log(
            `page ${retry.page}: arXiv's OAI-PMH server: ${retry.reason}; trying again in ` +
              `${Math.ceil(retry.waitMs / MS_PER_SECOND)} s`,
          ),
        onMessage: (page, message) => {
          if (message.kind !== 'skipped' && message.kind !== 'deleted') return;
          if (shown < MAX_MESSAGES) {
            shown += 1;
            progress.log(`page ${page}: ${message.position}: skipped: ${message.text}`);
          } else hidden += 1;
        },
      },
    );
  } catch (error) {
    if (error instanceof OaiHarvestError) throw new CliError(`${label}: ${error.message}`, 1);
    throw error;
  } finally {
    progress.stop();
    if (hidden > 0) process.stderr.write(`…and ${hidden} more\n`);
    await runtime.database.close();
  }
  process.stdout.write(`${label}: ${summaryText(result)}\n`);
  if (result.counts.skipped > 0) {
    const n = result.counts.skipped;
    throw new CliError(
      `${label}: ${n} ${n === 1 ? 'record' : 'records'} skipped (see above); the rest was imported`,
      EXIT_SOME_SKIPPED,
    );
  }
}

/** `3 pages, 1000 records: 998 imported (998 new, 0 updated, 0 unchanged), 1 skipped, 1 deleted on arXiv`. */
function summaryText(result: OaiHarvestResult): string {
  const c = result.counts;
  if (result.noRecordsMatch) return 'no records match (OAI-PMH noRecordsMatch)';
  const imported = c.inserted + c.updated + c.unchanged;
  const parts = [
    `${c.pages} ${c.pages === 1 ? 'page' : 'pages'}, ${c.fetched} records: ${imported} imported ` +
      `(${c.inserted} new, ${c.updated} updated, ${c.unchanged} unchanged)`,
    `${c.skipped} skipped`,
  ];
  if (c.deleted > 0) parts.push(`${c.deleted} deleted on arXiv`);
  if (result.resumed) parts.push(`resumed at page ${result.resumed.page}`);
  return parts.join(', ');
}

/** The harvest's progress: a bar on a terminal (records of the list, rate, ETA), nothing but messages otherwise. */
function createHarvestProgress(stream: NodeJS.WritableStream & { isTTY?: boolean }) {
  return createBarDisplay<OaiHarvestProgress>(stream, {
    format: 'OAI-PMH [{bar}] {percentage}% | page {page} | {records} records | {rate} records/s | ETA {eta_formatted}',
    etaBuffer: 20,
    position: ({ page, records, listDone, completeListSize }, seconds) => ({
      value: listDone ?? records,
      total: completeListSize ?? Math.max(1, listDone ?? records),
      payload: { page, records, rate: perSecond(records, seconds) },
    }),
  });
}
