/**
 * `paperboy digest send` through the real binary, against a real SMTP server on loopback: usage errors (exit 2),
 * no SMTP_URL refused (exit 1, nothing written), a dry run that writes nothing, --to for one address (and refused
 * for an address without a live subscription), a whole send with a summary line (exit 0), a rerun that sends
 * nothing new, and exit 3 when an address is refused.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestMessageId } from '../src/digest/send.ts';
import { previewPeriodOn } from '../src/domain/digest-period.ts';
import { todayIn } from '../src/domain/feed-period.ts';
import { type DatabaseHandle, openDatabase } from '../src/storage/database.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { KyselyPaperStore } from '../src/storage/paper-store.ts';
import type { Database } from '../src/storage/schema.ts';
import { runPaperboy } from './support/processes.ts';
import { testListing, testRecord } from './support/records.ts';
import { type FaultySmtpSink, startFaultySmtpSink } from './support/smtp-faults.ts';
import { subscriptionRow } from './support/subscription-rows.ts';

const TODAY = todayIn('UTC');
const BASE = 'https://papers.example.org';

async function subscribe(db: Kysely<Database>, email: string, status: 'active' | 'pending' = 'active') {
  const row = await db
    .insertInto('subscriptions')
    .values(subscriptionRow(email, { status }))
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

describe('paperboy digest send', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-digest-send-'));
  const path = join(dir, 'paperboy.db');
  let sink: FaultySmtpSink;
  let handle: DatabaseHandle;
  const ids: Record<string, number> = {};
  const env = () => ({
    DATABASE_URL: `sqlite:${path}`,
    PAPERBOY_BASE_URL: BASE,
    PAPERBOY_TIMEZONE: 'UTC',
    PAPERBOY_MAIL_FROM: 'Paperboy <papers@example.org>',
    SMTP_URL: sink.url,
    LOG_LEVEL: 'silent',
  });
  const rows = () => handle.db.selectFrom('digest_deliveries').selectAll().orderBy('id').execute();
  const period = previewPeriodOn('daily', TODAY);

  beforeAll(async () => {
    sink = await startFaultySmtpSink();
    handle = openDatabase({ dialect: 'sqlite', path });
    await migrateToLatest(handle.db);
    await new KyselyPaperStore(handle.db).upsertPapersAndListings(
      [testRecord('2611.00101', { title: 'Top paper' })],
      [testListing('2611.00101', TODAY, `${TODAY}T05:00:00.000Z`)],
    );
    for (const name of ['ada', 'bob', 'cyd']) ids[name] = await subscribe(handle.db, `${name}@example.org`);
    ids.pending = await subscribe(handle.db, 'pending@example.org', 'pending');
  });
  afterAll(async () => {
    await handle?.close();
    await sink?.close();
  });

  it('refuses bad arguments with exit 2, and sending without SMTP_URL with exit 1, writing nothing', async () => {
    const noCadence = await runPaperboy(['digest', 'send'], env());
    expect(noCadence.code).toBe(2);
    expect(noCadence.stderr).toContain('--cadence');
    const badCadence = await runPaperboy(['digest', 'send', '--cadence', 'hourly'], env());
    expect(badCadence.code).toBe(2);
    const badTo = await runPaperboy(['digest', 'send', '--cadence', 'daily', '--to', 'x@y.org\r\nBcc: z@w.org'], env());
    expect(badTo.code).toBe(2);
    const badWait = await runPaperboy(['digest', 'send', '--cadence', 'daily', '--retry-for', 'soon'], env());
    expect(badWait.code).toBe(2);
    const { SMTP_URL: _, ...withoutSmtp } = env();
    const noSmtp = await runPaperboy(['digest', 'send', '--cadence', 'daily'], withoutSmtp);
    expect(noSmtp.code).toBe(1);
    expect(noSmtp.stderr).toContain('SMTP_URL is not set');
    expect(await rows()).toEqual([]);
    expect(sink.accepted).toEqual([]);
  });

  it('says what a dry run would send, and writes and sends nothing (even without SMTP_URL)', async () => {
    const { SMTP_URL: _, ...withoutSmtp } = env();
    const result = await runPaperboy(['digest', 'send', '--cadence', 'daily', '--dry-run'], withoutSmtp);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`dry run, ${period.key}: would send 3 digest(s) to 3 address(es)`);
    expect(result.stdout).toContain('nothing sent or written');
    expect(await rows()).toEqual([]);
    expect(sink.accepted).toEqual([]);
  });

  it('--to sends to that address only, and refuses an address without a live, confirmed subscription', async () => {
    const none = await runPaperboy(['digest', 'send', '--cadence', 'daily', '--to', 'nobody@example.org'], env());
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('nobody@example.org has no live daily subscription');
    const pending = await runPaperboy(['digest', 'send', '--cadence', 'daily', '--to', 'pending@example.org'], env());
    expect(pending.code).toBe(1);
    expect(pending.stderr).toContain('not confirmed');
    const weekly = await runPaperboy(['digest', 'send', '--cadence', 'weekly', '--to', 'ada@example.org'], env());
    expect(weekly.code).toBe(1);
    const result = await runPaperboy(['digest', 'send', '--cadence', 'daily', '--to', 'Ada@Example.org'], env());
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${period.key}: 1 sent, 0 already sent before, 0 failed`);
    expect(sink.accepted.map((mail) => mail.envelopeTo)).toEqual([['ada@example.org']]);
    expect(sink.accepted[0]!.messageId).toBe(digestMessageId(period.key, ids.ada!, BASE));
  });

  it('sends the rest once, with a summary; a rerun sends nothing new', async () => {
    const result = await runPaperboy(['digest', 'send', '--cadence', 'daily'], env());
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${period.key}: 2 sent, 1 already sent before, 0 failed, 0 waiting for retry`);
    // Not a terminal: no progress bar, only the summary.
    expect(result.stderr).toBe('');
    expect(sink.accepted.map((mail) => mail.envelopeTo[0]).sort()).toEqual([
      'ada@example.org',
      'bob@example.org',
      'cyd@example.org',
    ]);
    const again = await runPaperboy(['digest', 'send', '--cadence', 'daily'], env());
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 sent, 3 already sent before');
    expect(sink.accepted).toHaveLength(3);
    expect((await rows()).map((row) => row.status)).toEqual(['sent', 'sent', 'sent']);
  });

  it('exits 3 when an address is refused, and says so', async () => {
    sink.rule = (stage, recipient) =>
      stage === 'rcpt' && recipient === 'dan@example.org' ? { code: 550, message: 'no such user' } : null;
    await subscribe(handle.db, 'dan@example.org');
    const result = await runPaperboy(['digest', 'send', '--cadence', 'daily'], env());
    expect(result.code).toBe(3);
    expect(result.stdout).toContain('0 sent, 3 already sent before, 1 failed');
    expect(result.stderr).toContain('1 digest(s) failed permanently');
    sink.rule = () => null;
  });
});
