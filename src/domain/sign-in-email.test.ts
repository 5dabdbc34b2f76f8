import { describe, expect, it } from 'vitest';
import { checkSignInEmail } from './sign-in-email.ts';

describe('checkSignInEmail', () => {
  it('normalises a plausible address', () => {
    expect(checkSignInEmail('  Ada.Lovelace+papers@Example.ORG ')).toEqual({
      ok: true,
      email: 'ada.lovelace+papers@example.org',
    });
  });

  it('refuses header injection and second recipients with a sentence saying what to fix', () => {
    const problem = (value: unknown) => {
      const checked = checkSignInEmail(value);
      return checked.ok ? null : checked.problem;
    };
    expect(problem('a@example.org\r\nBcc: b@example.org')).toMatch(/without line breaks/);
    expect(problem('a@example.org\nSubject: hi')).toMatch(/without line breaks/);
    expect(problem('a@example.org, b@example.org')).toMatch(/one email address only/);
    expect(problem('Ada <a@example.org>')).toMatch(/one email address only/);
    expect(problem('bcc:a@example.org')).toMatch(/one email address only/);
    expect(problem('a@example.org;b@example.org')).toMatch(/one email address only/);
    expect(problem('a\u0000@example.org')).toMatch(/is not an email address/);
    expect(problem('no-at-sign')).toMatch(/is not an email address/);
    expect(problem('a@nodot')).toMatch(/is not an email address/);
    expect(problem(`${'a'.repeat(250)}@example.org`)).toMatch(/at most 254/);
    expect(problem('')).toBe('Enter your email address.');
    expect(problem(undefined)).toBe('Enter your email address.');
    expect(problem(42)).toBe('Enter your email address.');
  });
});
