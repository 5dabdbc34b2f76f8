/**
 * The process's shared embedder (search/embedder-loader.ts): loaded once in the background however many holders
 * (the web app and the worker's job in one `paperboy serve`), closed by the last release, and a failed load leaves
 * semantic search off with a warning instead of failing.
 */
import { describe, expect, it } from 'vitest';
import type { Embedder } from '../src/search/embedder.ts';
import { acquireEmbedder } from '../src/search/embedder-loader.ts';

const CONFIG = { embedder: 'default' as const, embedderModelDir: null, cacheDir: '/nonexistent/loader-test' };

function countingEmbedder(): Embedder & { closed: number } {
  return {
    id: 'counting@1',
    dimensions: 2,
    closed: 0,
    embed: async (texts) => texts.map(() => new Float32Array([1, 0])),
    async close() {
      this.closed += 1;
    },
  };
}

describe('the shared embedder', () => {
  it('loads once for several holders, in the background, and the last release closes it', async () => {
    const embedder = countingEmbedder();
    let loads = 0;
    const factory = async () => {
      loads += 1;
      return embedder;
    };
    const log = { info: () => {}, warn: () => {} };
    const web = acquireEmbedder({ ...CONFIG, cacheDir: '/a' }, log, factory);
    const worker = acquireEmbedder({ ...CONFIG, cacheDir: '/a' }, log, factory);
    // Nothing is loaded synchronously: the caller goes on at once.
    expect(web.current()).toBeNull();
    expect(web.settled()).toBe(false);
    expect(await web.ready).toBe(embedder);
    expect(await worker.ready).toBe(embedder);
    expect(loads).toBe(1);
    expect(worker.current()).toBe(embedder);
    await web.release();
    await web.release();
    expect(embedder.closed).toBe(0);
    await worker.release();
    expect(embedder.closed).toBe(1);
    // A new holder after that loads again.
    const again = acquireEmbedder({ ...CONFIG, cacheDir: '/a' }, log, factory);
    await again.ready;
    expect(loads).toBe(2);
    await again.release();
  });

  it('turns a failed load into lexical-only search with a warning', async () => {
    const warnings: string[] = [];
    const handle = acquireEmbedder(
      { ...CONFIG, cacheDir: '/b' },
      { info: () => {}, warn: (m) => warnings.push(m) },
      async () => {
        throw new Error('no word vectors here');
      },
    );
    expect(await handle.ready).toBeNull();
    expect(handle.settled()).toBe(true);
    expect(handle.current()).toBeNull();
    expect(warnings).toEqual([expect.stringContaining('search is by words only: no word vectors here')]);
    await handle.release();
  });

  it('does not hold a shutdown while still loading, and closes the embedder once it arrives', async () => {
    const embedder = countingEmbedder();
    let finish: (e: Embedder) => void = () => {};
    const handle = acquireEmbedder(
      { ...CONFIG, cacheDir: '/c' },
      { info: () => {}, warn: () => {} },
      () =>
        new Promise<Embedder>((resolve) => {
          finish = resolve;
        }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    await handle.release();
    expect(embedder.closed).toBe(0);
    finish(embedder);
    await handle.ready;
    await new Promise((resolve) => setImmediate(resolve));
    expect(embedder.closed).toBe(1);
  });
});
