import { describe, expect, it } from 'vitest';
import { returnPathOrHome, safeReturnPath } from './return-path.ts';

describe('safeReturnPath', () => {
  it('keeps local paths with their query and fragment', () => {
    expect(safeReturnPath('/settings')).toBe('/settings');
    expect(safeReturnPath('/papers/2206.00927?x=1#comments')).toBe('/papers/2206.00927?x=1#comments');
    expect(safeReturnPath('/papers/hep-th/9901001')).toBe('/papers/hep-th/9901001');
  });

  it('refuses anything that could leave the site', () => {
    for (const next of [
      'https://evil.example/',
      'http:/evil.example',
      '//evil.example/path',
      '/\\evil.example',
      '\\\\evil.example',
      '/\tevil',
      'javascript:alert(1)',
      'settings',
      '',
      `/${'x'.repeat(600)}`,
    ]) {
      expect(safeReturnPath(next), next).toBeNull();
    }
    expect(safeReturnPath(undefined)).toBeNull();
    expect(safeReturnPath(['/a', '/b'])).toBeNull();
  });

  it('keeps percent-encoded characters as inert text of the path', () => {
    expect(safeReturnPath('/%0d%0aSet-Cookie:x')).toBe('/%0d%0aSet-Cookie:x');
    expect(safeReturnPath('/%2F%2Fevil.example')).toBe('/%2F%2Fevil.example');
  });

  it('never sends people back to the sign-in pages', () => {
    expect(safeReturnPath('/login')).toBeNull();
    expect(safeReturnPath('/login/verify?token=x')).toBeNull();
    expect(safeReturnPath('/login?next=/x')).toBeNull();
    expect(safeReturnPath('/logins-of-the-past')).toBe('/logins-of-the-past');
  });

  it('falls back to the home page', () => {
    expect(returnPathOrHome('//evil.example')).toBe('/');
    expect(returnPathOrHome('/u/ada')).toBe('/u/ada');
  });
});
