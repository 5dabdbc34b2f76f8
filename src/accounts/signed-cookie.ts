/**
 * A small value kept by the browser between two requests (the OpenID Connect state, nonce and PKCE verifier while
 * the person is at their provider), signed with the instance secret so that it cannot be forged or altered, and
 * carrying its own expiry so that an old one is refused even if the browser kept it.
 */
import { safeEqual, signWith } from './secret-tokens.ts';

/** Longest cookie value read, in characters (a browser keeps 4 KB per cookie; ours are far smaller). */
const MAX_SIGNED_COOKIE_LENGTH = 3_000;

/** `payload.signature`, both base64url; the payload is JSON of `{v: value, exp: epoch ms}`. */
export function sealValue(key: string, purpose: string, value: unknown, expiresAtMs: number): string {
  const payload = Buffer.from(JSON.stringify({ v: value, exp: expiresAtMs }), 'utf8').toString('base64url');
  return `${payload}.${signWith(key, `${purpose}:${payload}`)}`;
}

/**
 * The value sealed by `sealValue` for this purpose, or null when the cookie is absent, altered, signed for another
 * purpose or expired.
 */
export function openSealedValue(key: string, purpose: string, sealed: unknown, nowMs: number): unknown {
  if (typeof sealed !== 'string' || sealed.length > MAX_SIGNED_COOKIE_LENGTH) return null;
  const dot = sealed.indexOf('.');
  if (dot <= 0) return null;
  const payload = sealed.slice(0, dot);
  const signature = sealed.slice(dot + 1);
  if (!safeEqual(signature, signWith(key, `${purpose}:${payload}`))) return null;
  try {
    const parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { v?: unknown; exp?: unknown };
    if (typeof parsed.exp !== 'number' || parsed.exp <= nowMs) return null;
    return parsed.v ?? null;
  } catch {
    return null;
  }
}
