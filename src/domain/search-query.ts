/**
 * What a reader typed into the search box, as a safe structure: words, quoted phrases, and filters
 * (`cat:cs.LG`, `author:"Cheng Lu"`, `after:2023-01-01`, `before:2024-06-30`). Nothing of the text reaches a search
 * engine's own syntax: words are letters and digits only, so `"`, `*`, `NEAR(`, `-`, `:`, `AND OR NOT` and unbalanced
 * quotes are just text. Each index (SQLite FTS5, PostgreSQL full-text) builds its query from this structure.
 */
import { parseArxivReference } from './arxiv-reference.ts';
import { parseDay } from './feed-period.ts';

/** Hugging Face's bound on `q`, in characters. */
export const MAX_QUERY_LENGTH = 250;
/** Words beyond these are ignored: nobody types more, and each costs the index a posting list. */
const MAX_WORDS = 32;

export interface SearchFilters {
  /** arXiv categories (any of them). */
  categories: string[];
  /** Author names (all of them), matched as whole names, ignoring ASCII case. */
  authors: string[];
  /** First version on or after this day (`YYYY-MM-DD`). */
  after: string | null;
  /** First version on or before this day. */
  before: string | null;
}

export interface SearchQuery {
  /** Lower-cased words (letters and digits), in order, without duplicates. */
  words: string[];
  /** Quoted phrases, each a list of lower-cased words. */
  phrases: string[][];
  /** The last word is being typed (search as you type): also match words starting with it. */
  prefix: boolean;
  filters: SearchFilters;
  /** The text without filters, tidied: for an exact title match. */
  text: string;
  /** The canonical arXiv id when the text is one (or a link to one): that paper comes first. */
  arxivId: string | null;
}

export type SearchQueryResult = { ok: true; query: SearchQuery } | { ok: false; reason: string };

const CATEGORY_PATTERN = /^[a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?$/;
/** `name:value` or `name:"quoted value"`, for the filters we know. */
const FILTER_PATTERN = /\b(cat|category|author|after|before):(?:"([^"]*)"?|(\S+))/gi;
const WORD_PATTERN = /[\p{L}\p{N}]+/gu;
/** A quoted phrase; an unbalanced quote runs to the end of the text. */
const PHRASE_PATTERN = /"([^"]*)"?/g;

/**
 * Words that say nothing about a paper's subject. They are kept in phrases, and when they are all a query has, but
 * dropped from the OR of words so that "samplers for diffusion models" ranks by its real words.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  'a an and are as at be but by for from has have how in into is it its of on or our that the their this to via was we what when which with without'.split(
    ' ',
  ),
);

/**
 * Parses a query (already bounded by the route to MAX_QUERY_LENGTH). Refuses, with a sentence, a query with
 * nothing to search for and a malformed filter; `prefix` marks search-as-you-type.
 */
export function parseSearchQuery(input: string, options: { prefix?: boolean } = {}): SearchQueryResult {
  if (input.length > MAX_QUERY_LENGTH) {
    return { ok: false, reason: `A search has at most ${MAX_QUERY_LENGTH} characters.` };
  }
  const filters: SearchFilters = { categories: [], authors: [], after: null, before: null };
  let problem: string | null = null;
  const rest = input.replace(
    FILTER_PATTERN,
    (_match, rawName: string, quoted: string | undefined, bare: string | undefined) => {
      const name = rawName.toLowerCase();
      const value = (quoted ?? bare ?? '').trim();
      problem ??= applyFilter(filters, name, value);
      return ' ';
    },
  );
  if (problem) return { ok: false, reason: problem };
  if (filters.after && filters.before && filters.after > filters.before) {
    return { ok: false, reason: `after:${filters.after} is later than before:${filters.before}.` };
  }

  const phrases: string[][] = [];
  const unquoted = rest.replace(PHRASE_PATTERN, (_match, inner: string) => {
    const words = tokenize(inner);
    if (words.length > 1) phrases.push(words);
    return ` ${words.join(' ')} `;
  });
  const words = [...new Set(tokenize(unquoted))].slice(0, MAX_WORDS);
  const text = rest.replace(/\s+/g, ' ').trim();
  const hasFilter =
    filters.categories.length > 0 || filters.authors.length > 0 || filters.after !== null || filters.before !== null;
  if (words.length === 0 && !hasFilter) {
    return { ok: false, reason: 'Type at least one word (letters or digits) to search for.' };
  }
  const reference = text === '' ? null : parseArxivReference(text);
  // As-you-type only makes sense when the text ends inside a word (not after a space or a closing quote).
  const prefix = options.prefix === true && words.length > 0 && /[\p{L}\p{N}]$/u.test(input);
  return {
    ok: true,
    query: { words, phrases, prefix, filters, text, arxivId: reference?.ok ? reference.value.id : null },
  };
}

/**
 * The words of a text: letters and digits, lower-cased, accents folded (Schrödinger = schrodinger), as both indexes
 * store them.
 */
export function tokenize(text: string): string[] {
  const folded = text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .normalize('NFC')
    .toLowerCase();
  return (folded.match(WORD_PATTERN) ?? []).filter((word) => word.length <= 60);
}

/** The words worth an OR: without stop words, unless that leaves none. */
export function meaningfulWords(query: SearchQuery): string[] {
  const kept = query.words.filter((word) => !STOP_WORDS.has(word));
  return kept.length > 0 ? kept : query.words;
}

function applyFilter(filters: SearchFilters, name: string, value: string): string | null {
  if (value === '')
    return `The filter ${name}: needs a value, e.g. ${name === 'author' ? 'author:"Cheng Lu"' : `${name}:…`}.`;
  switch (name) {
    case 'cat':
    case 'category':
      if (!CATEGORY_PATTERN.test(value)) return `'${value.slice(0, 40)}' is not an arXiv category such as cs.LG.`;
      filters.categories.push(value);
      return null;
    case 'author':
      filters.authors.push(value.replace(/\s+/g, ' '));
      return null;
    default: {
      const day = parseDay(value);
      if (!day.ok) return `${name}: wants a day as YYYY-MM-DD (${day.reason}).`;
      if (name === 'after') filters.after = value;
      else filters.before = value;
      return null;
    }
  }
}
