/**
 * The JSON API, compatible with Hugging Face's papers API (paths, parameters, field names and quirks; see
 * presenters/hf-json.ts). Routes validate their input by schema, call a command, and hand the result to a presenter.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../../commands/errors.ts';
import { readFeedItems, requirePeriod } from '../../commands/feed.ts';
import { readPaper, requirePaperId } from '../../commands/paper.ts';
import type { PeriodKind } from '../../domain/feed-period.ts';
import type { AppContext } from '../app.ts';
import { presentDailyItem, presentPaperDetail } from '../presenters/hf-json.ts';

/** Hugging Face's page size bounds for /api/daily_papers. */
const MAX_DAILY_LIMIT = 100;
const DEFAULT_DAILY_LIMIT = 50;
/** Deep pages cost a scan; nobody pages this far through a feed by hand. */
const MAX_PAGE_INDEX = 10_000;
/** API answers may be cached briefly by proxies and clients, in seconds. */
const API_CACHE_SECONDS = 60;

const DailyPapersQuery = Type.Object(
  {
    date: Type.Optional(Type.String({ maxLength: 10 })),
    week: Type.Optional(Type.String({ maxLength: 8 })),
    month: Type.Optional(Type.String({ maxLength: 7 })),
    submitter: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    sort: Type.Optional(StringEnum(['publishedAt', 'trending'])),
    p: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_PAGE_INDEX })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_DAILY_LIMIT })),
  },
  { additionalProperties: true },
);
type DailyPapersQuery = Static<typeof DailyPapersQuery>;

/** A string from a fixed list, as a JSON Schema `enum` (so that a wrong value is answered with the allowed ones). */
function StringEnum<T extends string>(values: readonly T[]) {
  return Type.Unsafe<T>({ type: 'string', enum: values });
}

const PaperParams = Type.Object({ '*': Type.String({ minLength: 1 }) });
type PaperParams = Static<typeof PaperParams>;

export function registerApiRoutes(app: FastifyInstance, { store, config }: AppContext): void {
  app.get<{ Querystring: DailyPapersQuery }>(
    '/api/daily_papers',
    {
      schema: {
        tags: ['papers'],
        summary: 'Papers listed on the daily feed for a day, ISO week or month (or all days), as a bare array',
        querystring: DailyPapersQuery,
      },
      config: CACHED,
    },
    async (request, reply) => {
      const query = request.query;
      const kinds = (['date', 'week', 'month'] as const).filter((k) => query[k] !== undefined);
      if (kinds.length > 1) {
        throw new HttpError(
          400,
          'invalid_parameter',
          `Give only one of date, week or month (got ${kinds.join(' and ')}).`,
        );
      }
      const limit = query.limit ?? DEFAULT_DAILY_LIMIT;
      const page = {
        sort: query.sort === 'trending' ? ('trending' as const) : ('publishedAt' as const),
        offset: (query.p ?? 0) * limit,
        limit,
        submitter: query.submitter,
      };
      const kindParam = kinds[0];
      const period = kindParam ? requirePeriod(PERIOD_KIND[kindParam], query[kindParam]!) : null;
      const items = await readFeedItems(store, { ...page, period });
      reply.header('cache-control', `public, max-age=${API_CACHE_SECONDS}`);
      return items.map((item) => presentDailyItem(item, config.baseUrl));
    },
  );

  const paperSchema = {
    tags: ['papers'],
    summary: 'One paper by arXiv id (new- or old-style, with or without version); 404 when unknown',
    params: PaperParams,
  };
  app.get<{ Params: PaperParams }>('/api/papers/*', { schema: paperSchema, config: CACHED }, async (request, reply) => {
    const { id } = requirePaperId(request.params['*']);
    const { paper, listing } = await readPaper(store, id, request.viewer?.user.isAdmin === true);
    reply.header('cache-control', `public, max-age=${API_CACHE_SECONDS}`);
    return presentPaperDetail(paper, listing, config.baseUrl);
  });
}

/** Read answers depend only on the URL and the stored data: they may be reused (see web/response-cache.ts). */
const CACHED = { responseCache: true };

const PERIOD_KIND: Record<'date' | 'week' | 'month', PeriodKind> = { date: 'day', week: 'week', month: 'month' };
