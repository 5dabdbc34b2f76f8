import { describe, expect, it } from 'vitest';
import { MAX_ARXIV_REFERENCE_LENGTH, parseArxivReference } from './arxiv-reference.ts';

const accepted: [string, string, number | null][] = [
  ['2206.00927', '2206.00927', null],
  ['2206.00927v2', '2206.00927', 2],
  ['arXiv:2206.00927v2', '2206.00927', 2],
  ['arxiv:2206.00927', '2206.00927', null],
  ['arXiv: 2206.00927', '2206.00927', null],
  ['arxiv.org/abs/2206.00927', '2206.00927', null],
  ['https://arxiv.org/abs/2206.00927v2', '2206.00927', 2],
  ['https://arxiv.org/abs/2206.00927/', '2206.00927', null],
  ['https://arxiv.org/abs/2206.00927?context=cs.LG#top', '2206.00927', null],
  ['http://export.arxiv.org/abs/2206.00927', '2206.00927', null],
  ['https://arxiv.org/pdf/2206.00927v2', '2206.00927', 2],
  ['https://arxiv.org/pdf/2206.00927v2.pdf', '2206.00927', 2],
  ['arxiv.org/pdf/2206.00927.pdf', '2206.00927', null],
  ['https://arxiv.org/html/2206.00927v1', '2206.00927', 1],
  ['https://www.arxiv.org/abs/2206.00927', '2206.00927', null],
  ['HTTPS://ARXIV.ORG/abs/2206.00927', '2206.00927', null],
  ['https://huggingface.co/papers/2206.00927', '2206.00927', null],
  ['huggingface.co/papers/2206.00927#community', '2206.00927', null],
  ['https://hf.co/papers/2206.00927', '2206.00927', null],
  ['hep-th/9901001', 'hep-th/9901001', null],
  ['math.AG/0601001v1', 'math.AG/0601001', 1],
  ['arXiv:hep-th/9901001v3', 'hep-th/9901001', 3],
  ['https://arxiv.org/abs/hep-th/9901001', 'hep-th/9901001', null],
  ['https://arxiv.org/pdf/math.AG/0601001v1.pdf', 'math.AG/0601001', 1],
  ['https://arxiv.org/abs/hep-th%2F9901001', 'hep-th/9901001', null],
  ['0704.0001', '0704.0001', null],
  ['  2206.00927 \n', '2206.00927', null],
  ['<https://arxiv.org/abs/2206.00927>', '2206.00927', null],
  [' < 2206.00927v2 > ', '2206.00927', 2],
];

describe('parseArxivReference', () => {
  it.each(accepted)('accepts %j', (input, id, version) => {
    expect(parseArxivReference(input)).toEqual({ ok: true, value: { id, version } });
  });

  const refused: [string, RegExp][] = [
    ['', /no paper was given/],
    ['   ', /no paper was given/],
    ['<>', /no paper was given/],
    ['0811.36489', /ids from 0811 have 4 digits after the dot/],
    ['2206.0092', /ids from 2206 have 5 digits after the dot/],
    ['2213.00927', /no month 13/],
    ['abc', /'abc' is not an arXiv id/],
    ['2206.00927 and 2206.00928', /contains spaces/],
    ['https://example.org/abs/2206.00927', /links to example\.org are not accepted/],
    ['https://arxiv.org.evil.example/abs/2206.00927', /links to arxiv\.org\.evil\.example are not accepted/],
    ['https://scholar.google.com/scholar?q=2206.00927', /links to scholar\.google\.com are not accepted/],
    ['https://arxiv.org/list/cs.LG/recent', /does not point to a paper/],
    ['https://arxiv.org/abs/', /does not point to a paper/],
    ['https://arxiv.org/', /does not point to a paper/],
    ['https://arxiv.org/abs/2206.00927v0', /version 0/],
    ['https://arxiv.org/abs/not-an-id', /does not end in a valid arXiv id/],
    ['https://huggingface.co/datasets/2206.00927', /Hugging Face link does not point to a paper/],
    ['https://huggingface.co/papers/', /Hugging Face link does not point to a paper/],
    ['ftp://arxiv.org/abs/2206.00927', /only http\(s\) links/],
    ['javascript://arxiv.org/abs/2206.00927', /only http\(s\) links/],
    ['https://arxiv.org/abs/%E0%A4%A', /not a valid link/],
    ['foo/9901001', /'foo' is not an arXiv archive/],
    ['hep-th/9901001v1 extra', /contains spaces/],
  ];
  it.each(refused)('refuses %j, naming what was wrong', (input, reason) => {
    const result = parseArxivReference(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('refuses very long text without quoting all of it back', () => {
    const result = parseArxivReference('x'.repeat(MAX_ARXIV_REFERENCE_LENGTH + 1));
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/at most 300 characters/) });
    const long = parseArxivReference(`https://example.org/${'a'.repeat(200)}`);
    expect(!long.ok && long.reason.length).toBeLessThan(150);
  });
});
