/**
 * Where to send someone after they sign in (`?next=/path`). Only a path on this site is accepted: an absolute URL,
 * a protocol-relative `//host`, a backslash (which browsers read as a slash) or a control character would turn the
 * sign-in form into an open redirect to a look-alike site.
 */

/** Longest `next` path kept, in characters (anything longer is surely not a page of ours). */
export const MAX_RETURN_PATH_LENGTH = 500;
/** Where people land when no (acceptable) `next` was given. */
export const DEFAULT_RETURN_PATH = '/';

/** The safe local path asked for, or null when `raw` is absent or unsafe. */
export function safeReturnPath(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw === '' || raw.length > MAX_RETURN_PATH_LENGTH) return null;
  if (!raw.startsWith('/') || raw.startsWith('//')) return null;
  // Backslashes and control characters (tab, CR, LF are dropped by URL parsers) can smuggle a host in.
  if (/[\\\p{Cc}\s]/u.test(raw)) return null;
  // The path must stay on this origin once a URL parser has read it (e.g. `/%2F%2Fevil` stays a path).
  const parsed = new URL(raw, 'http://paperboy.invalid');
  if (parsed.origin !== 'http://paperboy.invalid') return null;
  // Sign-in pages are no destination: they would loop.
  if (/^\/login(?:[/?#]|$)/.test(parsed.pathname + parsed.search)) return null;
  return raw;
}

/** The path to go to after signing in: `next` when safe, else the home page. */
export function returnPathOrHome(raw: unknown): string {
  return safeReturnPath(raw) ?? DEFAULT_RETURN_PATH;
}
