/** Upvotes: placeholder until the upvote work lands (issue 3). */
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';

/** Which of these papers the person has upvoted (empty for anonymous viewers). */
export async function viewerUpvotedIds(
  _db: Kysely<Database>,
  _userId: number | null,
  _paperIds: string[],
): Promise<Set<string>> {
  return new Set();
}
