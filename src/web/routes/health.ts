/** Liveness and readiness for load balancers and orchestrators. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app.ts';
import { sendApiError } from '../errors.ts';

export function registerHealthRoutes(app: FastifyInstance, { store }: AppContext): void {
  /** The process is up and serving. */
  app.get('/healthz', { schema: { tags: ['operations'], summary: 'Liveness: the process is serving' } }, async () => ({
    status: 'ok',
  }));

  /** The process can do its work: the database answers. */
  const readySchema = { tags: ['operations'], summary: 'Readiness: the database answers (503 when it does not)' };
  app.get('/readyz', { schema: readySchema }, async (request, reply) => {
    try {
      await store.ping();
      return { status: 'ready', database: 'ok' };
    } catch (error) {
      request.log.warn({ err: error }, 'readiness check failed: database unreachable');
      return sendApiError(reply, 503, 'unavailable', 'The database is not reachable.');
    }
  });
}
