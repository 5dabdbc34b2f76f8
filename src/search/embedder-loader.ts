/**
 * The configured embedder, loaded once per process in the background and shared: the web app (query vectors) and
 * the worker's embedding job (paper vectors) run in one process under `paperboy serve`, and the default embedder's
 * word vectors are large, so they must not be loaded twice. Nothing waits for the load: until it finishes,
 * `current()` is null and search is lexical only. The last holder to release the handle closes the embedder.
 */
import type { Config } from '../config.ts';
import type { Embedder } from './embedder.ts';

/** A holder's view of the shared embedder. */
export interface EmbedderHandle {
  /** The embedder once loaded; null while loading, when semantic search is off, or when loading failed. */
  current(): Embedder | null;
  /** Whether loading has finished (with an embedder or without one). */
  settled(): boolean;
  /** Settles when loading has finished: the embedder, or null (off or failed; never rejects). */
  readonly ready: Promise<Embedder | null>;
  /** This holder is done with it; the last release closes the embedder (once loaded, without waiting for that). */
  release(): Promise<void>;
}

/** Builds an embedder (createEmbedder from embedders/index.ts, or a test's own). */
export type EmbedderFactory = (
  config: Pick<Config, 'embedder' | 'embedderModelDir' | 'cacheDir'>,
  log: (message: string) => void,
) => Promise<Embedder | null>;

interface SharedLoad {
  ready: Promise<Embedder | null>;
  embedder: Embedder | null;
  settled: boolean;
  holders: number;
}

const loads = new Map<string, SharedLoad>();

const defaultFactory: EmbedderFactory = async (config, log) => {
  const { createEmbedder } = await import('./embedders/index.ts');
  return createEmbedder(config, { log });
};

/**
 * A handle on the process's embedder for this configuration, starting its load if none is running. Loading errors
 * are logged (`warn`) and leave semantic search off rather than stopping the program.
 */
export function acquireEmbedder(
  config: Pick<Config, 'embedder' | 'embedderModelDir' | 'cacheDir'>,
  log: { info(message: string): void; warn(message: string): void },
  factory: EmbedderFactory = defaultFactory,
): EmbedderHandle {
  const key = `${config.embedder}\u0000${config.embedderModelDir ?? ''}\u0000${config.cacheDir}`;
  let load = loads.get(key);
  if (!load) {
    const started = performance.now();
    const created: SharedLoad = { ready: Promise.resolve(null), embedder: null, settled: false, holders: 0 };
    created.ready = (async () => {
      // A macrotask later: the caller (the server starting) goes on first.
      await new Promise((resolve) => setImmediate(resolve));
      try {
        const embedder = await factory(config, (message) => log.info(message));
        created.embedder = embedder;
        created.settled = true;
        if (embedder) {
          const seconds = ((performance.now() - started) / 1000).toFixed(1);
          log.info(`embedder ${embedder.id} ready in ${seconds} s: search is hybrid (words and meaning)`);
        }
        return embedder;
      } catch (error) {
        created.settled = true;
        log.warn(
          `the embedder (PAPERBOY_EMBEDDER=${config.embedder}) could not be loaded, so search is by words only: ${(error as Error).message}`,
        );
        return null;
      }
    })();
    load = created;
    loads.set(key, load);
  }
  const shared = load;
  shared.holders += 1;
  let released = false;
  return {
    current: () => shared.embedder,
    settled: () => shared.settled,
    ready: shared.ready,
    async release() {
      if (released) return;
      released = true;
      shared.holders -= 1;
      if (shared.holders > 0) return;
      loads.delete(key);
      if (!shared.settled) {
        // Still loading (e.g. converting the word vectors): do not hold the caller's shutdown; close once loaded.
        void shared.ready.then((embedder) => embedder?.close()).catch(() => {});
        return;
      }
      await shared.embedder?.close();
    },
  };
}

/** A handle on an embedder the caller already has (tests, the benchmark): nothing to load, nothing shared. */
export function fixedEmbedder(embedder: Embedder | null): EmbedderHandle {
  return {
    current: () => embedder,
    settled: () => true,
    ready: Promise.resolve(embedder),
    release: async () => {},
  };
}
