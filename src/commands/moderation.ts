/**
 * What admins do: feature a paper on a day, hide or unhide a paper or a comment, ban or unban a person, and read
 * the audit log. Every command checks the viewer is an admin first (requireAdmin: 401 anonymous, 403 otherwise),
 * validates its input, and lets the moderation store write the change and its audit row in one transaction.
 */
import type { Kysely } from 'kysely';
import { parseDay } from '../domain/feed-period.ts';
import { requireAdmin, type Viewer } from '../policy/policy.ts';
import { KyselyAccountStore } from '../storage/account-store.ts';
import { type AuditEntry, KyselyModerationStore } from '../storage/moderation-store.ts';
import type { Database } from '../storage/schema.ts';
import { HttpError } from './errors.ts';

/** Longest reason an admin may give, in characters (a sentence or two for the log, not an essay). */
export const MODERATION_REASON_MAX_CHARS = 500;
/** Audit log entries per page, by default and at most. */
export const AUDIT_LOG_PAGE_SIZE = 50;
export const AUDIT_LOG_MAX_PAGE_SIZE = 200;

export interface FeatureResult {
  paperId: string;
  listedOn: string;
  previousListedOn: string | null;
  changed: boolean;
}

export interface AuditLogPage {
  entries: AuditEntry[];
  total: number;
  /** From 0. */
  page: number;
  limit: number;
}

/** Lists the paper on the feed of `day` (YYYY-MM-DD), or moves its listing there. */
export async function featurePaper(
  db: Kysely<Database>,
  viewer: Viewer | null,
  paperId: string,
  day: string,
  reason?: string | null,
): Promise<FeatureResult> {
  const admin = requireAdmin(viewer, 'feature papers');
  const parsed = parseDay(day.trim());
  if (!parsed.ok) throw new HttpError(400, 'invalid_date', parsed.reason);
  const listedOn = parsed.value.start;
  const outcome = await new KyselyModerationStore(db).featurePaper(admin.id, paperId, listedOn, cleanReason(reason));
  if (!outcome.ok) {
    if (outcome.reason === 'paper_hidden') {
      throw new HttpError(409, 'conflict', `Paper ${paperId} is hidden; unhide it before featuring it.`);
    }
    throw paperNotFound(paperId);
  }
  return { paperId, listedOn, previousListedOn: outcome.previousListedOn, changed: outcome.changed };
}

/** Hides a paper from feeds, search and its page (admins still see it), or shows it again. */
export async function setPaperHidden(
  db: Kysely<Database>,
  viewer: Viewer | null,
  paperId: string,
  hidden: boolean,
  reason?: string | null,
): Promise<{ changed: boolean }> {
  const admin = requireAdmin(viewer, hidden ? 'hide papers' : 'unhide papers');
  const outcome = await new KyselyModerationStore(db).setPaperHidden(admin.id, paperId, hidden, cleanReason(reason));
  if (!outcome) throw paperNotFound(paperId);
  return outcome;
}

/** Hides a comment (it shows as "[hidden by moderators]" and stops counting), or shows it again. */
export async function setCommentHidden(
  db: Kysely<Database>,
  viewer: Viewer | null,
  commentId: number,
  hidden: boolean,
  reason?: string | null,
): Promise<{ changed: boolean; paperId: string }> {
  const admin = requireAdmin(viewer, hidden ? 'hide comments' : 'unhide comments');
  const outcome = await new KyselyModerationStore(db).setCommentHidden(
    admin.id,
    commentId,
    hidden,
    cleanReason(reason),
  );
  if (!outcome) throw new HttpError(404, 'comment_not_found', `There is no comment ${commentId}.`);
  return outcome;
}

/** Bans a person (every write of theirs is refused from then on; they can still read and sign out), or lifts it. */
export async function setUserBanned(
  db: Kysely<Database>,
  viewer: Viewer | null,
  username: string,
  banned: boolean,
  reason?: string | null,
): Promise<{ changed: boolean; username: string }> {
  const admin = requireAdmin(viewer, banned ? 'ban people' : 'unban people');
  const target = await new KyselyAccountStore(db).getUserByUsername(username.trim().replace(/^@/, ''));
  if (!target) throw new HttpError(404, 'user_not_found', `There is no one called '${username.trim()}'.`);
  if (target.id === admin.id) throw new HttpError(409, 'conflict', 'You cannot ban or unban yourself.');
  const outcome = await new KyselyModerationStore(db).setUserBanned(admin.id, target.id, banned, cleanReason(reason));
  if (!outcome) throw new HttpError(404, 'user_not_found', `There is no one called '${username.trim()}'.`);
  return { changed: outcome.changed, username: target.username };
}

/** One page of the audit log, newest first. */
export async function readAuditLog(
  db: Kysely<Database>,
  viewer: Viewer | null,
  page: number,
  limit: number = AUDIT_LOG_PAGE_SIZE,
): Promise<AuditLogPage> {
  requireAdmin(viewer, 'read the audit log');
  const store = new KyselyModerationStore(db);
  const [entries, total] = await Promise.all([store.auditLog(page * limit, limit), store.countAuditLog()]);
  return { entries, total, page, limit };
}

function cleanReason(reason: string | null | undefined): string | null {
  const text = reason?.trim() ?? '';
  if (text === '') return null;
  if ([...text].length > MODERATION_REASON_MAX_CHARS) {
    throw new HttpError(
      400,
      'invalid_parameter',
      `A reason has at most ${MODERATION_REASON_MAX_CHARS} characters; this one has ${[...text].length}.`,
    );
  }
  return text;
}

function paperNotFound(paperId: string): HttpError {
  return new HttpError(404, 'paper_not_found', `Paper ${paperId} is not in this instance's catalogue.`);
}
