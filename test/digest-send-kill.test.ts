/**
 * THE KILL TEST: each subscription receives each period's digest exactly once even when the sender is killed with
 * SIGKILL mid-run and started again. The real binary (`paperboy digest send`) sends to 300 subscriptions through a
 * real SMTP server on loopback that, when the Nth message's DATA arrives, stops answering any DATA (those messages
 * are in flight: sent by us, never accepted). The test waits until the database shows `sent` for every message the
 * server did accept (so the kill lands with messages in flight, not in the one window no SMTP client can close:
 * between the server's 250 and our commit), kills the sender, drops the held messages, runs the sender again to
 * completion and counts: one mail per subscription (by To and by Message-ID), 300 rows sent. The restarted sender
 * takes the dead run's lease over at once (its holder was a process of this host that no longer exists). Run on a
 * SQLite file and, when the test run has one, on PostgreSQL.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestMessageId } from '../src/digest/send.ts';
import { previewPeriodOn } from '../src/domain/digest-period.ts';
import { todayIn } from '../src/domain/feed-period.ts';
import { type DatabaseUrl, openDatabase } from '../src/storage/database.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { KyselyPaperStore } from '../src/storage/paper-store.ts';
import { databaseKinds } from './support/databases.ts';
import { runPaperboy, startPaperboy } from './support/processes.ts';
import { testListing, testRecord } from './support/records.ts';
import { type FaultySmtpSink, startFaultySmtpSink } from './support/smtp-faults.ts';
import { subscriptionRow } from './support/subscription-rows.ts';

const SUBSCRIBERS = 300;
/** The DATA from which the server stops answering: a third of the way in. */
const HOLD_FROM = 100;
const BASE = 'https://papers.example.org';
const TODAY = todayIn('UTC');
const INSERT_CHUNK = 100;
const POLL_MS = 25;
const WAIT_MS = 60_000;

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Reads the database from the test without writing: a read-only SQLite connection, or a PostgreSQL client. */
interface Reader {
  count(periodKey: string, status: string): Promise<number>;
  subscriptions(): Promise<{ id: number; email: string }[]>;
  close(): Promise<void>;
}

async function openReader(url: DatabaseUrl): Promise<Reader> {
  if (url.dialect === 'sqlite') {
    const db = new Database(url.path, { readonly: true, fileMustExist: true });
    return {
      async count(periodKey, status) {
        const sql = 'select count(*) as n from digest_deliveries where period_key = ? and status = ?';
        return (db.prepare(sql).get(periodKey, status) as { n: number }).n;
      },
      async subscriptions() {
        return db.prepare('select id, email from subscriptions').all() as { id: number; email: string }[];
      },
      async close() {
        db.close();
      },
    };
  }
  const client = new pg.Client({ connectionString: url.url });
  await client.connect();
  await client.query('set default_transaction_read_only = on');
  return {
    async count(periodKey, status) {
      const sql = 'select count(*)::int as n from digest_deliveries where period_key = $1 and status = $2';
      return (await client.query<{ n: number }>(sql, [periodKey, status])).rows[0]!.n;
    },
    async subscriptions() {
      return (await client.query<{ id: number; email: string }>('select id, email from subscriptions')).rows;
    },
    close: () => client.end(),
  };
}

describe.each(databaseKinds())('digest send killed mid-run on $name', (kind) => {
  let url: DatabaseUrl;
  let urlText: string;
  let sink: FaultySmtpSink;
  const period = previewPeriodOn('daily', TODAY);

  beforeAll(async () => {
    if (!kind.available) return;
    ({ url, urlText } = await kind.create());
    sink = await startFaultySmtpSink();
    const handle = openDatabase(url);
    await migrateToLatest(handle.db);
    await new KyselyPaperStore(handle.db).upsertPapersAndListings(
      [testRecord('2611.00101', { title: 'Top paper' })],
      [testListing('2611.00101', TODAY, `${TODAY}T05:00:00.000Z`)],
    );
    for (let start = 0; start < SUBSCRIBERS; start += INSERT_CHUNK) {
      await handle.db
        .insertInto('subscriptions')
        .values(
          Array.from({ length: Math.min(INSERT_CHUNK, SUBSCRIBERS - start) }, (_, i) =>
            subscriptionRow(`reader${start + i}@example.org`),
          ),
        )
        .execute();
    }
    await handle.close();
  });
  afterAll(async () => {
    await sink?.close();
  });

  it.runIf(kind.available)(
    'delivers every digest exactly once across a SIGKILL and a restart',
    { timeout: 120_000 },
    async () => {
      const env = {
        DATABASE_URL: urlText,
        PAPERBOY_BASE_URL: BASE,
        PAPERBOY_TIMEZONE: 'UTC',
        PAPERBOY_MAIL_FROM: 'Paperboy <papers@example.org>',
        PAPERBOY_MAIL_RATE: '1000',
        SMTP_URL: sink.url,
        LOG_LEVEL: 'silent',
      };
      const reader = await openReader(url);
      const count = (status: string) => reader.count(period.key, status);
      try {
        const held = sink.holdDataFrom(HOLD_FROM);
        const sender = startPaperboy(['digest', 'send', '--cadence', 'daily'], env);
        await Promise.race([
          held,
          sender.exited.then(() => {
            throw new Error(`the sender ended before the hold: ${sender.output()}`);
          }),
        ]);
        const accepted = sink.accepted.length;
        expect(accepted).toBe(HOLD_FROM - 1);
        // Every mail the server accepted is recorded before the kill: the kill lands with mails in flight only.
        await until(async () => (await count('sent')) === accepted, `${accepted} rows sent`);
        sender.child.kill('SIGKILL');
        expect((await sender.exited).signal).toBe('SIGKILL');
        sink.dropHeld();
        expect(await count('sent')).toBe(accepted);
        // Claimed and in flight (held by the server) when the sender died.
        expect(await count('sending')).toBeGreaterThan(0);

        const restarted = await runPaperboy(['digest', 'send', '--cadence', 'daily'], env);
        expect(restarted.stderr).toBe('');
        expect(restarted.code).toBe(0);
        expect(restarted.stdout).toContain(
          `${period.key}: ${SUBSCRIBERS - accepted} sent, ${accepted} already sent before`,
        );
        expect(restarted.stdout).toMatch(/left in flight by an earlier run sent again/);

        expect(sink.accepted).toHaveLength(SUBSCRIBERS);
        const recipients = sink.accepted.map((mail) => mail.envelopeTo.join(','));
        expect(new Set(recipients).size).toBe(SUBSCRIBERS);
        expect(new Set(sink.accepted.map((mail) => mail.toHeader)).size).toBe(SUBSCRIBERS);
        const messageIds = sink.accepted.map((mail) => mail.messageId);
        expect(new Set(messageIds).size).toBe(SUBSCRIBERS);
        for (const { id, email } of await reader.subscriptions()) {
          const mails = sink.accepted.filter((mail) => mail.envelopeTo[0] === email);
          expect(mails).toHaveLength(1);
          expect(mails[0]!.messageId).toBe(digestMessageId(period.key, id, BASE));
        }
        expect(await count('sent')).toBe(SUBSCRIBERS);
        expect((await count('sending')) + (await count('queued')) + (await count('failed'))).toBe(0);
      } finally {
        await reader.close();
      }
    },
  );
});
