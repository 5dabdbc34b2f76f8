/**
 * The text between the formulas of a title or abstract, as a reader should see it. arXiv metadata is TeX typed into
 * a form: accents (`Schr\"odinger`), emphasis (`\emph{not}`, `{\em not}`), escapes (`\%`, `\$`), quotes
 * (``like this''), symbols written outside math (`\pm`, `\alpha`) and bare URLs. Accents go through the shared
 * texAccentsToUnicode; the rest is interpreted here, and everything else is shown exactly as written, HTML-escaped.
 */
import { texAccentsToUnicode } from '../../../domain/tex-accents.ts';
import { escapeHtml, type Html, trustedHtml } from './html.ts';
import { TEX_SYMBOLS } from './tex-symbols.ts';

type Style = 'em' | 'strong' | 'code' | 'smallcaps' | 'plain';

type TextNode =
  | { type: 'text'; value: string }
  | { type: 'styled'; style: Style; children: TextNode[] }
  | { type: 'link'; href: string; children: TextNode[] };

/** Commands that take one braced argument and style it. */
const STYLE_COMMANDS: Record<string, Style> = {
  emph: 'em',
  textit: 'em',
  textsl: 'em',
  textbf: 'strong',
  texttt: 'code',
  textsc: 'smallcaps',
  textrm: 'plain',
  textup: 'plain',
  textnormal: 'plain',
  textsf: 'plain',
  text: 'plain',
  mbox: 'plain',
  underline: 'plain',
};

/** Declarations that style the rest of their group: `{\em word}`. */
const STYLE_SWITCHES: Record<string, Style> = {
  em: 'em',
  it: 'em',
  sl: 'em',
  itshape: 'em',
  bf: 'strong',
  bfseries: 'strong',
  tt: 'code',
  ttfamily: 'code',
  sc: 'smallcaps',
  scshape: 'smallcaps',
  rm: 'plain',
  sf: 'plain',
  upshape: 'plain',
  normalfont: 'plain',
};

/** Escaped characters and spacing commands: `\%` is a percent sign, `\,` a thin space. */
const CHARACTER_ESCAPES: Record<string, string> = {
  $: '$',
  '%': '%',
  '&': '&',
  _: '_',
  '#': '#',
  '{': '{',
  '}': '}',
  ' ': ' ',
  ',': '\u2009',
  ';': ' ',
  ':': ' ',
  '!': '',
  '-': '',
  '/': '',
  '\\': ' ',
};

/** Deeper brace nesting than this is not interpreted (keeps a hostile title from exhausting the stack). */
const MAX_GROUP_DEPTH = 20;
/** Longest URL linked, in characters; longer ones stay text. */
const MAX_URL_LENGTH = 500;
const URL_PATTERN = /https?:\/\/[^\s<>"'`{}\\]+/g;
/** Punctuation that ends a sentence rather than a URL: "see https://x.org/a." */
const URL_TRAILING_PUNCTUATION = /[.,;:!?)\]]+$/;

/** Renders a text run as safe HTML (emphasis as `<em>`/`<strong>`, URLs as links). */
export function texTextToHtml(raw: string): Html {
  return trustedHtml(nodesToHtml(parseText(raw)));
}

/** Renders a text run as plain Unicode text (for `<title>`, meta descriptions and link labels). */
export function texTextToPlain(raw: string): string {
  return nodesToPlain(parseText(raw));
}

function parseText(raw: string): TextNode[] {
  const parser = new TextParser(texAccentsToUnicode(raw));
  return parser.sequence(0, false);
}

class TextParser {
  private at = 0;
  /** Index of each balanced `{` -> index of its `}`; an unbalanced brace is shown as a character. */
  private readonly closingBraces = new Map<number, number>();

  constructor(private readonly input: string) {
    const open: number[] = [];
    for (let i = 0; i < input.length; i++) {
      const ch = input[i];
      if (ch === '\\') i += 1;
      else if (ch === '{') open.push(i);
      else if (ch === '}' && open.length > 0) this.closingBraces.set(open.pop()!, i);
    }
  }

  /** Reads nodes until the end, or until the `}` closing the current group when `inGroup`. */
  sequence(depth: number, inGroup: boolean): TextNode[] {
    const nodes: TextNode[] = [];
    let text = '';
    const flush = () => {
      if (text.length > 0) nodes.push({ type: 'text', value: text });
      text = '';
    };
    const input = this.input;
    while (this.at < input.length) {
      const ch = input[this.at]!;
      if (ch === '}' && inGroup) {
        this.at += 1;
        break;
      }
      if (ch === '{' && depth < MAX_GROUP_DEPTH && this.closingBraceExists(this.at)) {
        this.at += 1;
        flush();
        const children = this.sequence(depth + 1, true);
        // TeX drops grouping braces; we keep them visible unless the group was only there to scope a style, because
        // arXiv's own pages show them and braces outside math often carry meaning ("the set {0,1}").
        if (children.length === 1 && children[0]!.type === 'styled') nodes.push(children[0]!);
        else nodes.push({ type: 'text', value: '{' }, ...children, { type: 'text', value: '}' });
        continue;
      }
      if (ch !== '\\' || this.at + 1 >= input.length) {
        text += ch;
        this.at += 1;
        continue;
      }
      const next = input[this.at + 1]!;
      const escaped = CHARACTER_ESCAPES[next];
      if (escaped !== undefined) {
        text += escaped;
        this.at += 2;
        continue;
      }
      const word = /^[A-Za-z]+/.exec(input.slice(this.at + 1, this.at + 40))?.[0];
      if (!word) {
        text += ch;
        this.at += 1;
        continue;
      }
      const start = this.at;
      this.at += 1 + word.length;
      const node = this.command(word, depth);
      if (node === 'switch') {
        flush();
        // The declaration styles everything up to the end of the enclosing group (or of the text).
        const style = STYLE_SWITCHES[word]!;
        const rest = this.sequence(depth + 1, inGroup);
        nodes.push({ type: 'styled', style, children: rest });
        return nodes;
      }
      if (node === null) {
        text += input.slice(start, this.at);
        continue;
      }
      if (node.type === 'text') {
        text += node.value;
        continue;
      }
      flush();
      nodes.push(node);
    }
    flush();
    return nodes;
  }

