/** The few inline icons the pages use; decorative, so hidden from assistive technology. */
/** A small upward triangle: the upvote mark. */
export function UpvoteIcon() {
  return (
    <svg class="icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d="M8 3.5l5 7.5h-10z" />
    </svg>
  );
}

/** A speech bubble: the comment mark. */
export function CommentIcon() {
  return (
    <svg class="icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d="M2.5 3h11v7.5h-6.5l-3.5 3v-3h-1z" />
    </svg>
  );
}
