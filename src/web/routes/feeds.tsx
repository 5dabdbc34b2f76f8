/**
 * RSS and Atom feeds (`/feeds/daily.rss`, `/feeds/trending.atom`, `/feeds/category/cs.LG.rss`,
 * `/feeds/author/Cheng%20Lu.atom`) and the `/feeds` page that lists them. Feeds are public reads: cached per data
 * version like the pages (see response-cache.ts).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { HttpError } from '../../commands/errors.ts';
import { type FeedSelection, readFeedEntries, requireAuthorName, requireCategory } from '../../commands/feeds.ts';
import type { WebContext } from '../app.ts';
import {
  type FeedDescription,
  renderSyndication,
  SYNDICATION_CONTENT_TYPES,
  type SyndicationFormat,
} from '../presenters/syndication.ts';
import { pageContextFor, sendView } from '../render.ts';
import { FeedsPageView } from '../views/feeds-page.tsx';

/** Feed readers poll; ten minutes of caching is plenty for a daily list. */
const FEED_CACHE_CONTROL = 'public, max-age=600';
const FEEDS_PAGE_CACHE_CONTROL = 'public, max-age=3600';
const cached = { config: { responseCache: true } };

/** `name.rss` or `name.atom` -> the name and the format; anything else is not a feed address. */
function splitFeedFile(file: string): { name: string; format: SyndicationFormat } {
  const match = /^(.+)\.(rss|atom)$/.exec(file);
  if (!match) throw new HttpError(404, 'not_found', 'Feed addresses end in .rss or .atom.');
  return { name: match[1]!, format: match[2] as SyndicationFormat };
}

export function registerFeedRoutes(app: FastifyInstance, context: WebContext): void {
  const { baseUrl } = context.config;

  const sendFeed = async (
    reply: FastifyReply,
    format: SyndicationFormat,
    selection: FeedSelection,
    path: string,
    describe: Omit<FeedDescription, 'rssUrl' | 'atomUrl'>,
  ) => {
    const entries = await readFeedEntries(context.store, selection, context.config.timeZone);
    const body = renderSyndication(
      format,
      { ...describe, rssUrl: `${baseUrl}${path}.rss`, atomUrl: `${baseUrl}${path}.atom` },
      entries,
      baseUrl,
    );
    return reply.header('cache-control', FEED_CACHE_CONTROL).type(SYNDICATION_CONTENT_TYPES[format]).send(body);
  };

  for (const format of ['rss', 'atom'] as const) {
    app.get(`/feeds/daily.${format}`, cached, (_request, reply) =>
      sendFeed(reply, format, { kind: 'daily' }, '/feeds/daily', {
        title: 'Paperboy: daily papers',
        description: 'Papers as they are listed on the daily feed, newest first.',
        pageUrl: `${baseUrl}/`,
      }),
    );
    app.get(`/feeds/trending.${format}`, cached, (_request, reply) =>
      sendFeed(reply, format, { kind: 'trending' }, '/feeds/trending', {
        title: 'Paperboy: trending papers',
        description: "The last week's papers ranked by upvotes that fade with time.",
        pageUrl: `${baseUrl}/papers/trending`,
      }),
    );
  }

  app.get<{ Params: { file: string } }>('/feeds/category/:file', cached, (request, reply) => {
    const { name, format } = splitFeedFile(request.params.file);
    const category = requireCategory(name);
    return sendFeed(reply, format, { kind: 'category', category }, `/feeds/category/${category}`, {
      title: `Paperboy: ${category}`,
      description: `Papers in ${category} as they are listed, newest first.`,
      pageUrl: `${baseUrl}/`,
    });
  });

  app.get<{ Params: { file: string } }>('/feeds/author/:file', cached, (request, reply) => {
    const { name, format } = splitFeedFile(request.params.file);
    const author = requireAuthorName(name);
    const path = `/feeds/author/${encodeURIComponent(author)}`;
    return sendFeed(reply, format, { kind: 'author', author }, path, {
      title: `Paperboy: papers by ${author}`,
      description: `Papers by ${author} as they are listed, newest first.`,
      pageUrl: `${baseUrl}/`,
    });
  });

  app.get('/feeds', cached, (request, reply) =>
    sendView(reply, {
      cacheControl: FEEDS_PAGE_CACHE_CONTROL,
      view: <FeedsPageView baseUrl={baseUrl} categories={context.config.categories} />,
      page: pageContextFor(request, reply, context),
    }),
  );
}
