/**
 * Who may do what. Pure functions over the viewer (who is asking) and the thing acted on: each returns the acting
 * user or throws an HttpError saying, in a sentence, why not (401 for nobody signed in, 403 for a refusal).
 * Routes call these before any command runs, so a refused request never writes anything.
 */
import { HttpError } from '../commands/errors.ts';
import type { User } from '../storage/account-store.ts';

/** Who is asking, and how they proved it. */
export interface Viewer {
  user: User;
  /** A browser session (cookie; state changes need a CSRF token) or a personal API token (Bearer). */
  via: 'session' | 'token';
  /** The session's token hash (sessions only): what CSRF tokens are bound to. */
  sessionHash: string | null;
}

/** The roles an authorisation test walks through. */
export type Role = 'anonymous' | 'member' | 'admin' | 'banned';

export function roleOf(viewer: Viewer | null): Role {
  if (!viewer) return 'anonymous';
  if (viewer.user.bannedAt) return 'banned';
  return viewer.user.isAdmin ? 'admin' : 'member';
}

/** Any signed-in person in good standing: upvote, submit, comment. */
export function requireMember(viewer: Viewer | null, action = 'do this'): User {
  if (!viewer) throw new HttpError(401, 'unauthorized', `Sign in to ${action}.`);
  if (viewer.user.bannedAt) {
    throw new HttpError(403, 'banned', 'Your account has been suspended by the moderators; you cannot make changes.');
  }
  return viewer.user;
}

/** Admins only: moderation, the audit log, papers older than the submission window. */
export function requireAdmin(viewer: Viewer | null, action = 'do this'): User {
  const user = requireMember(viewer, action);
  if (!user.isAdmin) throw new HttpError(403, 'forbidden', `Only admins may ${action}.`);
  return user;
}

/** Editing or deleting a comment: its author only (admins hide comments instead, which is logged). */
export function requireAuthorOf(viewer: Viewer | null, authorUserId: number, action = 'change this comment'): User {
  const user = requireMember(viewer, action);
  if (user.id !== authorUserId) throw new HttpError(403, 'forbidden', `Only its author may ${action}.`);
  return user;
}

/** Signed in at all (banned people may still sign out and read their settings). */
export function requireSignedIn(viewer: Viewer | null, action = 'do this'): User {
  if (!viewer) throw new HttpError(401, 'unauthorized', `Sign in to ${action}.`);
  return viewer.user;
}

/**
 * Managing a digest subscription from settings or the API (seeing it, ending it): its owner only, the person whose
 * account it was made from or whose account address it mails. Anyone else, admins included, is told it does not
 * exist (404, not 403), so that subscription ids cannot be probed to learn who subscribes. Banned people may still
 * leave: ending mail to oneself is never refused.
 */
export function requireSubscriptionOwner(
  viewer: Viewer | null,
  subscription: { userId: number | null; email: string } | null,
  action = 'manage this subscription',
): User {
  const user = requireSignedIn(viewer, action);
  const owns =
    subscription !== null &&
    (subscription.userId === user.id || subscription.email.toLowerCase() === user.email.toLowerCase());
  if (!owns) {
    throw new HttpError(404, 'not_found', 'None of your subscriptions has this id.');
  }
  return user;
}
