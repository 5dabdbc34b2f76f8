import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { recomputeTrending } from '../trending-scores.ts';

/**
 * Gives papers listed before the trending ranking existed their score (migration 003 added the column as 0): from
 * now on, votes and new listings keep it current by themselves. A no-op on a new, empty database.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await recomputeTrending(db as Kysely<Database>);
}

/** Nothing to undo: the column belongs to migration 003. */
export async function down(): Promise<void> {}
