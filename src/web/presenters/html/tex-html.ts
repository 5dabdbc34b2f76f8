/**
 * Titles and abstracts from arXiv as HTML: math typeset by KaTeX on the server, text interpreted (accents, emphasis,
 * URLs) and escaped. Also the plain-text forms a `<title>` or meta description needs, and the feed's excerpts, which
 * are cut at a sentence or word boundary and never inside a formula.
 */
import { renderMath } from '../../tex.ts';
import { type Html, joinHtml } from './html.ts';
import { LruCache } from './lru-cache.ts';
import { type MathSegment, type TexSegment, texLine, texParagraphs } from './tex-segments.ts';
import { TEX_SYMBOLS } from './tex-symbols.ts';
import { texTextToHtml, texTextToPlain } from './tex-text.ts';

/** Rendered titles and excerpts kept in memory: a feed page shows dozens, to every reader. */
const RENDERED_CACHE_ENTRIES = 5_000;
const renderedLines = new LruCache<Html>(RENDERED_CACHE_ENTRIES);
const renderedExcerpts = new LruCache<Excerpt>(RENDERED_CACHE_ENTRIES);

/** One line of rich text (a title): display math is typeset inline so that it does not break the line. */
export function texLineHtml(text: string): Html {
  return renderedLines.getOrCompute(text, () => segmentsToHtml(texLine(text), false));
}

/** An abstract as paragraphs of HTML (without the `<p>` tags). */
export function texParagraphsHtml(text: string): Html[] {
  return texParagraphs(text).map((paragraph) => segmentsToHtml(paragraph, true));
}

/** Plain text for places that cannot hold markup: formulas shown as readable source (`O(n^2)`, `ℓ_1`). */
export function texPlainText(text: string): string {
  return texLine(text)
    .map((segment) => (segment.kind === 'math' ? mathToPlain(segment.tex) : texTextToPlain(segment.text)))
    .join('');
}

export interface Excerpt {
  html: Html;
  /** Whether text was left out. */
  truncated: boolean;
}

/** How far back from the limit a sentence end may be and still be preferred to a cut mid-sentence, as a fraction. */
const SENTENCE_CUT_MIN_FRACTION = 0.55;
/** A character that can end a sentence. */
const SENTENCE_END = /^[.!?]$/;
/** Abbreviations whose full stop does not end a sentence. */
const ABBREVIATIONS =
  /(?:^|[\s(])(?:e\.g|i\.e|et al|cf|vs|resp|approx|etc|Fig|Figs|Eq|Eqs|Sec|Ref|Refs|Dr|Prof|No|[A-Z])\.$/;

interface CutPoint {
  /** Segments kept whole before the cut. */
  segmentIndex: number;
  /** Characters of that segment's text kept (for a text segment). */
  offset: number;
  /** Visible characters before the cut. */
  position: number;
}

/**
 * The opening of an abstract, about `maxChars` visible characters long (a formula counts as the length of its
 * readable form), joined into one paragraph. It ends at the last sentence end when one comes late enough, otherwise
 * at a word boundary, and a cut always ends with an ellipsis; formulas and TeX groups (`\emph{...}`) are never split.
 */
export function texExcerpt(text: string, maxChars: number): Excerpt {
  return renderedExcerpts.getOrCompute(`${maxChars}:${text}`, () => computeExcerpt(text, maxChars));
}

function computeExcerpt(text: string, maxChars: number): Excerpt {
  const segments = texParagraphs(text).flatMap((paragraph, index) =>
    index === 0 ? paragraph : [{ kind: 'text', text: ' ' } as const, ...paragraph],
  );
  let position = 0;
  let lastSentenceEnd: CutPoint | null = null;
  // The last white space outside TeX groups: a formula glued to a word ("$(k,\ell)$-pebble") is part of that word.
  let lastWordEnd: CutPoint | null = null;
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index]!;
    if (segment.kind === 'math') {
      const length = Math.max(1, mathToPlain(segment.tex).length);
      if (position + length > maxChars) {
        const here = { segmentIndex: index, offset: 0, position };
        return cutExcerpt(segments, lastSentenceEnd, lastWordEnd ?? here, maxChars);
      }
      position += length;
      continue;
    }
    let depth = 0;
    const raw = segment.text;
    for (let i = 0; i < raw.length; i++) {
      const ch = raw[i]!;
      if (ch === '\\') {
        i += 1;
        position += 1;
        continue;
      }
      if (ch === '{') depth += 1;
      else if (ch === '}') depth = Math.max(0, depth - 1);
      if (depth === 0 && /\s/.test(ch)) {
        const point = { segmentIndex: index, offset: i, position };
        if (SENTENCE_END.test(raw[i - 1] ?? '') && !ABBREVIATIONS.test(raw.slice(Math.max(0, i - 8), i))) {
          lastSentenceEnd = point;
        }
        lastWordEnd = point;
      }
      position += 1;
      if (position > maxChars) {
        return cutExcerpt(
          segments,
          lastSentenceEnd,
          lastWordEnd ?? { segmentIndex: index, offset: i, position },
          maxChars,
        );
      }
    }
  }
  return { html: segmentsToHtml(segments, false), truncated: false };
}

