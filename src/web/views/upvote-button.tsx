/** A paper's upvote count: placeholder until the upvote work lands (issue 3). */
import { UpvoteIcon } from './icons.tsx';

export interface UpvoteButtonProps {
  paperId: string;
  upvotes: number;
  /** Whether the signed-in viewer has upvoted it. */
  upvoted: boolean;
  /** Where it sits: on a feed card (compact) or on the paper page. */
  variant: 'card' | 'page';
  /** The paper's title as text, for accessible names. */
  titleText: string;
}

export function UpvoteButton({ upvotes, variant }: UpvoteButtonProps) {
  if (variant === 'page') {
    return (
      <span class="count count-upvotes">
        <UpvoteIcon />
        {upvotes} {upvotes === 1 ? 'upvote' : 'upvotes'}
      </span>
    );
  }
  return (
    <p class="card-votes">
      <UpvoteIcon />
      <span class="vote-count">{upvotes}</span>
      <span class="visually-hidden">{upvotes === 1 ? ' upvote' : ' upvotes'}</span>
    </p>
  );
}
