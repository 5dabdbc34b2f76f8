/**
 * `GET /digest/preview?cadence=daily|weekly`: the digest mail's HTML part as it would be sent now, for admins to
 * check before subscribers get it (anonymous visitors 401, everyone else 403, refused before anything is read). The
 * page is the mail itself, not wrapped in the site's layout, so that it looks as a mail client would show it.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../../commands/errors.ts';
import { previewDigest } from '../../digest/compose.ts';
import { todayIn } from '../../domain/feed-period.ts';
import { NO_TOPICS } from '../../domain/subscription-topics.ts';
import { requireAdmin } from '../../policy/policy.ts';
import { createLexicalSearch } from '../../search/lexical-search.ts';
import type { WebContext } from '../app.ts';
import { SITE_NAME } from '../views/layout.tsx';

/** The preview is composed for whoever asks, now: never kept by a cache. */
const PREVIEW_CACHE_CONTROL = 'private, no-store';

const PreviewQuery = Type.Object({
  cadence: Type.Optional(Type.Union([Type.Literal('daily'), Type.Literal('weekly')], { description: 'Default daily' })),
});
type PreviewQuery = Static<typeof PreviewQuery>;

/** Refuses everyone but admins before the query string is even validated. */
async function adminOnly(request: FastifyRequest): Promise<void> {
  requireAdmin(request.viewer, 'preview the digest');
}

/** Registered with the other admin pages. */
export function registerDigestPreviewRoutes(app: FastifyInstance, context: WebContext): void {
  const search = createLexicalSearch(context.db, context.config.databaseUrl.dialect);
  app.get<{ Querystring: PreviewQuery }>(
    '/digest/preview',
    { onRequest: adminOnly, schema: { hide: true, querystring: PreviewQuery } },
    async (request, reply) => {
      const preview = await previewDigest(
        { store: context.store, db: context.db, search },
        {
          cadence: request.query.cadence ?? 'daily',
          topics: NO_TOPICS,
          size: context.config.digestSize,
          today: todayIn(context.config.timeZone),
          baseUrl: context.config.baseUrl,
          siteName: SITE_NAME,
        },
      );
      if (!preview) {
        throw new HttpError(404, 'not_found', 'The instance has no papers yet, so no digest would be sent.');
      }
      return reply.header('cache-control', PREVIEW_CACHE_CONTROL).type('text/html; charset=utf-8').send(preview.html);
    },
  );
}
