/**
 * Keeps papers.trending_score (domain/trending.ts) equal to what the paper's listing and upvotes say. Scores are
 * time-invariant, so they only need writing when those change: a vote (vote-store.ts), a new listing
 * (paper-store.ts), or a repair after an outside change (recomputeTrending, migration 005).
 */
import { type Kysely, sql } from 'kysely';
import { trendingScore } from '../domain/trending.ts';
import type { Database } from './schema.ts';

/** Papers handled per query: keeps the statements well under both databases' parameter limits. */
const PAPERS_PER_BATCH = 500;

/**
 * The score each of these papers should have, read from its listing and upvotes. Call it inside the transaction
 * that changed them (after taking the paper's lock, for votes) so that the score matches what is committed.
 */
export async function scoresFor(db: Kysely<Database>, paperIds: readonly string[]): Promise<Map<string, number>> {
  const ids = [...new Set(paperIds)];
  const scores = new Map<string, number>();
  for (let start = 0; start < ids.length; start += PAPERS_PER_BATCH) {
    const batch = ids.slice(start, start + PAPERS_PER_BATCH);
    const [listings, upvotes] = await Promise.all([
      db.selectFrom('listings').select(['paper_id', 'submitted_at']).where('paper_id', 'in', batch).execute(),
      db.selectFrom('upvotes').select(['paper_id', 'created_at']).where('paper_id', 'in', batch).execute(),
    ]);
    const listedAt = new Map(listings.map((l) => [l.paper_id, Date.parse(l.submitted_at)]));
    const votedAt = new Map<string, number[]>();
    for (const vote of upvotes) {
      const times = votedAt.get(vote.paper_id) ?? [];
      times.push(Date.parse(vote.created_at));
      votedAt.set(vote.paper_id, times);
    }
    for (const id of batch) {
      scores.set(id, trendingScore({ listedAtMs: listedAt.get(id) ?? null, upvotedAtMs: votedAt.get(id) ?? [] }));
    }
  }
  return scores;
}

/** Writes the given scores, one statement per batch (a CASE over the ids). */
export async function writeScores(db: Kysely<Database>, scores: ReadonlyMap<string, number>): Promise<void> {
  const entries = [...scores];
  for (let start = 0; start < entries.length; start += PAPERS_PER_BATCH) {
    const batch = entries.slice(start, start + PAPERS_PER_BATCH);
    // The cast types the parameters on PostgreSQL (which would otherwise read them as text); SQLite reads
    // DOUBLE PRECISION as REAL.
    const cases = sql.join(
      batch.map(([id, score]) => sql`when ${id} then cast(${score} as double precision)`),
      sql` `,
    );
    await db
      .updateTable('papers')
      .set({ trending_score: sql<number>`case id ${cases} end` })
      .where(
        'id',
        'in',
        batch.map(([id]) => id),
      )
      .execute();
  }
}

/** Recomputes and stores the scores of these papers (e.g. the ones just listed), in the caller's transaction. */
export async function refreshTrendingScores(db: Kysely<Database>, paperIds: readonly string[]): Promise<void> {
  if (paperIds.length === 0) return;
  await writeScores(db, await scoresFor(db, paperIds));
}

/**
 * Recomputes the stored score of one paper, or of every paper, from its listing and votes; returns how many scores
 * changed. For repairs after an outside change (a restore, a hand edit, a new formula) and for tests; the normal
 * paths keep scores current by themselves. Works in batches of papers, so it runs in constant memory.
 */
export async function recomputeTrending(db: Kysely<Database>, paperId?: string): Promise<number> {
  let changed = 0;
  let after = '';
  for (;;) {
    const batch = await inTransaction(db, async (trx) => {
      let query = trx.selectFrom('papers').select(['id', 'trending_score']).orderBy('id').limit(PAPERS_PER_BATCH);
      query = paperId === undefined ? query.where('id', '>', after) : query.where('id', '=', paperId);
      const rows = await query.execute();
      const stored = new Map(rows.map((r) => [r.id, Number(r.trending_score)]));
      const fresh = await scoresFor(trx, [...stored.keys()]);
      const differing = new Map([...fresh].filter(([id, score]) => !sameScore(score, stored.get(id)!)));
      await writeScores(trx, differing);
      return { rows: rows.length, changed: differing.size, last: rows[rows.length - 1]?.id };
    });
    changed += batch.changed;
    if (paperId !== undefined || batch.rows < PAPERS_PER_BATCH || batch.last === undefined) break;
    after = batch.last;
  }
  return changed;
}

/** Runs `work` in a transaction of its own, or in the caller's when `db` already is one (e.g. in a migration). */
function inTransaction<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

/** Doubles read back from a database may differ in the last bits (SQLite's text rendering, pg's parsing). */
function sameScore(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
}
