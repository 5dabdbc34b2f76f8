/**
 * Random bearer secrets (session cookies, magic links, API tokens) and their stored form. Only a SHA-256 of each
 * secret is stored, so a copy of the database signs nobody in; a 256-bit random secret needs no salt or slow hash.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Entropy of every secret we hand out, in bytes (256 bits). */
const SECRET_TOKEN_BYTES = 32;

/** A new URL-safe random secret, optionally with a recognisable prefix (`pb_` for API tokens). */
export function newSecretToken(prefix = ''): string {
  return `${prefix}${randomBytes(SECRET_TOKEN_BYTES).toString('base64url')}`;
}

/** The stored form of a secret: its SHA-256, hex. */
export function hashSecretToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** HMAC-SHA256 of `message` under `key`, base64url: tokens derived from a server secret (CSRF, unsubscribe links). */
export function signWith(key: string, message: string): string {
  return createHmac('sha256', key).update(message, 'utf8').digest('base64url');
}

/** Compares two strings in time independent of where they differ. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
