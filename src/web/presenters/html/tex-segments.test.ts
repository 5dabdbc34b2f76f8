import { describe, expect, it } from 'vitest';
import { splitTex, texLine, texParagraphs } from './tex-segments.ts';

const math = (tex: string, display: boolean, source: string) => ({ kind: 'math', tex, display, source });
const text = (value: string) => ({ kind: 'text', text: value });

describe('splitTex', () => {
  it.each([
    ['a $x^2$ b', [text('a '), math('x^2', false, '$x^2$'), text(' b')]],
    ['$$E=mc^2$$', [math('E=mc^2', true, '$$E=mc^2$$')]],
    ['\\(a\\) and \\[b\\]', [math('a', false, '\\(a\\)'), text(' and '), math('b', true, '\\[b\\]')]],
    ['$a$$b$', [math('a', false, '$a$'), math('b', false, '$b$')]],
  ])('finds the math in %j', (input, expected) => {
    expect(splitTex(input)).toEqual(expected);
  });

  it('keeps an escaped dollar as text, even inside math', () => {
    expect(splitTex('costs \\$5 or $\\$x$')).toEqual([text('costs \\$5 or '), math('\\$x', false, '$\\$x$')]);
  });

  it('leaves an unmatched delimiter as text', () => {
    expect(splitTex('a $ b')).toEqual([text('a $ b')]);
    expect(splitTex('\\( open')).toEqual([text('\\( open')]);
  });

  it('refuses math spanning a paragraph break (a stray dollar)', () => {
    expect(splitTex('a $b\n\nc$ d').every((s) => s.kind === 'text')).toBe(true);
  });

  it('never reads the second character of a control sequence as a delimiter', () => {
    expect(splitTex('\\\\$x$')).toEqual([text('\\\\'), math('x', false, '$x$')]);
  });

  it('concatenates back to its input', () => {
    const input = 'We $a_1$ \\(b\\) $$c$$ \\[d\\] e $ f';
    const rebuilt = splitTex(input)
      .map((s) => (s.kind === 'math' ? s.source : s.text))
      .join('');
    expect(rebuilt).toBe(input);
  });
});

describe('texParagraphs', () => {
  it('understands arXiv raw layout: wrapped lines, indented paragraph starts', () => {
    const raw = '  First paragraph wraps\nhere with $x\ny$.\n  Second one.\n';
    const paragraphs = texParagraphs(raw);
    expect(paragraphs).toHaveLength(2);
    expect(paragraphs[0]).toEqual([text('First paragraph wraps here with '), math('x\ny', false, '$x\ny$'), text('.')]);
    expect(paragraphs[1]).toEqual([text('Second one.')]);
  });

  it('understands the cleaned layout: one line per paragraph', () => {
    expect(texParagraphs('One.\nTwo.\nThree.')).toHaveLength(3);
  });

  it('folds a title onto one line', () => {
    expect(texLine('Calculation of cross sections at Tevatron and\n  LHC energies')).toEqual([
      text('Calculation of cross sections at Tevatron and LHC energies'),
    ]);
  });
});
