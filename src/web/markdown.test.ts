import { describe, expect, it } from 'vitest';
import { COMMENT_LINK_REL, renderCommentMarkdown } from './markdown.ts';

/** Tags and attributes a comment's own markup may use (KaTeX's output is checked separately). */
const ALLOWED_TAGS = new Set([
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
]);
const ALLOWED_ATTRIBUTES: Record<string, Set<string>> = {
  a: new Set(['href', 'rel', 'class']),
  ol: new Set(['start']),
};
const TAG = /<([a-zA-Z][\w-]*)((?:\s+[^\s=>/]+(?:="[^"]*")?)*)\s*\/?>/g;
const ATTRIBUTE = /([^\s=>/]+)(?:="([^"]*)")?/g;

/** Every real tag of the HTML (escaped text such as `&lt;script&gt;` is not a tag), with its attributes. */
function tagsOf(html: string): { name: string; attributes: Map<string, string> }[] {
  return [...html.matchAll(TAG)].map((match) => ({
    name: match[1]!.toLowerCase(),
    attributes: new Map([...match[2]!.matchAll(ATTRIBUTE)].map((a) => [a[1]!.toLowerCase(), a[2] ?? ''])),
  }));
}

/** Fails unless the HTML uses only the allowlist, with safe links that all carry the ugc rel. */
function expectSafe(html: string): void {
  for (const tag of tagsOf(html)) {
    expect(ALLOWED_TAGS, `tag <${tag.name}> in ${html}`).toContain(tag.name);
    for (const [name, value] of tag.attributes) {
      expect(ALLOWED_ATTRIBUTES[tag.name]?.has(name), `attribute ${name} on <${tag.name}> in ${html}`).toBe(true);
      if (name === 'href') expect(value).toMatch(/^(https?:|mailto:|\/(?!\/))/i);
    }
    if (tag.name === 'a') expect(tag.attributes.get('rel')).toBe(COMMENT_LINK_REL);
  }
}

describe('renderCommentMarkdown', () => {
  it('renders Markdown: emphasis, code, lists, quotes, tables, line breaks', () => {
    const html = renderCommentMarkdown(
      '**bold** *it* `co*de*`\nnext line\n\n- one\n- two\n\n> quoted\n\n| a | b |\n|--:|---|\n| 1 | 2 |',
    );
    expect(html).toContain('<strong>bold</strong> <em>it</em> <code>co*de*</code><br />');
    expect(html).toContain('<ul>\n<li>one</li>');
    expect(html).toContain('<blockquote>');
    expect(html).toContain('<td>1</td>');
    // Table alignment comes as a style attribute: dropped with every other style.
    expect(html).not.toContain('style=');
    expectSafe(html);
  });

  it('makes headings h3 so that a comment never outranks the page', () => {
    expect(renderCommentMarkdown('# Big\n\n###### small')).toBe('<h3>Big</h3>\n<h3>small</h3>\n');
  });

  it.each([
    ['<script>alert(1)</script>'],
    ['<img src=x onerror=alert(1)>'],
    ['<svg onload=alert(1)><use href="#x"/></svg>'],
    ['<math><mtext><a href="javascript:alert(1)">x</a></mtext></math>'],
    ['<iframe src="https://evil.example/"></iframe>'],
    ['<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>'],
    ['<p style="position:fixed;inset:0">cover</p>'],
    ['<div onclick="alert(1)">x</div>'],
    ['[click](javascript:alert(1))'],
    ['[click](JaVaScRiPt:alert(1))'],
    ['[click](javascript&#58;alert(1))'],
    ['[click](&#106;avascript:alert(1))'],
    ['[click](vbscript:msgbox(1))'],
    ['[click](data:text/html,<script>alert(1)</script>)'],
    ['[click](  javascript:alert(1))'],
    ['<javascript:alert(1)>'],
    ['[x](//evil.example/path)'],
    ['![pixel](https://tracker.example/p.png)'],
    ['```html\n<script>alert(1)</script>\n```'],
  ])('neutralises %s', (body) => {
    const html = renderCommentMarkdown(body);
    expectSafe(html);
    expect(html).not.toMatch(/<(script|img|svg|math|iframe|div|use)\b/i);
  });

  it('keeps the text of refused markup visible as text', () => {
    expect(renderCommentMarkdown('<script>alert(1)</script>')).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n');
  });

  it('gives every link rel="nofollow ugc noopener", including linkified addresses', () => {
    const html = renderCommentMarkdown(
      'See https://example.org/a?b=1 and [docs](https://example.org/docs) or <mailto:x@y.org>',
    );
    expect(html).toContain(`<a href="https://example.org/a?b=1" rel="${COMMENT_LINK_REL}">`);
    expect(html).toContain(`<a href="https://example.org/docs" rel="${COMMENT_LINK_REL}">docs</a>`);
    expect(html).toContain(`href="mailto:x@y.org"`);
    expectSafe(html);
  });

  it('typesets $inline$ and $$display$$ math with KaTeX', () => {
    const html = renderCommentMarkdown('Inline $x^2 + y_i$ and\n\n$$\\int_0^1 f(x)\\,dx$$');
    expect(html).toContain('<span class="katex">');
    expect(html).toContain('<span class="katex-display">');
    expect(html).toContain('<annotation encoding="application/x-tex">x^2 + y_i</annotation>');
    expect(html).not.toContain('PBMATH');
  });

  it('does not take prices, escaped dollars or code for math', () => {
    expect(renderCommentMarkdown('It costs $5 and $10.')).toBe('<p>It costs $5 and $10.</p>\n');
    expect(renderCommentMarkdown('\\$x\\$ stays')).toBe('<p>$x$ stays</p>\n');
    expect(renderCommentMarkdown('`$x$` is code')).toBe('<p><code>$x$</code> is code</p>\n');
    expect(renderCommentMarkdown('$ x$ has a space')).not.toContain('katex');
  });

  it('shows TeX KaTeX cannot read as source, never an error', () => {
    const html = renderCommentMarkdown('$\\frac{1}{$');
    expect(html).not.toContain('katex-error');
    const unknown = renderCommentMarkdown('$\\color{red;background:url(x)}{z}$');
    expect(unknown).toContain('<code class="tex-source">');
    expect(unknown).not.toMatch(/style="[^"]*url\(/);
  });

  it.each([
    ['\\href{javascript:alert(1)}{click}'],
    ['\\url{javascript:alert(1)}'],
    ['\\htmlStyle{background:url(https://evil.example/x)}{y}'],
    ['\\htmlClass{evil}{y}'],
    ['\\htmlId{main}{y}'],
    ['\\htmlData{onload=alert(1)}{y}'],
    ['\\includegraphics{https://tracker.example/p.png}'],
  ])('gives user TeX no links, styles, classes, ids or images: %s', (tex) => {
    const html = renderCommentMarkdown(`$${tex}$`);
    expect(html).not.toMatch(/<a\b|href=|src=|<img/i);
    for (const style of html.matchAll(/style="([^"]*)"/g)) expect(style[1]).not.toMatch(/url\(|background/i);
    expect(html).not.toMatch(/class="[^"]*\bevil\b/);
    expect(html).not.toMatch(/\sid="main"/);
    expect(html).not.toMatch(/data-onload|\sonload=/i);
  });

  it('bounds macro expansion and sizes in math', () => {
    const bomb = renderCommentMarkdown('$\\def\\a{\\a\\a}\\a$');
    expect(bomb).toContain('tex-source');
    const huge = renderCommentMarkdown('$\\rule{1000em}{1000em}$');
    expect(huge).not.toMatch(/style="[^"]*1000em/);
    expect(huge).toContain('border-right-width:20em');
  });

  it('cannot be made to splice math into a forged placeholder', () => {
    const html = renderCommentMarkdown('PBMATH0000N0E $x$ PBMATH0000N0E');
    expect(html.match(/class="katex"/g)).toHaveLength(1);
    expect(html).toContain('PBMATH0000N0E');
  });

  it('links @mentions of people who exist, not in code, links or email addresses', () => {
    const people = new Map([['ada', 'Ada']]);
    const html = renderCommentMarkdown(
      'Thanks @ada and @ADA, not @nobody; `@ada`; ada@ada.org; [@ada](https://x.org)',
      people,
    );
    expect(html).toContain(`<a class="mention" href="/u/Ada" rel="${COMMENT_LINK_REL}">@ada</a>`);
    expect(html).toContain(`<a class="mention" href="/u/Ada" rel="${COMMENT_LINK_REL}">@ADA</a>`);
    expect(html).toContain('@nobody');
    expect(html).not.toContain('/u/nobody');
    expect(html).toContain('<code>@ada</code>');
    expect(html).toContain('href="mailto:ada@ada.org"');
    expect(html.match(/class="mention"/g)).toHaveLength(2);
    expectSafe(html);
  });

  it('stays fast on hostile input', () => {
    const started = performance.now();
    renderCommentMarkdown('$1'.repeat(10_000));
    renderCommentMarkdown(`${'>'.repeat(5_000)} deep`);
    renderCommentMarkdown(`${'[a]('.repeat(3_000)}`);
    renderCommentMarkdown('*a _b '.repeat(3_000));
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});