  /** Interprets a control word whose name has just been read; null leaves it as written. */
  private command(word: string, depth: number): TextNode | 'switch' | null {
    const style = STYLE_COMMANDS[word];
    if (style !== undefined) {
      const children = this.groupArgument(depth);
      return children === null ? null : { type: 'styled', style, children };
    }
    if (STYLE_SWITCHES[word] !== undefined && depth < MAX_GROUP_DEPTH) {
      // Authors often write `\bf{word}` meaning `\textbf{word}`: take the group right after as the argument.
      if (this.input[this.at] === '{' && this.closingBraceExists(this.at)) {
        const children = this.groupArgument(depth);
        if (children !== null) return { type: 'styled', style: STYLE_SWITCHES[word]!, children };
      }
      this.skipSpaces();
      return 'switch';
    }
    if (word === 'url') {
      const url = this.rawArgument();
      if (url === null) return null;
      return linkNode(url, [{ type: 'text', value: url }]);
    }
    if (word === 'href') {
      const url = this.rawArgument();
      if (url === null) return null;
      const label = this.groupArgument(depth);
      return linkNode(url, label ?? [{ type: 'text', value: url }]);
    }
    const symbol = TEX_SYMBOLS.get(word);
    if (symbol !== undefined) {
      // A control word swallows the spaces after it; `\alpha{}` ends it explicitly.
      if (this.input.startsWith('{}', this.at)) this.at += 2;
      return { type: 'text', value: symbol };
    }
    return null;
  }

  /** A `{...}` argument (after optional spaces), parsed as text; null when there is none. */
  private groupArgument(depth: number): TextNode[] | null {
    const save = this.at;
    this.skipSpaces();
    if (this.input[this.at] !== '{' || depth >= MAX_GROUP_DEPTH || !this.closingBraceExists(this.at)) {
      this.at = save;
      return null;
    }
    this.at += 1;
    return this.sequence(depth + 1, true);
  }

  /** A `{...}` argument taken verbatim (a URL); null when there is none. */
  private rawArgument(): string | null {
    this.skipSpaces();
    const close = this.closingBraces.get(this.at);
    if (close === undefined) return null;
    const value = this.input.slice(this.at + 1, close);
    this.at = close + 1;
    return value;
  }

  private skipSpaces(): void {
    while (this.input[this.at] === ' ') this.at += 1;
  }

  /** Whether the `{` at `open` has a matching `}`. */
  private closingBraceExists(open: number): boolean {
    return this.closingBraces.has(open);
  }
}

function linkNode(url: string, children: TextNode[]): TextNode {
  const href = url.trim();
  if (!/^https?:\/\//i.test(href) || href.length > MAX_URL_LENGTH) return { type: 'styled', style: 'plain', children };
  return { type: 'link', href, children };
}

const STYLE_TAGS: Record<Style, [string, string]> = {
  em: ['<em>', '</em>'],
  strong: ['<strong>', '</strong>'],
  code: ['<code>', '</code>'],
  smallcaps: ['<span class="small-caps">', '</span>'],
  plain: ['', ''],
};

function nodesToHtml(nodes: TextNode[], insideLink = false): string {
  const quotes = { open: false };
  return nodes
    .map((node) => {
      if (node.type === 'text') {
        const typeset = typography(node.value, quotes);
        return insideLink ? escapeHtml(typeset) : linkifyAndEscape(typeset);
      }
      if (node.type === 'styled') {
        const [open, close] = STYLE_TAGS[node.style];
        return `${open}${nodesToHtml(node.children, insideLink)}${close}`;
      }
      return `<a href="${escapeHtml(node.href)}" rel="nofollow ugc noopener">${nodesToHtml(node.children, true)}</a>`;
    })
    .join('');
}

function nodesToPlain(nodes: TextNode[]): string {
  const quotes = { open: false };
  return nodes
    .map((node) => (node.type === 'text' ? typography(node.value, quotes) : nodesToPlain(node.children)))
    .join('');
}

/** TeX's typographic ligatures that arXiv text relies on: ``quotes'' and number ranges (10--20). */
function typography(text: string, quotes: { open: boolean }): string {
  let out = text
    .replace(/(?<=\d)--(?=\d)/g, '–')
    .replace(/ --- /g, ' — ')
    .replace(/ -- /g, ' – ');
  out = out.replace(/``|''/g, (mark) => {
    if (mark === '``') {
      quotes.open = true;
      return '“';
    }
    if (!quotes.open) return mark;
    quotes.open = false;
    return '”';
  });
  return out;
}

/** Escapes text, turning bare http(s) URLs into links (abstracts often end "Code: https://github.com/..."). */
function linkifyAndEscape(text: string): string {
  let html = '';
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const url = match[0].replace(URL_TRAILING_PUNCTUATION, '');
    if (url.length <= 'https://'.length || url.length > MAX_URL_LENGTH) continue;
    const start = match.index;
    html += escapeHtml(text.slice(last, start));
    html += `<a href="${escapeHtml(url)}" rel="nofollow ugc noopener">${escapeHtml(url)}</a>`;
    last = start + url.length;
  }
  return html + escapeHtml(text.slice(last));
}
