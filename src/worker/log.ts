/**
 * Where the worker's messages go: plain timestamped lines for `paperboy worker`, or the web app's structured logger
 * when `serve` runs the schedule inline, so that one process writes one kind of log.
 */

/** The worker's log: a sentence and, optionally, fields that detail it. */
export interface WorkerLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** One line per message on `stream`: `2026-02-20T01:30:00.000Z info worker: <message> {"fields":...}`. */
export function createLineLog(stream: NodeJS.WritableStream = process.stdout): WorkerLog {
  const write = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    const detail = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
    stream.write(`${new Date().toISOString()} ${level} worker: ${message}${detail}\n`);
  };
  return { info: write('info'), warn: write('warn'), error: write('error') };
}

/** What the worker needs of a pino-style logger (Fastify's `app.log`). */
export interface StructuredLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** The worker's messages through a pino-style logger, tagged `worker: true`. */
export function structuredWorkerLog(logger: StructuredLogger): WorkerLog {
  return {
    info: (message, fields) => logger.info({ worker: true, ...fields }, message),
    warn: (message, fields) => logger.warn({ worker: true, ...fields }, message),
    error: (message, fields) => logger.error({ worker: true, ...fields }, message),
  };
}
