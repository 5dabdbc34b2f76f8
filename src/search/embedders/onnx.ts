/**
 * A transformer sentence-embedding model (e.g. all-MiniLM-L6-v2, bge-small-en-v1.5) that the operator puts in a
 * folder, run on the CPU with @huggingface/transformers (ONNX Runtime) strictly offline: remote models are disabled,
 * so a missing file is an error naming it, never a download. The sentence vector is the mean of the token vectors
 * over the attention mask, unit length (what sentence-transformers does for these models). The library (and its
 * native runtime) is imported only here, and this module only when PAPERBOY_EMBEDDER=onnx, so the default start is
 * not slowed. See docs/semantic-search.md for the folder's layout and how to get one.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Embedder, EmbeddingRole } from '../embedder.ts';
import { normalize } from './glove-sif.ts';

/** The files a model folder must hold (the layout of a Hugging Face repository with an ONNX export). */
export const REQUIRED_MODEL_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'];
/** Texts per model call: big enough to amortise a call, small enough that padding to the longest costs little. */
export const ONNX_BATCH_SIZE = 16;
/** Tokens per text: these models were trained on at most 512, and a title with an abstract fits in 256. */
export const ONNX_MAX_TOKENS = 256;
/** Characters per text handed to the tokenizer (far beyond ONNX_MAX_TOKENS, so nothing useful is cut). */
const MAX_TEXT_CHARS = 4_000;

export interface OnnxEmbedderOptions {
  log?: (message: string) => void;
  /**
   * Prefixes that some models were trained with (e5: `query: ` / `passage: `; bge: an instruction for queries).
   * Read from `paperboy-embedder.json` in the folder when there is one: `{"queryPrefix": "...", "documentPrefix": "..."}`.
   */
  queryPrefix?: string;
  documentPrefix?: string;
  batchSize?: number;
}

/** Why a model folder cannot be used: names the folder, what is missing and what it must hold. */
export class ModelFolderError extends Error {
  override name = 'ModelFolderError';
}

/** Checks the folder's layout before anything is loaded, with an error an operator can act on. */
export function checkModelFolder(folder: string): void {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new ModelFolderError(
      `no model folder at ${folder}: it must be a folder holding ${REQUIRED_MODEL_FILES.join(', ')} (see docs/semantic-search.md)`,
    );
  }
  const missing = REQUIRED_MODEL_FILES.filter((file) => !existsSync(join(folder, file)));
  if (missing.length > 0) {
    throw new ModelFolderError(
      `the model folder ${folder} lacks ${missing.join(', ')}: it must hold ${REQUIRED_MODEL_FILES.join(', ')} (see docs/semantic-search.md)`,
    );
  }
}

/**
 * The embedder's id: the model's name (config.json `_name_or_path`, else the folder's name) and a short hash of
 * model.onnx's size and modification time, so that replacing the model re-embeds the papers.
 */
export function onnxEmbedderId(folder: string): string {
  const config = readJson(join(folder, 'config.json')) as { _name_or_path?: unknown };
  const name =
    typeof config._name_or_path === 'string' && config._name_or_path !== '' ? config._name_or_path : basename(folder);
  const model = statSync(join(folder, 'onnx/model.onnx'));
  const fingerprint = createHash('sha256').update(`${model.size}:${model.mtimeMs}`).digest('hex').slice(0, 10);
  return `onnx:${name}@${fingerprint}`;
}

