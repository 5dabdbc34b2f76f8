/**
 * arXiv identifiers: the two schemes arXiv has used, parsed strictly so that a malformed id is refused before it
 * reaches storage or a URL.
 *
 * - new style (April 2007 on): `YYMM.NNNN` until December 2014, `YYMM.NNNNN` from January 2015;
 * - old style (1991 to March 2007): `archive/YYMMNNN` or `archive.SUBJ/YYMMNNN`.
 *
 * Either may carry a version suffix `vN`. The canonical id (our key) never carries a version.
 */

/** The archives that issued old-style identifiers (arXiv's own list). */
const OLD_STYLE_ARCHIVES = new Set([
  'acc-phys',
  'adap-org',
  'alg-geom',
  'ao-sci',
  'astro-ph',
  'atom-ph',
  'bayes-an',
  'chao-dyn',
  'chem-ph',
  'cmp-lg',
  'comp-gas',
  'cond-mat',
  'cs',
  'dg-ga',
  'funct-an',
  'gr-qc',
  'hep-ex',
  'hep-lat',
  'hep-ph',
  'hep-th',
  'math',
  'math-ph',
  'mtrl-th',
  'nlin',
  'nucl-ex',
  'nucl-th',
  'patt-sol',
  'physics',
  'plasm-ph',
  'q-alg',
  'q-bio',
  'quant-ph',
  'solv-int',
  'supr-con',
]);

/** Longest input we even look at: real ids are at most ~30 characters. */
const MAX_ID_INPUT_LENGTH = 64;
/** The first month whose new-style ids have five digits after the dot. */
const FIVE_DIGIT_FROM_YYMM = 1501;
/** New-style ids started in April 2007. */
const NEW_STYLE_FROM_YYMM = 704;

export interface ArxivId {
  /** Canonical id without version, e.g. `2206.00927` or `hep-th/9901001`. */
  id: string;
  /** Version number when the input carried one (`v2` -> 2). */
  version: number | null;
}

export type ArxivIdResult = { ok: true; value: ArxivId } | { ok: false; reason: string };

const NEW_STYLE = /^(\d{2})(\d{2})\.(\d{4,5})(?:v(\d{1,4}))?$/;
const OLD_STYLE = /^([a-z]+(?:-[a-z]+)?)(\.[A-Z]{2})?\/(\d{2})(\d{2})(\d{3})(?:v(\d{1,4}))?$/;

/** Parses a bare arXiv id (no URL, no `arXiv:` prefix), with or without a version suffix. */
export function parseArxivId(input: string): ArxivIdResult {
  if (input.length === 0) return { ok: false, reason: 'the arXiv id is empty' };
  if (input.length > MAX_ID_INPUT_LENGTH) {
    return { ok: false, reason: `an arXiv id has at most ${MAX_ID_INPUT_LENGTH} characters` };
  }
  const newStyle = NEW_STYLE.exec(input);
  if (newStyle) {
    const [, yy, mm, number, version] = newStyle as unknown as [string, string, string, string, string | undefined];
    const month = Number(mm);
    if (month < 1 || month > 12) return { ok: false, reason: `'${input}' has no month ${mm}` };
    const yymm = Number(yy + mm);
    if (yymm < NEW_STYLE_FROM_YYMM) return { ok: false, reason: `new-style arXiv ids begin in April 2007 (0704)` };
    const digits = yymm >= FIVE_DIGIT_FROM_YYMM ? 5 : 4;
    if (number.length !== digits) {
      return {
        ok: false,
        reason: `'${input}' is malformed: ids from ${yy}${mm} have ${digits} digits after the dot`,
      };
    }
    return versioned(`${yy}${mm}.${number}`, version, input);
  }
  const oldStyle = OLD_STYLE.exec(input);
  if (oldStyle) {
    const [, archive, subject, yy, mm, number, version] = oldStyle as unknown as [
      string,
      string,
      string | undefined,
      string,
      string,
      string,
      string | undefined,
    ];
    if (!OLD_STYLE_ARCHIVES.has(archive)) return { ok: false, reason: `'${archive}' is not an arXiv archive` };
    const month = Number(mm);
    if (month < 1 || month > 12) return { ok: false, reason: `'${input}' has no month ${mm}` };
    const year = Number(yy);
    // Old-style ids run from 9108 (August 1991) to 0703 (March 2007).
    const yymmOrder = (year >= 91 ? year - 91 : year + 9) * 100 + month;
    if (yymmOrder < 8 || yymmOrder > 16 * 100 + 3) {
      return { ok: false, reason: `old-style arXiv ids run from 9108 to 0703, not ${yy}${mm}` };
    }
    return versioned(`${archive}${subject ?? ''}/${yy}${mm}${number}`, version, input);
  }
  return {
    ok: false,
    reason: `'${truncateForMessage(input)}' is not an arXiv id (expected e.g. 2206.00927 or hep-th/9901001)`,
  };
}

function versioned(id: string, version: string | undefined, input: string): ArxivIdResult {
  if (version === undefined) return { ok: true, value: { id, version: null } };
  const n = Number(version);
  if (n < 1) return { ok: false, reason: `'${input}' has version 0; versions start at v1` };
  return { ok: true, value: { id, version: n } };
}

/** Shortens user input quoted back in an error message, so a huge input does not make a huge message. */
export function truncateForMessage(input: string, max = 40): string {
  return input.length > max ? `${input.slice(0, max)}…` : input;
}

/**
 * The year and month an id was issued in (from its YYMM), e.g. `2206.00927` -> `2022-06`. Useful where arXiv's own
 * dates are unknown: the id still tells the month.
 */
export function idYearMonth(id: string): string | null {
  const m = /(?:^|\/)(\d{2})(\d{2})[.\d]/.exec(id);
  if (!m) return null;
  const yy = Number(m[1]);
  const year = yy >= 91 ? 1900 + yy : 2000 + yy;
  return `${year}-${m[2]}`;
}

export function arxivAbsUrl(id: string): string {
  return `https://arxiv.org/abs/${id}`;
}

export function arxivPdfUrl(id: string): string {
  return `https://arxiv.org/pdf/${id}`;
}
