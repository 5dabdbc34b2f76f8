/**
 * Leases that let only one worker run a job at a time, however many worker processes share the database: a lease is
 * an `ingest_state` row `lease:<job>` claimed with one conditional INSERT ... ON CONFLICT DO UPDATE ... WHERE the
 * current holder's lease has expired. The database decides atomically who wins (SQLite serialises writers;
 * PostgreSQL locks the conflicting row and re-checks the condition), so two workers started at the same moment never
 * both hold it. A holder renews its lease while it runs; a crashed holder's lease expires after its duration, except
 * that a holder known to be dead is taken over at once: holder names are `host:pid:random`, so a lease whose holder
 * ran on this host in a process that no longer exists (`process.kill(pid, 0)` says ESRCH) is claimed with a
 * compare-and-swap on the exact row content that was read (of two claimants, one wins). A restarted
 * `paperboy digest send` after a kill -9 then does not wait for the dead run's lease to expire.
 */
import { hostname } from 'node:os';
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
  /** Who holds the job's lease now (live or not), for messages; null when nobody. */
  holderOf?(job: string): Promise<string | null>;
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
    if (row) return { key, holder, durationMs, value };
    return await this.takeOverFromDeadHolder(key, holder, durationMs, now);
  }

  /** Claims a live-looking lease whose holder is a process of this host that has exited (see the module comment). */
  private async takeOverFromDeadHolder(
    key: string,
    holder: string,
    durationMs: number,
    now: Date,
  ): Promise<HeldLease | null> {
    const current = await this.db.selectFrom('ingest_state').select('value').where('key', '=', key).executeTakeFirst();
    if (!current || !holderIsDeadProcessHere(holderIn(current.value))) return null;
    const value = leaseValue(holder, now, durationMs);
    const result = await this.db
      .updateTable('ingest_state')
      .set({ value, updated_at: now.toISOString() })
      .where('key', '=', key)
      .where('value', '=', current.value)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0 ? { key, holder, durationMs, value } : null;
  }

  async holderOf(job: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('ingest_state')
      .select('value')
      .where('key', '=', leaseKey(job))
      .executeTakeFirst();
    return row ? holderIn(row.value) : null;
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

function holderIn(value: string): string | null {
  try {
    const parsed = JSON.parse(value) as { holder?: unknown };
    return typeof parsed.holder === 'string' ? parsed.holder : null;
  } catch {
    return null;
  }
}

/**
 * Whether a holder name (`host:pid:random`) names a process of this host that no longer exists. Anything else
 * (another host, an unreadable name, a process that exists or that we may not signal: EPERM) counts as alive.
 */
export function holderIsDeadProcessHere(holder: string | null): boolean {
  if (holder === null) return false;
  const match = /^(.*):(\d+):[^:]*$/.exec(holder);
  if (!match || match[1] !== hostname()) return false;
  const pid = Number(match[2]);
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
