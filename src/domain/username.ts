/**
 * Usernames: what people are called on profile pages (`/u/{username}`) and in `@mentions`. Letters, digits, `-`
 * and `_`, 2 to 30 characters, starting with a letter or digit; unique regardless of case.
 */

export const USERNAME_MIN_LENGTH = 2;
export const USERNAME_MAX_LENGTH = 30;
const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
/** Names that would read as the site speaking, or collide with its own accounts. */
const RESERVED_USERNAMES = new Set(['admin', 'administrator', 'paperboy', 'root', 'system', 'moderator', 'support']);

/** Why a username is refused, in a sentence; null when it is acceptable. */
export function usernameProblem(username: string): string | null {
  if (username.length < USERNAME_MIN_LENGTH || username.length > USERNAME_MAX_LENGTH) {
    return `A username has ${USERNAME_MIN_LENGTH} to ${USERNAME_MAX_LENGTH} characters.`;
  }
  if (!USERNAME_PATTERN.test(username)) {
    return 'A username has only letters, digits, - and _, and starts with a letter or digit.';
  }
  if (RESERVED_USERNAMES.has(username.toLowerCase())) return `The username '${username}' is reserved.`;
  return null;
}

/** The key under which usernames are unique: case does not make a different person. */
export function usernameKey(username: string): string {
  return username.toLowerCase();
}

/**
 * A username proposed from an email address's local part (`ada.lovelace+papers@x.org` -> `ada-lovelace`), for
 * accounts made by a magic link; the caller appends a number when it is taken.
 */
export function usernameFromEmail(email: string): string {
  const local = email.split('@')[0]?.split('+')[0] ?? '';
  let name = local
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, USERNAME_MAX_LENGTH - 4);
  if (name.length < USERNAME_MIN_LENGTH || usernameProblem(name)) name = `reader${name ? `-${name}` : ''}`;
  return name.slice(0, USERNAME_MAX_LENGTH - 4);
}

/** A plausible email address: one @, a dot in the domain, no spaces or control characters, at most 254 characters. */
export function isEmailAddress(value: string): boolean {
  if (value.length > 254) return false;
  // No whitespace, control characters, angle brackets or commas: nothing that could smuggle a header or a second address.
  return /^[^\s@<>,;"\\\p{Cc}]+@[^\s@<>,;"\\\p{Cc}]+\.[^\s@<>,;"\\\p{Cc}]+$/u.test(value);
}

/** The stored form of an email address: trimmed and lower-cased (people type their address in any case). */
export function normalizeEmail(value: string): string {
  return value.trim().toLowerCase();
}
