/**
 * The site's HTML pages: the daily feed (latest day, a day, an ISO week, a month) and the paper page. Each route
 * only parses its input, runs the command shared with the API and hands the result to a presenter and a view.
 * KaTeX's stylesheet and fonts are served from the installed package, never copied into the repository.
 */
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { readFeed, requirePeriod } from '../../commands/feed.ts';
import { PaperNotFoundError, readPaper, requirePaperId } from '../../commands/paper.ts';
import { readPaperExtras } from '../../commands/paper-extras.ts';
import { viewerUpvotedIds } from '../../commands/upvotes.ts';
import { arxivAbsUrl } from '../../domain/arxiv-id.ts';
import type { FeedPeriod, PeriodKind } from '../../domain/feed-period.ts';
import type { WebContext } from '../app.ts';
import { presentFeedPage } from '../presenters/html/feed-page.ts';
import { FEED_PAGE_SIZE, requirePageNumber } from '../presenters/html/paging.ts';
import { presentPaperPage } from '../presenters/html/paper-page.ts';
import { paperIdFromPath, paperPath } from '../presenters/html/paths.ts';
import { pageContextFor, sendView } from '../render.ts';
import { KATEX_ASSETS_PREFIX, KATEX_DIST_DIR } from '../views/assets.ts';
import { ErrorPage } from '../views/error-page.tsx';
import { FeedPageView } from '../views/feed-page.tsx';
import type { PageContextValue } from '../views/page-context.ts';
import { PaperPageView } from '../views/paper-page.tsx';

/**
 * Feeds change as people upvote and papers get listed: a minute of caching (and serving a stale copy while
 * revalidating) keeps them fresh enough and cheap to serve.
 */
const FEED_CACHE_CONTROL = 'public, max-age=60, stale-while-revalidate=600';
/** A paper page changes only with its counters: five minutes. */
const PAPER_CACHE_CONTROL = 'public, max-age=300, stale-while-revalidate=3600';
/** A paper unknown now may be imported soon. */
const UNKNOWN_PAPER_CACHE_CONTROL = 'public, max-age=60';
/** Redirects to a canonical address never change. */
const REDIRECT_CACHE_CONTROL = 'public, max-age=86400';
/** KaTeX's files are addressed by version, so they never change under their address. */
const KATEX_MAX_AGE = '365d';
/** The only files of KaTeX's dist folder the pages use: its stylesheet and its fonts. */
const KATEX_ALLOWED_FILE = /^\/?(?:katex\.min\.css|fonts\/KaTeX_[\w-]+\.(?:woff2|woff|ttf))$/;

const PERIOD_ROUTES: [PeriodKind, string][] = [
  ['day', '/papers/date/:period'],
  ['week', '/papers/week/:period'],
  ['month', '/papers/month/:period'],
];

export function registerPageRoutes(app: FastifyInstance, context: WebContext): void {
  app.register(fastifyStatic, {
    root: KATEX_DIST_DIR,
    prefix: KATEX_ASSETS_PREFIX,
    decorateReply: false,
    index: false,
    maxAge: KATEX_MAX_AGE,
    immutable: true,
    allowedPath: (pathName) => KATEX_ALLOWED_FILE.test(pathName),
  });

  const showFeed = async (request: FastifyRequest, reply: FastifyReply, period: FeedPeriod | null) => {
    const page = requirePageNumber((request.query as Record<string, unknown>).p);
    const feed = await readFeed(context.store, {
      period,
      sort: 'upvotes',
      offset: (page - 1) * FEED_PAGE_SIZE,
      limit: FEED_PAGE_SIZE,
    });
    const model = presentFeedPage(feed, { latest: period === null, page });
    const canonicalUrl = model.canonicalPath ? absolute(context, model.canonicalPath) : null;
    const upvoted = await viewerUpvotedIds(
      context.db,
      request.viewer?.user.id ?? null,
      feed.items.map((item) => item.paper.id),
    );
    return sendHtml(
      reply,
      200,
      FEED_CACHE_CONTROL,
      <FeedPageView page={model} canonicalUrl={canonicalUrl} upvoted={upvoted} />,
      pageContextFor(request, reply, context),
    );
  };

  // Feed and paper pages depend only on the URL and the stored data: their answers may be cached (response-cache.ts).
  const cached = { config: { responseCache: true } };
  app.get('/', cached, (request, reply) => showFeed(request, reply, null));
  for (const [kind, path] of PERIOD_ROUTES) {
    app.get<{ Params: { period: string } }>(path, cached, (request, reply) =>
      showFeed(request, reply, requirePeriod(kind, request.params.period)),
    );
  }

  app.get('/papers', (_request, reply) => reply.redirect('/', 302));
  // A wildcard, because old-style ids contain a slash (`hep-th/9901001`, `math.AG/0601001`).
  app.get<{ Params: { '*': string } }>('/papers/*', cached, async (request, reply) => {
    const raw = request.params['*'];
    if (raw === '') return reply.redirect('/', 302);
    const tidied = paperIdFromPath(raw);
    const lookup = requirePaperId(tidied);
    if (!lookup.isCanonical || tidied !== raw) {
      return reply.header('cache-control', REDIRECT_CACHE_CONTROL).redirect(paperPath(lookup.id), 301);
    }
    try {
      const viewer = request.viewer;
      const detail = await readPaper(context.store, lookup.id, viewer?.user.isAdmin === true);
      const extras = await readPaperExtras(context.db, viewer, lookup.id);
      // Similar papers made while the embedder loads are lexical only: such a page is not kept in the cache.
      if (context.semantic && !context.semantic.isReady()) request.responseCacheVersion = null;
      const model = presentPaperPage(detail);
      const canonicalUrl = absolute(context, paperPath(lookup.id));
      return sendHtml(
        reply,
        200,
        PAPER_CACHE_CONTROL,
        <PaperPageView page={model} canonicalUrl={canonicalUrl} extras={extras} />,
        pageContextFor(request, reply, context),
      );
    } catch (error) {
      if (!(error instanceof PaperNotFoundError)) throw error;
      return sendHtml(
        reply,
        404,
        UNKNOWN_PAPER_CACHE_CONTROL,
        <UnknownPaperPage id={lookup.id} message={error.message} />,
        pageContextFor(request, reply, context),
      );
    }
  });
}

/** The 404 for a well-formed id this instance does not have: the paper may well exist on arXiv. */
function UnknownPaperPage({ id, message }: { id: string; message: string }) {
  return (
    <ErrorPage status={404} title="Paper not found" message={message}>
      <li>
        <a href={arxivAbsUrl(id)}>Look for {id} on arXiv</a>
      </li>
    </ErrorPage>
  );
}

function sendHtml(reply: FastifyReply, status: number, cacheControl: string, view: VNode, page?: PageContextValue) {
  return sendView(reply, { status, cacheControl, view, page });
}

function absolute(context: WebContext, path: string): string {
  return `${context.config.baseUrl}${path}`;
}
