/**
 * TeX macros that arXiv abstracts use but KaTeX does not define. Authors write abstracts against their own preamble,
 * so some commands are private; the ones below are either old standard commands (plain TeX, AMS-TeX, LaTeX 2.09
 * font switches, common packages) or private macros whose meaning is conventional across papers (`\RR` is the reals,
 * `\eps` is epsilon, `\msun` is a solar mass). Anything more idiosyncratic is left undefined on purpose: its formula
 * is then shown as source rather than typeset with a guessed meaning.
 *
 * Measured on the test fixtures' abstracts (test/fixtures/arxiv): see tex.ts and katex-macros.test.ts.
 */

const BLACKBOARD_LETTERS: Record<string, string> = {
  C: 'C',
  Q: 'Q',
  CC: 'C',
  QQ: 'Q',
  RR: 'R',
  ZZ: 'Z',
  NN: 'N',
  FF: 'F',
  TT: 'T',
  EE: 'E',
  PP: 'P',
  E: 'E',
  F: 'F',
  Real: 'R',
  naturals: 'N',
  integers: 'Z',
  rationals: 'Q',
  complexes: 'C',
};

/** Operator names typeset upright with operator spacing (`\Aut(X)`). */
const OPERATOR_NAMES = [
  'tr',
  'Tr',
  'rank',
  'diag',
  'sgn',
  'supp',
  'Hom',
  'End',
  'Spec',
  'Aut',
  'GL',
  'SL',
  'SO',
  'SU',
  'PGL',
  'PSL',
  'dist',
  'Vol',
  'vol',
  'id',
  'Id',
  'Ric',
  'Var',
  'Cov',
  'poly',
  'polylog',
  'erf',
];

/** Short names for Greek letters that are near-universal in arXiv preambles. */
const GREEK_SHORTHANDS: Record<string, string> = {
  al: '\\alpha',
  be: '\\beta',
  de: '\\delta',
  eps: '\\varepsilon',
  vareps: '\\varepsilon',
  ka: '\\kappa',
  lam: '\\lambda',
  Lam: '\\Lambda',
  si: '\\sigma',
  Si: '\\Sigma',
  om: '\\omega',
  Om: '\\Omega',
  vphi: '\\varphi',
};

const OTHER_MACROS: Record<string, string> = {
  // Fonts and boxes from plain TeX, AMS-TeX and LaTeX 2.09 that KaTeX lacks.
  '\\mbox': '\\text{#1}',
  '\\em': '\\it',
  '\\sl': '\\it',
  '\\sc': '\\rm',
  '\\textsl': '\\textit{#1}',
  '\\textsc': '\\text{#1}',
  '\\textsuperscript': '^{\\text{#1}}',
  '\\bold': '\\mathbf{#1}',
  '\\Cal': '\\mathcal',
  '\\germ': '\\mathfrak',
  '\\goth': '\\mathfrak',
  '\\scr': '\\mathscr',
  '\\mathds': '\\mathbb{#1}',
  '\\mathbbm': '\\mathbb{#1}',
  '\\ensuremath': '#1',
  '\\xspace': '',
  '\\protect': '',
  '\\lefteqn': '#1',
  '\\vbox': '#1',
  '\\sp': '^',
  '\\sb': '_',
  // Conventional private macros.
  '\\O': '\\mathcal{O}',
  '\\abs': '\\left|#1\\right|',
  '\\norm': '\\left\\|#1\\right\\|',
  '\\expval': '\\left\\langle #1\\right\\rangle',
  '\\half': '\\frac{1}{2}',
  '\\nicefrac': '{}^{#1}\\!/_{#2}',
  '\\dbar': '\\bar{\\partial}',
  '\\NP': '\\mathsf{NP}',
  '\\lsim': '\\lesssim',
  '\\gsim': '\\gtrsim',
  '\\ls': '\\leqslant',
  '\\gs': '\\geqslant',
  '\\wt': '\\widetilde',
  '\\wh': '\\widehat',
  '\\ol': '\\overline',
  '\\ul': '\\underline',
  '\\ds': '\\displaystyle',
  '\\ts': '\\textstyle',
  '\\dd': '\\mathrm{d}',
  '\\slashed': '{\\not{#1}}',
  '\\degree': '^\\circ',
  '\\textdegree': '^\\circ',
  '\\SI': '#1\\,\\mathrm{#2}',
  // Astronomy.
  '\\sun': '\\odot',
  '\\msun': 'M_\\odot',
  '\\Msun': 'M_\\odot',
  '\\rsun': 'R_\\odot',
  '\\Rsun': 'R_\\odot',
  '\\lsun': 'L_\\odot',
  '\\Lsun': 'L_\\odot',
  '\\kms': '\\mathrm{km\\,s^{-1}}',
};

function buildMacros(): Readonly<Record<string, string>> {
  const macros: Record<string, string> = { ...OTHER_MACROS };
  for (const [name, letter] of Object.entries(BLACKBOARD_LETTERS)) macros[`\\${name}`] = `\\mathbb{${letter}}`;
  for (const name of OPERATOR_NAMES) macros[`\\${name}`] = `\\operatorname{${name}}`;
  for (const [name, expansion] of Object.entries(GREEK_SHORTHANDS)) macros[`\\${name}`] = expansion;
  return Object.freeze(macros);
}

/** The macro table given to KaTeX (copied per call: KaTeX writes `\gdef`s into the object it is given). */
export const KATEX_MACROS = buildMacros();