/** Loads the model in `folder` (see checkModelFolder) and returns an Embedder over it. */
export async function createOnnxEmbedder(folder: string, options: OnnxEmbedderOptions = {}): Promise<Embedder> {
  const absolute = resolve(folder);
  checkModelFolder(absolute);
  const settings = readPrefixes(absolute);
  const started = performance.now();
  const transformers = await import('@huggingface/transformers');
  const { env } = transformers;
  // Offline, always: a file that is not in the folder must be an error, never a request to the Hub.
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.useFSCache = false;
  let tokenizer: Awaited<ReturnType<typeof transformers.AutoTokenizer.from_pretrained>>;
  let model: Awaited<ReturnType<typeof transformers.AutoModel.from_pretrained>>;
  try {
    tokenizer = await transformers.AutoTokenizer.from_pretrained(absolute, { local_files_only: true });
    model = await transformers.AutoModel.from_pretrained(absolute, {
      local_files_only: true,
      device: 'cpu',
      dtype: 'fp32',
    });
  } catch (error) {
    throw new ModelFolderError(`the model in ${absolute} could not be loaded: ${(error as Error).message}`);
  }
  const id = onnxEmbedderId(absolute);
  const dimensions = readDimensions(absolute);
  options.log?.(`embedder ${id} loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return new OnnxEmbedder(id, dimensions, tokenizer, model, {
    queryPrefix: options.queryPrefix ?? settings.queryPrefix ?? '',
    documentPrefix: options.documentPrefix ?? settings.documentPrefix ?? '',
    batchSize: options.batchSize ?? ONNX_BATCH_SIZE,
  });
}

/** What the embedder needs of a tokenizer and a model (the library's own types are far wider). */
type TokenizerLike = (
  texts: string[],
  options: { padding: boolean; truncation: boolean; max_length: number },
) => Record<string, unknown>;
interface TensorLike {
  data: ArrayLike<number | bigint>;
  dims: number[];
}
interface ModelLike {
  (inputs: Record<string, unknown>): Promise<Record<string, TensorLike>>;
  dispose(): Promise<unknown>;
}

class OnnxEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  readonly #tokenizer: TokenizerLike;
  readonly #model: ModelLike;
  readonly #settings: { queryPrefix: string; documentPrefix: string; batchSize: number };

  constructor(
    id: string,
    dimensions: number,
    tokenizer: unknown,
    model: unknown,
    settings: { queryPrefix: string; documentPrefix: string; batchSize: number },
  ) {
    this.id = id;
    this.dimensions = dimensions;
    this.#tokenizer = tokenizer as TokenizerLike;
    this.#model = model as ModelLike;
    this.#settings = settings;
  }

  async embed(texts: readonly string[], role: EmbeddingRole): Promise<Float32Array[]> {
    const prefix = role === 'query' ? this.#settings.queryPrefix : this.#settings.documentPrefix;
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.#settings.batchSize) {
      const batch = texts.slice(start, start + this.#settings.batchSize).map((text) => {
        const cleaned = text.slice(0, MAX_TEXT_CHARS).trim();
        return cleaned === '' ? '' : `${prefix}${cleaned}`;
      });
      vectors.push(...(await this.#embedBatch(batch)));
    }
    return vectors;
  }

  async #embedBatch(texts: string[]): Promise<Float32Array[]> {
    const inputs = this.#tokenizer(texts, { padding: true, truncation: true, max_length: ONNX_MAX_TOKENS });
    const outputs = await this.#model(inputs);
    const hidden = outputs.last_hidden_state ?? outputs.token_embeddings;
    if (hidden?.dims.length !== 3) {
      throw new Error(`the model ${this.id} gave no last_hidden_state [batch, tokens, dimensions]`);
    }
    const [batch, tokens, width] = hidden.dims as [number, number, number];
    if (width !== this.dimensions) {
      throw new Error(`the model ${this.id} gave ${width}-dimensional vectors, not ${this.dimensions}`);
    }
    const mask = (inputs.attention_mask as TensorLike).data;
    const data = hidden.data as ArrayLike<number>;
    const vectors: Float32Array[] = [];
    for (let b = 0; b < batch; b++) {
      const sum = new Float32Array(width);
      let count = 0;
      for (let t = 0; t < tokens; t++) {
        if (Number(mask[b * tokens + t]) === 0) continue;
        count++;
        const base = (b * tokens + t) * width;
        for (let i = 0; i < width; i++) sum[i]! += data[base + i]!;
      }
      // An empty text still has [CLS] and [SEP]: its vector is the model's, not ours to zero.
      vectors.push(count > 0 && texts[b] !== '' ? normalize(sum) : new Float32Array(width));
    }
    return vectors;
  }

  async close(): Promise<void> {
    await this.#model.dispose();
  }
}

/** The vector width: config.json's `hidden_size` (BERT-like models), `d_model` or `dim`. */
function readDimensions(folder: string): number {
  const config = readJson(join(folder, 'config.json')) as Record<string, unknown>;
  const width = config.hidden_size ?? config.d_model ?? config.dim;
  if (typeof width !== 'number' || !Number.isInteger(width) || width <= 0) {
    throw new ModelFolderError(`${join(folder, 'config.json')} does not say the vector width (hidden_size)`);
  }
  return width;
}

function readPrefixes(folder: string): { queryPrefix?: string; documentPrefix?: string } {
  const path = join(folder, 'paperboy-embedder.json');
  if (!existsSync(path)) return {};
  const settings = readJson(path) as Record<string, unknown>;
  const text = (value: unknown, key: string) => {
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new ModelFolderError(`${path}: "${key}" must be a string`);
    return value;
  };
  return {
    queryPrefix: text(settings.queryPrefix, 'queryPrefix'),
    documentPrefix: text(settings.documentPrefix, 'documentPrefix'),
  };
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ModelFolderError(`${path} is not readable JSON: ${(error as Error).message}`);
  }
}
