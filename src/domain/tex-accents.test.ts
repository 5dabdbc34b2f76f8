import { describe, expect, it } from 'vitest';
import { texAccentsToUnicode } from './tex-accents.ts';

describe('texAccentsToUnicode', () => {
  it.each([
    ["Bal\\'azs", 'Balázs'],
    ["Bal\\'{a}zs", 'Balázs'],
    ["Bal{\\'a}zs", 'Balázs'],
    ['M{\\"u}ller', 'Müller'],
    ['M\\"{u}ller', 'Müller'],
    ['{\\"{U}}ber', 'Über'],
    ['Fran\\c{c}ois', 'François'],
    ['Fran\\c cois', 'François'],
    ["Dvo\\v{r}\\'ak", 'Dvořák'],
    ['\\v{S}koda', 'Škoda'],
    ['Bj\\o rn', 'Bjørn'],
    ['Bj{\\o}rn', 'Bjørn'],
    ['{\\O}stergaard', 'Østergaard'],
    ['Gro\\ss{}mann', 'Großmann'],
    ['Espa\\~na', 'España'],
    ['Espa\\~{n}a', 'España'],
    ["Mar\\'{\\i}a", 'María'],
    ["Mar\\'\\i a", 'María'],
    ["Mar{\\'\\i}a", 'María'],
    ['\\L{}ukasz', 'Łukasz'],
    ['{\\L}ukasz', 'Łukasz'],
    ['Erd\\H{o}s', 'Erdős'],
    ['\\AA{}ngstr\\"om', 'Ångström'],
    ['G\\`{e}rard', 'Gérard'.replace('é', 'è')],
    ['\\^{o}', 'ô'],
    ['\\={a}', 'ā'],
    ['\\.{z}', 'ż'],
    ['\\k{a}', 'ą'],
    ['\\r{u}', 'ů'],
    ['\\u{g}', 'ğ'],
    ['\\t{oo}', 'o͡o'],
    ['{\\ae}', 'æ'],
  ])('%s -> %s', (input, expected) => {
    expect(texAccentsToUnicode(input)).toBe(expected);
  });

  it('returns NFC text', () => {
    expect(texAccentsToUnicode("\\'e")).toBe('\u00e9');
    expect(texAccentsToUnicode("\\'e").length).toBe(1);
  });

  it('leaves math untouched', () => {
    expect(texAccentsToUnicode("$\\'a$ and \\'a")).toBe("$\\'a$ and á");
    expect(texAccentsToUnicode('$$\\"u$$ \\"u')).toBe('$$\\"u$$ ü');
    expect(texAccentsToUnicode('\\(\\"u\\) \\[\\"u\\] \\"u')).toBe('\\(\\"u\\) \\[\\"u\\] ü');
    expect(texAccentsToUnicode('$\\mathcal{O}(n)$ on $\\Bbb R^N$')).toBe('$\\mathcal{O}(n)$ on $\\Bbb R^N$');
  });

  it('leaves other TeX, and control words that only start like an accent, alone', () => {
    for (const text of ['\\theta', '\\overline{x}', '\\ldots', '\\textbf{bold}', '\\cite{x}', '\\dots', '\\today']) {
      expect(texAccentsToUnicode(text)).toBe(text);
    }
    expect(texAccentsToUnicode('costs \\$5 and \\$6, \\"a')).toBe('costs \\$5 and \\$6, ä');
  });

  it('keeps an accent it cannot apply as written', () => {
    expect(texAccentsToUnicode("\\'{}")).toBe("\\'{}");
    expect(texAccentsToUnicode("\\'{ab}")).toBe("\\'{ab}");
    expect(texAccentsToUnicode('\\c{')).toBe('\\c{');
    expect(texAccentsToUnicode('trailing \\')).toBe('trailing \\');
  });

  it('returns text without a backslash as is', () => {
    const text = 'Plain {braces} stay';
    expect(texAccentsToUnicode(text)).toBe(text);
  });
});
