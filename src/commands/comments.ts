/**
 * The discussion under a paper: reading a thread as a viewer may see it, and the writes people make (comment,
 * reply, edit and delete their own). Shared by the JSON API and the HTML forms; each write checks who may (policy),
 * then what is written (domain/comments.ts), then lets the store do it in one transaction.
 */
import type { Kysely } from 'kysely';
import { checkCommentBody, mentionCandidates, threadOrder } from '../domain/comments.ts';
import { requireAuthorOf, requireMember, type Viewer } from '../policy/policy.ts';
import { KyselyCommentStore, type StoredComment } from '../storage/comment-store.ts';
import type { PaperStore } from '../storage/paper-store.ts';
import type { Database } from '../storage/schema.ts';
import { type DiscussionModel, presentDiscussion } from '../web/presenters/html/discussion.ts';
import { HttpError } from './errors.ts';
import { readPaper } from './paper.ts';

/** A comment in reading order, with what this viewer may see of it. */
export interface ThreadComment {
  comment: StoredComment;
  /** 0 for a top-level comment, 1 for a reply to it, and so on. */
  depth: number;
  /** The Markdown this viewer sees: null when deleted, or hidden and the viewer is not an admin. */
  visibleBody: string | null;
}

export interface Thread {
  paperId: string;
  comments: ThreadComment[];
  /** Lower-cased username -> stored spelling, for the `@mentions` in the visible bodies that name real people. */
  mentions: Map<string, string>;
}

export interface NewCommentInput {
  body: string;
  parentId?: number | null;
}

/** The paper's discussion as the viewer may see it (the paper page calls this after checking the paper). */
export async function readDiscussion(
  db: Kysely<Database>,
  viewer: Viewer | null,
  paperId: string,
): Promise<DiscussionModel | null> {
  return presentDiscussion(await readThread(db, viewer, paperId), viewer);
}

/** The thread of a paper that exists and that the viewer may see (404 otherwise), for the API. */
export async function listComments(
  db: Kysely<Database>,
  store: PaperStore,
  viewer: Viewer | null,
  paperId: string,
): Promise<Thread> {
  await readPaper(store, paperId, viewer?.user.isAdmin === true);
  return readThread(db, viewer, paperId);
}

/** Every comment of the paper in thread order, with bodies as the viewer may see them and mentions resolved. */
export async function readThread(db: Kysely<Database>, viewer: Viewer | null, paperId: string): Promise<Thread> {
  const comments = new KyselyCommentStore(db);
  const isAdmin = viewer?.user.isAdmin === true && viewer.user.bannedAt === null;
  const ordered = threadOrder(await comments.listForPaper(paperId));
  const items = ordered.map(({ item, depth }) => ({
    comment: item,
    depth,
    visibleBody: item.deletedAt !== null ? null : item.hiddenAt !== null && !isAdmin ? null : item.body,
  }));
  const candidates = items.flatMap((item) => (item.visibleBody === null ? [] : mentionCandidates(item.visibleBody)));
  return { paperId, comments: items, mentions: await comments.existingUsernames(candidates) };
}

/** Adds a comment (or a reply, with `parentId`) by the viewer. */
export async function postComment(
  db: Kysely<Database>,
  viewer: Viewer | null,
  paperId: string,
  input: NewCommentInput,
): Promise<StoredComment> {
  const user = requireMember(viewer, 'comment');
  const body = requireCommentBody(input.body);
  const parentId = input.parentId ?? null;
  const result = await new KyselyCommentStore(db).create({ paperId, userId: user.id, parentId, body });
  if (result.ok) return result.comment;
  switch (result.reason) {
    case 'paper_not_found':
      throw new HttpError(404, 'paper_not_found', `Paper ${paperId} is not in this instance's catalogue.`);
    case 'paper_hidden':
      if (user.isAdmin) {
        throw new HttpError(409, 'conflict', `Paper ${paperId} is hidden; unhide it before commenting on it.`);
      }
      throw new HttpError(404, 'paper_not_found', `Paper ${paperId} has been hidden by the moderators.`);
    case 'parent_not_found':
      throw new HttpError(
        400,
        'invalid_parameter',
        `Comment ${parentId} is not a comment on paper ${paperId}, so it cannot be replied to here.`,
      );
    case 'parent_gone':
      throw new HttpError(409, 'conflict', 'That comment has been deleted or hidden; it can no longer be replied to.');
  }
}

/** Replaces the text of the viewer's own comment (shown as edited). */
export async function editComment(
  db: Kysely<Database>,
  viewer: Viewer | null,
  commentId: number,
  rawBody: string,
): Promise<StoredComment> {
  requireMember(viewer, 'edit a comment');
  const comments = new KyselyCommentStore(db);
  const existing = await requireComment(comments, viewer, commentId);
  requireAuthorOf(viewer, existing.author.id, 'edit this comment');
  if (existing.deletedAt !== null) throw new HttpError(409, 'conflict', 'This comment has been deleted.');
  if (existing.hiddenAt !== null) {
    throw new HttpError(409, 'conflict', 'This comment was hidden by the moderators; it can no longer be edited.');
  }
  const body = requireCommentBody(rawBody);
  const edited = await comments.edit(commentId, body);
  if (!edited) throw new HttpError(409, 'conflict', 'This comment has been deleted.');
  return edited;
}

/**
 * Deletes the viewer's own comment: its text is erased and it shows as "[deleted]" where it was, so that replies
 * keep their place. Deleting a deleted comment changes nothing.
 */
export async function deleteComment(
  db: Kysely<Database>,
  viewer: Viewer | null,
  commentId: number,
): Promise<StoredComment> {
  requireMember(viewer, 'delete a comment');
  const comments = new KyselyCommentStore(db);
  const existing = await requireComment(comments, viewer, commentId);
  requireAuthorOf(viewer, existing.author.id, 'delete this comment');
  const deleted = await comments.softDelete(commentId);
  if (!deleted) throw commentNotFound(commentId);
  return deleted;
}

/** A comment the viewer may see: unknown ones, and those on hidden papers for non-admins, are a 404. */
export async function requireComment(
  comments: KyselyCommentStore,
  viewer: Viewer | null,
  commentId: number,
): Promise<StoredComment> {
  const comment = await comments.get(commentId);
  if (!comment || (comment.paperHidden && viewer?.user.isAdmin !== true)) throw commentNotFound(commentId);
  return comment;
}

function commentNotFound(commentId: number): HttpError {
  return new HttpError(404, 'comment_not_found', `There is no comment ${commentId}.`);
}

function requireCommentBody(raw: string): string {
  const checked = checkCommentBody(raw);
  if (!checked.ok) throw new HttpError(400, 'invalid_comment', checked.reason);
  return checked.body;
}
