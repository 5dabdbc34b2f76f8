/**
 * The real default embedder (GloVe word vectors with SIF weighting, search/embedders/) for tests, with its word
 * vectors converted once into the repository's cache folder (data/cache, as `paperboy` uses by default) and shared
 * by every test file after that: the first conversion takes a few seconds, later loads a fraction of a second.
 */
import { fileURLToPath } from 'node:url';
import type { Embedder } from '../../src/search/embedder.ts';
import { createDefaultEmbedder } from '../../src/search/embedders/index.ts';

/** Where tests keep the converted word vectors (the binary's default PAPERBOY_CACHE_DIR, from the repository root). */
export const TEST_CACHE_DIR = fileURLToPath(new URL('../../data/cache', import.meta.url));

let loading: Promise<Embedder> | null = null;

/** The default embedder, loaded once per test file (never closed: the file's process ends). */
export function defaultTestEmbedder(): Promise<Embedder> {
  loading ??= createDefaultEmbedder(TEST_CACHE_DIR, { log: () => {} });
  return loading;
}

/** A unit vector of `dimensions` random components (seeded, so failures repeat). */
export function randomUnitVectors(count: number, dimensions: number, seed = 1): Float32Array[] {
  let state = seed >>> 0 || 1;
  const next = () => {
    // xorshift32: deterministic and fast.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296 - 0.5;
  };
  return Array.from({ length: count }, () => {
    const vector = new Float32Array(dimensions);
    let norm = 0;
    for (let i = 0; i < dimensions; i++) {
      vector[i] = next();
      norm += vector[i]! * vector[i]!;
    }
    const scale = 1 / Math.sqrt(norm);
    for (let i = 0; i < dimensions; i++) vector[i]! *= scale;
    return vector;
  });
}
