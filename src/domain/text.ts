/**
 * Cleaning of the free text arXiv gives us. Its raw metadata is hard-wrapped at ~80 columns and indented, the way
 * it was typed into a form in the 1990s: a title arrives as `"... at Tevatron and\n  LHC energies"`. We store text
 * the way a reader should see it, and leave TeX alone (the web layer renders it).
 */

/**
 * Whether a text has anything collapseWhitespace would change. Testing first is cheaper than always rebuilding the
 * string: most names, DOIs and licences are already clean, and this runs millions of times on a snapshot.
 */
const NEEDS_COLLAPSING = /\s\s|[^\S ]|^\s|\s$/;
/**
 * Only the runs that need changing: any whitespace that is not a plain space (with what follows it), or a space
 * followed by more whitespace. Matching every single space instead (`/\s+/g`) costs a fifth of an import's time.
 */
const WHITESPACE_TO_FOLD = /[^\S ]\s*| \s+/g;

/** Collapses every run of whitespace (line breaks, tabs, indentation) to one space and trims the ends. */
export function collapseWhitespace(text: string): string {
  return NEEDS_COLLAPSING.test(text) ? text.replace(WHITESPACE_TO_FOLD, ' ').trim() : text;
}

/** A title on one line: line breaks and indentation become single spaces. */
export function cleanTitle(raw: string): string {
  return collapseWhitespace(raw);
}

/**
 * An abstract with its paragraphs kept and its hard wrapping undone. In arXiv's raw text a new paragraph is a line
 * break followed by indentation (or a blank line); any other line break is wrapping. Paragraphs are joined by a
 * blank line (PARAGRAPH_SEPARATOR); inside a paragraph whitespace is collapsed to single spaces.
 */
/**
 * Between paragraphs of a cleaned abstract: a blank line, which cleaning reads as a paragraph break again, so that
 * cleaning is idempotent (an abstract exported by one instance and imported by another keeps its paragraphs).
 */
export const PARAGRAPH_SEPARATOR = '\n\n';

export function cleanAbstract(raw: string): string {
  const paragraphs: string[] = [];
  let current: string[] = [];
  const flush = () => {
    if (current.length > 0) paragraphs.push(collapseWhitespace(current.join(' ')));
    current = [];
  };
  for (const line of raw.split(/\r\n|\r|\n/)) {
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (/^\s/.test(line)) flush();
    current.push(line);
  }
  flush();
  return paragraphs.filter((p) => p.length > 0).join(PARAGRAPH_SEPARATOR);
}

/**
 * An optional one-line field (comments, journal reference, DOI, ...): whitespace collapsed, and `null` when the
 * source gives nothing, an empty string, or something that is not text, because unknown stays unknown.
 */
export function cleanOptionalText(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const cleaned = collapseWhitespace(raw);
  return cleaned.length > 0 ? cleaned : null;
}
