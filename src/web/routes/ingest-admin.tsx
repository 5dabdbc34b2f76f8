/**
 * Ingest runs for admins (anonymous 401, everyone else 403, before anything is read): the page /admin/ingest (newest
 * first, in pages, optionally of one source, with the per-source summary) and the same as JSON at
 * GET /api/admin/ingest-runs. Anonymous visitors of the page get a sign-in prompt.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../../commands/errors.ts';
import {
  INGEST_RUNS_MAX_PAGE_SIZE,
  INGEST_RUNS_PAGE_SIZE,
  INGEST_SOURCES,
  readIngestRuns,
} from '../../commands/ingest-runs.ts';
import { requireAdmin } from '../../policy/policy.ts';
import type { IngestRun, IngestSource } from '../../storage/ingest-store.ts';
import type { WebContext } from '../app.ts';
import { INGEST_RUNS_PATH, ingestRunsPageModel } from '../presenters/html/ingest-runs.ts';
import { requirePageNumber } from '../presenters/html/paging.ts';
import { pageContextFor, sendView } from '../render.ts';
import { IngestRunsPage, IngestSignInPage } from '../views/ingest-runs-page.tsx';
import { ApiError } from './api-schemas.ts';

const ADMIN_PAGE_CACHE_CONTROL = 'private, no-cache';
/** Highest page asked of the API (from 0): keeps offsets sane. */
const MAX_API_PAGE = 100_000;

const SourceSchema = Type.Union(
  INGEST_SOURCES.map((source) => Type.Literal(source)),
  { description: 'Only runs of this source' },
);

const IngestRunsQuery = Type.Object({
  p: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_API_PAGE, description: 'Page, from 0' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: INGEST_RUNS_MAX_PAGE_SIZE })),
  source: Type.Optional(SourceSchema),
});
type IngestRunsQuery = Static<typeof IngestRunsQuery>;

const IngestRunSchema = Type.Object({
  id: Type.Integer(),
  source: Type.String({ description: 'daily, oai or snapshot' }),
  startedAt: Type.String(),
  finishedAt: Type.Union([Type.String(), Type.Null()], { description: 'Null while running' }),
  durationMs: Type.Union([Type.Integer(), Type.Null()], { description: 'Null while running' }),
  status: Type.String({ description: 'running, ok, partial (some records skipped), failed or interrupted' }),
  params: Type.Record(Type.String(), Type.Unknown(), {
    description: 'What was asked (categories, from/until/set, file)',
  }),
  counts: Type.Record(Type.String(), Type.Integer(), { description: 'announced, fetched, inserted, updated, ...' }),
  errors: Type.Array(Type.String(), { description: 'What went wrong or was skipped (at most 50 sentences)' }),
});

const SourceStatisticsSchema = Type.Object({
  source: Type.String(),
  runs: Type.Integer(),
  failures: Type.Integer(),
  lastSuccessAt: Type.Union([Type.String(), Type.Null()]),
});

const ADMIN_ERRORS = {
  400: ApiError,
  401: { ...ApiError, description: 'Not signed in' },
  403: { ...ApiError, description: 'Not an admin (or banned)' },
};

/** Refuses everyone but admins before the query string is even validated: 401 anonymous, 403 the rest. */
async function adminOnly(request: FastifyRequest): Promise<void> {
  requireAdmin(request.viewer, 'see ingest runs');
}

export function registerIngestAdminRoutes(app: FastifyInstance, context: WebContext): void {
  app.get<{ Querystring: IngestRunsQuery }>(
    '/api/admin/ingest-runs',
    {
      onRequest: adminOnly,
      schema: {
        tags: ['moderation'],
        summary: 'Ingest runs (daily announcement, OAI-PMH harvests, snapshot imports), newest first',
        querystring: IngestRunsQuery,
        response: {
          200: Type.Object({
            runs: Type.Array(IngestRunSchema),
            total: Type.Integer({ description: 'Runs in all (of the chosen source)' }),
            page: Type.Integer(),
            limit: Type.Integer(),
            statistics: Type.Array(SourceStatisticsSchema, { description: 'Per source, over all runs' }),
          }),
          ...ADMIN_ERRORS,
        },
      },
    },
    async (request, reply) => {
      const result = await readIngestRuns(context.db, request.viewer, {
        page: request.query.p ?? 0,
        limit: request.query.limit ?? INGEST_RUNS_PAGE_SIZE,
        source: request.query.source ?? null,
      });
      reply.header('cache-control', 'no-store');
      return {
        runs: result.runs.map(presentIngestRun),
        total: result.total,
        page: result.page,
        limit: result.limit,
        statistics: result.statistics,
      };
    },
  );

  app.get(INGEST_RUNS_PATH, async (request, reply) => {
    if (!request.viewer) {
      return sendView(reply, {
        status: 401,
        cacheControl: 'no-store',
        page: pageContextFor(request, reply, context),
        view: <IngestSignInPage />,
      });
    }
    requireAdmin(request.viewer, 'see ingest runs');
    const query = request.query as Record<string, unknown>;
    const page = requirePageNumber(query.p);
    const source = requireSource(query.source);
    const data = await readIngestRuns(context.db, request.viewer, { page: page - 1, source });
    const model = ingestRunsPageModel(data, INGEST_SOURCES, new Date());
    return sendView(reply, {
      cacheControl: ADMIN_PAGE_CACHE_CONTROL,
      page: pageContextFor(request, reply, context),
      view: <IngestRunsPage model={model} />,
    });
  });
}

/** `?source=` of the page: absent or one of the sources (anything else is a 400 naming them). */
function requireSource(raw: unknown): IngestSource | null {
  if (raw === undefined || raw === '') return null;
  if (typeof raw === 'string' && (INGEST_SOURCES as readonly string[]).includes(raw)) return raw as IngestSource;
  throw new HttpError(400, 'invalid_parameter', `'source' must be one of ${INGEST_SOURCES.join(', ')}.`);
}

/** A run as the API shows it: the stored fields plus its duration once finished. */
function presentIngestRun(run: IngestRun) {
  const counts: Record<string, number> = {};
  for (const [name, value] of Object.entries(run.counts)) if (typeof value === 'number') counts[name] = value;
  return {
    id: run.id,
    source: run.source,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    durationMs: run.finishedAt === null ? null : Date.parse(run.finishedAt) - Date.parse(run.startedAt),
    status: run.status,
    params: run.params,
    counts,
    errors: run.errors,
  };
}
