/**
 * The HTTP baseline: a bare Fastify (the same version Paperboy uses) answering `GET /` with a tiny JSON object, no
 * logger, no hooks. Run as its own process: `PORT=... HOST=127.0.0.1 node bin/run-ts.js bench/hello-world-server.ts`.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));

const stop = () => {
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

await app.listen({ port: Number(process.env.PORT ?? 0), host: process.env.HOST ?? '127.0.0.1' });
