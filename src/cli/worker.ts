/**
 * `paperboy worker`: runs the background jobs on their schedule until SIGTERM or SIGINT (then it lets the running
 * step finish and exits 0). Any number of workers may run against one database: a job runs in one of them at a time.
 */
import type { Command } from 'commander';
import { createLineLog } from '../worker/log.ts';
import { startWorker } from '../worker/worker.ts';
import { openRuntime } from './runtime.ts';

const HELP_TEXT = `
Jobs:
  daily  the daily announcement ingest (as \`paperboy ingest daily\`) for PAPERBOY_CATEGORIES, after each arXiv
         announcement (20:00 America/New_York, Sunday to Thursday): first at 20:30, then hourly until 01:30 while
         arXiv's feed still shows the previous announcement. Off when PAPERBOY_CATEGORIES is empty.

\`paperboy serve\` runs the same schedule itself unless PAPERBOY_WORKER_IN_SERVE=0; run \`paperboy worker\` separately
when the web processes are several or should not do background work. Several workers may share one database: each
job takes a lease there (an ingest_state row lease:<job>), so an announcement is ingested once.

Output: one line per event on stdout (time, level, message). SIGTERM or SIGINT stops it gracefully: a running
ingest stops between steps (what it wrote stays consistent), and the process exits 0.
`;

/** Adds the `worker` command to the program. */
export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run the background jobs (the daily ingest, embedding new papers, the digests) until SIGTERM')
    .addHelpText('after', HELP_TEXT)
    .action(async () => {
      await runWorker();
    });
}

async function runWorker(): Promise<void> {
  const runtime = await openRuntime();
  const log = createLineLog(process.stdout);
  if (runtime.migrated.length > 0) log.info('database migrated', { migrations: runtime.migrated });
  const worker = startWorker(runtime, log);
  log.info('started', { database: runtime.database.description });
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log.info(`${signal}: stopping after the current step`);
  await worker.stop();
  await runtime.database.close();
  log.info('stopped');
}
