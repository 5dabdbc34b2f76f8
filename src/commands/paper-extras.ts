/**
 * What a paper page shows beyond the paper: whether the viewer upvoted it, and its discussion. Read together so
 * that the page route stays one call.
 */
import type { Kysely } from 'kysely';
import type { Viewer } from '../policy/policy.ts';
import type { Database } from '../storage/schema.ts';
import type { DiscussionModel } from '../web/presenters/html/discussion.ts';
import { readDiscussion } from './comments.ts';
import { viewerUpvotedIds } from './upvotes.ts';

export interface PaperPageExtras {
  upvoted: boolean;
  discussion: DiscussionModel | null;
}

export async function readPaperExtras(
  db: Kysely<Database>,
  viewer: Viewer | null,
  paperId: string,
): Promise<PaperPageExtras> {
  const [upvoted, discussion] = await Promise.all([
    viewerUpvotedIds(db, viewer?.user.id ?? null, [paperId]),
    readDiscussion(db, viewer, paperId),
  ]);
  return { upvoted: upvoted.has(paperId), discussion };
}
