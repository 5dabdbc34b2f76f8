/**
 * A small least-recently-used cache. Rendering TeX is the costly part of a page, and feeds show the same titles and
 * abstracts to every reader, so rendered HTML is kept for the most recently used texts.
 */
export class LruCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly maxEntries: number) {}

  /** The cached value for `key`, computing and keeping it when absent. */
  getOrCompute(key: string, compute: () => V): V {
    const cached = this.entries.get(key);
    if (cached !== undefined) {
      // Re-inserting moves the key to the end of the Map's order: the end is the most recently used.
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached;
    }
    const value = compute();
    this.entries.set(key, value);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}
