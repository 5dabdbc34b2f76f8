/**
 * Author lists as arXiv writes them: one string, `A. Author, B. Author (MIT), C. Author and D. Author`, with TeX
 * accents and parenthesised affiliations, or pre-split `[last, first, suffix]` triples in the metadata snapshot. We
 * keep names only, in order, spelled in Unicode.
 */
import { texAccentsToUnicode } from './tex-accents.ts';
import { collapseWhitespace } from './text.ts';

/**
 * Splits an author string into names: on commas and on the word `and` at the top level (not inside parentheses or
 * TeX braces), with parenthesised affiliations removed (`(MIT)`, `((1) MIT, (2) CNRS)`) and TeX accents converted.
 * A stray `)` is dropped; when a `(` is never closed, nothing is removed rather than risking dropping names.
 */
export function splitAuthorList(authors: string): string[] {
  const text = collapseWhitespace(authors);
  const stripAffiliations = everyParenthesisCloses(text);
  const names: string[] = [];
  let current = '';
  let braceDepth = 0;
  let parenDepth = 0;
  const flush = () => {
    const name = cleanAuthorName(current.replace(/^and\s+/, ''));
    if (name.length > 0) names.push(name);
    current = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      // An escaped character is never a separator (`\,` is a thin space, `\(` no parenthesis).
      if (parenDepth === 0) current += ch + text[i + 1];
      i += 1;
      continue;
    }
    if (ch === '{') braceDepth += 1;
    else if (ch === '}') braceDepth = Math.max(0, braceDepth - 1);
    if (stripAffiliations && braceDepth === 0) {
      if (ch === '(') {
        parenDepth += 1;
        continue;
      }
      if (ch === ')') {
        parenDepth = Math.max(0, parenDepth - 1);
        continue;
      }
    }
    if (parenDepth > 0) continue;
    if (braceDepth === 0 && ch === ',') {
      flush();
      continue;
    }
    if (braceDepth === 0 && ch === ' ' && text.startsWith(' and ', i)) {
      flush();
      i += ' and'.length;
      continue;
    }
    current += ch;
  }
  flush();
  return names;
}

/**
 * A name from the snapshot's `authors_parsed` triple `[last, first, suffix]` (extra elements, affiliations, are
 * ignored): `first last suffix`, accents converted. The snapshot's parser splits hyphenated initials (`C.-P.` comes
 * as `C. -P.`); they are joined back.
 */
export function authorFromParsedName(parts: readonly unknown[]): string {
  const [last, first, suffix] = parts.map((p) => (typeof p === 'string' ? p : ''));
  const name = cleanAuthorName([first, last, suffix].filter((p) => p && p.trim().length > 0).join(' '));
  return name.replace(/\.\s+-(?=\p{L})/gu, '.-');
}

/** One author name: TeX accents converted, grouping braces dropped, whitespace collapsed. */
export function cleanAuthorName(raw: string): string {
  return collapseWhitespace(texAccentsToUnicode(raw).replace(/(?<!\\)[{}]/g, ''));
}

/** Whether every `(` has its `)` (stray `)` are allowed: they are dropped). */
function everyParenthesisCloses(text: string): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') {
      i += 1;
      continue;
    }
    if (ch === '(') depth += 1;
    else if (ch === ')') depth = Math.max(0, depth - 1);
  }
  return depth === 0;
}
