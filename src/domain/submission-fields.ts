/**
 * The optional fields of a paper submission, checked and tidied before anything is stored: the submitter's short
 * comment, the paper's GitHub repository and its project page; and the rule that old papers are for admins only.
 * Pure functions: each returns the tidy value (null when left empty) or a reason naming what was wrong.
 */
import { idYearMonth } from './arxiv-id.ts';

/** A submission comment is a line or two about why the paper is worth reading, in characters. */
export const SUBMISSION_COMMENT_MAX_CHARS = 500;
/** Longest link accepted for a project page or repository, in characters. */
export const SUBMISSION_LINK_MAX_CHARS = 500;
const MS_PER_DAY = 86_400_000;

export type FieldResult<T> = { ok: true; value: T } | { ok: false; reason: string };

const GITHUB_HOSTS = new Set(['github.com', 'www.github.com']);
/** GitHub's rules: letters, digits and single inner hyphens, at most 39 characters. */
const GITHUB_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const GITHUB_REPO = /^[A-Za-z0-9._-]{1,100}$/;
/** Control characters other than tab and newline have no place in a comment. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/**
 * A GitHub repository as `https://github.com/owner/repo`: http, `www.`, a trailing slash, `.git`, a query or a
 * fragment are tidied away; anything that is not a repository's own address is refused.
 */
export function normalizeGithubRepo(input: string): FieldResult<string | null> {
  const text = input.trim();
  if (text === '') return { ok: true, value: null };
  const expected = 'the GitHub repository must be an address like https://github.com/owner/repo';
  if (text.length > SUBMISSION_LINK_MAX_CHARS) return { ok: false, reason: expected };
  const url = parseHttpUrl(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  if (!url || !GITHUB_HOSTS.has(url.hostname.toLowerCase()) || url.port !== '' || url.username || url.password) {
    return { ok: false, reason: expected };
  }
  const segments = url.pathname.split('/').filter((s) => s !== '');
  if (segments.length !== 2) return { ok: false, reason: expected };
  const owner = segments[0]!;
  const repo = segments[1]!.replace(/\.git$/i, '');
  if (!GITHUB_OWNER.test(owner) || !GITHUB_REPO.test(repo) || repo === '.' || repo === '..') {
    return { ok: false, reason: expected };
  }
  return { ok: true, value: `https://github.com/${owner}/${repo}` };
}

/** A project page: any http(s) address on a named host, without credentials in it. */
export function normalizeProjectPage(input: string): FieldResult<string | null> {
  const text = input.trim();
  if (text === '') return { ok: true, value: null };
  const expected = 'the project page must be a web address starting with https:// or http://';
  if (text.length > SUBMISSION_LINK_MAX_CHARS) {
    return { ok: false, reason: `the project page address has at most ${SUBMISSION_LINK_MAX_CHARS} characters` };
  }
  if (!/^https?:\/\//i.test(text)) return { ok: false, reason: expected };
  const url = parseHttpUrl(text);
  if (!url || url.hostname === '' || !url.hostname.includes('.') || url.username || url.password) {
    return { ok: false, reason: expected };
  }
  return { ok: true, value: url.href };
}

/** The submitter's comment, trimmed, with Windows line ends made plain; at most SUBMISSION_COMMENT_MAX_CHARS. */
export function normalizeSubmissionComment(input: string): FieldResult<string | null> {
  const text = input.replaceAll('\r\n', '\n').trim();
  if (text === '') return { ok: true, value: null };
  const length = [...text].length;
  if (length > SUBMISSION_COMMENT_MAX_CHARS) {
    return {
      ok: false,
      reason: `the comment has ${length} characters; at most ${SUBMISSION_COMMENT_MAX_CHARS} are allowed`,
    };
  }
  if (CONTROL_CHARACTERS.test(text)) return { ok: false, reason: 'the comment contains control characters' };
  return { ok: true, value: text };
}

/**
 * True when a paper's first version is older than `maxAgeDays` at `now` (only admins may submit it). When arXiv's
 * date is unknown, the id's month bounds it: the paper is certainly older than the end of that month.
 */
export function isOlderThanSubmissionWindow(
  firstVersionAt: string | null,
  id: string,
  now: Date,
  maxAgeDays: number,
): boolean {
  const limit = now.getTime() - maxAgeDays * MS_PER_DAY;
  if (firstVersionAt !== null) {
    const first = Date.parse(firstVersionAt);
    if (!Number.isNaN(first)) return first < limit;
  }
  const month = idYearMonth(id);
  if (month === null) return false;
  const [year, monthNumber] = month.split('-').map(Number) as [number, number];
  const endOfMonth = Date.UTC(year, monthNumber, 1); // month is 1-based, so this is the next month's first day
  return endOfMonth < limit;
}

function parseHttpUrl(text: string): URL | null {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : null;
  } catch {
    return null;
  }
}
