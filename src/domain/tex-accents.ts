/**
 * TeX accent commands to Unicode. arXiv metadata is typed by authors in TeX, so names arrive as `Bal\'azs`,
 * `{\"u}`, `\c{c}`, `S\o ren`; people deserve to see their names spelled right, and search to match them. Only
 * accents and the special letters of plain TeX are converted: everything else (math, macros, braces that are not part
 * of an accent) is left exactly as written, and math (`$...$`, `$$...$$`, `\(...\)`, `\[...\]`) is never touched,
 * so the same function is safe on abstracts that are later rendered by a TeX-aware layer.
 */

/** Accents written as a backslash and one symbol: `\'a`, `\"{u}`. */
const SYMBOL_ACCENTS: Readonly<Record<string, string>> = {
  "'": '\u0301',
  '`': '\u0300',
  '^': '\u0302',
  '"': '\u0308',
  '~': '\u0303',
  '=': '\u0304',
  '.': '\u0307',
};

/** Accents written as a control word, which take a braced or space-separated argument: `\c{c}`, `\v s`. */
const WORD_ACCENTS: Readonly<Record<string, string>> = {
  c: '\u0327',
  v: '\u030c',
  u: '\u0306',
  H: '\u030b',
  k: '\u0328',
  r: '\u030a',
  d: '\u0323',
  b: '\u0331',
  t: '\u0361',
};

/** Letters of plain TeX that have their own command: `\o`, `\ss`, `\aa`, ... */
const SPECIAL_LETTERS: Readonly<Record<string, string>> = {
  o: 'ø',
  O: 'Ø',
  ss: 'ß',
  ae: 'æ',
  AE: 'Æ',
  oe: 'œ',
  OE: 'Œ',
  aa: 'å',
  AA: 'Å',
  l: 'ł',
  L: 'Ł',
  i: 'ı',
  j: 'ȷ',
  dh: 'ð',
  DH: 'Ð',
  th: 'þ',
  TH: 'Þ',
  ng: 'ŋ',
  NG: 'Ŋ',
};

/** An accent over the dotless i or j is written on the dotted letter in Unicode (`\'\i` -> í). */
const DOTLESS_TO_DOTTED: Readonly<Record<string, string>> = { ı: 'i', ȷ: 'j' };

interface Conversion {
  value: string;
  /** Index just after the converted TeX. */
  end: number;
}

/**
 * Replaces TeX accent commands (`\'a`, `\'{a}`, `{\'a}`, `\"{\i}`, `\c{c}`, `\v s`, `\t{oo}`) and special letters
 * (`\o`, `\ss`, `\aa`, `\l`, `{\AE}`, ...) by the Unicode characters they stand for, in NFC. Text inside math and any
 * other TeX is returned unchanged; so is a command this function does not know.
 */
export function texAccentsToUnicode(text: string): string {
  if (!text.includes('\\')) return text;
  let out = '';
  let i = 0;
  let mathCloser: string | null = null;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\\') {
      const next = text[i + 1] ?? '';
      if (next === '$' || next === '\\') {
        out += ch + next;
        i += 2;
        continue;
      }
      if (mathCloser === null && (next === '(' || next === '[')) {
        mathCloser = next === '(' ? '\\)' : '\\]';
        out += ch + next;
        i += 2;
        continue;
      }
      if (mathCloser !== null) {
        if (`${ch}${next}` === mathCloser) mathCloser = null;
        out += ch + next;
        i += 2;
        continue;
      }
      const converted = convertCommandAt(text, i);
      if (converted) {
        out += converted.value;
        i = converted.end;
        continue;
      }
    } else if (ch === '$') {
      const closer = text[i + 1] === '$' ? '$$' : '$';
      if (mathCloser === null) mathCloser = closer;
      else if (mathCloser === closer) mathCloser = null;
      out += closer;
      i += closer.length;
      continue;
    } else if (ch === '{' && mathCloser === null && text[i + 1] === '\\') {
      const converted = convertCommandAt(text, i + 1);
      if (converted && text[converted.end] === '}') {
        out += converted.value;
        i = converted.end + 1;
        continue;
      }
    }
    out += ch;
    i += 1;
  }
  return out;
}

/** Converts the accent or special letter whose backslash is at `start`, or returns null when it is neither. */
function convertCommandAt(text: string, start: number): Conversion | null {
  const symbol = text[start + 1] ?? '';
  const symbolMark = SYMBOL_ACCENTS[symbol];
  if (symbolMark !== undefined) return accentArgument(text, start + 2, symbolMark, false);
  const word = controlWordAt(text, start + 1);
  if (word.length === 0) return null;
  const afterWord = start + 1 + word.length;
  const wordMark = WORD_ACCENTS[word];
  if (wordMark !== undefined) return accentArgument(text, skipSpaces(text, afterWord), wordMark, word === 't');
  const letter = SPECIAL_LETTERS[word];
  if (letter !== undefined) {
    // A control word swallows the spaces after it (`S\o ren` is Søren); `\o{}` ends it explicitly.
    let end = skipSpaces(text, afterWord);
    if (text.startsWith('{}', end)) end += 2;
    return { value: letter, end };
  }
  return null;
}

/**
 * Reads an accent's argument at `at`: a letter, `\i`/`\j`, or a braced group holding one of those (two letters for
 * the tie accent `\t{oo}`), and returns the accented text.
 */
function accentArgument(text: string, at: number, mark: string, tie: boolean): Conversion | null {
  if (text[at] === '{') {
    const close = text.indexOf('}', at + 1);
    if (close < 0) return null;
    const inner = text.slice(at + 1, close);
    const base = tie ? inner : argumentBase(inner);
    if (base === null || base.length === 0) return null;
    if (tie) {
      if (!/^\p{L}\p{L}$/u.test(base)) return null;
      return { value: `${base[0]}${mark}${base[1]}`.normalize('NFC'), end: close + 1 };
    }
    return { value: accented(base, mark), end: close + 1 };
  }
  if (tie) return null;
  if (text[at] === '\\') {
    const word = controlWordAt(text, at + 1);
    if (word !== 'i' && word !== 'j') return null;
    return { value: accented(SPECIAL_LETTERS[word]!, mark), end: skipSpaces(text, at + 1 + word.length) };
  }
  const letter = text[at];
  if (letter === undefined || !/\p{L}/u.test(letter)) return null;
  return { value: accented(letter, mark), end: at + 1 };
}

/** The base letter inside an accent's braces: `a`, `\i`, `{\i}`; null when it is something else. */
function argumentBase(inner: string): string | null {
  const trimmed = inner.trim();
  if (/^\p{L}$/u.test(trimmed)) return trimmed;
  const dotless = /^\{?\\([ij])\}?$/.exec(trimmed);
  if (dotless) return SPECIAL_LETTERS[dotless[1]!]!;
  return null;
}

function accented(base: string, mark: string): string {
  return `${DOTLESS_TO_DOTTED[base] ?? base}${mark}`.normalize('NFC');
}

function controlWordAt(text: string, at: number): string {
  let end = at;
  while (end < text.length && isAsciiLetter(text.charCodeAt(end))) end += 1;
  return text.slice(at, end);
}

function skipSpaces(text: string, at: number): number {
  let end = at;
  while (text[end] === ' ') end += 1;
  return end;
}

function isAsciiLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}
