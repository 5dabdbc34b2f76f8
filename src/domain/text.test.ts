import { describe, expect, it } from 'vitest';
import { cleanAbstract, cleanOptionalText, cleanTitle, collapseWhitespace } from './text.ts';

describe('text cleaning', () => {
  it('collapses whitespace', () => {
    expect(collapseWhitespace('  a \t b\n\n c  ')).toBe('a b c');
    expect(collapseWhitespace('a\nb')).toBe('a b');
    expect(collapseWhitespace('a\u00a0b')).toBe('a b');
    expect(collapseWhitespace(' a')).toBe('a');
    expect(collapseWhitespace('a ')).toBe('a');
    expect(collapseWhitespace('already clean text')).toBe('already clean text');
    expect(collapseWhitespace('')).toBe('');
    expect(collapseWhitespace(' ')).toBe('');
  });

  it('puts a wrapped, indented title on one line', () => {
    expect(cleanTitle('Calculation of prompt diphoton production cross sections at Tevatron and\n  LHC energies')).toBe(
      'Calculation of prompt diphoton production cross sections at Tevatron and LHC energies',
    );
  });

  it('unwraps an abstract and keeps its paragraphs (a line break followed by indentation)', () => {
    const raw =
      '  The problem of estimating the pth moment F_p in data\nstreams is as follows.\n' +
      '  Previously, it was known that polylogarithmic space\nwas achievable.\n' +
      '  (*) An optimal space algorithm.\n';
    expect(cleanAbstract(raw)).toBe(
      'The problem of estimating the pth moment F_p in data streams is as follows.\n\n' +
        'Previously, it was known that polylogarithmic space was achievable.\n\n' +
        '(*) An optimal space algorithm.',
    );
  });

  it('treats a blank line as a paragraph break and ignores CRLF', () => {
    expect(cleanAbstract('First  paragraph\r\nwraps.\r\n\r\nSecond one.')).toBe(
      'First paragraph wraps.\n\nSecond one.',
    );
    expect(cleanAbstract('One line only.')).toBe('One line only.');
    expect(cleanAbstract('   \n  ')).toBe('');
  });

  it('is idempotent: a cleaned abstract keeps its paragraphs when cleaned again', () => {
    const once = cleanAbstract('  First paragraph\nwraps here.\n  Second paragraph.\n');
    expect(once).toBe('First paragraph wraps here.\n\nSecond paragraph.');
    expect(cleanAbstract(once)).toBe(once);
  });

  it('keeps TeX as written', () => {
    expect(cleanAbstract('on $\\Bbb\nR^N$, $N\\geq 2$')).toBe('on $\\Bbb R^N$, $N\\geq 2$');
  });

  it('makes optional fields null when they say nothing', () => {
    expect(cleanOptionalText('  37 pages,\n  15 figures ')).toBe('37 pages, 15 figures');
    expect(cleanOptionalText('   ')).toBeNull();
    expect(cleanOptionalText(null)).toBeNull();
    expect(cleanOptionalText(undefined)).toBeNull();
    expect(cleanOptionalText(42)).toBeNull();
  });
});

describe('collapseWhitespace on every kind of space', () => {
  it('folds tabs, no-break and em spaces, and runs, like a plain \\s+ replacement', () => {
    const samples = ['a\u00a0b', 'a \u2003 b', 'a\t\tb', ' a  b ', 'a\r\nb', 'a b c', 'a \n b', '\u00a0a'];
    for (const text of samples) expect(collapseWhitespace(text)).toBe(text.replace(/\s+/g, ' ').trim());
  });
});
