/**
 * What admins do to the instance (feature a paper on a day, hide a paper or a comment, ban a person) and the audit
 * log that records it. Each action and its audit row are written in one transaction, so an action is never taken
 * without its record (nor recorded without being taken); a request that changes nothing writes no row.
 */
import type { Kysely, Transaction } from 'kysely';
import { setCommentHiddenIn } from './comment-store.ts';
import { bumpDataVersion } from './paper-store.ts';
import type { Database } from './schema.ts';

/** Every action the audit log knows. */
export type AuditAction =
  | 'paper.feature'
  | 'paper.hide'
  | 'paper.unhide'
  | 'comment.hide'
  | 'comment.unhide'
  | 'user.ban'
  | 'user.unban';

export type AuditTargetType = 'paper' | 'comment' | 'user';

export interface AuditEntry {
  id: number;
  actor: { id: number; username: string };
  action: AuditAction;
  targetType: AuditTargetType;
  targetId: string;
  /** The action's details (the day featured on, the reason given, what was before). */
  detail: Record<string, unknown>;
  createdAt: string;
}

/** What a moderation write did: whether it changed anything (a repeated action is a no-op with no audit row). */
export interface ModerationOutcome {
  changed: boolean;
}

export type FeatureOutcome =
  | { ok: true; changed: boolean; listedOn: string; previousListedOn: string | null }
  | { ok: false; reason: 'paper_not_found' | 'paper_hidden' };

export interface ModerationStore {
  /** Lists the paper on `day` (a new 'curator' listing), or moves its existing listing to that day. */
  featurePaper(actorId: number, paperId: string, day: string, reason: string | null): Promise<FeatureOutcome>;
  /** Null when the paper does not exist. */
  setPaperHidden(
    actorId: number,
    paperId: string,
    hidden: boolean,
    reason: string | null,
  ): Promise<ModerationOutcome | null>;
  /** Null when the comment does not exist. */
  setCommentHidden(
    actorId: number,
    commentId: number,
    hidden: boolean,
    reason: string | null,
  ): Promise<(ModerationOutcome & { paperId: string }) | null>;
  /** Null when the person does not exist. */
  setUserBanned(
    actorId: number,
    userId: number,
    banned: boolean,
    reason: string | null,
  ): Promise<ModerationOutcome | null>;
  /** The log, newest first. */
  auditLog(offset: number, limit: number): Promise<AuditEntry[]>;
  countAuditLog(): Promise<number>;
}

