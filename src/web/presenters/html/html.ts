/**
 * HTML strings that the views insert without escaping. The brand makes every such insertion traceable to a function
 * that escaped its input (or to KaTeX), so that text from arXiv or users can never smuggle markup into a page.
 */

/** A string of HTML known to be safe to insert as is. */
export type Html = string & { readonly __html: unique symbol };

/** Marks a string as safe HTML. Only for strings built from escaped text or from KaTeX. */
export function trustedHtml(html: string): Html {
  return html as Html;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for use in HTML content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

/** Joins safe HTML fragments. */
export function joinHtml(parts: readonly Html[], separator = ''): Html {
  return trustedHtml(parts.join(separator));
}
