/** Comments: placeholder until the comments work lands (issue 3). */
import type { Kysely } from 'kysely';
import type { Viewer } from '../policy/policy.ts';
import type { Database } from '../storage/schema.ts';
import type { DiscussionModel } from '../web/presenters/html/discussion.ts';

/** The paper's discussion as the viewer may see it. */
export async function readDiscussion(
  _db: Kysely<Database>,
  _viewer: Viewer | null,
  _paperId: string,
): Promise<DiscussionModel | null> {
  return null;
}
