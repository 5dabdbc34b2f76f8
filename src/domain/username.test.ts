import { describe, expect, it } from 'vitest';
import { isEmailAddress, normalizeEmail, usernameFromEmail, usernameKey, usernameProblem } from './username.ts';

describe('usernames', () => {
  it('accepts letters, digits, - and _', () => {
    for (const name of ['ada', 'Ada_Lovelace', 'x1', 'cheng-lu', '42']) expect(usernameProblem(name)).toBeNull();
  });

  it('refuses the wrong length, characters, leading punctuation and reserved names, saying why', () => {
    expect(usernameProblem('a')).toMatch(/2 to 30 characters/);
    expect(usernameProblem('a'.repeat(31))).toMatch(/2 to 30 characters/);
    expect(usernameProblem('ada lovelace')).toMatch(/only letters, digits/);
    expect(usernameProblem('-ada')).toMatch(/starts with a letter or digit/);
    expect(usernameProblem('<script>')).toMatch(/only letters/);
    expect(usernameProblem('Admin')).toMatch(/reserved/);
    expect(usernameProblem('paperboy')).toMatch(/reserved/);
  });

  it('are unique regardless of case', () => {
    expect(usernameKey('Ada_Lovelace')).toBe(usernameKey('ada_lovelace'));
  });

  it('are proposed from an email address', () => {
    expect(usernameFromEmail('ada.lovelace+papers@example.org')).toBe('ada-lovelace');
    expect(usernameFromEmail('José.Núñez@example.org')).toBe('Jose-Nunez');
    expect(usernameFromEmail('a@example.org')).toBe('reader-a');
    expect(usernameFromEmail('admin@example.org')).toBe('reader-admin');
    expect(usernameFromEmail('...@example.org')).toBe('reader');
    expect(usernameProblem(usernameFromEmail(`${'x'.repeat(80)}@example.org`))).toBeNull();
  });
});

describe('email addresses', () => {
  it('accepts ordinary addresses', () => {
    for (const address of ['ada@example.org', 'a.b+c@sub.example.co.uk', 'x_y@uni-x.edu']) {
      expect(isEmailAddress(address)).toBe(true);
    }
  });

  it('refuses anything that could smuggle a header or a second recipient', () => {
    for (const address of [
      'x@y.org\r\nBcc: z@w.org',
      'x@y.org\nBcc: z@w.org',
      'x@y.org, z@w.org',
      'Ada <ada@example.org>',
      'ada@example',
      'ada',
      '@example.org',
      'a@@example.org',
      'a b@example.org',
      `${'a'.repeat(250)}@example.org`,
    ]) {
      expect(isEmailAddress(address), address).toBe(false);
    }
  });

  it('are stored trimmed and lower-cased', () => {
    expect(normalizeEmail('  Ada@Example.ORG ')).toBe('ada@example.org');
  });
});
