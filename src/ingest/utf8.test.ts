import { describe, expect, it } from 'vitest';
import { findInvalidUtf8, type InvalidUtf8Run, Utf8StreamDecoder } from './utf8.ts';

describe('findInvalidUtf8', () => {
  it('finds the first bad byte', () => {
    expect(findInvalidUtf8(Buffer.from('Müller ✓ 𝔸', 'utf8'))).toBe(-1);
    expect(findInvalidUtf8(Buffer.from([0x41, 0x42, 0xfc, 0x43]))).toBe(2);
    expect(findInvalidUtf8(Buffer.from([0x41, 0xc3]))).toBe(1); // cut short
    expect(findInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0); // a UTF-16 surrogate
    expect(findInvalidUtf8(Buffer.from([0xc0, 0xaf]))).toBe(0); // overlong
  });
});

describe('Utf8StreamDecoder', () => {
  const text = 'Bal\u00e1zs — 𝔸 and Müller';
  const bytes = Buffer.from(text, 'utf8');

  it('decodes valid text split at every byte boundary', () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      const runs: InvalidUtf8Run[] = [];
      const decoder = new Utf8StreamDecoder((run) => runs.push(run));
      const decoded = decoder.decode(bytes.subarray(0, cut)) + decoder.decode(bytes.subarray(cut)) + decoder.end();
      expect(decoded).toBe(text);
      expect(runs).toEqual([]);
    }
  });

  it('reports where invalid bytes fell, in text and in bytes, across chunks', () => {
    const bad = Buffer.concat([
      Buffer.from('ab', 'utf8'),
      Buffer.from([0xfc]),
      Buffer.from('cé', 'utf8'),
      Buffer.from([0xe4]),
    ]);
    for (let cut = 0; cut <= bad.length; cut++) {
      const runs: InvalidUtf8Run[] = [];
      const decoder = new Utf8StreamDecoder((run) => runs.push(run));
      const decoded = decoder.decode(bad.subarray(0, cut)) + decoder.decode(bad.subarray(cut)) + decoder.end();
      expect(decoded).toBe('ab\ufffdcé\ufffd');
      expect(runs).toEqual([
        { textOffset: 2, byteOffset: 2 },
        { textOffset: 5, byteOffset: 6 },
      ]);
    }
  });
});
