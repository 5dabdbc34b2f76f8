/**
 * The web application: Fastify with schema-validated routes, structured logs with request ids, and one error
 * handler so that no request ever sees a stack trace.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { h } from 'preact';
import type { Config } from '../config.ts';
import type { PaperStore } from '../storage/paper-store.ts';
import { HttpError, isApiRequest, sendApiError } from './errors.ts';
import { renderPage } from './render.ts';
import { registerApiRoutes } from './routes/api.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerPageRoutes } from './routes/pages.tsx';
import { ErrorPage } from './views/error-page.tsx';

/** What the routes need from the rest of the program. */
export interface AppContext {
  store: PaperStore;
  config: Config;
}

export interface BuildAppOptions {
  /** Pino logger options; `false` silences logs (tests). */
  logger?: boolean | { level: string };
}

const STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url));
/** Incoming request ids longer than this, or with odd characters, are replaced by our own. */
const MAX_REQUEST_ID_LENGTH = 128;
/** Largest request body accepted, in bytes. */
const BODY_LIMIT_BYTES = 1_048_576;

export type App = FastifyInstance & { withTypeProvider(): FastifyInstance };

export async function buildApp(context: AppContext, options: BuildAppOptions = {}) {
  const app = Fastify({
    logger: options.logger ?? { level: context.config.logLevel },
    bodyLimit: BODY_LIMIT_BYTES,
    requestIdHeader: false, // genReqId reads and vets the header itself
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      if (typeof given === 'string' && given.length <= MAX_REQUEST_ID_LENGTH && /^[\w.:-]+$/.test(given)) return given;
      return randomUUID();
    },
    routerOptions: { maxParamLength: 1000, ignoreTrailingSlash: true },
    // Malformed URLs (bad percent-encoding) are refused before routing: answer them like every other bad request.
    frameworkErrors: (error, request, reply) => {
      const message =
        error.code === 'FST_ERR_BAD_URL'
          ? 'The address is malformed (bad percent-encoding).'
          : 'The request is malformed.';
      if (isApiRequest(request)) return sendApiError(reply, 400, 'bad_request', message);
      return sendPage(reply, 400, 'Bad request', message);
    },
    ajv: { customOptions: { coerceTypes: true, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => handleError(error, request, reply));
  app.setNotFoundHandler((request, reply) => {
    if (isApiRequest(request))
      return sendApiError(reply, 404, 'not_found', `No such endpoint: ${request.method} ${request.url.split('?')[0]}`);
    return sendPage(reply, 404, 'Page not found', 'There is no page at this address.');
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Paperboy API',
        version: '0.1.0',
        description:
          "Compatible with Hugging Face's papers API (paths, parameters, field names). Errors are JSON {error, message} with the sentence repeated in X-Error-Message.",
      },
      servers: [{ url: context.config.baseUrl }],
    },
    hideUntagged: true,
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(fastifyStatic, { root: STATIC_DIR, prefix: '/static/', maxAge: '1h' });
  registerHealthRoutes(app, context);
  registerApiRoutes(app, context);
  registerPageRoutes(app, context);
  return app;
}

export type PaperboyApp = Awaited<ReturnType<typeof buildApp>>;

function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof HttpError) {
    if (isApiRequest(request)) return sendApiError(reply, error.statusCode, error.code, error.message);
    return sendPage(reply, error.statusCode, titleFor(error.statusCode), error.message);
  }
  if (error.validation) {
    const message = validationMessage(error);
    if (isApiRequest(request)) return sendApiError(reply, 400, 'invalid_parameter', message);
    return sendPage(reply, 400, 'Bad request', message);
  }
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  if (status === 500) request.log.error({ err: error }, 'request failed');
  const message = status === 500 ? 'Something went wrong on our side; the error has been logged.' : error.message;
  const code =
    status === 500
      ? 'internal_error'
      : status === 413
        ? 'payload_too_large'
        : status === 415
          ? 'unsupported_media_type'
          : 'bad_request';
  if (isApiRequest(request)) return sendApiError(reply, status, code, message);
  return sendPage(reply, status, titleFor(status), message);
}

/** Turns Ajv's first complaint into a sentence naming the parameter. */
function validationMessage(error: FastifyError): string {
  const first = error.validation?.[0];
  if (!first) return error.message;
  const where = error.validationContext ?? 'request';
  const path = first.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const missing = (first.params as { missingProperty?: string }).missingProperty;
  const name = missing ?? path;
  const subject = name ? `${where === 'querystring' ? 'parameter' : where} '${name}'` : where;
  return `${subject} ${first.message ?? 'is invalid'}`;
}

function titleFor(status: number): string {
  if (status === 404) return 'Not found';
  if (status === 400) return 'Bad request';
  if (status >= 500) return 'Something went wrong';
  return 'Request refused';
}

export function sendPage(reply: FastifyReply, status: number, title: string, message: string) {
  return reply
    .status(status)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(renderPage(h(ErrorPage, { status, title, message })));
}
