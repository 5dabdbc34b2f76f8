/**
 * SYNTHETIC BENCHMARK DATA. Generates records shaped like arXiv's metadata snapshot (the JSON-lines file published
 * on Kaggle): same field names, value shapes and rough sizes, but invented text. The output is only for measuring
 * the importer; it is written to a temporary directory, never committed and never loaded into a real instance.
 *
 * Deterministic: the same seed and count always give byte-identical output.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { SeededRandom } from './seeded-random.ts';

/** One line of the snapshot, with arXiv's field names. */
export interface SnapshotRecord {
  id: string;
  submitter: string | null;
  authors: string;
  title: string;
  comments: string | null;
  'journal-ref': string | null;
  doi: string | null;
  'report-no': string | null;
  categories: string;
  license: string | null;
  abstract: string;
  versions: { version: string; created: string }[];
  update_date: string;
  /** `[last, first, suffix]` per author. */
  authors_parsed: [string, string, string][];
}

/** Seed used by the benchmark; change it and every figure's input changes. */
export const DEFAULT_SEED = 20_240_101;
/** arXiv receives roughly this many papers a month; ids are numbered within their month. */
const PAPERS_PER_MONTH = 20_000;
/** The first id's month (January 2024): ids are `2401.00001` onwards. */
const FIRST_YEAR = 2024;
const FIRST_MONTH_INDEX = 0;
/** Abstract length bounds, in characters (real ones cluster around 1,000). */
const ABSTRACT_MIN_CHARS = 600;
const ABSTRACT_MAX_CHARS = 1_400;
/** arXiv wraps abstracts at about this many characters per line. */
const WRAP_COLUMN = 80;
/** Records written per write() call. */
const WRITE_BATCH_RECORDS = 1_000;

// biome-ignore format: a compact word list reads better than one word a line
const FIRST_NAMES = [
  'Alice', 'Bruno', 'Chen', 'Dmitri', 'Elena', 'Farid', 'Grace', 'Hiroshi', 'Ines', 'Jakob', 'Kavya', 'Lars',
  'Mei', 'Nikolai', 'Olga', 'Pedro', 'Qing', 'Rafael', 'Sofia', 'Tomás', 'Uma', 'Viktor', 'Wen', 'Yusuf', 'Zoë',
  'A.', 'B. K.', 'C.-H.', 'J. P.', 'M. A.', 'S.', 'Y.',
] as const;
/** `[as written in the authors string (TeX accents), as parsed (Unicode)]`. */
// biome-ignore format: a compact word list reads better than one word a line
const LAST_NAMES: readonly (readonly [string, string])[] = [
  ['Anderson', 'Anderson'], ['Bal\\\'azs', 'Balázs'], ['Chandrasekhar', 'Chandrasekhar'], ['Dubois', 'Dubois'],
  ['Eriksson', 'Eriksson'], ['Fern\\\'andez', 'Fernández'], ['Gupta', 'Gupta'], ['Hoffmann', 'Hoffmann'],
  ['Ivanova', 'Ivanova'], ['Jensen', 'Jensen'], ['Kim', 'Kim'], ['Li', 'Li'], ['M\\"uller', 'Müller'],
  ['Nakamura', 'Nakamura'], ['O\'Brien', 'O\'Brien'], ['Petrov', 'Petrov'], ['Qureshi', 'Qureshi'], ['Rossi', 'Rossi'],
  ['Schr\\"oder', 'Schröder'], ['Tanaka', 'Tanaka'], ['Usman', 'Usman'], ['Van der Berg', 'Van der Berg'],
  ['Wang', 'Wang'], ['Xu', 'Xu'], ['Yamamoto', 'Yamamoto'], ['Zhang', 'Zhang'], ['Abu-Shammala', 'Abu-Shammala'],
];
// biome-ignore format: a compact word list reads better than one word a line
const CATEGORIES = [
  'cs.LG', 'cs.CL', 'cs.CV', 'cs.AI', 'stat.ML', 'cs.RO', 'cs.IR', 'hep-th', 'hep-ph', 'gr-qc', 'quant-ph',
  'astro-ph.GA', 'astro-ph.CO', 'cond-mat.str-el', 'cond-mat.mes-hall', 'math.CO', 'math.AG', 'math.PR', 'math.NT',
  'physics.optics', 'q-bio.NC', 'eess.SP', 'econ.EM',
] as const;
const LICENSES = [
  'http://arxiv.org/licenses/nonexclusive-distrib/1.0/',
  'http://creativecommons.org/licenses/by/4.0/',
  'http://creativecommons.org/licenses/by-nc-sa/4.0/',
  'http://creativecommons.org/publicdomain/zero/1.0/',
] as const;
const JOURNALS = ['Phys.Rev.D', 'Phys.Rev.Lett.', 'JHEP', 'Astrophys.J.', 'Nucl.Phys.B', 'J.Comb.Theory'] as const;
// biome-ignore format: a compact word list reads better than one word a line
const ADJECTIVES = [
  'efficient', 'robust', 'scalable', 'sparse', 'stochastic', 'nonlinear', 'adaptive', 'universal', 'quantum',
  'topological', 'generative', 'hierarchical', 'optimal', 'asymptotic', 'multimodal', 'contrastive', 'causal',
] as const;
// biome-ignore format: a compact word list reads better than one word a line
const NOUNS = [
  'transformer', 'manifold', 'estimator', 'representation', 'diffusion model', 'lattice', 'gauge theory',
  'black hole', 'graph', 'policy', 'kernel', 'spectrum', 'benchmark', 'dataset', 'algorithm', 'operator',
  'language model', 'attention mechanism', 'phase transition', 'boundary condition', 'neural network',
] as const;
const VERBS = [
  'propose',
  'analyse',
  'derive',
  'introduce',
  'characterise',
  'study',
  'prove',
  'evaluate',
  'construct',
] as const;
// biome-ignore format: a compact word list reads better than one word a line
const TEX_FRAGMENTS = [
  '$\\mathcal{O}(n \\log n)$', '$\\alpha \\to 0$', '$k$-sparse', '$\\mathbb{R}^d$', '$\\epsilon$-optimal',
  '\\emph{without} supervision', '$\\sqrt{T}$ regret', '$SU(N)$', '$p < 0.05$', '$L^2$ norm',
] as const;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const MS_PER_DAY = 86_400_000;

