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
import type { Kysely } from 'kysely';
import { h } from 'preact';
import { useSemanticSimilarPapers } from '../commands/similar.ts';
import type { Config } from '../config.ts';
import { type ArxivApiClient, createArxivApiClient } from '../ingest/arxiv-api-client.ts';
import { createMailTransport, type MailTransport } from '../mail/transport.ts';
import { acquireEmbedder, type EmbedderHandle } from '../search/embedder-loader.ts';
import { VectorSemanticSearch } from '../search/vector-semantic-search.ts';
import { type AccountStore, KyselyAccountStore } from '../storage/account-store.ts';
import { instanceSecret } from '../storage/instance-secrets.ts';
import type { PaperStore } from '../storage/paper-store.ts';
import type { Database } from '../storage/schema.ts';
import { registerAuth } from './auth.ts';
import { HttpError, isApiRequest, sendApiError } from './errors.ts';
import { registerMetrics } from './metrics.ts';
import { renderPage } from './render.ts';
import { registerResponseCache } from './response-cache.ts';
import { registerAccountRoutes } from './routes/accounts.tsx';
import { registerApiRoutes } from './routes/api.ts';
import { registerCommentRoutes } from './routes/comments.tsx';
import { registerDigestPreviewRoutes } from './routes/digest-preview.tsx';
import { registerFeedRoutes } from './routes/feeds.tsx';
import { registerHealthRoutes } from './routes/health.ts';
import { registerIngestAdminRoutes } from './routes/ingest-admin.tsx';
import { registerModerationRoutes } from './routes/moderation.tsx';
import { registerPageRoutes } from './routes/pages.tsx';
import { registerSearchRoutes } from './routes/search.tsx';
import { registerSimilarRoutes } from './routes/similar.ts';
import { registerSubmissionRoutes } from './routes/submissions.tsx';
import { registerSubscriptionRoutes } from './routes/subscriptions.tsx';
import { registerTrendingRoutes } from './routes/trending.tsx';
import { registerVoteRoutes } from './routes/votes.ts';
import { ErrorPage } from './views/error-page.tsx';

/** What the program hands the web app. */
export interface AppContext {
  store: PaperStore;
  config: Config;
  /** The query layer, for the stores of accounts, votes, comments and moderation. */
  db: Kysely<Database>;
  /** How mail leaves; by default from the configuration (SMTP_URL, or the log). */
  mailer?: MailTransport;
  /** arXiv's API, for submissions; by default a client of PAPERBOY_ARXIV_API_URL (tests pass one with short spacing). */
  arxiv?: ArxivApiClient;
  /** The embedder for semantic search; by default the configured one (PAPERBOY_EMBEDDER), loaded in the background. */
  embedder?: EmbedderHandle;
}

/** What the routes get: the program's parts plus what the app derives from them once. */
export interface WebContext extends AppContext {
  accounts: AccountStore;
  mailer: MailTransport;
  /** The process's one arXiv API client (one connection, requests spaced: see ingest/arxiv-api-client.ts). */
  arxiv: ArxivApiClient;
  /** Key for CSRF and other signed tokens: PAPERBOY_SECRET, or one generated and kept in the database. */
  secret: string;
  /** Search by meaning (null when PAPERBOY_EMBEDDER=off); empty until the embedder has loaded. */
  semantic: VectorSemanticSearch | null;
}

export interface BuildAppOptions {
  /** Pino logger options; `false` silences logs (tests). */
  logger?: boolean | { level: string };
}

const STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url));
/** Incoming request ids longer than this, or with odd characters, are replaced by our own. */
const MAX_REQUEST_ID_LENGTH = 128;
/** How the paper id path parameter is documented. */
const PAPER_ID_PARAMETER = {
  type: 'string',
  description: 'arXiv id, new style (2206.00927) or old style (hep-th/9901001), optionally with a version (v2)',
};
/** What a client is told to wait before retrying while the database is unavailable, in seconds. */
const RETRY_AFTER_SECONDS = 5;
/**
 * Error codes meaning "the database cannot be reached now": socket errors, PostgreSQL's connection exceptions
 * (class 08) and shutdown states (57P01-57P03), SQLite's busy and locked states.
 */
