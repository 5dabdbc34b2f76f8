import { describe, expect, it } from 'vitest';
import { meaningfulWords, parseSearchQuery, type SearchQuery } from './search-query.ts';

function parse(text: string, options?: { prefix?: boolean }): SearchQuery {
  const result = parseSearchQuery(text, options);
  if (!result.ok) throw new Error(result.reason);
  return result.query;
}

function reason(text: string): string {
  const result = parseSearchQuery(text);
  if (result.ok) throw new Error(`accepted: ${text}`);
  return result.reason;
}

describe('parseSearchQuery', () => {
  it('finds the words, lower-cased and without duplicates, and quoted phrases', () => {
    const q = parse('Few-step samplers for "diffusion models" diffusion');
    expect(q.words).toEqual(['few', 'step', 'samplers', 'for', 'diffusion', 'models']);
    expect(q.phrases).toEqual([['diffusion', 'models']]);
    expect(meaningfulWords(q)).toEqual(['few', 'step', 'samplers', 'diffusion', 'models']);
    expect(q.prefix).toBe(false);
  });

  it('reads filters, quoted or not, and leaves them out of the words', () => {
    const q = parse('ode solver cat:cs.LG author:"Cheng Lu" after:2022-01-01 before:2023-12-31 category:stat.ML');
    expect(q.words).toEqual(['ode', 'solver']);
    expect(q.filters).toEqual({
      categories: ['cs.LG', 'stat.ML'],
      authors: ['Cheng Lu'],
      after: '2022-01-01',
      before: '2023-12-31',
    });
    expect(q.text).toBe('ode solver');
    // A filter alone is a search.
    expect(parse('author:Witten').filters.authors).toEqual(['Witten']);
  });

  it('turns every search-engine syntax into plain text', () => {
    for (const text of [
      '"',
      '"unbalanced quote',
      'diffusion*',
      'NEAR(diffusion models)',
      '-diffusion',
      'title:diffusion',
      'diffusion AND OR NOT models',
      "x'); DROP TABLE papers; --",
      '1=1 OR "a"="a"',
      '^diffusion {models} [x] (y)',
    ]) {
      const result = parseSearchQuery(text);
      if (!result.ok) {
        expect(result.reason, text).toMatch(/Type at least one word/);
        continue;
      }
      for (const word of result.query.words) expect(word, text).toMatch(/^[\p{L}\p{N}]+$/u);
    }
    expect(parse('diffusion AND OR NOT models').words).toEqual(['diffusion', 'and', 'or', 'not', 'models']);
    expect(parse("x'); DROP TABLE papers; --").words).toEqual(['x', 'drop', 'table', 'papers']);
  });

  it('keeps letters of every script and digits, folds accents, drops emoji and math symbols', () => {
    expect(parse('Schrödinger 🚀 ∇·u = 0 équation 量子').words).toEqual(['schrodinger', 'u', '0', 'equation', '量子']);
  });

  it('refuses an empty or symbol-only query, and says why', () => {
    for (const text of ['', '   ', '"" ** ()', '🚀🚀', '∑∫']) expect(reason(text)).toMatch(/Type at least one word/);
  });

  it('refuses bad filters with a sentence naming them', () => {
    expect(reason('x cat:not/a/category')).toMatch(/not an arXiv category/);
    expect(reason('x after:2023-13-01')).toMatch(/after: wants a day/);
    expect(reason('x before:yesterday')).toMatch(/before: wants a day/);
    expect(reason('x after:2024-01-01 before:2023-01-01')).toMatch(/later than/);
    expect(reason('x author:""')).toMatch(/needs a value/);
    expect(reason('x'.repeat(251))).toMatch(/at most 250 characters/);
  });

  it('marks search as you type only while a word is being typed', () => {
    expect(parse('diffusion mod', { prefix: true }).prefix).toBe(true);
    expect(parse('diffusion mod ', { prefix: true }).prefix).toBe(false);
    expect(parse('"diffusion models"', { prefix: true }).prefix).toBe(false);
    expect(parse('diffusion mod').prefix).toBe(false);
  });

  it('recognises an arXiv id or link, so that the paper can come first', () => {
    expect(parse('2206.00927').arxivId).toBe('2206.00927');
    expect(parse('arXiv:2206.00927v2').arxivId).toBe('2206.00927');
    expect(parse('https://arxiv.org/abs/hep-th/9901001').arxivId).toBe('hep-th/9901001');
    expect(parse('diffusion models').arxivId).toBeNull();
  });

  it('keeps only the first 32 words', () => {
    const words = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    expect(parse(words).words).toHaveLength(32);
  });
});
