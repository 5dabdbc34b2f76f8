import { describe, expect, it } from 'vitest';
import { texExcerpt, texLineHtml, texParagraphsHtml, texPlainText } from './tex-html.ts';
import { texTextToHtml } from './tex-text.ts';

/** HTML with each KaTeX formula replaced by [math], to compare the text around it. */
function withoutKatex(html: string): string {
  let out = '';
  let rest = html;
  for (;;) {
    const start = rest.indexOf('<span class="katex');
    if (start === -1) return out + rest;
    out += `${rest.slice(0, start)}[math]`;
    // Skip to the end of the formula's outer span by counting nested spans.
    let depth = 0;
    let i = start;
    const tag = /<span\b|<\/span>/g;
    tag.lastIndex = start;
    for (let match = tag.exec(rest); match; match = tag.exec(rest)) {
      depth += match[0] === '</span>' ? -1 : 1;
      i = match.index + match[0].length;
      if (depth === 0) break;
    }
    rest = rest.slice(i);
  }
}

describe('text between formulas', () => {
  it('escapes HTML', () => {
    expect(texTextToHtml('<script>alert("x")</script> & co')).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co',
    );
  });

  it('converts accents, escapes, quotes and dashes', () => {
    expect(texTextToHtml("Schr\\\"odinger's ``cat'', 10\\% off, pages 10--20, \\$5")).toBe(
      'Schrödinger&#39;s “cat”, 10% off, pages 10–20, $5',
    );
  });

  it('renders emphasis commands and declarations', () => {
    expect(texTextToHtml('\\emph{new}, \\textbf{bold}, {\\em old}, {\\bf strong}, \\it{typo}')).toBe(
      '<em>new</em>, <strong>bold</strong>, <em>old</em>, <strong>strong</strong>, <em>typo</em>',
    );
  });

  it('keeps unknown commands and plain braces as written', () => {
    expect(texTextToHtml('see \\cite{x} and the set {0,1}')).toBe('see \\cite{x} and the set {0,1}');
  });

  it('links bare URLs without the sentence punctuation after them', () => {
    expect(texTextToHtml('Code: https://github.com/a/b.')).toBe(
      'Code: <a href="https://github.com/a/b" rel="nofollow ugc noopener">https://github.com/a/b</a>.',
    );
  });

  it('does not link javascript: in \\href', () => {
    expect(texTextToHtml('\\href{javascript:alert(1)}{click}')).toBe('click');
  });

  it('survives deeply nested and unbalanced braces', () => {
    expect(() => texTextToHtml(`${'{'.repeat(10_000)}x${'}'.repeat(10_000)}`)).not.toThrow();
    expect(texTextToHtml('a } b { c')).toBe('a } b { c');
    expect(() => texTextToHtml('\\em '.repeat(10_000))).not.toThrow();
    expect(() => texTextToHtml('\\emph{'.repeat(10_000) + '}'.repeat(10_000))).not.toThrow();
  });

  it('turns symbols typed outside math into Unicode', () => {
    expect(texTextToHtml('10 \\pm 2 \\alpha-particles')).toBe('10 ± 2 α-particles');
  });
});

describe('titles and abstracts', () => {
  it('typesets math with KaTeX and keeps the text escaped', () => {
    const html = texLineHtml('The $(k,\\ell)$-pebble <game>');
    expect(html).toContain('class="katex"');
    expect(withoutKatex(html)).toBe('The [math]-pebble &lt;game&gt;');
  });

  it('shows a formula KaTeX cannot render as its source in <code>', () => {
    expect(texLineHtml('an $\\undefinedmacro{x}$ here')).toBe(
      'an <code class="tex-source">$\\undefinedmacro{x}$</code> here',
    );
  });

  it('escapes HTML inside an unrenderable formula', () => {
    expect(texLineHtml('$\\foo<script>$')).toBe('<code class="tex-source">$\\foo&lt;script&gt;$</code>');
  });

  it('renders the macros arXiv abstracts use', () => {
    for (const tex of [
      '\\RR^n',
      '\\Bbb Z',
      '{\\bf x}',
      '\\cal O',
      '\\eps',
      '\\abs{x}',
      '\\msun',
      '\\mbox{if}',
      '\\ce{H2O}',
    ]) {
      expect(texLineHtml(`$${tex}$`), tex).toContain('class="katex"');
    }
  });

  it('keeps display math displayed in abstracts but inline in titles', () => {
    expect(texParagraphsHtml('We have $$x=1$$ here.')[0]).toContain('katex-display');
    expect(texLineHtml('We have $$x=1$$ here.')).not.toContain('katex-display');
  });

  it('gives plain text for <title> and meta descriptions', () => {
    expect(texPlainText("The $(k,\\ell)$-pebble game of Bal\\'azs in $\\mathcal{O}(n^2)$")).toBe(
      'The (k,ℓ)-pebble game of Balázs in O(n^2)',
    );
  });
});

describe('excerpts', () => {
  const abstract =
    'We describe a new algorithm, the $(k,\\ell)$-pebble game with colors. It characterises the family of ' +
    '$(k,\\ell)$-sparse graphs and gives algorithmic solutions to a family of problems concerning tree ' +
    'decompositions of graphs. Special instances of sparse graphs appear in rigidity theory.';

  it('keeps a short abstract whole', () => {
    expect(texExcerpt('Short and sweet.', 100)).toEqual({ html: 'Short and sweet.', truncated: false });
  });

  it('ends at a sentence when one ends late enough, still marking the cut', () => {
    const excerpt = texExcerpt(abstract, 230);
    expect(excerpt.truncated).toBe(true);
    expect(withoutKatex(excerpt.html)).toBe(
      'We describe a new algorithm, the [math]-pebble game with colors. It characterises the family of [math]-sparse ' +
        'graphs and gives algorithmic solutions to a family of problems concerning tree decompositions of graphs. …',
    );
  });

  it('otherwise ends at a word with an ellipsis', () => {
    const excerpt = texExcerpt(abstract, 40);
    expect(withoutKatex(excerpt.html)).toBe('We describe a new algorithm, the…');
  });

  it('never cuts inside a formula or a TeX group', () => {
    const excerpt = texExcerpt('Here is $\\sum_{i=1}^{n} x_i^2 + y$ and \\emph{a long emphasised phrase} end.', 30);
    expect(excerpt.html).not.toContain('tex-source');
    expect(excerpt.html.split('<em>').length).toBe(excerpt.html.split('</em>').length);
    const cutInGroup = texExcerpt('Start \\emph{one two three four five six} end of it all.', 20);
    expect(cutInGroup.html).toBe('Start…');
  });

  it('does not end a sentence at an abbreviation', () => {
    const excerpt = texExcerpt('Methods, e.g. this one and that other one, work well in practice today.', 40);
    expect(excerpt.html).not.toMatch(/e\.g\.$/);
  });
});