/** Yields `count` records in id order, as the snapshot lists them. */
export function* generateSnapshotRecords(count: number, seed = DEFAULT_SEED): Generator<SnapshotRecord> {
  const random = new SeededRandom(seed);
  for (let index = 0; index < count; index += 1) yield generateRecord(random, index);
}

/** Writes `count` records as JSON lines to `path`; returns the file's size in bytes. */
export function writeSnapshotFile(path: string, count: number, seed = DEFAULT_SEED): number {
  const fd = openSync(path, 'w');
  let bytes = 0;
  try {
    const lines: string[] = [];
    for (const record of generateSnapshotRecords(count, seed)) {
      lines.push(JSON.stringify(record));
      if (lines.length === WRITE_BATCH_RECORDS) bytes += flush(fd, lines);
    }
    bytes += flush(fd, lines);
  } finally {
    closeSync(fd);
  }
  return bytes;
}

/** Writes the lines and empties the array; returns the bytes written. */
function flush(fd: number, lines: string[]): number {
  if (lines.length === 0) return 0;
  const chunk = Buffer.from(`${lines.join('\n')}\n`);
  lines.length = 0;
  writeSync(fd, chunk);
  return chunk.length;
}

function generateRecord(random: SeededRandom, index: number): SnapshotRecord {
  const monthOffset = FIRST_MONTH_INDEX + Math.floor(index / PAPERS_PER_MONTH);
  const year = FIRST_YEAR + Math.floor(monthOffset / 12);
  const month = monthOffset % 12;
  const number = (index % PAPERS_PER_MONTH) + 1;
  const id = `${String(year % 100).padStart(2, '0')}${String(month + 1).padStart(2, '0')}.${String(number).padStart(5, '0')}`;

  const authors = generateAuthors(random);
  const versions = generateVersions(random, year, month);
  const lastVersion = versions.at(-1)!;
  const categories = pickDistinct(random, CATEGORIES, random.int(1, 3));
  const pages = random.int(4, 60);

  return {
    id,
    submitter: random.chance(0.98) ? `${authors[0]![1]} ${authors[0]![0]}` : null,
    authors: wrapList(authors.map(([, first, , written]) => `${first} ${written}`)),
    title: wrapTitle(generateTitle(random)),
    comments: random.chance(0.85) ? `${pages} pages, ${random.int(0, 15)} figures` : null,
    'journal-ref': random.chance(0.3)
      ? `${random.pick(JOURNALS)}${random.int(10, 120)}:${random.int(1000, 99999)},${year}`
      : null,
    doi: random.chance(0.35) ? `10.${random.int(1000, 9999)}/${id.replace('.', '')}.${random.int(100, 999)}` : null,
    'report-no': random.chance(0.08) ? `PREPRINT-${year}-${random.int(1, 999)}` : null,
    categories: categories.join(' '),
    license: random.chance(0.85) ? random.pick(LICENSES) : null,
    abstract: wrapAbstract(generateAbstract(random)),
    versions: versions.map((date, i) => ({ version: `v${i + 1}`, created: rfc2822(date) })),
    update_date: lastVersion.toISOString().slice(0, 10),
    authors_parsed: authors.map(([last, first, suffix]) => [last, first, suffix]),
  };
}

