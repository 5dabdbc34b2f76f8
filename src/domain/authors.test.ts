import { describe, expect, it } from 'vitest';
import { authorFromParsedName, cleanAuthorName, splitAuthorList } from './authors.ts';

describe('splitAuthorList', () => {
  it('splits on commas and a final "and"', () => {
    expect(splitAuthorList("C. Bal\\'azs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan")).toEqual([
      'C. Balázs',
      'E. L. Berger',
      'P. M. Nadolsky',
      'C.-P. Yuan',
    ]);
    expect(splitAuthorList('Ileana Streinu and Louis Theran')).toEqual(['Ileana Streinu', 'Louis Theran']);
    expect(splitAuthorList('A. One, B. Two, and C. Three')).toEqual(['A. One', 'B. Two', 'C. Three']);
  });

  it('does not split inside names that contain "and"', () => {
    expect(splitAuthorList('Alexander Anderson, Sandra Andrews')).toEqual(['Alexander Anderson', 'Sandra Andrews']);
  });

  it('removes affiliations in parentheses, nested or not, and tolerates a stray closing one', () => {
    expect(splitAuthorList('Daniel M. Kane (Harvard), Jelani Nelson (MIT)')).toEqual([
      'Daniel M. Kane',
      'Jelani Nelson',
    ]);
    expect(
      splitAuthorList(
        'M.T. Beltran (1), C. Codella (2), R.\n  Cesaroni (3) ((1) Universitat de Barcelona-CSIC (2) INAF (3)\n  Arcetri))',
      ),
    ).toEqual(['M.T. Beltran', 'C. Codella', 'R. Cesaroni']);
    expect(splitAuthorList('A. Author (University of X, Y and Z), B. Author')).toEqual(['A. Author', 'B. Author']);
  });

  it('keeps everything when a parenthesis never closes, rather than lose names', () => {
    expect(splitAuthorList('A. Author (MIT, B. Author')).toEqual(['A. Author (MIT', 'B. Author']);
  });

  it('does not split inside TeX braces, and converts accents', () => {
    expect(splitAuthorList('{\\"U}mit {\\c C}elik, J. M{\\"u}ller and {Smith, Jones and Co}')).toEqual([
      'Ümit Çelik',
      'J. Müller',
      'Smith, Jones and Co',
    ]);
  });

  it('returns nothing for an empty list', () => {
    expect(splitAuthorList('')).toEqual([]);
    expect(splitAuthorList(' , ')).toEqual([]);
  });
});

describe('authorFromParsedName', () => {
  it('joins first, last and suffix', () => {
    expect(authorFromParsedName(['Berger', 'E. L.', ''])).toBe('E. L. Berger');
    expect(authorFromParsedName(['King', 'Martin Luther', 'Jr'])).toBe('Martin Luther King Jr');
    expect(authorFromParsedName(['Collaboration', '', ''])).toBe('Collaboration');
  });

  it('converts TeX accents and ignores extra elements (affiliations)', () => {
    expect(authorFromParsedName(["Bal\\'azs", 'C.', '', 'ANL'])).toBe('C. Balázs');
  });

  it('joins hyphenated initials the snapshot splits', () => {
    expect(authorFromParsedName(['Yuan', 'C. -P.', ''])).toBe('C.-P. Yuan');
  });

  it('treats non-text parts as missing', () => {
    expect(authorFromParsedName(['Solo', null, undefined])).toBe('Solo');
  });
});

describe('cleanAuthorName', () => {
  it('drops grouping braces and collapses spaces', () => {
    expect(cleanAuthorName('  {van der} Waals ')).toBe('van der Waals');
  });
});
