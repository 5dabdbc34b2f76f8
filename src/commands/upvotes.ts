/**
 * Upvoting, shared by the JSON API and the HTML form: who may has been checked by the policy; this validates the
 * paper id, changes the vote through the vote store and turns "no such paper" into the errors people see.
 */
import type { Kysely } from 'kysely';
import type { User } from '../storage/account-store.ts';
import type { Database } from '../storage/schema.ts';
import { type VoteState, VoteStore } from '../storage/vote-store.ts';
import { PaperHiddenError, PaperNotFoundError, requirePaperId } from './paper.ts';

/** Which of these papers the person has upvoted (empty for anonymous viewers), in one query. */
export async function viewerUpvotedIds(
  db: Kysely<Database>,
  userId: number | null,
  paperIds: string[],
): Promise<Set<string>> {
  if (userId === null || paperIds.length === 0) return new Set();
  return new VoteStore(db).upvotedIds(userId, paperIds);
}

/**
 * Sets the person's vote on the paper named by `rawId` (as written in the URL; a version suffix is accepted and
 * dropped): `true` upvotes, `false` withdraws. Idempotent. A malformed id is a 400, an unknown or hidden paper a 404.
 */
export async function setUpvote(db: Kysely<Database>, user: User, rawId: string, upvoted: boolean): Promise<VoteState> {
  const { id } = requirePaperId(rawId);
  const store = new VoteStore(db);
  const outcome = upvoted ? await store.upvote(user.id, id) : await store.removeUpvote(user.id, id);
  if (outcome.status === 'not_found') throw new PaperNotFoundError(id);
  if (outcome.status === 'hidden') throw new PaperHiddenError(id);
  return { upvoted: outcome.upvoted, upvotes: outcome.upvotes };
}

/** The person's current vote on a paper (for the no-JavaScript form, which toggles). */
export async function hasUpvoted(db: Kysely<Database>, user: User, rawId: string): Promise<boolean> {
  const { id } = requirePaperId(rawId);
  return (await viewerUpvotedIds(db, user.id, [id])).has(id);
}
