/**
 * A paper's code and project links, found in what its authors wrote: arXiv has no field for them, so authors put
 * "Code is available at https://github.com/owner/repo" in the abstract and "Project page: https://x.github.io/" in
 * the comments. Readers (and Hugging Face's clients, as `githubRepo` and `projectPage`) want them as links. Pure: text
 * in, links out, so that every source (snapshot, OAI-PMH, the API) finds the same links in the same text.
 *
 * The text is arXiv's raw metadata, typed by people: URLs come wrapped in TeX (`\url{...}`, `\href{...}{...}`, `\_`),
 * followed by sentence punctuation (`.../repo.`, `(...)`), split over a line break, or point below the repository
 * (`/tree/main/src`). A found link is only a guess, so a link the source or a submitter gives explicitly always wins
 * over it (see preferExplicitLink, used when records are merged).
 */
import type { PaperRecord } from './paper.ts';
import { normalizeGithubRepo, SUBMISSION_LINK_MAX_CHARS } from './submission-fields.ts';

/** What the text says about where the code and the project live; null when it says nothing usable. */
export interface PaperLinks {
  githubRepo: string | null;
  projectPage: string | null;
}

/** The two link fields of a paper. */
export type LinkField = keyof PaperLinks;

/** How far before a URL (in characters) words like "code" or "project page" are looked for. */
const CUE_WINDOW_CHARS = 60;

/** Cheap test first: most abstracts have no link at all, and this runs for every record of a 2.9 M snapshot. */
const MIGHT_HAVE_LINK = /https?:|www\.|github|\\url|\\href/i;

