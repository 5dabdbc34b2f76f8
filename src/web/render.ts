/** Server-side rendering of Preact views to a complete HTML document. */
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

export function renderPage<P>(view: VNode<P>): string {
  return `<!doctype html>${renderToString(view)}`;
}
