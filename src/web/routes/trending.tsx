/**
 * `GET /papers/trending`: the last days' papers by their stored trending score (a static path, so it wins over the
 * `/papers/*` paper route). Anonymous answers are cached per data version like the feed; each vote bumps it.
 */
import type { FastifyInstance } from 'fastify';
import { readTrending } from '../../commands/trending.ts';
import { viewerUpvotedIds } from '../../commands/upvotes.ts';
import { todayIn } from '../../domain/feed-period.ts';
import type { WebContext } from '../app.ts';
import { FEED_PAGE_SIZE, requirePageNumber } from '../presenters/html/paging.ts';
import { presentTrendingPage, TRENDING_PATH } from '../presenters/html/trending-page.ts';
import { pageContextFor, sendView } from '../render.ts';
import { TrendingPageView } from '../views/trending-page.tsx';

/** Like the feed: a minute fresh, then served stale while revalidating (points fade slowly). */
const TRENDING_CACHE_CONTROL = 'public, max-age=60, stale-while-revalidate=600';

/** Registered beside the vote routes; the window ends today in the instance's time zone. */
export function registerTrendingRoutes(app: FastifyInstance, context: WebContext): void {
  app.get(TRENDING_PATH, { config: { responseCache: true } }, async (request, reply) => {
    const page = requirePageNumber((request.query as Record<string, unknown>).p);
    const now = new Date();
    const result = await readTrending(context.store, context.db, {
      today: todayIn(context.config.timeZone, now),
      offset: (page - 1) * FEED_PAGE_SIZE,
      limit: FEED_PAGE_SIZE,
    });
    const model = presentTrendingPage(result, { page, nowMs: now.getTime() });
    const upvoted = await viewerUpvotedIds(
      context.db,
      request.viewer?.user.id ?? null,
      result.items.map((item) => item.paper.id),
    );
    return sendView(reply, {
      cacheControl: TRENDING_CACHE_CONTROL,
      view: <TrendingPageView page={model} canonicalUrl={`${context.config.baseUrl}${model.path}`} upvoted={upvoted} />,
      page: pageContextFor(request, reply, context),
    });
  });
}