const DATABASE_UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EPIPE',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '57P01',
  '57P02',
  '57P03',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
]);
/**
 * A person is waiting on the submit form: the web app's arXiv client gives up sooner than a background ingest
 * would (at most two tries of 10 s, and no waiting out a Retry-After longer than 15 s: the person is told to come
 * back instead), so a submission answers within about 25 s even when arXiv hangs.
 */
const WEB_ARXIV_PATIENCE = { requestTimeoutMs: 10_000, maxAttempts: 2, maxRetryWaitMs: 15_000 };
/** Largest request body accepted, in bytes. */
const BODY_LIMIT_BYTES = 1_048_576;

export type App = FastifyInstance & { withTypeProvider(): FastifyInstance };

export async function buildApp(input: AppContext, options: BuildAppOptions = {}) {
  const app = Fastify({
    logger: options.logger ?? { level: input.config.logLevel },
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

  // Never awaited here: the site serves (lexical search only) while the embedder loads.
  const embedder =
    input.embedder ??
    (input.config.embedder === 'off'
      ? null
      : acquireEmbedder(input.config, {
          info: (message) => app.log.info(message),
          warn: (message) => app.log.warn(message),
        }));
  if (embedder && !input.embedder) app.addHook('onClose', async () => embedder.release());
  const semantic = embedder ? new VectorSemanticSearch(input.db, embedder) : null;
  if (semantic) {
    useSemanticSimilarPapers(input.db, semantic);
    // Load the vectors as soon as the embedder is ready, so that no request waits for the first load. A server
    // that closes first (e.g. its port was taken) abandons the load quietly: its database is closing too.
    let closing = false;
    app.addHook('onClose', async () => {
      closing = true;
    });
    app.addHook('onReady', async () => {
      embedder?.ready
        .then(() => (closing ? null : semantic.index()))
        .catch((error: unknown) => {
          if (!closing) app.log.warn({ err: error }, 'could not load the search vectors yet');
        });
    });
  }
  const context: WebContext = {
    ...input,
    semantic,
    accounts: new KyselyAccountStore(input.db),
    mailer: input.mailer ?? createMailTransport(input.config, (fields, message) => app.log.info(fields, message)),
    secret: input.config.secret ?? (await instanceSecret(input.db, 'signing-key')),
    arxiv:
      input.arxiv ??
      createArxivApiClient({
        endpoint: input.config.arxivApiUrl,
        baseUrl: input.config.baseUrl,
        ...WEB_ARXIV_PATIENCE,
      }),
  };
  // A mailer made here is the app's to close.
  if (!input.mailer) app.addHook('onClose', async () => context.mailer.close());
  // Likewise an arXiv client (its kept-alive connection).
  if (!input.arxiv) app.addHook('onClose', async () => context.arxiv.close());

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
    // Old-style arXiv ids contain a slash, so paper routes end in a wildcard; OpenAPI has no wildcards: call it {id}.
    transform: ({ schema, url }) => {
      if (!url.endsWith('/*') || !schema?.params) return { schema, url };
      const { params: _wildcard, ...rest } = schema as Record<string, unknown>;
      const params = { type: 'object', required: ['id'], properties: { id: PAPER_ID_PARAMETER } };
      return { schema: { ...rest, params } as typeof schema, url: `${url.slice(0, -1)}:id` };
    },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(fastifyStatic, { root: STATIC_DIR, prefix: '/static/', maxAge: '1h' });
  registerResponseCache(app, context.store, context.config.responseCacheBytes);
  // Before registerAuth: the metrics scrape token is not an account token (see metrics.ts).
  registerMetrics(app, context);
  await registerAuth(app, { accounts: context.accounts, config: context.config, secret: context.secret });
  registerHealthRoutes(app, context);
  registerApiRoutes(app, context);
  registerPageRoutes(app, context);
  registerAccountRoutes(app, context);
  registerVoteRoutes(app, context);
  registerTrendingRoutes(app, context);
  registerFeedRoutes(app, context);
  registerSearchRoutes(app, context);
  registerSimilarRoutes(app, context);
  registerSubmissionRoutes(app, context);
  registerCommentRoutes(app, context);
  registerModerationRoutes(app, context);
  registerIngestAdminRoutes(app, context);
  registerSubscriptionRoutes(app, context);
  registerDigestPreviewRoutes(app, context);
  return app;
}

export type PaperboyApp = Awaited<ReturnType<typeof buildApp>>;

function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof HttpError) {
    for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
    if (isApiRequest(request)) return sendApiError(reply, error.statusCode, error.code, error.message);
    return sendPage(reply, error.statusCode, titleFor(error.statusCode), error.message);
  }
  if (error.validation) {
    const message = validationMessage(error);
    if (isApiRequest(request)) return sendApiError(reply, 400, 'invalid_parameter', message);
    return sendPage(reply, 400, 'Bad request', message);
  }
  if (isDatabaseUnavailable(error)) {
    request.log.warn({ err: error }, 'database unavailable');
    const message = 'The database is not reachable right now; please try again shortly.';
    reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    if (isApiRequest(request)) return sendApiError(reply, 503, 'unavailable', message);
    return sendPage(reply, 503, 'Temporarily unavailable', message);
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

/** Turns Ajv's first complaint into a sentence naming the parameter and what it accepts. */
function validationMessage(error: FastifyError): string {
  const first = error.validation?.[0];
  if (!first) return error.message;
  const where = error.validationContext ?? 'request';
  const path = first.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const params = first.params as { missingProperty?: string; allowedValues?: unknown[]; type?: string };
  const name = params.missingProperty ?? path;
  const subject = name ? `${where === 'querystring' ? 'parameter' : where} '${name}'` : where;
  return `${subject} ${plainRequirement(first.keyword, params, first.message)}`;
}

/** Ajv's terse requirement (`must be equal to constant`, `must be integer`) in words a person reads. */
function plainRequirement(
  keyword: string,
  params: { allowedValues?: unknown[]; type?: string; limit?: number },
  fallback: string | undefined,
): string {
  switch (keyword) {
    case 'enum':
      return `must be one of ${(params.allowedValues ?? []).join(', ')}`;
    case 'type':
      return params.type === 'integer' ? 'must be a whole number, given once' : `must be a ${params.type}, given once`;
    case 'minimum':
      return `must be at least ${params.limit}`;
    case 'maximum':
      return `must be at most ${params.limit}`;
    case 'maxLength':
      return `must be at most ${params.limit} characters long`;
    case 'minLength':
      return params.limit === 1 ? 'must not be empty' : `must be at least ${params.limit} characters long`;
    case 'required':
      return 'is required';
    default:
      return fallback ?? 'is invalid';
  }
}

/** Connection-level failures (PostgreSQL down or restarting, SQLite locked, pool closed), as opposed to bugs. */
function isDatabaseUnavailable(error: Error & { code?: unknown }): boolean {
  if (typeof error.code === 'string' && DATABASE_UNAVAILABLE_CODES.has(error.code)) return true;
  // A request still running while the process shuts down finds the pool closed.
  return error.message === 'driver has already been destroyed';
}

function titleFor(status: number): string {
  if (status === 404) return 'Not found';
  if (status === 400) return 'Bad request';
  if (status >= 500) return 'Something went wrong';
  return 'Request refused';
}

/** Error pages show who is signed in (no forms, so no CSRF token). */
function errorPageContext(request: FastifyRequest) {
  const user = request.viewer?.user;
  if (!user) return undefined;
  return {
    viewer: {
      username: user.username,
      displayName: user.displayName,
      isAdmin: user.isAdmin,
      banned: user.bannedAt !== null,
    },
    csrf: null,
  };
}

export function sendPage(reply: FastifyReply, status: number, title: string, message: string) {
  return reply
    .status(status)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(renderPage(h(ErrorPage, { status, title, message }), errorPageContext(reply.request)));
}
