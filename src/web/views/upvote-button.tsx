/**
 * A paper's upvote control, on feed cards and on the paper page. Without JavaScript it is a plain form that posts
 * to `/papers/{id}/upvote` and comes back to the page (see routes/votes.ts); static/upvote.js turns the same form
 * into an instant toggle over the JSON API. Anonymous readers get a "Sign in to upvote" link instead, banned people
 * a disabled button; everyone sees the count.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { paperPath } from '../presenters/html/paths.ts';
import { UpvoteIcon } from './icons.tsx';
import { usePageContext } from './page-context.ts';

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

/**
 * What the page around the buttons knows and the cards between them do not: the page's own address (where the
 * no-JavaScript form and the sign-in link come back to; the paper's page when unset) and, on the trending page,
 * each paper's current points. Provided by the list views, so that the shared card view needs no extra props.
 */
export interface UpvoteSurroundings {
  returnTo: string | null;
  /** Current trending points by paper id (trending page only). */
  points: ReadonlyMap<string, number> | null;
}

export const UpvoteSurroundingsContext = createContext<UpvoteSurroundings>({ returnTo: null, points: null });

/** The script that enhances the forms; pages with upvote buttons load it through Layout's `scripts`. */
export const UPVOTE_SCRIPT_PATH = '/static/upvote.js';

/** The element id of a paper's upvote control: the no-JavaScript form returns to it (`#upvote-...`). */
export function upvoteAnchor(paperId: string): string {
  return `upvote-${paperId.replace(/[^\w-]/g, '-')}`;
}

/** The JSON API's address for a paper's upvote (old-style ids keep their slash: the API routes accept both). */
export function upvoteApiPath(paperId: string): string {
  return `/api${upvoteFormPath(paperId)}`;
}

/** Where the no-JavaScript form posts. */
export function upvoteFormPath(paperId: string): string {
  return `${paperPath(paperId)}/upvote`;
}

/** One control for every page and viewer, so that cards and the paper page vote the same way. */
export function UpvoteButton({ paperId, upvotes, upvoted, variant, titleText }: UpvoteButtonProps) {
  const { viewer, csrf } = usePageContext();
  const surroundings = useContext(UpvoteSurroundingsContext);
  const returnTo = surroundings.returnTo ?? paperPath(paperId);
  const points = surroundings.points?.get(paperId);
  const rootClass = variant === 'card' ? 'card-votes upvote upvote-card' : 'upvote upvote-page';
  const count = <VoteCount upvotes={upvotes} variant={variant} />;
  const quotedTitle = ` “${titleText}”`;

  if (!viewer) {
    return (
      <div class={rootClass} id={upvoteAnchor(paperId)}>
        <a class="vote-button" href={`/login?next=${encodeURIComponent(returnTo)}`} title="Sign in to upvote">
          <UpvoteIcon />
          <span class={variant === 'card' ? 'visually-hidden' : 'vote-label'}>Sign in to upvote</span>
          <span class="visually-hidden">{quotedTitle}</span>
        </a>
        {count}
        {points !== undefined && <Points points={points} />}
      </div>
    );
  }

  const label = (
    <>
      <UpvoteIcon />
      <span class={variant === 'card' ? 'visually-hidden' : 'vote-label'}>Upvote</span>
      <span class="visually-hidden">{quotedTitle}</span>
    </>
  );

  if (viewer.banned) {
    return (
      <div class={rootClass} id={upvoteAnchor(paperId)}>
        <button type="button" class="vote-button" aria-pressed={upvoted ? 'true' : 'false'} disabled>
          {label}
        </button>
        {count}
        {points !== undefined && <Points points={points} />}
      </div>
    );
  }

  return (
    <form
      class={rootClass}
      id={upvoteAnchor(paperId)}
      method="post"
      action={upvoteFormPath(paperId)}
      data-upvote-api={upvoteApiPath(paperId)}
    >
      {csrf && <input type="hidden" name="_csrf" value={csrf} />}
      <input type="hidden" name="next" value={returnTo} />
      <input type="hidden" name="intent" value={upvoted ? 'remove' : 'upvote'} />
      <button
        type="submit"
        class="vote-button"
        aria-pressed={upvoted ? 'true' : 'false'}
        title={upvoted ? 'Remove your upvote' : 'Upvote'}
      >
        {label}
      </button>
      {count}
      {points !== undefined && <Points points={points} />}
      <span class="vote-status" role="status" aria-live="polite" />
    </form>
  );
}

function VoteCount({ upvotes, variant }: { upvotes: number; variant: 'card' | 'page' }) {
  const noun = upvotes === 1 ? ' upvote' : ' upvotes';
  return (
    <span class="vote-tally">
      <span class="vote-count">{upvotes}</span>
      <span class={variant === 'card' ? 'vote-noun visually-hidden' : 'vote-noun'}>{noun}</span>
    </span>
  );
}

/** Current trending points, one decimal (two below one point, so that a fading paper does not read as 0). */
function Points({ points }: { points: number }) {
  return (
    <span class="vote-points" title="Trending points: votes decayed to now (see the explanation above the list)">
      {formatPoints(points)}
      <span class="visually-hidden"> trending</span> <abbr title="points">pts</abbr>
    </span>
  );
}

/** `12.3`, `0.42`; for the trending page's points. */
export function formatPoints(points: number): string {
  if (points >= 100) return points.toFixed(0);
  if (points >= 1) return points.toFixed(1);
  return points.toFixed(2);
}
