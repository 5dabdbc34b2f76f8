import { describe, expect, it } from 'vitest';
import { COMMENT_MAX_CHARS, checkCommentBody, mentionCandidates, threadOrder } from './comments.ts';

describe('checkCommentBody', () => {
  it('trims, and makes line endings \\n', () => {
    expect(checkCommentBody('  hello\r\nworld\r  ')).toEqual({ ok: true, body: 'hello\nworld' });
  });

  it('refuses empty and blank bodies', () => {
    expect(checkCommentBody('')).toEqual({ ok: false, reason: 'A comment cannot be empty.' });
    expect(checkCommentBody(' \n\t\r\n ')).toEqual({ ok: false, reason: 'A comment cannot be empty.' });
  });

  it('counts characters as people do, up to the limit', () => {
    expect(checkCommentBody('x'.repeat(COMMENT_MAX_CHARS)).ok).toBe(true);
    expect(checkCommentBody('😀'.repeat(COMMENT_MAX_CHARS)).ok).toBe(true);
    expect(checkCommentBody(`  ${'x'.repeat(COMMENT_MAX_CHARS)}  `).ok).toBe(true);
    expect(checkCommentBody('x'.repeat(COMMENT_MAX_CHARS + 1))).toEqual({
      ok: false,
      reason: 'A comment has at most 20,000 characters; this one has 20,001.',
    });
  });
});

describe('mentionCandidates', () => {
  it('finds @usernames, lower-cased and once each, but not email addresses or paths', () => {
    expect(mentionCandidates('@Ada and @bob_b, again @ada. mail ada@x.org or /u/@carl; (@dan)')).toEqual([
      'ada',
      'bob_b',
      'dan',
    ]);
  });

  it('ignores names too short or too long to be usernames', () => {
    expect(mentionCandidates('@a @abcdefghijabcdefghijabcdefghijk')).toEqual([]);
  });
});

describe('threadOrder', () => {
  const c = (id: number, parentId: number | null, minute: number) => ({
    id,
    parentId,
    createdAt: `2024-01-01T00:${String(minute).padStart(2, '0')}:00.000Z`,
  });

  it('puts each comment before its replies, oldest first at every level', () => {
    const ordered = threadOrder([c(1, null, 0), c(2, null, 1), c(3, 1, 2), c(4, 3, 3), c(5, 1, 4), c(6, 2, 5)]);
    expect(ordered.map((t) => [t.item.id, t.depth])).toEqual([
      [1, 0],
      [3, 1],
      [4, 2],
      [5, 1],
      [2, 0],
      [6, 1],
    ]);
  });

  it('breaks time ties by id and never drops a comment whose parent is missing', () => {
    const ordered = threadOrder([c(9, null, 0), c(8, null, 0), c(7, 42, 1)]);
    expect(ordered.map((t) => t.item.id)).toEqual([8, 9, 7]);
  });

  it('follows a very long reply chain without recursion', () => {
    const chain = Array.from({ length: 20_000 }, (_, i) => ({
      id: i + 1,
      parentId: i === 0 ? null : i,
      createdAt: '2024-01-01T00:00:00.000Z',
    }));
    const ordered = threadOrder(chain);
    expect(ordered).toHaveLength(20_000);
    expect(ordered[19_999]!.depth).toBe(19_999);
  });
});
