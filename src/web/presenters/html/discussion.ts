/**
 * The discussion under a paper, as the paper page shows it: the thread nested as replies, each comment with what
 * the viewer may do to it (reply, edit and delete their own, hide or unhide as an admin), bodies rendered from
 * Markdown with math, and placeholders where a comment was deleted or hidden.
 */
import { DateTime } from 'luxon';
import type { Thread } from '../../../commands/comments.ts';
import type { Viewer } from '../../../policy/policy.ts';
import { renderCommentMarkdown } from '../../markdown.ts';
import type { Html } from './html.ts';
import { paperPath } from './paths.ts';

export interface CommentTime {
  /** ISO 8601, for `<time datetime>`. */
  iso: string;
  /** `29 Nov 2026, 18:40 UTC`: absolute, so that a cached page never shows a stale "5 minutes ago". */
  text: string;
}

export interface DiscussionComment {
  id: number;
  /** The element id, `comment-{id}`, that links and redirects point at. */
  anchor: string;
  author: { username: string; name: string; href: string };
  time: CommentTime;
  /** When it was last edited; null when never. */
  edited: CommentTime | null;
  state: 'visible' | 'deleted' | 'hidden';
  /** The rendered body: for visible comments, and for hidden ones when the viewer is an admin; otherwise null. */
  html: Html | null;
  /** The Markdown as written, for its author's edit form; null for everyone else. */
  editableBody: string | null;
  canReply: boolean;
  /** Where a reply form posts (the paper's comment address, with parentId). */
  replyAction: string;
  canEdit: boolean;
  canDelete: boolean;
  canHide: boolean;
  canUnhide: boolean;
  /** 0 for top-level comments. */
  depth: number;
  replies: DiscussionComment[];
}

export interface DiscussionModel {
  paperId: string;
  /** Where the comment form posts. */
  postAction: string;
  /** Visible comments (what the paper's comment count says). */
  visibleCount: number;
  /** Top-level comments, each with its replies nested. */
  comments: DiscussionComment[];
  /** Who is looking, for the form (members), the notice (banned) or the sign-in link (anonymous). */
  viewerRole: 'anonymous' | 'member' | 'banned';
  signInHref: string;
}

/** Builds the page model from a thread in reading order (commands/comments.ts readThread). */
export function presentDiscussion(thread: Thread, viewer: Viewer | null): DiscussionModel {
  const user = viewer?.user ?? null;
  const viewerRole = !user ? 'anonymous' : user.bannedAt !== null ? 'banned' : 'member';
  const isMember = viewerRole === 'member';
  const isAdmin = isMember && user?.isAdmin === true;
  const postAction = `${paperPath(thread.paperId)}/comments`;
  const roots: DiscussionComment[] = [];
  // The path from the root to the comment last placed: a comment at depth d is a reply to path[d - 1].
  const path: DiscussionComment[] = [];
  let visibleCount = 0;
  for (const { comment, depth, visibleBody } of thread.comments) {
    const state = comment.deletedAt !== null ? 'deleted' : comment.hiddenAt !== null ? 'hidden' : 'visible';
    if (state === 'visible') visibleCount += 1;
    const isOwn = isMember && user?.id === comment.author.id;
    const node: DiscussionComment = {
      id: comment.id,
      anchor: commentAnchor(comment.id),
      author: {
        username: comment.author.username,
        name: comment.author.displayName ?? comment.author.username,
        href: `/u/${encodeURIComponent(comment.author.username)}`,
      },
      time: commentTime(comment.createdAt),
      edited: comment.editedAt ? commentTime(comment.editedAt) : null,
      state,
      html: visibleBody === null ? null : renderCommentMarkdown(visibleBody, thread.mentions),
      editableBody: isOwn && state === 'visible' ? comment.body : null,
      canReply: isMember && state === 'visible',
      replyAction: postAction,
      canEdit: isOwn && state === 'visible',
      canDelete: isOwn && state !== 'deleted',
      canHide: isAdmin && state === 'visible',
      canUnhide: isAdmin && state === 'hidden',
      depth,
      replies: [],
    };
    path.length = Math.min(depth, path.length);
    const parent = path[path.length - 1];
    if (parent) parent.replies.push(node);
    else roots.push(node);
    path.push(node);
  }
  return {
    paperId: thread.paperId,
    postAction,
    visibleCount,
    comments: roots,
    viewerRole,
    signInHref: `/login?next=${encodeURIComponent(paperPath(thread.paperId))}`,
  };
}

/** The fragment id of a comment on its paper's page. */
export function commentAnchor(id: number): string {
  return `comment-${id}`;
}

function commentTime(iso: string): CommentTime {
  const time = DateTime.fromISO(iso, { zone: 'utc' });
  return { iso, text: time.isValid ? `${time.setLocale('en-GB').toFormat('d LLL yyyy, HH:mm')} UTC` : iso };
}
