/**
 * Routes below a paper (`/api/papers/{id}/upvote`, `.../comments`). Old-style arXiv ids contain a slash
 * (`hep-th/9901001`), so each such route is registered twice: `:id` for new-style ids and `:archive/:number` for
 * old-style ones (the second hidden from the OpenAPI document, which shows one `{id}` route).
 */
import { type Static, Type } from '@sinclair/typebox';

export const PaperSubParams = Type.Object({
  id: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'arXiv id, e.g. 2206.00927' })),
  archive: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  number: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
});
export type PaperSubParams = Static<typeof PaperSubParams>;

/** The two URLs for `{prefix}/{id}/{suffix}`, the old-style one hidden from the API documentation. */
export function paperSubRoutes(prefix: string, suffix: string): { url: string; hide: boolean }[] {
  return [
    { url: `${prefix}/:id/${suffix}`, hide: false },
    { url: `${prefix}/:archive/:number/${suffix}`, hide: true },
  ];
}

/** The id as written in the URL (not yet validated: pass it to requirePaperId). */
export function paperIdFromParams(params: PaperSubParams): string {
  if (params.id !== undefined) return params.id;
  return `${params.archive ?? ''}/${params.number ?? ''}`;
}
