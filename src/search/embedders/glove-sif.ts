/**
 * The offline default embedder: GloVe word vectors (word-vectors.ts) averaged with SIF weights (Arora, Liang and Ma,
 * "A simple but tough-to-beat baseline for sentence embeddings", 2017): each word counts a / (a + p(w)), so "the" and
 * "of" weigh almost nothing and rare, meaningful words almost 1; the vectors' mean and dominant common directions
 * (word-vectors.ts, COMMON_DIRECTIONS) are taken out, which makes unrelated texts stop looking alike, and the result
 * is scaled to unit length. It needs no download (the vectors ship in an npm package) and embeds thousands of
 * abstracts a second.
 *
 * p(w) is estimated from the word's frequency rank in GloVe's vocabulary (Zipf's law: p(rank r) = 1 / ((r + 1) H),
 * H the harmonic number of the vocabulary size). Each choice here was measured against its alternatives on the
 * judged set (corpus word counts, other `a`, SIF's corpus component removal, fewer words): eval/search/README.md.
 */
import type { Embedder, EmbeddingRole } from '../embedder.ts';
import type { WordVectors } from './word-vectors.ts';

/** SIF's smoothing constant: the probability at which a word's weight is halved (the paper's best range 1e-4..1e-3). */
export const SIF_SMOOTHING = 1e-3;
/** TeX commands (`\mathcal`, `\alpha`) are markup, not words a reader types. */
const TEX_COMMAND_PATTERN = /\\[A-Za-z]+/g;
/** Letters and digits, possibly joined by hyphens (`few-step`, `state-of-the-art`). */
const WORD_PATTERN = /[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*/gu;
/** Beyond this a text is cut: an abstract is at most a few thousand characters, and a vector of more says no more. */
const MAX_TEXT_CHARS = 20_000;

/**
 * The words of a text as the word vectors spell them: accents folded and lower-cased like the lexical index
 * (domain/search-query.ts), TeX commands dropped, a hyphenated word kept whole when the vocabulary knows it
 * (`state-of-the-art`), else joined (`pre-training` -> `pretraining`) when known, else split into its parts.
 */
export function vectorWords(text: string, known: (word: string) => boolean): string[] {
  const folded = text
    .slice(0, MAX_TEXT_CHARS)
    .replace(TEX_COMMAND_PATTERN, ' ')
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .normalize('NFC')
    .toLowerCase();
  const words: string[] = [];
  for (const token of folded.match(WORD_PATTERN) ?? []) {
    if (!token.includes('-') || known(token)) {
      words.push(token);
      continue;
    }
    const joined = token.replaceAll('-', '');
    if (known(joined)) words.push(joined);
    else words.push(...token.split('-'));
  }
  return words;
}

export interface GloveSifOptions {
  /** SIF's `a` (SIF_SMOOTHING by default). */
  smoothing?: number;
  /**
   * Word probabilities to use instead of the Zipf estimate from GloVe's ranks (e.g. counted in the instance's
   * corpus); a word missing from the map falls back to the estimate.
   */
  probabilities?: ReadonlyMap<string, number>;
  /**
   * Subtracted from every word vector (times the word's weight): the vectors' common mean direction, which makes
   * unrelated texts look alike. Applied to the weighted sum, which is the same by linearity.
   */
  center?: Float32Array | null;
  /** Unit directions projected out of every sentence vector (dominant components that carry frequency, not meaning). */
  components?: readonly Float32Array[];
  /** A suffix for the id when the options above change the vectors. */
  variant?: string;
}

/** An Embedder over loaded word vectors. */
export class GloveSifEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  readonly #vectors: WordVectors;
  /** SIF weight of each row, precomputed. */
  readonly #weights: Float32Array;
  readonly #center: Float32Array | null;
  readonly #components: readonly Float32Array[];

  constructor(vectors: WordVectors, options: GloveSifOptions = {}) {
    const smoothing = options.smoothing ?? SIF_SMOOTHING;
    this.#vectors = vectors;
    this.dimensions = vectors.dimensions;
    this.id = `glove-sif:${vectors.source}:a=${smoothing}${options.variant ? `:${options.variant}` : ''}`;
    this.#center = options.center === undefined ? vectors.center : options.center;
    this.#components = options.components ?? vectors.commonDirections;
    const harmonic = Math.log(Math.max(vectors.vocabularySize, vectors.ranks.length)) + 0.5772156649;
    this.#weights = new Float32Array(vectors.ranks.length);
    const rowWords = options.probabilities ? [...vectors.index.keys()] : [];
    for (let row = 0; row < vectors.ranks.length; row++) {
      const zipf = 1 / ((vectors.ranks[row]! + 1) * harmonic);
      const p = options.probabilities?.get(rowWords[row]!) ?? zipf;
      this.#weights[row] = smoothing / (smoothing + p);
    }
  }

  async embed(texts: readonly string[], _role: EmbeddingRole): Promise<Float32Array[]> {
    return texts.map((text) => this.embedOne(text));
  }

  /** The SIF-weighted mean of the known words' vectors, unit length (zero when no word is known). */
  embedOne(text: string): Float32Array {
    const { index, scales, vectors, dimensions } = this.#vectors;
    const sum = new Float32Array(dimensions);
    let totalWeight = 0;
    for (const word of vectorWords(text, (candidate) => index.has(candidate))) {
      const row = index.get(word);
      if (row === undefined) continue;
      totalWeight += this.#weights[row]!;
      const factor = this.#weights[row]! * scales[row]!;
      const base = row * dimensions;
      for (let i = 0; i < dimensions; i++) sum[i]! += factor * vectors[base + i]!;
    }
    if (totalWeight === 0) return sum;
    if (this.#center) for (let i = 0; i < dimensions; i++) sum[i]! -= totalWeight * this.#center[i]!;
    for (const component of this.#components) {
      let projection = 0;
      for (let i = 0; i < dimensions; i++) projection += sum[i]! * component[i]!;
      for (let i = 0; i < dimensions; i++) sum[i]! -= projection * component[i]!;
    }
    return normalize(sum);
  }

  async close(): Promise<void> {}
}

/** Scales a vector to unit length in place (a zero vector stays zero). */
export function normalize(vector: Float32Array): Float32Array {
  let squares = 0;
  for (const value of vector) squares += value * value;
  if (squares === 0 || !Number.isFinite(squares)) return squares === 0 ? vector : vector.fill(0);
  const factor = 1 / Math.sqrt(squares);
  for (let i = 0; i < vector.length; i++) vector[i]! *= factor;
  return vector;
}
