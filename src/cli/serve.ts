/** `paperboy serve`: the web process. Loads the sample papers into an empty database, then serves until SIGTERM. */

import { servesLoopbackOnly } from '../config.ts';
import { loadSampleDataIfEmpty } from '../ingest/sample-data.ts';
import { buildApp } from '../web/app.ts';
import { structuredWorkerLog } from '../worker/log.ts';
import { type RunningWorker, startWorker } from '../worker/worker.ts';
import { CliError, openRuntime } from './runtime.ts';

/** How long in-flight requests get to finish after SIGTERM before the process exits anyway, in milliseconds. */
const SHUTDOWN_GRACE_MS = 10_000;

export async function serve(): Promise<void> {
  const runtime = await openRuntime();
  const { config, store, database } = runtime;
  const app = await buildApp({ store, config, db: database.db });
  if (runtime.migrated.length > 0) app.log.info({ migrations: runtime.migrated }, 'database migrated');
  if (config.sampleData) {
    const loaded = await loadSampleDataIfEmpty(store, { timeZone: config.timeZone });
    if (loaded) app.log.info(loaded, 'loaded the bundled sample papers into the empty database');
  }

  let closing = false;
  // The worker's schedule runs inline (PAPERBOY_WORKER_IN_SERVE), started once the site listens.
  let worker: RunningWorker | null = null;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => {
      app.log.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    app
      .close()
      .then(() => worker?.stop())
      .then(() => database.close())
      .then(() => {
        app.log.info('stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        app.log.error({ err: error }, 'error during shutdown');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app.close();
    await database.close();
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'the address is already in use' : (error as Error).message;
    throw new CliError(`cannot listen on ${config.host}:${config.port} (HOST, PORT): ${why}`);
  }
  app.log.info({ database: database.description, url: config.baseUrl }, 'Paperboy is serving');
  if (config.workerInServe && !closing) worker = startWorker(runtime, structuredWorkerLog(app.log));
  if (!config.smtpUrl) {
    app.log.warn(
      servesLoopbackOnly(config)
        ? 'SMTP_URL is not set: sign-in links are written to the log and shown on the page (fine on a laptop only)'
        : 'SMTP_URL is not set: sign-in links are written to the log only; set SMTP_URL so that people can sign in',
    );
  }
}
