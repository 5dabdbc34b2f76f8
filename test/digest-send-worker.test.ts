/**
 * The digest jobs in the worker's scheduler, with a clock set by the test and a real SMTP server on loopback, on
 * SQLite and PostgreSQL: the daily digest goes out at the digest time on a weekday, once; the weekly one every day
 * to the subscribers of that weekday, once per ISO week; nothing on a daily weekend; and both jobs are off without
 * SMTP.
 */
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { SmtpMailTransport } from '../src/mail/transport.ts';
import { type DatabaseHandle, openDatabase } from '../src/storage/database.ts';
import { KyselyIngestStore } from '../src/storage/ingest-store.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { KyselyPaperStore } from '../src/storage/paper-store.ts';
import type { Database } from '../src/storage/schema.ts';
import { createDigestJob } from '../src/worker/digest-job.ts';
import { KyselyJobLeases } from '../src/worker/leases.ts';
import type { WorkerLog } from '../src/worker/log.ts';
import { createScheduler, type ScheduledJob } from '../src/worker/scheduler.ts';
import { databaseKinds } from './support/databases.ts';
import { testListing, testRecord } from './support/records.ts';
import { type FaultySmtpSink, startFaultySmtpSink } from './support/smtp-faults.ts';
import { subscriptionRow } from './support/subscription-rows.ts';

async function subscribe(db: Kysely<Database>, email: string, cadence: 'daily' | 'weekly', weeklyDay: number | null) {
  await db.insertInto('subscriptions').values(subscriptionRow(email, { cadence, weeklyDay })).execute();
}

const silentLog: WorkerLog & { lines: string[] } = {
  lines: [],
  info(message) {
    silentLog.lines.push(message);
  },
  warn(message) {
    silentLog.lines.push(message);
  },
  error(message) {
    silentLog.lines.push(message);
  },
};

describe.each(databaseKinds())('digest jobs on $name', (kind) => {
  let handle: DatabaseHandle;
  let sink: FaultySmtpSink;
  let transport: SmtpMailTransport;
  const clock = { now: new Date('2026-11-30T07:59:00Z') };
  const config = loadConfig({
    PAPERBOY_BASE_URL: 'http://papers.test',
    PAPERBOY_TIMEZONE: 'UTC',
    PAPERBOY_DIGEST_TIME: '08:00',
    PAPERBOY_SECRET: 'a-test-secret-that-is-long-enough-for-hmac',
  });
  const jobs = (withTransport: boolean) =>
    (['daily', 'weekly'] as const).map(
      (cadence) =>
        createDigestJob(cadence, {
          store: new KyselyPaperStore(handle.db),
          database: handle,
          leases: new KyselyJobLeases(handle.db, () => clock.now),
          transport: withTransport ? transport : null,
          config,
          holder: `test:${process.pid}:jobs`,
        }) as ScheduledJob<unknown>,
    );
  const scheduler = () =>
    createScheduler({
      jobs: jobs(true),
      state: new KyselyIngestStore(handle.db),
      leases: new KyselyJobLeases(handle.db, () => clock.now),
      holder: `test:${process.pid}:worker`,
      log: silentLog,
      now: () => clock.now,
      pollMs: 50,
    });
  const recipients = () => sink.accepted.map((mail) => `${mail.envelopeTo[0]} ${mail.messageId?.split('.')[0]}`);

  beforeAll(async () => {
    if (!kind.available) return;
    handle = openDatabase((await kind.create()).url);
    await migrateToLatest(handle.db);
    await new KyselyPaperStore(handle.db).upsertPapersAndListings(
      [testRecord('2611.00001')],
      [testListing('2611.00001', '2026-11-27')],
    );
    await subscribe(handle.db, 'daily@example.org', 'daily', null);
    await subscribe(handle.db, 'monday@example.org', 'weekly', 1);
    await subscribe(handle.db, 'saturday@example.org', 'weekly', 6);
    sink = await startFaultySmtpSink();
    transport = new SmtpMailTransport(sink.url, 'papers@example.org');
  });
  afterAll(async () => {
    await transport?.close();
    await sink?.close();
    await handle?.close();
  });

  it.runIf(kind.available)('are off without SMTP', () => {
    expect(jobs(false).map((job) => job.enabled)).toEqual([false, false]);
    expect(jobs(true).map((job) => job.enabled)).toEqual([true, true]);
  });

  it.runIf(kind.available)('send at the digest time, once per period, weekly ones on their day', async () => {
    const schedule = scheduler();
    expect((await schedule.tick()).map((t) => t.outcome)).toEqual(['not-due', 'not-due']);
    expect(sink.accepted).toEqual([]);

    clock.now = new Date('2026-11-30T08:01:00Z'); // Monday
    expect((await schedule.tick()).map((t) => t.outcome)).toEqual(['ran', 'ran']);
    expect(recipients().sort()).toEqual(['daily@example.org <daily', 'monday@example.org <weekly']);
    expect((await schedule.tick()).map((t) => t.outcome)).toEqual(['not-due', 'not-due']);
    expect(sink.accepted).toHaveLength(2);

    clock.now = new Date('2026-12-05T09:00:00Z'); // Saturday: no daily digest; the Saturday weekly subscriber's.
    expect((await schedule.tick()).map((t) => t.outcome)).toEqual(['not-due', 'ran']);
    expect(recipients().slice(2)).toEqual(['saturday@example.org <weekly']);

    clock.now = new Date('2026-12-07T08:30:00Z'); // The next Monday: a new day and a new ISO week.
    expect((await schedule.tick()).map((t) => t.outcome)).toEqual(['ran', 'ran']);
    expect(recipients().slice(3).sort()).toEqual(['daily@example.org <daily', 'monday@example.org <weekly']);
    const rows = await handle.db.selectFrom('digest_deliveries').select(['period_key', 'status']).execute();
    expect(rows.map((row) => row.period_key).sort()).toEqual([
      'daily:2026-11-30',
      'daily:2026-12-07',
      'weekly:2026-W49',
      'weekly:2026-W49',
      'weekly:2026-W50',
    ]);
    expect(rows.every((row) => row.status === 'sent')).toBe(true);
  });
});
