import { describe, expect, it } from 'vitest';
import { hashSecretToken, newSecretToken, safeEqual, signWith } from './secret-tokens.ts';

describe('secret tokens', () => {
  it('are 256-bit, URL-safe, distinct, and prefixed when asked', () => {
    const a = newSecretToken();
    const b = newSecretToken('pb_');
    expect(a).toMatch(/^[\w-]{43}$/);
    expect(b).toMatch(/^pb_[\w-]{43}$/);
    expect(new Set(Array.from({ length: 100 }, () => newSecretToken())).size).toBe(100);
  });

  it('are stored as a SHA-256 that does not reveal them', () => {
    const token = newSecretToken();
    expect(hashSecretToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashSecretToken(token)).toBe(hashSecretToken(token));
    expect(hashSecretToken(token)).not.toContain(token);
  });

  it('sign messages with a key: another key or message gives another signature', () => {
    expect(signWith('k1', 'm')).toBe(signWith('k1', 'm'));
    expect(signWith('k1', 'm')).not.toBe(signWith('k2', 'm'));
    expect(signWith('k1', 'm')).not.toBe(signWith('k1', 'n'));
  });

  it('compare in constant time, including different lengths', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });
});
