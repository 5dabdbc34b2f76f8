/**
 * Upvotes: one per person per paper, with papers.upvotes kept EXACTLY equal to the number of upvote rows, and the
 * paper's trending score recomputed, in the same transaction as the vote.
 *
 * How it stays exact under concurrency: each change first locks the paper's row (SELECT ... FOR UPDATE on
 * PostgreSQL; SQLite runs one writer at a time and Kysely serialises this process's transactions), then inserts
 * with ON CONFLICT DO NOTHING (or deletes), and only when a row really was inserted (deleted) moves the counter by
 * one with `upvotes = upvotes + 1`. A repeated or concurrent identical request finds the row already there (gone)
 * and changes nothing, so the counter can neither drift nor double-count.
 */
import { type Kysely, PostgresAdapter } from 'kysely';
import { bumpDataVersion } from './paper-store.ts';
import type { Database } from './schema.ts';
import { scoresFor } from './trending-scores.ts';

/** The state of a person's vote after a change, and the paper's count. */
export interface VoteState {
  upvoted: boolean;
  upvotes: number;
}

/** What a vote change found: done, or the paper is not there (unknown) or not votable (hidden by moderators). */
export type VoteOutcome = ({ status: 'ok' } & VoteState) | { status: 'not_found' } | { status: 'hidden' };

/** A paper whose counter disagrees with its rows (should never exist; for tests, the benchmark and operators). */
export interface UpvoteCountMismatch {
  paperId: string;
  stored: number;
  counted: number;
}

/** Votes through Kysely on either database; every change is one transaction that keeps the counter exact. */
export class VoteStore {
  private readonly lockRows: boolean;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.lockRows = db.getExecutor().adapter instanceof PostgresAdapter;
  }

  /** Records the person's upvote (idempotent: a second call keeps one vote). */
  upvote(userId: number, paperId: string): Promise<VoteOutcome> {
    return this.change(userId, paperId, 'add');
  }

  /** Withdraws the person's upvote (idempotent: withdrawing a vote never cast changes nothing). */
  removeUpvote(userId: number, paperId: string): Promise<VoteOutcome> {
    return this.change(userId, paperId, 'remove');
  }

  private change(userId: number, paperId: string, action: 'add' | 'remove'): Promise<VoteOutcome> {
    return this.db.transaction().execute(async (trx): Promise<VoteOutcome> => {
      let lock = trx.selectFrom('papers').select(['id', 'upvotes', 'hidden_at']).where('id', '=', paperId);
      if (this.lockRows) lock = lock.forUpdate();
      const paper = await lock.executeTakeFirst();
      if (!paper) return { status: 'not_found' };
      if (paper.hidden_at !== null) return { status: 'hidden' };

      let changed: boolean;
      if (action === 'add') {
        const result = await trx
          .insertInto('upvotes')
          .values({ user_id: userId, paper_id: paperId, created_at: this.now().toISOString() })
          .onConflict((oc) => oc.columns(['user_id', 'paper_id']).doNothing())
          .executeTakeFirst();
        changed = Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
      } else {
        const result = await trx
          .deleteFrom('upvotes')
          .where('user_id', '=', userId)
          .where('paper_id', '=', paperId)
          .executeTakeFirst();
        changed = Number(result.numDeletedRows) > 0;
      }
      const upvoted = action === 'add';
      if (!changed) return { status: 'ok', upvoted, upvotes: Number(paper.upvotes) };

      // The lock is held: the votes read here are exactly the committed ones plus this change.
      const score = (await scoresFor(trx, [paperId])).get(paperId)!;
      const updated = await trx
        .updateTable('papers')
        .set((eb) => ({
          upvotes: eb('upvotes', action === 'add' ? '+' : '-', 1),
          trending_score: score,
        }))
        .where('id', '=', paperId)
        .returning('upvotes')
        .executeTakeFirstOrThrow();
      await bumpDataVersion(trx);
      return { status: 'ok', upvoted, upvotes: Number(updated.upvotes) };
    });
  }

  /** Which of these papers the person has upvoted, in one query. */
  async upvotedIds(userId: number, paperIds: readonly string[]): Promise<Set<string>> {
    if (paperIds.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('upvotes')
      .select('paper_id')
      .where('user_id', '=', userId)
      .where('paper_id', 'in', [...new Set(paperIds)])
      .execute();
    return new Set(rows.map((r) => r.paper_id));
  }

  /** Papers whose stored count differs from their upvote rows: always empty, unless something is broken. */
  async countMismatches(): Promise<UpvoteCountMismatch[]> {
    const counted = this.db
      .selectFrom('upvotes')
      .select((eb) => ['paper_id', eb.fn.countAll<number>().as('n')])
      .groupBy('paper_id')
      .as('counted');
    const rows = await this.db
      .selectFrom('papers')
      .leftJoin(counted, 'counted.paper_id', 'papers.id')
      .select(['papers.id', 'papers.upvotes', 'counted.n'])
      .where((eb) => eb(eb.fn.coalesce('counted.n', eb.lit(0)), '!=', eb.ref('papers.upvotes')))
      .execute();
    return rows.map((r) => ({ paperId: r.id, stored: Number(r.upvotes), counted: Number(r.n ?? 0) }));
  }
}
