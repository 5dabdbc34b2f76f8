/** Server-side rendering of Preact views to a complete HTML document. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { h, type VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { csrfTokenFor } from './auth.ts';
import { PageContext, type PageContextValue } from './views/page-context.ts';

export function renderPage<P>(view: VNode<P>, page: PageContextValue = { viewer: null, csrf: null }): string {
  return `<!doctype html>${renderToString(h(PageContext.Provider, { value: page }, view))}`;
}

/**
 * The page context for a request: the signed-in person and, when they are signed in or the page has a form
 * anonymous people post (`withForm`), the CSRF token.
 */
export function pageContextFor(
  request: FastifyRequest,
  reply: FastifyReply,
  keys: { config: Parameters<typeof csrfTokenFor>[2]; secret: string },
  options: { withForm?: boolean } = {},
): PageContextValue {
  const user = request.viewer?.user ?? null;
  const viewer = user
    ? { username: user.username, displayName: user.displayName, isAdmin: user.isAdmin, banned: user.bannedAt !== null }
    : null;
  const wantsToken = (viewer && request.viewer?.via === 'session') || options.withForm;
  return { viewer, csrf: wantsToken ? csrfTokenFor(request, reply, keys.config, keys.secret) : null };
}

export interface ViewAnswer {
  status?: number;
  /** Cache-Control for anonymous answers; pages for a signed-in person are always `private, no-cache`. */
  cacheControl: string;
  view: VNode;
  page?: PageContextValue;
}

/** Sends a rendered page. */
export function sendView(reply: FastifyReply, { status = 200, cacheControl, view, page }: ViewAnswer) {
  return reply
    .status(status)
    .header('cache-control', page?.viewer ? 'private, no-cache' : cacheControl)
    .type('text/html; charset=utf-8')
    .send(renderPage(view, page));
}
