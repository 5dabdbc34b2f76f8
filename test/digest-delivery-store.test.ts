/**
 * The digest delivery ledger's contract on SQLite and PostgreSQL: planning is idempotent (one row per subscription
 * and period, only active unpaused subscriptions, weekly ones by their day), rows move only from the status each
 * step expects and only for the run that claimed them, permanent failures pause an address after three periods and
 * a new confirmation resumes it; and leases held by a dead process of this host are taken over at once.
 */
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_TOPICS } from '../src/domain/subscription-topics.ts';
import { type DatabaseHandle, openDatabase } from '../src/storage/database.ts';
import { KyselyDigestDeliveryStore, PAUSE_AFTER_CONSECUTIVE_FAILURES } from '../src/storage/digest-delivery-store.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import type { Database } from '../src/storage/schema.ts';
import { KyselySubscriptionStore } from '../src/storage/subscription-store.ts';
import { holderIsDeadProcessHere, KyselyJobLeases } from '../src/worker/leases.ts';
import { databaseKinds } from './support/databases.ts';
import { subscriptionRow } from './support/subscription-rows.ts';

const NOW = new Date('2026-11-30T08:00:00.000Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);

async function subscribe(
  db: Kysely<Database>,
  email: string,
  fields: Partial<{
    cadence: 'daily' | 'weekly';
    weekly_day: number | null;
    status: string;
    paused_at: string | null;
  }> = {},
): Promise<number> {
  const row = await db
    .insertInto('subscriptions')
    .values(
      subscriptionRow(email, {
        cadence: fields.cadence,
        weeklyDay: fields.weekly_day,
        status: fields.status as 'active' | undefined,
        pausedAt: fields.paused_at,
        now: NOW,
      }),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

describe.each(databaseKinds())('digest deliveries on $name', (kind) => {
  let handle: DatabaseHandle;
  let store: KyselyDigestDeliveryStore;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    if (!kind.available) return;
    handle = openDatabase((await kind.create()).url);
    await migrateToLatest(handle.db);
    store = new KyselyDigestDeliveryStore(handle.db);
    const db = handle.db;
    ids.a = await subscribe(db, 'a@example.org');
    ids.b = await subscribe(db, 'b@example.org');
    ids.pending = await subscribe(db, 'p@example.org', { status: 'pending' });
    ids.gone = await subscribe(db, 'u@example.org', { status: 'unsubscribed' });
    ids.paused = await subscribe(db, 'z@example.org', { paused_at: NOW.toISOString() });
    ids.monday = await subscribe(db, 'm@example.org', { cadence: 'weekly', weekly_day: 1 });
    ids.friday = await subscribe(db, 'f@example.org', { cadence: 'weekly', weekly_day: 5 });
  });
  afterAll(async () => {
    await handle?.close();
  });

  it.runIf(kind.available)('plans each active, unpaused subscription once per period', async () => {
    const daily = { periodKey: 'daily:2026-11-30', cadence: 'daily' as const, weeklyDay: null };
    expect(await store.previewPlan(daily)).toEqual({ subscriptions: 2, alreadyRecorded: 0 });
    expect(await store.planPeriod(daily, NOW)).toBe(2);
    expect(await store.planPeriod(daily, NOW)).toBe(0);
    expect(await store.previewPlan(daily)).toEqual({ subscriptions: 2, alreadyRecorded: 2 });
    expect((await store.counts('daily:2026-11-30')).queued).toBe(2);
    // Weekly: by the chosen day, or all of them when told to.
    const weekly = { periodKey: 'weekly:2026-W49', cadence: 'weekly' as const };
    expect(await store.planPeriod({ ...weekly, weeklyDay: 1 }, NOW)).toBe(1);
    expect(await store.planPeriod({ ...weekly, weeklyDay: null }, NOW)).toBe(1);
    expect((await store.counts('weekly:2026-W49')).queued).toBe(2);
  });

  it.runIf(kind.available)('claims due rows once, for one run, and records outcomes only for it', async () => {
    const key = 'daily:2026-11-30';
    const claimed = await store.claimDue(key, 'run-1', 10, NOW);
    expect(claimed.map((row) => row.email)).toEqual(['a@example.org', 'b@example.org']);
    expect(await store.claimDue(key, 'run-2', 10, NOW)).toEqual([]);
    const [a, b] = claimed;
    // Another run cannot mark them.
    expect(await store.markSent(a!.id, 'run-2', '<x@y>', NOW)).toBe(false);
    expect(await store.markSent(a!.id, 'run-1', '<x@y>', NOW)).toBe(true);
    expect(await store.markSent(a!.id, 'run-1', '<x@y>', NOW)).toBe(false);
    expect(await store.markRetry(b!.id, 'run-1', '451 later', later(60_000), NOW)).toBe(true);
    expect(await store.claimDue(key, 'run-1', 10, NOW)).toEqual([]);
    expect(await store.earliestRetry(key)).toEqual(later(60_000));
    const retried = await store.claimDue(key, 'run-1', 10, later(60_000));
    expect(retried.map((row) => [row.email, row.attempts])).toEqual([['b@example.org', 1]]);
    // The run dies here: under the next run's lease its row is an orphan and goes back to the queue.
    expect(await store.requeueOrphans(key, later(70_000))).toBe(1);
    const again = await store.claimDue(key, 'run-3', 10, later(70_000));
    expect(again.map((row) => row.email)).toEqual(['b@example.org']);
    expect(await store.unclaim([again[0]!.id], 'run-3', null, later(70_000))).toBe(1);
    expect(await store.counts(key)).toEqual({ queued: 1, sending: 0, sent: 1, failed: 0, skipped: 0 });
  });

  it.runIf(kind.available)('skips rows whose subscription ended after planning', async () => {
    const key = 'daily:2026-12-01';
    await store.planPeriod({ periodKey: key, cadence: 'daily', weeklyDay: null }, NOW);
    await handle.db.updateTable('subscriptions').set({ status: 'unsubscribed' }).where('id', '=', ids.b!).execute();
    expect(await store.skipInactive(key, NOW)).toBe(1);
    expect((await store.claimDue(key, 'run', 10, NOW)).map((row) => row.email)).toEqual(['a@example.org']);
    await handle.db.updateTable('subscriptions').set({ status: 'active' }).where('id', '=', ids.b!).execute();
  });

  it.runIf(kind.available)(
    `pauses an address after ${PAUSE_AFTER_CONSECUTIVE_FAILURES} permanent failures in a row; a new confirmation resumes it`,
    async () => {
      const bad = await subscribe(handle.db, 'bad@example.org');
      const days = ['2026-12-02', '2026-12-03', '2026-12-04'];
      for (const [index, day] of days.entries()) {
        const key = `daily:${day}`;
        await store.planPeriod({ periodKey: key, cadence: 'daily', weeklyDay: null, subscriptionId: bad }, NOW);
        const [row] = await store.claimDue(key, 'run', 10, NOW, bad);
        const { paused } = await store.markFailed(row!.id, 'run', '550 no such user', NOW);
        expect(paused).toBe(index === days.length - 1);
      }
      const subscriptions = new KyselySubscriptionStore(handle.db);
      expect((await subscriptions.find(bad))!.pausedAt).not.toBeNull();
      // Paused: no new deliveries.
      expect(
        await store.planPeriod(
          { periodKey: 'daily:2026-12-07', cadence: 'daily', weeklyDay: null, subscriptionId: bad },
          NOW,
        ),
      ).toBe(0);
      // The owner subscribes again and confirms: the streak and the pause are gone.
      const pending = await subscriptions.requestSubscription(
        { email: 'bad@example.org', cadence: 'daily', weeklyDay: null, topics: NO_TOPICS, userId: null },
        NOW,
      );
      expect((await subscriptions.confirm(pending.token, NOW)).state).toBe('valid');
      const resumed = (await subscriptions.find(bad))!;
      expect([resumed.pausedAt, resumed.consecutiveFailures]).toEqual([null, 0]);
    },
  );

  it.runIf(kind.available)('a success ends the failure streak', async () => {
    const flaky = await subscribe(handle.db, 'flaky@example.org');
    const key = 'daily:2026-12-08';
    await store.planPeriod({ periodKey: key, cadence: 'daily', weeklyDay: null, subscriptionId: flaky }, NOW);
    let [row] = await store.claimDue(key, 'run', 10, NOW, flaky);
    await store.markFailed(row!.id, 'run', '550', NOW);
    const key2 = 'daily:2026-12-09';
    await store.planPeriod({ periodKey: key2, cadence: 'daily', weeklyDay: null, subscriptionId: flaky }, NOW);
    [row] = await store.claimDue(key2, 'run', 10, NOW, flaky);
    expect(await store.markSent(row!.id, 'run', '<m@x>', NOW)).toBe(true);
    expect((await new KyselySubscriptionStore(handle.db).find(flaky))!.consecutiveFailures).toBe(0);
  });

  it.runIf(kind.available)('takes over at once a lease whose holder died on this host, not a live one', async () => {
    const leases = new KyselyJobLeases(handle.db);
    const dead = `${hostname()}:2147483646:dead`;
    expect(holderIsDeadProcessHere(dead)).toBe(true);
    expect(holderIsDeadProcessHere(`${hostname()}:${process.pid}:me`)).toBe(false);
    expect(holderIsDeadProcessHere('elsewhere.example:1:x')).toBe(false);
    expect(holderIsDeadProcessHere('worker-a')).toBe(false);
    expect(await leases.claim('digest:test', dead, 60_000)).not.toBeNull();
    const taken = await leases.claim('digest:test', `${hostname()}:${process.pid}:new`, 60_000);
    expect(taken).not.toBeNull();
    expect(await leases.holderOf('digest:test')).toBe(`${hostname()}:${process.pid}:new`);
    // A live holder (this very process) keeps it.
    expect(await leases.claim('digest:test', `${hostname()}:${process.pid}:other`, 60_000)).toBeNull();
  });
});
