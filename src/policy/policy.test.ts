import { describe, expect, it } from 'vitest';
import type { User } from '../storage/account-store.ts';
import { requireAdmin, requireAuthorOf, requireMember, requireSignedIn, roleOf, type Viewer } from './policy.ts';

const user = (over: Partial<User> = {}): User => ({
  id: 1,
  email: 'ada@example.org',
  username: 'ada',
  displayName: null,
  isAdmin: false,
  bannedAt: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  ...over,
});
const viewer = (over: Partial<User> = {}): Viewer => ({ user: user(over), via: 'session', sessionHash: 'h' });

const member = viewer();
const admin = viewer({ id: 2, isAdmin: true });
const banned = viewer({ id: 3, bannedAt: '2026-02-01T00:00:00.000Z' });
const bannedAdmin = viewer({ id: 4, isAdmin: true, bannedAt: '2026-02-01T00:00:00.000Z' });

function statusOf(action: () => unknown): number | 'ok' {
  try {
    action();
    return 'ok';
  } catch (error) {
    return (error as { statusCode: number }).statusCode;
  }
}

describe('policy', () => {
  it('names each role', () => {
    expect([null, member, admin, banned, bannedAdmin].map(roleOf)).toEqual([
      'anonymous',
      'member',
      'admin',
      'banned',
      'banned',
    ]);
  });

  it('lets members in good standing act, and says why others may not', () => {
    expect(statusOf(() => requireMember(null))).toBe(401);
    expect(statusOf(() => requireMember(member))).toBe('ok');
    expect(statusOf(() => requireMember(admin))).toBe('ok');
    expect(statusOf(() => requireMember(banned))).toBe(403);
    expect(() => requireMember(null, 'upvote')).toThrow('Sign in to upvote.');
    expect(() => requireMember(banned)).toThrow(/suspended/);
  });

  it('keeps moderation to admins, and a banned admin is banned', () => {
    expect(statusOf(() => requireAdmin(null))).toBe(401);
    expect(statusOf(() => requireAdmin(member))).toBe(403);
    expect(statusOf(() => requireAdmin(banned))).toBe(403);
    expect(statusOf(() => requireAdmin(bannedAdmin))).toBe(403);
    expect(statusOf(() => requireAdmin(admin))).toBe('ok');
  });

  it('lets only the author change a comment (admins hide instead)', () => {
    expect(statusOf(() => requireAuthorOf(member, 1))).toBe('ok');
    expect(statusOf(() => requireAuthorOf(admin, 1))).toBe(403);
    expect(statusOf(() => requireAuthorOf(null, 1))).toBe(401);
    expect(statusOf(() => requireAuthorOf(viewer({ bannedAt: 'x' }), 1))).toBe(403);
  });

  it('lets banned people still do what only concerns themselves (sign out)', () => {
    expect(statusOf(() => requireSignedIn(banned))).toBe('ok');
    expect(statusOf(() => requireSignedIn(null))).toBe(401);
  });
});
