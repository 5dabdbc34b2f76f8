/**
 * A person's profile page as the view shows it: names, when they joined, and their latest submissions, upvotes and
 * comments, each entry linking to the paper (a comment to its place in the thread, `#comment-{id}`).
 */
import type { ProfileModel } from '../../../commands/accounts.ts';
import { type DayLabel, dayOf } from './dates.ts';
import type { Html } from './html.ts';
import { paperPath } from './paths.ts';
import { texLineHtml } from './tex-html.ts';

/** Characters of a comment shown on the profile (the whole comment is on the paper page). */
export const COMMENT_EXCERPT_CHARS = 240;

export interface ProfilePaperEntry {
  id: string;
  href: string;
  titleHtml: Html;
  upvotes: number;
  numComments: number;
  /** When it was submitted or upvoted. */
  day: DayLabel | null;
}

export interface ProfileCommentEntry {
  href: string;
  paperTitleHtml: Html;
  excerpt: string;
  day: DayLabel | null;
  edited: boolean;
}

export interface ProfileList<T> {
  items: T[];
  total: number;
  /** "latest 30 of 112" when there are more than shown. */
  more: boolean;
}

export interface ProfilePage {
  username: string;
  displayName: string | null;
  joined: DayLabel | null;
  isAdmin: boolean;
  suspended: boolean;
  submissions: ProfileList<ProfilePaperEntry>;
  upvoted: ProfileList<ProfilePaperEntry>;
  comments: ProfileList<ProfileCommentEntry>;
}

export function presentProfilePage(model: ProfileModel): ProfilePage {
  const { user } = model;
  return {
    username: user.username,
    displayName: user.displayName,
    joined: dayOf(user.createdAt),
    isAdmin: user.isAdmin,
    suspended: user.bannedAt !== null,
    submissions: list(
      model.submissions.items.map(({ paper, listing }) => ({
        id: paper.id,
        href: paperPath(paper.id),
        titleHtml: texLineHtml(paper.title),
        upvotes: paper.upvotes,
        numComments: paper.numComments,
        day: dayOf(listing.submittedAt),
      })),
      model.submissions.total,
    ),
    upvoted: list(
      model.upvoted.items.map((paper) => ({
        id: paper.id,
        href: paperPath(paper.id),
        titleHtml: texLineHtml(paper.title),
        upvotes: paper.upvotes,
        numComments: paper.numComments,
        day: dayOf(paper.at),
      })),
      model.upvoted.total,
    ),
    comments: list(
      model.comments.items.map((comment) => ({
        href: `${paperPath(comment.paperId)}#comment-${comment.id}`,
        paperTitleHtml: texLineHtml(comment.paperTitle),
        excerpt: commentExcerpt(comment.body),
        day: dayOf(comment.createdAt),
        edited: comment.editedAt !== null,
      })),
      model.comments.total,
    ),
  };
}

function list<T>(items: T[], total: number): ProfileList<T> {
  return { items, total, more: total > items.length };
}

/** A comment's Markdown as a short plain-text line: markup characters dropped, whitespace collapsed. */
export function commentExcerpt(body: string): string {
  const plain = body
    .replace(/```[\s\S]*?```/g, ' [code] ')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/^\s{0,3}(?:#{1,6}|>|[-*+]|\d+\.)\s+/gm, '')
    .replace(/[*_`~]+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > COMMENT_EXCERPT_CHARS ? `${plain.slice(0, COMMENT_EXCERPT_CHARS).trimEnd()}…` : plain;
}
