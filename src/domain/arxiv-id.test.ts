import { describe, expect, it } from 'vitest';
import { idYearMonth, parseArxivId } from './arxiv-id.ts';

describe('parseArxivId', () => {
  it.each([
    ['2206.00927', '2206.00927', null],
    ['2206.00927v3', '2206.00927', 3],
    ['0704.0001', '0704.0001', null],
    ['1412.9999v1', '1412.9999', 1],
    ['hep-th/9901001', 'hep-th/9901001', null],
    ['hep-th/9901001v2', 'hep-th/9901001', 2],
    ['math.AG/0601001', 'math.AG/0601001', null],
    ['cond-mat/0703999', 'cond-mat/0703999', null],
  ])('accepts %s', (input, id, version) => {
    expect(parseArxivId(input)).toEqual({ ok: true, value: { id, version } });
  });

  it.each([
    'abc',
    '../../etc/passwd',
    '2206.00927v99x',
    'x'.repeat(5000),
    '',
    '2213.00001', // month 13
    '0811.36489', // five digits before 2015
    '2206.0927', // four digits after 2015
    '0612.0001', // new style before April 2007
    'foo-bar/9901001', // not an archive
    'hep-th/0801001', // old style after March 2007
    '2206.00927v0',
  ])('refuses %s with a reason', (input) => {
    const result = parseArxivId(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason.length).toBeLessThan(200);
  });
});

describe('idYearMonth', () => {
  it('reads the YYMM of both schemes', () => {
    expect(idYearMonth('2206.00927')).toBe('2022-06');
    expect(idYearMonth('hep-th/9901001')).toBe('1999-01');
    expect(idYearMonth('math.AG/0601001')).toBe('2006-01');
  });
});