/** `\href{URL}{text}`: the URL, and the text kept before it (it is often "project page"). */
const TEX_HREF = /\\href\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g;
/** `\url{URL}`. */
const TEX_URL = /\\url\s*\{([^{}]*)\}/g;
/** TeX escapes of characters that occur in URLs, and the character each stands for. */
const TEX_URL_ESCAPES: ReadonlyArray<[RegExp, string]> = [
  [/\$\\sim\$|\\textasciitilde(?:\{\})?|\\~(?:\{\})?/g, '~'],
  [/\\([_%#&$])/g, '$1'],
  [/\\\\/g, ' '],
];

/** A URL wrapped at a line break, when what follows the break looks like more URL rather than a word of prose. */
const URL_WRAPPED = /((?:https?:\/\/|www\.)[^\s<>"]*[/_\-=?&#~])[ \t]*\r?\n[ \t]*([^\s<>"]+)/g;
/**
 * A continuation that is surely part of a URL: it has URL punctuation inside it (a plain word, or a number such as
 * "12 pages", may be prose).
 */
const URL_LIKE_CONTINUATION = /[/._\-#?=~%]/;
/** `github.com/owner/` at a line end: the repository name must be on the next line. */
const GITHUB_OWNER_ONLY = /github\.com\/[A-Za-z0-9-]+\/$/i;

/**
 * URLs in running text: with a scheme or `www.`, and the bare `github.com/...` and `*.github.io` authors write
 * without one (not inside another host name such as gist.github.com, nor after a slash).
 */
const URL_IN_TEXT =
  /(?:https?:\/\/|www\.)[^\s<>"'{}|\\^`[\]]+|(?<![\w.@/-])(?:github\.com|[A-Za-z0-9-]+\.github\.io)(?:\/[^\s<>"'{}|\\^`[\]]*)?/gi;
const TRAILING_PUNCTUATION = /[.,;:!?'"*]+$/;

/** First path segments of github.com that are GitHub's own pages, not owners of repositories. */
const GITHUB_RESERVED_OWNERS = new Set([
  'about',
  'account',
  'apps',
  'blog',
  'codespaces',
  'collections',
  'contact',
  'customer-stories',
  'dashboard',
  'enterprise',
  'events',
  'explore',
  'features',
  'issues',
  'join',
  'login',
  'marketplace',
  'new',
  'notifications',
  'organizations',
  'orgs',
  'pricing',
  'pulls',
  'readme',
  'search',
  'security',
  'settings',
  'site',
  'solutions',
  'sponsors',
  'stars',
  'team',
  'topics',
  'trending',
  'users',
]);

/** Words before a GitHub URL saying it is this paper's code (rather than a tool it used). */
const CODE_CUE =
  /\b(?:code|codes|implementation|source|repository|repo|available|released|release|open[- ]?source[sd]?|software|package|library|toolbox|toolkit|github)\b/i;
/** Words before a URL saying it is the paper's project page. */
const PROJECT_CUE =
  /\bproject(?:'s)?\s*(?:page|website|site|homepage|web\s*page)\b|\bweb\s*site\b|\bhome\s*page\b|\bweb\s*page\b|\bdemo(?:s|nstration)?\b|\bproject\s*:/i;

/**
 * Hosts that are never a project page: arXiv itself, DOIs, code hosting (GitHub's repositories are `githubRepo`),
 * dataset and file hosts, licences. Matched as the host or a parent domain of it.
 */
const NOT_PROJECT_HOSTS = [
  'arxiv.org',
  'doi.org',
  'github.com',
  'githubusercontent.com',
  'gitlab.com',
  'bitbucket.org',
  'zenodo.org',
  'figshare.com',
  'kaggle.com',
  'data.mendeley.com',
  'dataverse.harvard.edu',
  'openml.org',
  'paperswithcode.com',
  'drive.google.com',
  'dropbox.com',
  'creativecommons.org',
];
/** Hosts whose pages are project pages even without a cue word (static sites made for a paper, demos). */
const PROJECT_HOST_SUFFIXES = ['.github.io', '.gitlab.io'];
/** A path to a file rather than a page: a PDF, slides, an archive. */
const FILE_PATH = /\.(?:pdf|ps|ps\.gz|eps|ppt|pptx|doc|docx|zip|tar|gz|tgz|bz2|7z)$/i;

/** One URL found in a text, with the words just before it. */
interface FoundUrl {
  url: URL;
  context: string;
}

/** The GitHub repository and project page that a paper's abstract and comments name, if any. */
export function findPaperLinks(texts: { abstract?: string | null; comments?: string | null }): PaperLinks {
  const found: FoundUrl[] = [];
  for (const text of [texts.abstract, texts.comments]) {
    if (text && MIGHT_HAVE_LINK.test(text)) found.push(...urlsIn(untex(text)));
  }
  const repos: Array<{ repo: string; context: string }> = [];
  const pages: Array<{ page: string; cued: boolean; strong: boolean }> = [];
  for (const { url, context } of found) {
    const repo = githubRepository(url);
    if (repo) {
      repos.push({ repo, context });
      continue;
    }
    if (!mayBeProjectPage(url)) continue;
    const cued = PROJECT_CUE.test(context);
    const strong = isProjectHost(url);
    if (cued || strong) pages.push({ page: url.href, cued, strong });
  }
  return {
    githubRepo: (repos.find((r) => CODE_CUE.test(r.context)) ?? repos[0])?.repo ?? null,
    projectPage: (pages.find((p) => p.cued) ?? pages[0])?.page ?? null,
  };
}

/**
 * Which value of a link to keep when two records of a paper are merged: the primary record's (the one describing the
 * newest version), unless it merely repeats what its own text says while the other record's link was given
 * explicitly (by the source, e.g. Hugging Face, or by a submitter): an explicit link is never replaced by a guess.
 */
export function preferExplicitLink(primary: PaperRecord, secondary: PaperRecord, field: LinkField): string | null {
  const mine = primary[field];
  const theirs = secondary[field];
  if (mine === null || theirs === null || mine === theirs) return mine ?? theirs;
  const mineFound = findPaperLinks(primary)[field] === mine;
  const theirsFound = findPaperLinks(secondary)[field] === theirs;
  return mineFound && !theirsFound ? theirs : mine;
}

/** TeX's ways of writing a URL, undone: `\url{a\_b}` -> `a_b`, `\href{u}{text}` -> `text: u`. */
function untex(text: string): string {
  let out = text
    .replace(TEX_HREF, (_, url: string, label: string) => ` ${label}: ${url.replace(/\s+/g, '')} `)
    .replace(TEX_URL, (_, url: string) => ` ${url.replace(/\s+/g, '')} `);
  for (const [pattern, replacement] of TEX_URL_ESCAPES) out = out.replace(pattern, replacement);
  return out.replace(URL_WRAPPED, (whole, head: string, next: string) =>
    URL_LIKE_CONTINUATION.test(next.replace(TRAILING_PUNCTUATION, '')) || GITHUB_OWNER_ONLY.test(head)
      ? `${head}${next}`
      : whole,
  );
}

function urlsIn(text: string): FoundUrl[] {
  const out: FoundUrl[] = [];
  let previousEnd = 0;
  for (const match of text.matchAll(URL_IN_TEXT)) {
    const raw = trimTrailing(match[0]);
    const start = match.index;
    const context = text.slice(Math.max(previousEnd, start - CUE_WINDOW_CHARS), start);
    previousEnd = start + match[0].length;
    if (raw.length > SUBMISSION_LINK_MAX_CHARS) continue;
    try {
      out.push({ url: new URL(/^https?:\/\//i.test(raw) ? raw : `https://${raw}`), context });
    } catch {
      // Not a URL after all (e.g. `www.` followed by nothing a URL may hold).
    }
  }
  return out;
}

/** Sentence punctuation after a URL, and a closing bracket that does not close one inside it. */
function trimTrailing(raw: string): string {
  let text = raw;
  for (;;) {
    const before = text;
    text = text.replace(TRAILING_PUNCTUATION, '');
    for (const [open, close] of [
      ['(', ')'],
      ['[', ']'],
    ] as const) {
      if (text.endsWith(close) && count(text, open) < count(text, close)) text = text.slice(0, -1);
    }
    if (text === before) return text;
  }
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

function hostOf(url: URL): string {
  return url.hostname.toLowerCase().replace(/^www\./, '');
}

/** `https://github.com/owner/repo` for a URL at or below a repository (`.git`, `/tree/main/...`); else null. */
function githubRepository(url: URL): string | null {
  if (hostOf(url) !== 'github.com') return null;
  const [owner, repo] = url.pathname.split('/').filter((s) => s !== '');
  if (!owner || !repo || GITHUB_RESERVED_OWNERS.has(owner.toLowerCase())) return null;
  const result = normalizeGithubRepo(`https://github.com/${owner}/${repo.replace(/\.+$/, '')}`);
  return result.ok ? result.value : null;
}

function hostIs(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

/** A web page that could be the project's: not arXiv, a DOI, code or data hosting, nor a file. */
function mayBeProjectPage(url: URL): boolean {
  const host = hostOf(url);
  if (!host.includes('.') || NOT_PROJECT_HOSTS.some((domain) => hostIs(host, domain))) return false;
  if (host === 'huggingface.co' && !url.pathname.startsWith('/spaces/')) return false;
  return !FILE_PATH.test(url.pathname);
}

/** Static sites made for a paper, and Hugging Face Spaces (demos). */
function isProjectHost(url: URL): boolean {
  const host = hostOf(url);
  if (host === 'huggingface.co' || host === 'sites.google.com') return true;
  return PROJECT_HOST_SUFFIXES.some((suffix) => host.endsWith(suffix));
}
