/**
 * Math rendering on the server with KaTeX, so that formulas are typeset without JavaScript in the reader's browser.
 * KaTeX is given the macros arXiv abstracts use (see katex-macros.ts); a formula it still cannot render is shown as
 * its TeX source in a `<code>`, never as an error and never failing the page.
 *
 * Measured on the abstracts of test/fixtures/arxiv (1,000 OAI-PMH records and 200 snapshot records): KaTeX alone
 * renders 1,232 of 1,305 math spans (94.4%) and 242 of 263 (92.0%); with our macros 1,275 (97.7%) and 256 (97.3%).
 * What remains is authors' private notation (`\cla`, `\XQM`, `\Mag`), which no table can guess
 * (katex-macros.test.ts keeps these figures from sliding back).
 */
import katex from 'katex';
import 'katex/contrib/mhchem';
import { escapeHtml, type Html, trustedHtml } from './presenters/html/html.ts';
import { KATEX_MACROS } from './presenters/html/katex-macros.ts';
import { LruCache } from './presenters/html/lru-cache.ts';

/** Formulas longer than this (in characters) are shown as source: typesetting them would cost too much per request. */
const MAX_TEX_LENGTH = 4_000;
/** Limit on macro expansions per formula, against `\def\a{\a\a}`-style blow-ups. */
const MAX_MACRO_EXPANSIONS = 500;
/** Largest box a formula may ask for, in em, against `\rule{1000em}{1000em}`. */
const MAX_SIZE_EM = 20;
/** Rendered formulas kept in memory: feeds show the same abstracts again and again. */
const CACHE_ENTRIES = 20_000;

/** The version of KaTeX whose CSS and fonts the pages must load (its HTML output is tied to its CSS). */
export const KATEX_VERSION: string = katex.version;

const cache = new LruCache<Html>(CACHE_ENTRIES);

/**
 * Typesets one formula (`tex` without delimiters). When KaTeX refuses it, the original `source` (with delimiters)
 * is shown escaped in `<code class="tex-source">`.
 */
export function renderMath(tex: string, display: boolean, source: string): Html {
  return cache.getOrCompute(`${display ? 'D' : 'I'}${tex}`, () => {
    try {
      return renderMathOrThrow(tex, display);
    } catch {
      return trustedHtml(`<code class="tex-source">${escapeHtml(source)}</code>`);
    }
  });
}

/** KaTeX with our settings; throws on anything it cannot render (used by renderMath and by the measurement). */
export function renderMathOrThrow(tex: string, display: boolean): Html {
  if (tex.length > MAX_TEX_LENGTH) throw new Error(`formula longer than ${MAX_TEX_LENGTH} characters`);
  return trustedHtml(
    katex.renderToString(tex, {
      displayMode: display,
      throwOnError: true,
      // arXiv TeX is written for LaTeX, not for KaTeX's strict mode: accept its habits (Unicode in math, etc.).
      strict: 'ignore',
      // No \href, \url links, \includegraphics or raw HTML classes from user-supplied TeX.
      trust: false,
      macros: { ...KATEX_MACROS },
      maxExpand: MAX_MACRO_EXPANSIONS,
      maxSize: MAX_SIZE_EM,
      output: 'htmlAndMathml',
    }),
  );
}
