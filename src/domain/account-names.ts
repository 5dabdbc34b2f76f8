/**
 * Usernames for accounts the site creates by itself (first sign-in by email link or single sign-on): a base name
 * proposed from what we know about the person, then the same with a number when it is taken.
 */
import { USERNAME_MAX_LENGTH, usernameFromEmail, usernameKey, usernameProblem } from './username.ts';

/** The longest display name, in characters. */
export const DISPLAY_NAME_MAX_LENGTH = 60;
/** The longest API token name, in characters. */
export const TOKEN_NAME_MAX_LENGTH = 60;

/** How many numbered variants (`ada2`, `ada3`, ...) are tried before a random suffix. */
export const NUMBERED_USERNAME_ATTEMPTS = 50;

/** What an identity provider tells us about a person (OpenID Connect standard claims). */
export interface NameClaims {
  preferredUsername?: string | null;
  email?: string | null;
}

/** The base username for a new account: the provider's preferred username when acceptable, else from the email. */
export function baseUsername(claims: NameClaims): string {
  const preferred = claims.preferredUsername?.trim();
  if (preferred && usernameProblem(preferred) === null) return preferred;
  if (preferred) {
    const tidied = usernameFromEmail(`${preferred}@x`);
    if (usernameProblem(tidied) === null && !tidied.startsWith('reader')) return tidied;
  }
  return usernameFromEmail(claims.email ?? '');
}

/** `base`, `base2`, `base3`, ...: the candidates in order, each a valid username. */
export function usernameCandidates(base: string, count = NUMBERED_USERNAME_ATTEMPTS): string[] {
  const candidates: string[] = [];
  for (let n = 1; n <= count; n++) {
    const suffix = n === 1 ? '' : String(n);
    const name = `${base.slice(0, USERNAME_MAX_LENGTH - suffix.length)}${suffix}`;
    if (usernameProblem(name) === null) candidates.push(name);
  }
  return candidates;
}

/** The first candidate whose key is not taken, or null when all are. */
export function firstFreeUsername(candidates: string[], takenKeys: ReadonlySet<string>): string | null {
  return candidates.find((name) => !takenKeys.has(usernameKey(name))) ?? null;
}
