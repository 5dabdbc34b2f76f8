import { describe, expect, it } from 'vitest';
import { LruCache } from './lru-cache.ts';

describe('LruCache', () => {
  it('computes once per key and evicts the least recently used', () => {
    const cache = new LruCache<number>(2);
    let computed = 0;
    const get = (key: string) =>
      cache.getOrCompute(key, () => {
        computed += 1;
        return key.length;
      });
    get('a');
    get('bb');
    get('a');
    expect(computed).toBe(2);
    get('ccc'); // evicts 'bb', the least recently used
    expect(cache.size).toBe(2);
    get('a');
    expect(computed).toBe(3);
    get('bb');
    expect(computed).toBe(4);
  });
});
