/**
 * Leases that let only one worker run a job at a time, however many worker processes share the database: a lease is
 * an `ingest_state` row `lease:<job>` claimed with one conditional INSERT ... ON CONFLICT DO UPDATE ... WHERE the
 * current holder's lease has expired. The database decides atomically who wins (SQLite serialises writers;
 * PostgreSQL locks the conflicting row and re-checks the condition), so two workers started at the same moment never
 * both hold it. A holder renews its lease while it runs; a crashed holder's lease expires after its duration.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';

/** A lease this process holds; `value` is the exact row content it wrote, which proves it is still the holder. */
export interface HeldLease {
  key: string;
  holder: string;
  durationMs: number;
  value: string;
}

/** Claiming, renewing and releasing job leases. */
export interface JobLeases {
  /** Takes the job's lease for `durationMs` when nobody holds a live one; null when another holder does. */
  claim(job: string, holder: string, durationMs: number): Promise<HeldLease | null>;
  /** Extends a held lease by its duration from now; false when it was lost (it expired and someone took it). */
  renew(lease: HeldLease): Promise<boolean>;
  /** Gives the lease up (only if still held by this holder). */
  release(lease: HeldLease): Promise<void>;
}

/** The `ingest_state` key of a job's lease. */
export function leaseKey(job: string): string {
  return `lease:${job}`;
}

/** Leases in the `ingest_state` table, on SQLite or PostgreSQL. */
export class KyselyJobLeases implements JobLeases {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async claim(job: string, holder: string, durationMs: number): Promise<HeldLease | null> {
    const now = this.now();
    const key = leaseKey(job);
    const value = leaseValue(holder, now, durationMs);
    const takenAt = now.toISOString();
    // The row's updated_at is when the lease was taken or last renewed: it is live until durationMs after that.
    const expiredBefore = new Date(now.getTime() - durationMs).toISOString();
    const row = await this.db
      .insertInto('ingest_state')
      .values({ key, value, updated_at: takenAt })
      .onConflict((oc) =>
        oc
          .column('key')
          .doUpdateSet({ value, updated_at: takenAt })
          .where('ingest_state.updated_at', '<=', expiredBefore),
      )
      .returning('key')
      .executeTakeFirst();
    return row ? { key, holder, durationMs, value } : null;
  }

  async renew(lease: HeldLease): Promise<boolean> {
    const now = this.now();
    const value = leaseValue(lease.holder, now, lease.durationMs);
    const result = await this.db
      .updateTable('ingest_state')
      .set({ value, updated_at: now.toISOString() })
      .where('key', '=', lease.key)
      .where('value', '=', lease.value)
      .executeTakeFirst();
    const renewed = Number(result.numUpdatedRows) > 0;
    if (renewed) lease.value = value;
    return renewed;
  }

  async release(lease: HeldLease): Promise<void> {
    await this.db.deleteFrom('ingest_state').where('key', '=', lease.key).where('value', '=', lease.value).execute();
  }
}

/** What the row says, for people reading the table: who holds the lease and until when. */
function leaseValue(holder: string, now: Date, durationMs: number): string {
  return JSON.stringify({ holder, expiresAt: new Date(now.getTime() + durationMs).toISOString() });
}
