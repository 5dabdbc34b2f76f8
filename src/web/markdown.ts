/**
 * Comment bodies, from Markdown with math to HTML that is safe to put in a page.
 *
 * How it stays safe, in three layers:
 * 1. markdown-it with raw HTML off (a `<script>` typed in a comment is shown as text), its own link check (no
 *    `javascript:`, `vbscript:`, `file:` or `data:` links), no images, and a nesting limit;
 * 2. sanitize-html over its output with a short allowlist of tags and attributes: no scripts, no event handlers, no
 *    `style`, no SVG or MathML, links only to http, https and mailto (or a path on this site), each link marked
 *    `rel="nofollow ugc noopener"`;
 * 3. math is cut out of the Markdown before either sees it and replaced by a placeholder that carries a random
 *    nonce; KaTeX (`trust: false`, bounded expansion and size, see web/tex.ts) typesets the TeX, and its output is
 *    spliced in only after sanitising. KaTeX's HTML needs inline styles, which the sanitiser must forbid to users:
 *    splicing afterwards keeps that rule absolute for what users write, while the only styled markup is KaTeX's,
 *    built by us from TeX (where `\href`, `\url`, `\htmlStyle`, `\htmlData`, `\includegraphics` do nothing without
 *    trust). A user cannot forge a placeholder: the nonce is new for every rendering.
 *
 * Images are not allowed at all (`![x](...)` stays text). An image in a comment is fetched by every reader's
 * browser from wherever its author chose: a tracking pixel that tells a third party who reads which discussion, and
 * content nobody here moderates. A link to a figure costs the reader one click.
 *
 * `@username` becomes a link to /u/{username} when that person exists (the caller looks the names up once, see
 * domain/comments.ts mentionCandidates); never inside code, and never inside another link.
 */
import { randomBytes } from 'node:crypto';
import MarkdownIt, { type StateInline, type Token } from 'markdown-it';
import sanitizeHtml from 'sanitize-html';
import { escapeHtml, type Html, trustedHtml } from './presenters/html/html.ts';
import { LruCache } from './presenters/html/lru-cache.ts';
import { renderMath } from './tex.ts';

/** Rendered comments kept in memory (the same discussion is shown to every reader). */
const RENDERED_CACHE_ENTRIES = 2_000;
/** Bodies longer than this, in characters, are rendered each time rather than cached (they are rare and large). */
const CACHEABLE_BODY_MAX_CHARS = 4_000;
/** Deepest nesting of block quotes and lists markdown-it follows, against pathological input. */
const MAX_MARKDOWN_NESTING = 20;
/** The `rel` every link in a comment carries: no endorsement, user content, no window.opener. */
export const COMMENT_LINK_REL = 'nofollow ugc noopener';

const MENTION_AT_START = /^@([A-Za-z0-9][A-Za-z0-9_-]{1,29})(?![\w-])/;
/** Characters that, right before an `@`, make it part of something else (an email address, a path). */
const NOT_BEFORE_MENTION = /[\w@./+-]/;

interface RenderEnv {
  [key: string | symbol]: unknown;
  /** Lower-cased username -> username as stored, for the people who exist. */
  mentions: ReadonlyMap<string, string>;
  /** Typeset formulas, by placeholder number. */
  math: Html[];
  nonce: string;
  /** Valid closing `$` positions of the inline source being parsed (see closingDollars). */
  closers?: { src: string; positions: number[] };
}

const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'hr',
    'h3',
    'strong',
    'em',
    's',
    'code',
    'pre',
    'blockquote',
    'ul',
    'ol',
    'li',
    'a',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
  ],
  allowedAttributes: { a: ['href', 'rel', 'class'], ol: ['start'] },
  allowedClasses: { a: ['mention'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: {},
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  // Headings in a comment must not outrank the page's own ("Discussion" is an h2).
  transformTags: {
    h1: 'h3',
    h2: 'h3',
    h4: 'h3',
    h5: 'h3',
    h6: 'h3',
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: COMMENT_LINK_REL } }),
  },
};

const markdown = createMarkdown();
const cache = new LruCache<Html>(RENDERED_CACHE_ENTRIES);

/**
 * The HTML of a comment body. `mentions` maps lower-cased usernames to the stored spelling of the people that
 * exist; other `@names` stay text. Results are cached by body and mentions.
 */
export function renderCommentMarkdown(body: string, mentions: ReadonlyMap<string, string> = new Map()): Html {
  if (body.length > CACHEABLE_BODY_MAX_CHARS) return renderUncached(body, mentions);
  const known = [...mentions.entries()]
    .filter(([key]) => body.toLowerCase().includes(`@${key}`))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, name]) => `${key}=${name}`)
    .join(',');
  return cache.getOrCompute(`${known}\u0000${body}`, () => renderUncached(body, mentions));
}