/** `[last (Unicode), first, suffix, last as written]`; 1-12 authors, most papers having few. */
function generateAuthors(random: SeededRandom): [string, string, string, string][] {
  const count = Math.min(12, 1 + Math.floor(-Math.log(1 - random.next()) * 3));
  const authors: [string, string, string, string][] = [];
  for (let i = 0; i < count; i += 1) {
    const [written, parsed] = random.pick(LAST_NAMES);
    authors.push([parsed, random.pick(FIRST_NAMES), random.chance(0.02) ? 'Jr' : '', written]);
  }
  return authors;
}

/** Version dates: v1 within the id's month, later versions days to weeks later. */
function generateVersions(random: SeededRandom, year: number, month: number): Date[] {
  const first = Date.UTC(year, month, random.int(1, 28), random.int(0, 23), random.int(0, 59), random.int(0, 59));
  const dates = [new Date(first)];
  const count = random.chance(0.6) ? 1 : random.chance(0.7) ? 2 : 3;
  for (let i = 1; i < count; i += 1) {
    dates.push(new Date(dates[i - 1]!.getTime() + random.int(1, 60) * MS_PER_DAY + random.int(0, 86_399) * 1000));
  }
  return dates;
}

function generateTitle(random: SeededRandom): string {
  const words = [
    capitalise(random.pick(ADJECTIVES)),
    random.pick(NOUNS),
    'for',
    random.pick(ADJECTIVES),
    random.pick(NOUNS),
  ];
  if (random.chance(0.4)) words.push('with', random.pick(TEX_FRAGMENTS));
  if (random.chance(0.5)) words.push('via', random.pick(ADJECTIVES), random.pick(NOUNS));
  return words.join(' ');
}

function generateAbstract(random: SeededRandom): string {
  const target = random.int(ABSTRACT_MIN_CHARS, ABSTRACT_MAX_CHARS);
  const sentences: string[] = [];
  let length = 0;
  while (length < target) {
    const sentence = generateSentence(random);
    sentences.push(sentence);
    length += sentence.length + 1;
  }
  return sentences.join(' ');
}

function generateSentence(random: SeededRandom): string {
  const subject = random.chance(0.5) ? 'We' : 'In this work we';
  const tail = random.chance(0.3) ? ` achieving ${random.pick(TEX_FRAGMENTS)}` : '';
  const clause = random.chance(0.5)
    ? `, and show that the ${random.pick(NOUNS)} is ${random.pick(ADJECTIVES)} under mild assumptions`
    : '';
  return `${subject} ${random.pick(VERBS)} a ${random.pick(ADJECTIVES)} ${random.pick(NOUNS)} for the ${random.pick(NOUNS)}${tail}${clause}.`;
}

/** As arXiv stores abstracts: two leading spaces, hard-wrapped lines, a trailing newline. */
function wrapAbstract(text: string): string {
  return `  ${wrapWords(text, WRAP_COLUMN, '\n')}\n`;
}

/** Long titles and author lists are wrapped with a newline and two spaces, as in the snapshot. */
function wrapTitle(text: string): string {
  return wrapWords(text, WRAP_COLUMN - 8, '\n  ');
}

/** `A, B and C`, wrapped like a title. */
function wrapList(names: string[]): string {
  const joined = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return wrapWords(joined, WRAP_COLUMN - 8, '\n  ');
}

function wrapWords(text: string, column: number, separator: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line.length > 0 && line.length + 1 + word.length > column) {
      lines.push(line);
      line = word;
    } else {
      line = line.length > 0 ? `${line} ${word}` : word;
    }
  }
  if (line.length > 0) lines.push(line);
  return lines.join(separator);
}

/** `Mon, 2 Apr 2007 19:18:42 GMT`, as the snapshot's version dates. */
function rfc2822(date: Date): string {
  const time = date.toISOString().slice(11, 19);
  return `${WEEKDAYS[date.getUTCDay()]}, ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ${time} GMT`;
}

function pickDistinct<T>(random: SeededRandom, items: readonly T[], count: number): T[] {
  const chosen: T[] = [];
  while (chosen.length < count) {
    const item = random.pick(items);
    if (!chosen.includes(item)) chosen.push(item);
  }
  return chosen;
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
