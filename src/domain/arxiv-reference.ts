/**
 * What people paste when they mean an arXiv paper: a bare id (`2206.00927v2`, `hep-th/9901001`), an `arXiv:` citation,
 * or a link to its abstract, PDF or HTML page on arXiv, or to its Hugging Face papers page. All of them name one
 * paper; this turns each into the canonical id (and the version, when one was given), or says what was wrong.
 * Anything else (other sites, other paths, garbage) is refused rather than guessed at.
 */
import { type ArxivIdResult, parseArxivId, truncateForMessage } from './arxiv-id.ts';

/** Longest pasted text we look at, in characters: the longest real link is about 60. */
export const MAX_ARXIV_REFERENCE_LENGTH = 300;

/** Hosts whose links name an arXiv paper by its path. */
const ARXIV_HOSTS = new Set(['arxiv.org', 'www.arxiv.org', 'export.arxiv.org']);
const HUGGING_FACE_HOSTS = new Set(['huggingface.co', 'www.huggingface.co', 'hf.co']);
/** arXiv pages that carry the id right after their first path segment: /abs/ID, /pdf/ID(.pdf), /html/ID. */
const ARXIV_PAPER_PAGES = new Set(['abs', 'pdf', 'html']);

/** `arXiv:2206.00927`, `arxiv: 2206.00927` (citations, BibTeX `eprint` fields). */
const ARXIV_PREFIX = /^arxiv:\s*/i;
/** A link pasted without its scheme: `arxiv.org/abs/...`, `www.arxiv.org/...`, `huggingface.co/papers/...`. */
const SCHEMELESS_LINK = /^(?:[a-z0-9-]+\.)+[a-z]{2,}\//i;
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Parses a pasted paper reference into `{id, version}` (the id canonical, without version), or a reason naming what
 * was wrong. See the module comment for the accepted forms.
 */
export function parseArxivReference(text: string): ArxivIdResult {
  let input = text.trim();
  // Links in mail and Markdown come wrapped in angle brackets: <https://arxiv.org/abs/2206.00927>.
  if (input.startsWith('<') && input.endsWith('>')) input = input.slice(1, -1).trim();
  if (input === '') return { ok: false, reason: 'no paper was given: paste an arXiv id or link' };
  if (input.length > MAX_ARXIV_REFERENCE_LENGTH) {
    return { ok: false, reason: `a paper reference has at most ${MAX_ARXIV_REFERENCE_LENGTH} characters` };
  }
  if (ARXIV_PREFIX.test(input)) return parseBareId(input.replace(ARXIV_PREFIX, ''));
  if (HAS_SCHEME.test(input)) return parseLink(input, input);
  const bare = parseBareId(input);
  // `math.AG/0601001` looks like a host and a path too: an id wins, since no host is named like an archive.
  if (bare.ok || !SCHEMELESS_LINK.test(input)) return bare;
  return parseLink(`https://${input}`, input);
}

function parseBareId(input: string): ArxivIdResult {
  if (/\s/.test(input)) {
    return { ok: false, reason: `'${truncateForMessage(input)}' is not an arXiv id (it contains spaces)` };
  }
  return parseArxivId(input);
}

function parseLink(href: string, pasted: string): ArxivIdResult {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return { ok: false, reason: `'${truncateForMessage(pasted)}' is not a valid link` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, reason: `only http(s) links are accepted, not ${url.protocol.slice(0, -1)}: links` };
  }
  const host = url.hostname.toLowerCase();
  const segments = pathSegments(url.pathname);
  if (segments === null) return { ok: false, reason: `'${truncateForMessage(pasted)}' is not a valid link` };
  if (ARXIV_HOSTS.has(host)) {
    const [page, ...rest] = segments;
    if (page === undefined || !ARXIV_PAPER_PAGES.has(page) || rest.length === 0) {
      return {
        ok: false,
        reason: `this arXiv link does not point to a paper (expected arxiv.org/abs/ID or arxiv.org/pdf/ID)`,
      };
    }
    let id = rest.join('/');
    if (page === 'pdf') id = id.replace(/\.pdf$/i, '');
    return idFromLink(id);
  }
  if (HUGGING_FACE_HOSTS.has(host)) {
    const [page, ...rest] = segments;
    if (page !== 'papers' || rest.length === 0) {
      return {
        ok: false,
        reason: 'this Hugging Face link does not point to a paper (expected huggingface.co/papers/ID)',
      };
    }
    return idFromLink(rest.join('/'));
  }
  return {
    ok: false,
    reason: `links to ${truncateForMessage(host)} are not accepted; paste an arXiv id, or a link to arxiv.org or huggingface.co/papers`,
  };
}

/** The id part of a link's path, decoded; a malformed one says so in the link's terms. */
function idFromLink(id: string): ArxivIdResult {
  const parsed = parseArxivId(id);
  if (parsed.ok) return parsed;
  return { ok: false, reason: `the link does not end in a valid arXiv id: ${parsed.reason}` };
}

/** Non-empty path segments, percent-decoded; null when the encoding is broken. */
function pathSegments(pathname: string): string[] | null {
  try {
    return pathname
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s));
  } catch {
    return null;
  }
}
