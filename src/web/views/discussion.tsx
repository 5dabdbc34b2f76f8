/**
 * The discussion at the end of a paper page: the thread with nested replies, and the forms members use. Every
 * action is a plain form (replies and edits fold into details/summary), so all of it works without JavaScript.
 */
import { COMMENT_MAX_CHARS, COMMENT_MAX_VISUAL_DEPTH } from '../../domain/comments.ts';
import type { DiscussionComment, DiscussionModel } from '../presenters/html/discussion.ts';
import { usePageContext } from './page-context.ts';
import { RichText } from './rich-text.tsx';

export function DiscussionSection({ discussion }: { paperId: string; discussion: DiscussionModel | null }) {
  if (!discussion) return null;
  const count = discussion.visibleCount;
  return (
    <section class="discussion" id="discussion" aria-labelledby="discussion-title">
      <h2 id="discussion-title">
        Discussion <span class="discussion-count">({count === 1 ? '1 comment' : `${count} comments`})</span>
      </h2>
      {discussion.comments.length === 0 ? (
        <p class="muted discussion-empty">No comments yet.</p>
      ) : (
        <ol class="comment-thread">
          {discussion.comments.map((comment) => (
            <CommentItem comment={comment} />
          ))}
        </ol>
      )}
      <NewCommentArea discussion={discussion} />
    </section>
  );
}

function NewCommentArea({ discussion }: { discussion: DiscussionModel }) {
  if (discussion.viewerRole === 'anonymous') {
    return (
      <p class="discussion-sign-in">
        <a href={discussion.signInHref}>Sign in to comment</a>
      </p>
    );
  }
  if (discussion.viewerRole === 'banned') {
    return <p class="discussion-notice">Your account has been suspended by the moderators; you cannot comment.</p>;
  }
  return (
    <CommentForm
      action={discussion.postAction}
      fieldId="comment-new"
      label="Add a comment"
      submitLabel="Post comment"
      body=""
      parentId={null}
    />
  );
}

function CommentItem({ comment }: { comment: DiscussionComment }) {
  const repliesClass =
    comment.depth + 1 >= COMMENT_MAX_VISUAL_DEPTH ? 'comment-replies comment-replies-flat' : 'comment-replies';
  return (
    <li class="comment" id={comment.anchor}>
      <article class={`comment-card comment-${comment.state}`} aria-labelledby={`${comment.anchor}-by`}>
        <p class="comment-meta" id={`${comment.anchor}-by`}>
          {comment.state !== 'deleted' && (
            <>
              <a class="comment-author" href={comment.author.href}>
                {comment.author.name}
              </a>
              {comment.author.name !== comment.author.username && (
                <span class="muted"> @{comment.author.username}</span>
              )}
              <span aria-hidden="true"> · </span>
            </>
          )}
          <a class="comment-time" href={`#${comment.anchor}`}>
            <time datetime={comment.time.iso}>{comment.time.text}</time>
          </a>
          {comment.edited && comment.state === 'visible' && (
            <span class="comment-edited" title={`Edited ${comment.edited.text}`}>
              {' '}
              (edited)
            </span>
          )}
        </p>
        <CommentBody comment={comment} />
        <CommentActions comment={comment} />
      </article>
      {comment.replies.length > 0 && (
        <ol class={repliesClass} aria-label={`Replies to comment ${comment.id}`}>
          {comment.replies.map((reply) => (
            <CommentItem comment={reply} />
          ))}
        </ol>
      )}
    </li>
  );
}

function CommentBody({ comment }: { comment: DiscussionComment }) {
  if (comment.state === 'deleted') return <p class="comment-placeholder">[deleted]</p>;
  if (comment.state === 'hidden') {
    return (
      <>
        <p class="comment-placeholder">[hidden by moderators]</p>
        {comment.html && (
          <div class="comment-hidden-text">
            <p class="comment-hidden-label">Hidden text (only admins see it):</p>
            <RichText as="div" class="comment-body" html={comment.html} />
          </div>
        )}
      </>
    );
  }
  return comment.html ? <RichText as="div" class="comment-body" html={comment.html} /> : null;
}

function CommentActions({ comment }: { comment: DiscussionComment }) {
  const { csrf } = usePageContext();
  const any = comment.canReply || comment.canEdit || comment.canDelete || comment.canHide || comment.canUnhide;
  if (!any) return null;
  return (
    <div class="comment-actions">
      {comment.canReply && (
        <details class="comment-action">
          <summary>Reply</summary>
          <CommentForm
            action={comment.replyAction}
            fieldId={`reply-${comment.id}`}
            label={`Your reply to ${comment.author.name}`}
            submitLabel="Post reply"
            body=""
            parentId={comment.id}
          />
        </details>
      )}
      {comment.canEdit && (
        <details class="comment-action">
          <summary>Edit</summary>
          <CommentForm
            action={`/comments/${comment.id}/edit`}
            fieldId={`edit-${comment.id}`}
            label="Your comment"
            submitLabel="Save changes"
            body={comment.editableBody ?? ''}
            parentId={null}
          />
        </details>
      )}
      {comment.canDelete && (
        <details class="comment-action">
          <summary>Delete</summary>
          <form class="comment-confirm" method="post" action={`/comments/${comment.id}/delete`}>
            {csrf && <input type="hidden" name="_csrf" value={csrf} />}
            <p>Delete this comment? Its text is erased for good; replies stay.</p>
            <button type="submit" class="button button-danger">
              Delete comment
            </button>
          </form>
        </details>
      )}
      {(comment.canHide || comment.canUnhide) && (
        <form
          class="comment-moderate"
          method="post"
          action={`/comments/${comment.id}/${comment.canHide ? 'hide' : 'unhide'}`}
        >
          {csrf && <input type="hidden" name="_csrf" value={csrf} />}
          <button type="submit" class="button button-small">
            {comment.canHide ? 'Hide (moderator)' : 'Unhide (moderator)'}
          </button>
        </form>
      )}
    </div>
  );
}

export interface CommentFormProps {
  action: string;
  /** The textarea's id (unique on the page). */
  fieldId: string;
  label: string;
  submitLabel: string;
  /** The text to start with (an edit, or what the person typed before a refusal). */
  body: string;
  parentId: number | null;
}

/** The form to write a comment, a reply or an edit: a labelled textarea with a Markdown and math hint. */
export function CommentForm({ action, fieldId, label, submitLabel, body, parentId }: CommentFormProps) {
  const { csrf } = usePageContext();
  return (
    <form class="comment-form" method="post" action={action}>
      {csrf && <input type="hidden" name="_csrf" value={csrf} />}
      {parentId !== null && <input type="hidden" name="parentId" value={String(parentId)} />}
      <label for={fieldId}>{label}</label>
      <textarea
        id={fieldId}
        name="body"
        rows={parentId === null ? 5 : 4}
        required
        maxLength={COMMENT_MAX_CHARS}
        aria-describedby={`${fieldId}-hint`}
      >
        {body}
      </textarea>
      <p class="comment-hint" id={`${fieldId}-hint`}>
        Markdown: **bold**, *italic*, `code`, [links](https://example.org). Math: $x^2$ inline, $$E=mc^2$$ on its own
        line. @username mentions someone.
      </p>
      <button type="submit" class="button button-primary">
        {submitLabel}
      </button>
    </form>
  );
}
