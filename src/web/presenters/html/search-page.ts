/**
 * The search page's model: each result's title and an abstract snippet as plain text with the query's words
 * marked (`<mark>`), its authors, categories and counts. Marking works on plain text (TeX left as written), so
 * that a highlight can never cut through typeset math.
 */

import type { SearchResultItem } from '../../../commands/search.ts';
import { type SearchQuery, STOP_WORDS } from '../../../domain/search-query.ts';
import { escapeHtml, type Html, trustedHtml } from './html.ts';
import { paperPath } from './paths.ts';
import { texPlainText } from './tex-html.ts';

/** Characters of abstract around the first match. */
const SNIPPET_CHARS = 260;
/** Authors named before "et al.". */
const AUTHORS_SHOWN = 6;

export interface SearchResultCard {
  id: string;
  href: string;
  titleHtml: Html;
  authors: string;
  snippetHtml: Html;
  categories: string[];
  upvotes: number;
  numComments: number;
  firstVersion: string | null;
}

export interface SearchPageModel {
  q: string;
  results: SearchResultCard[];
  /** 1-based page number. */
  page: number;
  nextHref: string | null;
  previousHref: string | null;
  /** A sentence when the query was refused. */
  problem: string | null;
}

export function presentSearchResults(
  q: string,
  query: SearchQuery,
  items: SearchResultItem[],
  page: number,
  hasMore: boolean,
): SearchPageModel {
  const marks = markableWords(query);
  return {
    q,
    results: items.map(({ paper }) => ({
      id: paper.id,
      href: paperPath(paper.id),
      titleHtml: highlight(texPlainText(paper.title), marks, query.prefix),
      authors:
        paper.authors.length > AUTHORS_SHOWN
          ? `${paper.authors.slice(0, AUTHORS_SHOWN).join(', ')} et al.`
          : paper.authors.join(', '),
      snippetHtml: snippet(texPlainText(paper.abstract), marks, query.prefix),
      categories: paper.categories,
      upvotes: paper.upvotes,
      numComments: paper.numComments,
      firstVersion: paper.firstVersionAt?.slice(0, 10) ?? null,
    })),
    page,
    nextHref: hasMore ? searchHref(q, page + 1) : null,
    previousHref: page > 1 ? searchHref(q, page - 1) : null,
    problem: null,
  };
}

export function searchHref(q: string, page = 1): string {
  return `/search?q=${encodeURIComponent(q)}${page > 1 ? `&p=${page}` : ''}`;
}

/** The words worth marking: the query's words and phrase words, without stop words, as stems. */
function markableWords(query: SearchQuery): string[] {
  const words = [...query.words, ...query.phrases.flat()].filter((word) => !STOP_WORDS.has(word));
  return [...new Set(words.map(stem))];
}

/** A crude English stem, only for deciding what to mark (the indexes do their own stemming). */
function stem(word: string): string {
  return word.replace(/(?:ations?|ings?|ers?|ed|es|s)$/u, '') || word;
}

function fold(word: string): string {
  return word
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

/** Escapes `text` and marks the words whose stem is a query word's (or, while typing, starts with the last one). */
export function highlight(text: string, marks: string[], prefix: boolean): Html {
  if (marks.length === 0) return trustedHtml(escapeHtml(text));
  const last = marks.at(-1);
  let out = '';
  let at = 0;
  for (const match of text.matchAll(/[\p{L}\p{N}]+/gu)) {
    const token = fold(match[0]);
    const hit = marks.includes(stem(token)) || (prefix && last !== undefined && token.startsWith(last));
    if (!hit) continue;
    out += `${escapeHtml(text.slice(at, match.index))}<mark>${escapeHtml(match[0])}</mark>`;
    at = match.index + match[0].length;
  }
  return trustedHtml(out + escapeHtml(text.slice(at)));
}

/** About SNIPPET_CHARS of the abstract around its first marked word (its start when none), marked. */
export function snippet(abstract: string, marks: string[], prefix: boolean): Html {
  const text = abstract.replace(/\s+/g, ' ').trim();
  if (text.length <= SNIPPET_CHARS) return highlight(text, marks, prefix);
  let first = 0;
  for (const match of text.matchAll(/[\p{L}\p{N}]+/gu)) {
    const token = fold(match[0]);
    if (marks.includes(stem(token)) || (prefix && token.startsWith(marks.at(-1) ?? '\u0000'))) {
      first = match.index;
      break;
    }
  }
  let start = Math.max(0, first - SNIPPET_CHARS / 3);
  if (start > 0) start = text.indexOf(' ', start) + 1;
  let end = Math.min(text.length, start + SNIPPET_CHARS);
  if (end < text.length) end = Math.max(text.lastIndexOf(' ', end), start + 1);
  const body = highlight(text.slice(start, end), marks, prefix);
  return trustedHtml(`${start > 0 ? '… ' : ''}${body}${end < text.length ? ' …' : ''}`);
}
