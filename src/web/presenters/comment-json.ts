/**
 * Comments as the JSON API shows them. The list is flat, in thread order (each comment followed by its replies,
 * oldest first at every level), with `parentId` and `depth` so that a client can nest it or indent it without
 * sorting. Authors are shaped like Hugging Face's user objects (`name` is the username). A deleted comment keeps
 * its place with `body` and `html` null; a hidden one too, except for admins.
 */
import type { Thread, ThreadComment } from '../../commands/comments.ts';
import { renderCommentMarkdown } from '../markdown.ts';

export interface CommentAuthorJson {
  name: string;
  fullname: string;
  avatarUrl: string;
}

export interface CommentJson {
  id: number;
  paperId: string;
  parentId: number | null;
  depth: number;
  author: CommentAuthorJson;
  body: string | null;
  html: string | null;
  createdAt: string;
  editedAt: string | null;
  deleted: boolean;
  hidden: boolean;
}

export interface CommentListJson {
  paperId: string;
  /** Visible comments: what `numComments` says elsewhere in the API. */
  numComments: number;
  comments: CommentJson[];
}

export function presentCommentList(thread: Thread, baseUrl: string): CommentListJson {
  return {
    paperId: thread.paperId,
    numComments: thread.comments.filter((c) => c.comment.deletedAt === null && c.comment.hiddenAt === null).length,
    comments: thread.comments.map((item) => presentThreadComment(item, thread.mentions, baseUrl)),
  };
}

/** One comment of a thread (a comment just created, edited or deleted, as the thread now shows it). */
export function presentThreadCommentById(thread: Thread, id: number, baseUrl: string): CommentJson | null {
  const item = thread.comments.find((c) => c.comment.id === id);
  return item ? presentThreadComment(item, thread.mentions, baseUrl) : null;
}

function presentThreadComment(
  { comment, depth, visibleBody }: ThreadComment,
  mentions: ReadonlyMap<string, string>,
  baseUrl: string,
): CommentJson {
  return {
    id: comment.id,
    paperId: comment.paperId,
    parentId: comment.parentId,
    depth,
    author: {
      name: comment.author.username,
      fullname: comment.author.displayName ?? comment.author.username,
      avatarUrl: `${baseUrl}/static/avatar.svg`,
    },
    body: visibleBody,
    html: visibleBody === null ? null : renderCommentMarkdown(visibleBody, mentions),
    createdAt: comment.createdAt,
    editedAt: comment.editedAt,
    deleted: comment.deletedAt !== null,
    hidden: comment.hiddenAt !== null,
  };
}
