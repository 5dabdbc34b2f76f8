/**
 * `GET /api/papers/{id}/similar?limit=` (both id styles): papers like this one, a bare array in the search API's
 * shape so that clients reuse their search code. Public and cached per data version like search.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { requirePaperId } from '../../commands/paper.ts';
import { readSimilarPapers, similarDeps } from '../../commands/similar.ts';
import { MAX_SIMILAR_PAPERS } from '../../search/similar.ts';
import type { WebContext } from '../app.ts';
import { presentSearchItem } from '../presenters/hf-json.ts';
import { ApiError } from './api-schemas.ts';
import { PaperSubParams, paperIdFromParams, paperSubRoutes } from './paper-paths.ts';

/** Papers answered when `limit` is absent. */
const DEFAULT_SIMILAR_LIMIT = 8;
/** Similar papers change only with the catalogue: a minute, like search. */
const SIMILAR_CACHE_CONTROL = 'public, max-age=60';

const SimilarQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: MAX_SIMILAR_PAPERS, description: 'How many papers (default 8)' }),
    ),
  },
  { additionalProperties: true },
);
type SimilarQuery = Static<typeof SimilarQuery>;

export function registerSimilarRoutes(app: FastifyInstance, context: WebContext): void {
  const deps = similarDeps(context.db);
  const { baseUrl } = context.config;
  for (const { url, hide } of paperSubRoutes('/api/papers', 'similar')) {
    app.get<{ Params: PaperSubParams; Querystring: SimilarQuery }>(
      url,
      {
        schema: {
          hide,
          tags: ['papers'],
          summary: 'Papers similar to this one, most similar first; a bare array in the search answer shape',
          description:
            'Similar by shared distinctive words of titles and abstracts (and shared authors and primary category), ' +
            'fused with the nearest papers by meaning (their vectors) once the embedder has loaded. ' +
            'Never the paper itself nor hidden papers. Public; 404 for unknown or hidden papers.',
          params: PaperSubParams,
          querystring: SimilarQuery,
          response: {
            400: { ...ApiError, description: 'The paper id or limit is malformed' },
            404: { ...ApiError, description: 'No such paper in the catalogue, or hidden by the moderators' },
          },
        },
        config: { responseCache: true },
      },
      async (request, reply) => {
        const { id } = requirePaperId(paperIdFromParams(request.params));
        const items = await readSimilarPapers(deps, id, request.query.limit ?? DEFAULT_SIMILAR_LIMIT);
        // Made while the embedder loads, the answer is lexical only: not kept in the cache.
        if (context.semantic && !context.semantic.isReady()) request.responseCacheVersion = null;
        reply.header('cache-control', SIMILAR_CACHE_CONTROL);
        return items.map(({ paper, listing }) => presentSearchItem(paper, listing, baseUrl));
      },
    );
  }
}
