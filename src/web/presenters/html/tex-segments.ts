/**
 * Splits arXiv-style text (titles, abstracts) into plain-text runs and math spans, the way authors write them:
 * `$...$` and `\(...\)` inline, `$$...$$` and `\[...\]` displayed, `\$` a literal dollar. Pure and total: any input
 * gives segments whose sources concatenate back to the input, and an unmatched delimiter stays text.
 */

export interface TextSegment {
  kind: 'text';
  /** The raw text, still TeX-flavoured (accents, `\emph{}`, `\$`): tex-text.ts renders it. */
  text: string;
}

export interface MathSegment {
  kind: 'math';
  /** The TeX between the delimiters. */
  tex: string;
  display: boolean;
  /** The span as written, delimiters included (shown when KaTeX cannot render it). */
  source: string;
}

export type TexSegment = TextSegment | MathSegment;

/** TeX forbids a paragraph break inside math, so a "math span" containing one is a stray dollar, not math. */
const PARAGRAPH_BREAK_INSIDE = /\n[ \t]*\n/;

/**
 * Paragraph breaks in arXiv's raw metadata: a blank line, or a new line that starts with indentation (the raw text is
 * hard-wrapped at ~80 columns, and each paragraph's first line indented).
 */
const RAW_PARAGRAPH_BREAK = /\n[ \t]*\n\s*|\n[ \t]+/;
/** Paragraph breaks in a cleaned abstract (as the importers store it, see domain/text.ts): every line break. */
const CLEAN_PARAGRAPH_BREAK = /\s*\n\s*/;

interface Delimiter {
  open: string;
  close: string;
  display: boolean;
}

/** Characters where math or a control sequence may start. */
const SPECIAL_CHARACTER = /[$\\]/g;

/** Longest first, so that `$$` is not taken for two `$`. */
const DELIMITERS: Delimiter[] = [
  { open: '$$', close: '$$', display: true },
  { open: '\\[', close: '\\]', display: true },
  { open: '\\(', close: '\\)', display: false },
  { open: '$', close: '$', display: false },
];

/** Splits text into text and math segments; adjacent text is merged. */
export function splitTex(input: string): TexSegment[] {
  const segments: TexSegment[] = [];
  let text = '';
  const flushText = () => {
    if (text.length > 0) segments.push({ kind: 'text', text });
    text = '';
  };
  let i = 0;
  while (i < input.length) {
    // Copy plain text up to the next character that can start math or a control sequence in one go.
    SPECIAL_CHARACTER.lastIndex = i;
    const special = SPECIAL_CHARACTER.exec(input);
    if (!special) {
      text += input.slice(i);
      break;
    }
    text += input.slice(i, special.index);
    i = special.index;
    const delimiter = DELIMITERS.find((d) => input.startsWith(d.open, i));
    if (delimiter) {
      const bodyStart = i + delimiter.open.length;
      const end = findClose(input, bodyStart, delimiter.close);
      const body = end === -1 ? '' : input.slice(bodyStart, end);
      if (end !== -1 && body.trim().length > 0 && !PARAGRAPH_BREAK_INSIDE.test(body)) {
        flushText();
        const stop = end + delimiter.close.length;
        segments.push({ kind: 'math', tex: body, display: delimiter.display, source: input.slice(i, stop) });
        i = stop;
        continue;
      }
      // Not math after all: keep the opening delimiter as text and go on after it.
      text += delimiter.open;
      i = bodyStart;
      continue;
    }
    // Any other control sequence (`\$`, `\\`, `\'a`) is copied whole, so its second character is never read as a
    // delimiter.
    text += input.slice(i, i + 2);
    i += 2;
  }
  flushText();
  return segments;
}

/** Where `close` first occurs at or after `from`, skipping escaped characters (`\$`, `\\`); -1 when it does not. */
function findClose(input: string, from: number, close: string): number {
  let j = from;
  while (j < input.length) {
    if (input.startsWith(close, j)) return j;
    j += input[j] === '\\' ? 2 : 1;
  }
  return -1;
}

/**
 * Splits text into paragraphs of segments. Breaks are found in text runs only (never inside math); the remaining white
 * space of text runs (hard line wraps) folds into single spaces; empty paragraphs are dropped. Both the raw arXiv
 * layout (wrapped lines, indented paragraph starts) and the cleaned one (one line per paragraph) are understood.
 */
export function texParagraphs(input: string): TexSegment[][] {
  const breakPattern = RAW_PARAGRAPH_BREAK.test(input) ? RAW_PARAGRAPH_BREAK : CLEAN_PARAGRAPH_BREAK;
  const paragraphs: TexSegment[][] = [[]];
  for (const segment of splitTex(input)) {
    if (segment.kind === 'math') {
      paragraphs[paragraphs.length - 1]!.push(segment);
      continue;
    }
    segment.text.split(breakPattern).forEach((piece, index) => {
      if (index > 0) paragraphs.push([]);
      if (piece.length > 0) paragraphs[paragraphs.length - 1]!.push({ kind: 'text', text: piece });
    });
  }
  return paragraphs.map(collapseWhitespace).filter((paragraph) => paragraph.length > 0);
}

/** One line of segments (a title, an excerpt): every break folded into a space. */
export function texLine(input: string): TexSegment[] {
  return collapseWhitespace(splitTex(input));
}

/** Folds runs of white space in text segments to one space and trims the paragraph's two ends. */
export function collapseWhitespace(segments: TexSegment[]): TexSegment[] {
  const folded = segments.map(
    (s): TexSegment => (s.kind === 'text' ? { kind: 'text', text: s.text.replace(/\s+/g, ' ') } : s),
  );
  const first = folded[0];
  if (first?.kind === 'text') folded[0] = { kind: 'text', text: first.text.trimStart() };
  const last = folded[folded.length - 1];
  if (last?.kind === 'text') folded[folded.length - 1] = { kind: 'text', text: last.text.trimEnd() };
  return folded.filter((s) => s.kind === 'math' || s.text.length > 0);
}
