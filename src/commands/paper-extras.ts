/**
 * What a paper page shows beyond the paper: whether the viewer upvoted it, its discussion, and similar papers. Read
 * together so that the page route stays one call.
 */
import type { Kysely } from 'kysely';
import type { Viewer } from '../policy/policy.ts';
import type { Database } from '../storage/schema.ts';
import type { DiscussionModel } from '../web/presenters/html/discussion.ts';
import { readDiscussion } from './comments.ts';
import { readSimilarForPage, type SimilarPaperLine, similarDeps } from './similar.ts';
import { viewerUpvotedIds } from './upvotes.ts';

export interface PaperPageExtras {
  upvoted: boolean;
  discussion: DiscussionModel | null;
  /** Papers like this one (commands/similar.ts); empty when there are none. */
  similar: SimilarPaperLine[];
}

export async function readPaperExtras(
  db: Kysely<Database>,
  viewer: Viewer | null,
  paperId: string,
): Promise<PaperPageExtras> {
  const [upvoted, discussion, similar] = await Promise.all([
    viewerUpvotedIds(db, viewer?.user.id ?? null, [paperId]),
    readDiscussion(db, viewer, paperId),
    readSimilarForPage(similarDeps(db), paperId),
  ]);
  return { upvoted: upvoted.has(paperId), discussion, similar };
}
