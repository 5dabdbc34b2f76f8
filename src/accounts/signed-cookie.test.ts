import { describe, expect, it } from 'vitest';
import { openSealedValue, sealValue } from './signed-cookie.ts';

const KEY = 'k'.repeat(40);
const NOW = 1_700_000_000_000;

describe('sealed cookie values', () => {
  it('round-trips a value until it expires', () => {
    const sealed = sealValue(KEY, 'oidc', { state: 's', next: '/x' }, NOW + 1000);
    expect(openSealedValue(KEY, 'oidc', sealed, NOW)).toEqual({ state: 's', next: '/x' });
    expect(openSealedValue(KEY, 'oidc', sealed, NOW + 1000)).toBeNull();
  });

  it('refuses altered values, other keys and other purposes', () => {
    const sealed = sealValue(KEY, 'oidc', { state: 's' }, NOW + 1000);
    const [payload, signature] = sealed.split('.');
    const altered = `${Buffer.from(JSON.stringify({ v: { state: 'evil' }, exp: NOW + 1000 })).toString('base64url')}.${signature}`;
    expect(openSealedValue(KEY, 'oidc', altered, NOW)).toBeNull();
    expect(openSealedValue('other'.repeat(8), 'oidc', sealed, NOW)).toBeNull();
    expect(openSealedValue(KEY, 'unsubscribe', sealed, NOW)).toBeNull();
    expect(openSealedValue(KEY, 'oidc', `${payload}.`, NOW)).toBeNull();
    expect(openSealedValue(KEY, 'oidc', 'garbage', NOW)).toBeNull();
    expect(openSealedValue(KEY, 'oidc', undefined, NOW)).toBeNull();
  });
});
