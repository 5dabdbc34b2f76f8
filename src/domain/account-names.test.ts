import { describe, expect, it } from 'vitest';
import { baseUsername, firstFreeUsername, usernameCandidates } from './account-names.ts';
import { usernameProblem } from './username.ts';

describe('baseUsername', () => {
  it("prefers the provider's username when it is acceptable", () => {
    expect(baseUsername({ preferredUsername: 'ada_l', email: 'x@example.org' })).toBe('ada_l');
  });

  it('tidies an unusable preferred username, else falls back to the email', () => {
    expect(baseUsername({ preferredUsername: 'Ada Lovelace', email: 'x@example.org' })).toBe('Ada-Lovelace');
    expect(baseUsername({ preferredUsername: 'admin', email: 'grace@example.org' })).toBe('grace');
    expect(baseUsername({ preferredUsername: null, email: 'grace.hopper@example.org' })).toBe('grace-hopper');
    expect(usernameProblem(baseUsername({ email: null }))).toBeNull();
  });
});

describe('usernameCandidates', () => {
  it('numbers the base and keeps every candidate a valid username', () => {
    expect(usernameCandidates('ada', 3)).toEqual(['ada', 'ada2', 'ada3']);
    const long = usernameCandidates('x'.repeat(30), 12);
    expect(long[0]).toBe('x'.repeat(30));
    expect(long[11]).toBe(`${'x'.repeat(28)}12`);
    for (const name of long) expect(usernameProblem(name)).toBeNull();
  });

  it('picks the first free one, regardless of case', () => {
    expect(firstFreeUsername(['Ada', 'Ada2', 'Ada3'], new Set(['ada', 'ada2']))).toBe('Ada3');
    expect(firstFreeUsername(['ada'], new Set(['ada']))).toBeNull();
  });
});