function renderUncached(body: string, mentions: ReadonlyMap<string, string>): Html {
  const env: RenderEnv = { mentions, math: [], nonce: randomBytes(12).toString('hex') };
  const clean = sanitizeHtml(markdown.render(body, env), SANITIZE_OPTIONS);
  if (env.math.length === 0) return trustedHtml(clean);
  const placeholder = new RegExp(`PBMATH${env.nonce}N(\\d+)E`, 'g');
  return trustedHtml(clean.replace(placeholder, (_whole, slot: string) => env.math[Number(slot)] ?? ''));
}

function createMarkdown(): ReturnType<typeof MarkdownIt> {
  const md = new MarkdownIt('default', {
    html: false,
    linkify: true,
    breaks: true,
    typographer: false,
    maxNesting: MAX_MARKDOWN_NESTING,
  });
  md.disable('image');
  md.inline.ruler.before('escape', 'pb_math', mathRule);
  md.inline.ruler.before('escape', 'pb_mention', mentionRule);
  md.renderer.rules.pb_math = (tokens, index, _options, rawEnv) => {
    const env = rawEnv as unknown as RenderEnv;
    const token = tokens[index]!;
    const display = token.markup === '$$';
    const slot = env.math.push(renderMath(token.content, display, `${token.markup}${token.content}${token.markup}`));
    return `PBMATH${env.nonce}N${slot - 1}E`;
  };
  md.renderer.rules.pb_mention = (tokens, index, _options, rawEnv) => {
    const env = rawEnv as unknown as RenderEnv;
    const typed = tokens[index]!.content;
    const username = env.mentions.get(typed.toLowerCase());
    if (!username) return escapeHtml(`@${typed}`);
    return `<a class="mention" href="/u/${encodeURIComponent(username)}">@${escapeHtml(typed)}</a>`;
  };
  return md;
}

/**
 * `$...$` (inline) and `$$...$$` (display) math, read as pandoc does so that prices survive: the opening `$` is
 * followed by a non-space, the closing `$` follows a non-space and is not followed by a digit (`$5 and $10` is text).
 * `\$` is a literal dollar (markdown-it's escape rule, which runs after this one, sees it first).
 */
function mathRule(state: StateInline, silent: boolean): boolean {
  const { src, pos: start, posMax } = state;
  if (src.charCodeAt(start) !== 0x24) return false;
  if (start > 0 && src.charCodeAt(start - 1) === 0x5c) return false;
  if (src.charCodeAt(start + 1) === 0x24) {
    const end = src.indexOf('$$', start + 2);
    if (end < 0 || end + 2 > posMax) return false;
    const tex = src.slice(start + 2, end);
    if (tex.trim() === '') return false;
    if (!silent) pushMath(state, tex, '$$');
    state.pos = end + 2;
    return true;
  }
  const first = src[start + 1];
  if (first === undefined || /\s/.test(first)) return false;
  const end = firstCloserAfter(closingDollars(state), start + 1);
  if (end === null || end >= posMax) return false;
  if (!silent) pushMath(state, src.slice(start + 1, end), '$');
  state.pos = end + 1;
  return true;
}

function pushMath(state: StateInline, tex: string, markup: '$' | '$$'): void {
  const token: Token = state.push('pb_math', '', 0);
  token.content = tex;
  token.markup = markup;
}

/**
 * Where an inline formula may end in this source: whether a `$` closes depends only on its neighbours, so the
 * positions are found once per paragraph (a paragraph of 10,000 unmatched `$1` stays linear, not quadratic).
 */
function closingDollars(state: StateInline): number[] {
  const env = state.env as unknown as RenderEnv;
  if (env.closers?.src === state.src) return env.closers.positions;
  const positions: number[] = [];
  const src = state.src;
  for (let i = src.indexOf('$', 1); i !== -1; i = src.indexOf('$', i + 1)) {
    const before = src[i - 1]!;
    const after = src[i + 1] ?? '';
    if (/\s/.test(before) || before === '\\' || before === '$' || after === '$' || /\d/.test(after)) continue;
    positions.push(i);
  }
  env.closers = { src, positions };
  return positions;
}

/** The first position in the sorted list greater than `after`, or null. */
function firstCloserAfter(positions: number[], after: number): number | null {
  let low = 0;
  let high = positions.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (positions[middle]! <= after) low = middle + 1;
    else high = middle;
  }
  return positions[low] ?? null;
}

/** `@username`, not inside a link's text and not part of an email address or a path. */
function mentionRule(state: StateInline, silent: boolean): boolean {
  const { src, pos } = state;
  if (src.charCodeAt(pos) !== 0x40 || state.linkLevel > 0) return false;
  if (pos > 0 && NOT_BEFORE_MENTION.test(src[pos - 1]!)) return false;
  const match = MENTION_AT_START.exec(src.slice(pos, Math.min(state.posMax, pos + 32)));
  if (!match) return false;
  if (!silent) {
    const token = state.push('pb_mention', '', 0);
    token.content = match[1]!;
  }
  state.pos += match[0].length;
  return true;
}
