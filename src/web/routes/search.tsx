/**
 * Search: the `/search` page, Hugging Face's `GET /api/papers/search?q=&limit=` (a bare array; `q` up to 250
 * characters, `limit` 1-120), and the search feed `/feeds/search.rss?q=` (and `.atom`). All three run the same
 * command (commands/search.ts) and are public reads, cached per data version.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../../commands/errors.ts';
import { searchPapers } from '../../commands/search.ts';
import { MAX_QUERY_LENGTH } from '../../domain/search-query.ts';
import { createLexicalSearch } from '../../search/lexical-search.ts';
import { dialectOf } from '../../storage/database.ts';
import type { WebContext } from '../app.ts';
import { presentSearchItem } from '../presenters/hf-json.ts';
import { presentSearchResults, type SearchPageModel } from '../presenters/html/search-page.ts';
import { renderSyndication, SYNDICATION_CONTENT_TYPES } from '../presenters/syndication.ts';
import { pageContextFor, sendView } from '../render.ts';
import { SearchPageView } from '../views/search-page.tsx';

/** Hugging Face's bounds for the search API's `limit`. */
const MAX_API_LIMIT = 120;
const DEFAULT_API_LIMIT = 50;
/** Results per page on the site. */
export const SEARCH_PAGE_SIZE = 20;
const MAX_SEARCH_PAGE = 50;
/** Entries in a search feed. */
const SEARCH_FEED_ENTRIES = 50;
const SEARCH_CACHE_CONTROL = 'public, max-age=60';
const cached = { responseCache: true };

const ApiQuery = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: MAX_QUERY_LENGTH, description: 'What to search for' }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_API_LIMIT })),
  },
  { additionalProperties: true },
);
type ApiQuery = Static<typeof ApiQuery>;

const PageQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: MAX_QUERY_LENGTH })),
    p: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_SEARCH_PAGE })),
    typing: Type.Optional(Type.String({ maxLength: 1 })),
  },
  { additionalProperties: true },
);
type PageQuery = Static<typeof PageQuery>;

const FeedQuery = Type.Object(
  { q: Type.String({ minLength: 1, maxLength: MAX_QUERY_LENGTH }) },
  { additionalProperties: true },
);
type FeedQuery = Static<typeof FeedQuery>;

export function registerSearchRoutes(app: FastifyInstance, context: WebContext): void {
  const deps = {
    store: context.store,
    db: context.db,
    lexical: createLexicalSearch(context.db, dialectOf(context.db)),
    semantic: context.semantic,
    onSemanticError: (error: unknown) => app.log.warn({ err: error }, 'semantic search failed; answered by words only'),
  };
  const { baseUrl } = context.config;

  app.get<{ Querystring: ApiQuery }>(
    '/api/papers/search',
    {
      schema: {
        tags: ['papers'],
        summary: 'Search papers by words in titles, authors and abstracts, with filters; a bare array, best first',
        querystring: ApiQuery,
      },
      config: cached,
    },
    async (request, reply) => {
      const result = await searchPapers(deps, {
        q: request.query.q,
        limit: request.query.limit ?? DEFAULT_API_LIMIT,
        offset: 0,
      });
      // Lexical only while the embedder loads: not the answer to keep.
      if (!result.final) request.responseCacheVersion = null;
      reply.header('cache-control', SEARCH_CACHE_CONTROL);
      return result.items.map(({ paper, listing }) => presentSearchItem(paper, listing, baseUrl));
    },
  );

  app.get<{ Querystring: PageQuery }>(
    '/search',
    { schema: { querystring: PageQuery }, config: cached },
    async (request, reply) => {
      const q = (request.query.q ?? '').trim();
      const pageNumber = request.query.p ?? 1;
      let model: SearchPageModel;
      let status = 200;
      if (q === '') {
        model = { q, results: [], page: 1, nextHref: null, previousHref: null, problem: null };
      } else {
        try {
          const result = await searchPapers(deps, {
            q,
            limit: SEARCH_PAGE_SIZE + 1,
            offset: (pageNumber - 1) * SEARCH_PAGE_SIZE,
            typing: request.query.typing === '1',
          });
          if (!result.final) request.responseCacheVersion = null;
          const more = result.items.length > SEARCH_PAGE_SIZE;
          model = presentSearchResults(q, result.query, result.items.slice(0, SEARCH_PAGE_SIZE), pageNumber, more);
        } catch (error) {
          if (!(error instanceof HttpError) || error.statusCode !== 400) throw error;
          // A refused query is shown on the page, with the box still holding what was typed.
          status = 400;
          model = { q, results: [], page: 1, nextHref: null, previousHref: null, problem: error.message };
        }
      }
      return sendView(reply, {
        status,
        cacheControl: SEARCH_CACHE_CONTROL,
        view: <SearchPageView page={model} />,
        page: pageContextFor(request, reply, context),
      });
    },
  );

  for (const format of ['rss', 'atom'] as const) {
    app.get<{ Querystring: FeedQuery }>(
      `/feeds/search.${format}`,
      { schema: { querystring: FeedQuery }, config: cached },
      async (request, reply) => {
        const q = request.query.q;
        const result = await searchPapers(deps, { q, limit: SEARCH_FEED_ENTRIES, offset: 0 });
        if (!result.final) request.responseCacheVersion = null;
        // A search feed has no listing times for unlisted papers: order as searched, dated by arXiv's first version.
        const entries = result.items.map(({ paper, listing }) => ({
          paper,
          listing: listing ?? {
            paperId: paper.id,
            listedOn: (paper.firstVersionAt ?? paper.createdAt).slice(0, 10),
            submittedAt: paper.firstVersionAt ?? paper.createdAt,
            source: 'import' as const,
            submittedByUserId: null,
            comment: null,
          },
        }));
        const query = `?q=${encodeURIComponent(q)}`;
        const body = renderSyndication(
          format,
          {
            title: `Paperboy: search for ${q}`,
            description: `Papers matching “${q}”, best match first.`,
            pageUrl: `${baseUrl}/search${query}`,
            rssUrl: `${baseUrl}/feeds/search.rss${query}`,
            atomUrl: `${baseUrl}/feeds/search.atom${query}`,
          },
          entries,
          baseUrl,
        );
        return reply.header('cache-control', SEARCH_CACHE_CONTROL).type(SYNDICATION_CONTENT_TYPES[format]).send(body);
      },
    );
  }
}