export class KyselyModerationStore implements ModerationStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async featurePaper(actorId: number, paperId: string, day: string, reason: string | null): Promise<FeatureOutcome> {
    return this.db.transaction().execute(async (trx) => {
      const paper = await trx.selectFrom('papers').select('hidden_at').where('id', '=', paperId).executeTakeFirst();
      if (!paper) return { ok: false, reason: 'paper_not_found' };
      if (paper.hidden_at !== null) return { ok: false, reason: 'paper_hidden' };
      const nowIso = this.now().toISOString();
      const listing = await trx
        .selectFrom('listings')
        .select('listed_on')
        .where('paper_id', '=', paperId)
        .executeTakeFirst();
      const previousListedOn = listing?.listed_on ?? null;
      if (previousListedOn === day) return { ok: true, changed: false, listedOn: day, previousListedOn };
      if (listing) {
        await trx.updateTable('listings').set({ listed_on: day }).where('paper_id', '=', paperId).execute();
      } else {
        await trx
          .insertInto('listings')
          .values({
            paper_id: paperId,
            listed_on: day,
            submitted_at: nowIso,
            source: 'curator',
            submitted_by_user_id: null,
            comment: null,
          })
          .execute();
      }
      await bumpDataVersion(trx);
      await audit(trx, nowIso, actorId, 'paper.feature', 'paper', paperId, {
        day,
        previousDay: previousListedOn,
        ...(reason ? { reason } : {}),
      });
      return { ok: true, changed: true, listedOn: day, previousListedOn };
    });
  }

  async setPaperHidden(
    actorId: number,
    paperId: string,
    hidden: boolean,
    reason: string | null,
  ): Promise<ModerationOutcome | null> {
    return this.db.transaction().execute(async (trx) => {
      const paper = await trx.selectFrom('papers').select('hidden_at').where('id', '=', paperId).executeTakeFirst();
      if (!paper) return null;
      const nowIso = this.now().toISOString();
      const result = await trx
        .updateTable('papers')
        .set({ hidden_at: hidden ? nowIso : null })
        .where('id', '=', paperId)
        .where('hidden_at', hidden ? 'is' : 'is not', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return { changed: false };
      await bumpDataVersion(trx);
      await audit(trx, nowIso, actorId, hidden ? 'paper.hide' : 'paper.unhide', 'paper', paperId, reasonDetail(reason));
      return { changed: true };
    });
  }

  async setCommentHidden(
    actorId: number,
    commentId: number,
    hidden: boolean,
    reason: string | null,
  ): Promise<(ModerationOutcome & { paperId: string }) | null> {
    return this.db.transaction().execute(async (trx) => {
      const nowIso = this.now().toISOString();
      const outcome = await setCommentHiddenIn(trx, commentId, hidden ? nowIso : null);
      if (!outcome) return null;
      if (outcome.changed) {
        await audit(trx, nowIso, actorId, hidden ? 'comment.hide' : 'comment.unhide', 'comment', String(commentId), {
          paperId: outcome.comment.paperId,
          author: outcome.comment.author.username,
          ...reasonDetail(reason),
        });
      }
      return { changed: outcome.changed, paperId: outcome.comment.paperId };
    });
  }

  async setUserBanned(
    actorId: number,
    userId: number,
    banned: boolean,
    reason: string | null,
  ): Promise<ModerationOutcome | null> {
    return this.db.transaction().execute(async (trx) => {
      const user = await trx.selectFrom('users').select('username').where('id', '=', userId).executeTakeFirst();
      if (!user) return null;
      const nowIso = this.now().toISOString();
      const result = await trx
        .updateTable('users')
        .set({ banned_at: banned ? nowIso : null })
        .where('id', '=', userId)
        .where('banned_at', banned ? 'is' : 'is not', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return { changed: false };
      await audit(trx, nowIso, actorId, banned ? 'user.ban' : 'user.unban', 'user', user.username, {
        userId,
        ...reasonDetail(reason),
      });
      return { changed: true };
    });
  }

  async auditLog(offset: number, limit: number): Promise<AuditEntry[]> {
    const rows = await this.db
      .selectFrom('audit_log')
      .innerJoin('users', 'users.id', 'audit_log.actor_user_id')
      .selectAll('audit_log')
      .select('users.username as actor_username')
      .orderBy('audit_log.id', 'desc')
      .offset(offset)
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      id: Number(row.id),
      actor: { id: Number(row.actor_user_id), username: row.actor_username },
      action: row.action as AuditAction,
      targetType: row.target_type as AuditTargetType,
      targetId: row.target_id,
      detail: parseDetail(row.detail),
      createdAt: row.created_at,
    }));
  }

  async countAuditLog(): Promise<number> {
    const row = await this.db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

async function audit(
  trx: Transaction<Database>,
  nowIso: string,
  actorId: number,
  action: AuditAction,
  targetType: AuditTargetType,
  targetId: string,
  detail: Record<string, unknown>,
): Promise<void> {
  await trx
    .insertInto('audit_log')
    .values({
      actor_user_id: actorId,
      action,
      target_type: targetType,
      target_id: targetId,
      detail: JSON.stringify(detail),
      created_at: nowIso,
    })
    .execute();
}

function reasonDetail(reason: string | null): Record<string, unknown> {
  return reason ? { reason } : {};
}

function parseDetail(text: string | null): Record<string, unknown> {
  if (!text) return {};
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
