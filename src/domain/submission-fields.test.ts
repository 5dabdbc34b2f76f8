import { describe, expect, it } from 'vitest';
import {
  isOlderThanSubmissionWindow,
  normalizeGithubRepo,
  normalizeProjectPage,
  normalizeSubmissionComment,
  SUBMISSION_COMMENT_MAX_CHARS,
} from './submission-fields.ts';

describe('normalizeGithubRepo', () => {
  it.each([
    ['https://github.com/LuChengTHU/dpm-solver', 'https://github.com/LuChengTHU/dpm-solver'],
    ['https://github.com/LuChengTHU/dpm-solver/', 'https://github.com/LuChengTHU/dpm-solver'],
    ['https://github.com/LuChengTHU/dpm-solver.git', 'https://github.com/LuChengTHU/dpm-solver'],
    ['http://www.github.com/a-b/c.d_e', 'https://github.com/a-b/c.d_e'],
    ['github.com/owner/repo?tab=readme#top', 'https://github.com/owner/repo'],
    ['  https://github.com/owner/repo  ', 'https://github.com/owner/repo'],
  ])('tidies %j', (input, expected) => {
    expect(normalizeGithubRepo(input)).toEqual({ ok: true, value: expected });
  });

  it('treats an empty field as no repository', () => {
    expect(normalizeGithubRepo('  ')).toEqual({ ok: true, value: null });
  });

  it.each([
    'https://gitlab.com/owner/repo',
    'https://github.com/owner',
    'https://github.com/owner/repo/tree/main',
    'https://github.com.evil.example/owner/repo',
    'https://user:pass@github.com/owner/repo',
    'https://github.com:8443/owner/repo',
    'https://github.com/-owner/repo',
    'https://github.com/owner/..',
    'javascript:alert(1)',
    'ftp://github.com/owner/repo',
    `https://github.com/owner/${'r'.repeat(600)}`,
  ])('refuses %j', (input) => {
    const result = normalizeGithubRepo(input);
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/https:\/\/github\.com\/owner\/repo/) });
  });
});

describe('normalizeProjectPage', () => {
  it('accepts http(s) addresses on named hosts', () => {
    expect(normalizeProjectPage(' https://example.org/project ')).toEqual({
      ok: true,
      value: 'https://example.org/project',
    });
    expect(normalizeProjectPage('http://lab.example.edu')).toEqual({ ok: true, value: 'http://lab.example.edu/' });
    expect(normalizeProjectPage('')).toEqual({ ok: true, value: null });
  });

  it.each([
    'example.org',
    'javascript:alert(1)',
    'data:text/html,hi',
    'https://localhost/',
    'https://user:secret@example.org/',
    'https:// bad',
  ])('refuses %j', (input) => {
    expect(normalizeProjectPage(input).ok).toBe(false);
  });

  it('refuses overlong addresses', () => {
    const result = normalizeProjectPage(`https://example.org/${'a'.repeat(600)}`);
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/at most 500 characters/) });
  });
});

describe('normalizeSubmissionComment', () => {
  it('trims and keeps plain text', () => {
    expect(normalizeSubmissionComment('  Great paper.\r\nA must-read.  ')).toEqual({
      ok: true,
      value: 'Great paper.\nA must-read.',
    });
    expect(normalizeSubmissionComment(' \n ')).toEqual({ ok: true, value: null });
  });

  it('counts characters, not UTF-16 units, and refuses more than the limit', () => {
    expect(normalizeSubmissionComment('∂'.repeat(SUBMISSION_COMMENT_MAX_CHARS)).ok).toBe(true);
    expect(normalizeSubmissionComment('😀'.repeat(SUBMISSION_COMMENT_MAX_CHARS)).ok).toBe(true);
    expect(normalizeSubmissionComment('x'.repeat(SUBMISSION_COMMENT_MAX_CHARS + 1))).toEqual({
      ok: false,
      reason: 'the comment has 501 characters; at most 500 are allowed',
    });
  });

  it('refuses control characters', () => {
    expect(normalizeSubmissionComment('bell\u0007').ok).toBe(false);
  });
});

describe('isOlderThanSubmissionWindow', () => {
  const now = new Date('2026-11-29T12:00:00.000Z');

  it('compares the first version with the window', () => {
    expect(isOlderThanSubmissionWindow('2026-11-20T00:00:00.000Z', '2611.00001', now, 14)).toBe(false);
    expect(isOlderThanSubmissionWindow('2026-11-15T11:59:59.000Z', '2611.00001', now, 14)).toBe(true);
    expect(isOlderThanSubmissionWindow('2016-05-26T17:59:46.000Z', '1605.08386', now, 14)).toBe(true);
    expect(isOlderThanSubmissionWindow('2016-05-26T17:59:46.000Z', '1605.08386', now, 36_500)).toBe(false);
  });

  it("falls back on the id's month when arXiv's date is unknown", () => {
    expect(isOlderThanSubmissionWindow(null, '2611.00001', now, 14)).toBe(false);
    expect(isOlderThanSubmissionWindow(null, '2609.00001', now, 14)).toBe(true);
    expect(isOlderThanSubmissionWindow(null, 'hep-th/9901001', now, 14)).toBe(true);
  });
});
