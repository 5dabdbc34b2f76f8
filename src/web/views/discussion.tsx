/** The discussion section of a paper page: placeholder until the comments work lands (issue 3). */
import type { DiscussionModel } from '../presenters/html/discussion.ts';

export function DiscussionSection(_props: { paperId: string; discussion: DiscussionModel | null }) {
  return null;
}