function cutExcerpt(
  segments: TexSegment[],
  sentenceEnd: CutPoint | null,
  wordEnd: CutPoint,
  maxChars: number,
): Excerpt {
  const useSentence = sentenceEnd !== null && sentenceEnd.position >= maxChars * SENTENCE_CUT_MIN_FRACTION;
  const cut = useSentence ? sentenceEnd : wordEnd;
  const kept: TexSegment[] = segments.slice(0, cut.segmentIndex);
  const cutSegment = segments[cut.segmentIndex];
  if (cutSegment?.kind === 'text' && cut.offset > 0)
    kept.push({ kind: 'text', text: cutSegment.text.slice(0, cut.offset) });
  const last = kept[kept.length - 1];
  if (last?.kind === 'text') kept[kept.length - 1] = { kind: 'text', text: last.text.trimEnd().replace(/[,;:]$/, '') };
  // Always mark the cut, even after a full stop: an abbreviation ("Appl. Math. Lett.") can pass for a sentence end.
  kept.push({ kind: 'text', text: useSentence ? ' …' : '…' });
  return { html: segmentsToHtml(kept, false), truncated: true };
}

function segmentsToHtml(segments: TexSegment[], allowDisplay: boolean): Html {
  return joinHtml(
    segments.map((segment) =>
      segment.kind === 'math' ? mathHtml(segment, allowDisplay) : texTextToHtml(segment.text),
    ),
  );
}

function mathHtml(segment: MathSegment, allowDisplay: boolean): Html {
  return renderMath(segment.tex, segment.display && allowDisplay, segment.source);
}

/** Commands that only change a font or spacing; their argument is kept, the command dropped. */
const PLAIN_DROPPED_WORDS = new Set([
  'mathbb',
  'mathcal',
  'mathrm',
  'mathbf',
  'mathit',
  'mathsf',
  'mathtt',
  'mathfrak',
  'mathscr',
  'text',
  'textrm',
  'textbf',
  'textit',
  'operatorname',
  'left',
  'right',
  'big',
  'Big',
  'bigl',
  'bigr',
  'displaystyle',
  'boldsymbol',
  'bm',
  'rm',
  'bf',
  'it',
  'cal',
  'Bbb',
  'mbox',
  'hat',
  'tilde',
  'bar',
  'vec',
  'dot',
  'overline',
  'widetilde',
  'widehat',
]);

/** A formula as readable plain text: symbols in Unicode, font commands and braces dropped. */
function mathToPlain(tex: string): string {
  return tex
    .replace(/\\([A-Za-z]+) ?/g, (whole, word: string) => {
      if (PLAIN_DROPPED_WORDS.has(word)) return '';
      return TEX_SYMBOLS.get(word) ?? whole;
    })
    .replace(/\\[,;:! ]/g, ' ')
    .replace(/\\([{}$%&_#])/g, '$1')
    .replace(/[{}]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}
