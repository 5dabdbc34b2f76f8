/**
 * Chooses and builds the embedder the configuration asks for (PAPERBOY_EMBEDDER): the offline default (GloVe + SIF,
 * no download), an operator's ONNX sentence-embedding model (loaded lazily, so the default start never pays for
 * @huggingface/transformers), or none.
 */
import type { Config } from '../../config.ts';
import type { Embedder } from '../embedder.ts';
import { GloveSifEmbedder } from './glove-sif.ts';
import { type ConversionProgress, loadWordVectors } from './word-vectors.ts';

export interface CreateEmbedderOptions {
  /** Lines for the operator (e.g. the one-time conversion of the word vectors). */
  log?: (message: string) => void;
  /**
   * Where the one-time conversion's progress bar is drawn; only when it is a terminal. Defaults to process.stderr.
   */
  progressStream?: NodeJS.WritableStream & { isTTY?: boolean };
}

/** The configured embedder, ready to embed; null when semantic search is off (PAPERBOY_EMBEDDER=off). */
export async function createEmbedder(
  config: Pick<Config, 'embedder' | 'embedderModelDir' | 'cacheDir'>,
  options: CreateEmbedderOptions = {},
): Promise<Embedder | null> {
  switch (config.embedder) {
    case 'off':
      return null;
    case 'onnx': {
      if (!config.embedderModelDir) {
        throw new Error('PAPERBOY_EMBEDDER=onnx needs PAPERBOY_EMBEDDER_MODEL, the folder of the model');
      }
      const { createOnnxEmbedder } = await import('./onnx.ts');
      return createOnnxEmbedder(config.embedderModelDir, { log: options.log });
    }
    case 'default':
      return createDefaultEmbedder(config.cacheDir, options);
  }
}

/** The offline default embedder (see glove-sif.ts), converting the word vectors into `cacheDir` on first use. */
export async function createDefaultEmbedder(cacheDir: string, options: CreateEmbedderOptions = {}): Promise<Embedder> {
  const progress = conversionProgress(options.progressStream ?? process.stderr);
  const log = options.log
    ? (message: string) => {
        progress?.stop();
        options.log?.(message);
      }
    : undefined;
  try {
    const vectors = await loadWordVectors({ cacheDir, log, onProgress: progress?.update });
    return new GloveSifEmbedder(vectors);
  } finally {
    progress?.stop();
  }
}

const BYTES_PER_MIB = 1024 * 1024;

/** A one-line progress display of the conversion on a terminal; null elsewhere (logs stay clean). */
function conversionProgress(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
): { update: (progress: ConversionProgress) => void; stop: () => void } | null {
  if (!stream.isTTY) return null;
  const started = performance.now();
  /** A progress line is on screen without its end of line yet. */
  let open = false;
  let lastDrawMs = 0;
  return {
    update({ bytesRead, totalBytes, words }) {
      const now = performance.now();
      if (now - lastDrawMs < 200 && bytesRead < totalBytes) return;
      lastDrawMs = now;
      const seconds = (now - started) / 1000;
      const rate = seconds > 0 ? bytesRead / BYTES_PER_MIB / seconds : 0;
      const eta = rate > 0 ? (totalBytes - bytesRead) / BYTES_PER_MIB / rate : 0;
      const percent = totalBytes > 0 ? Math.floor((100 * bytesRead) / totalBytes) : 0;
      stream.write(
        `\rConverting word vectors: ${percent}% | ${words} words | ${rate.toFixed(0)} MiB/s | ETA ${eta.toFixed(0)} s  `,
      );
      open = true;
    },
    /** Ends the progress line (before a message, and at the end). */
    stop() {
      if (open) stream.write('\n');
      open = false;
    },
  };
}
