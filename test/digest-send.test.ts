/**
 * The digest sender against a REAL SMTP server on loopback (smtp-server, with faults on demand), on SQLite and
 * PostgreSQL: every active subscription gets exactly one mail per period with the right headers (parsed by
 * mailparser), a rerun sends nothing new, 4xx answers and a server that is down for a while end with everything
 * delivered once, a 5xx address is counted and paused after three periods (then skipped), a row with an address that
 * could inject headers is never sent, another sender's lease means nothing is done, and a stop leaves the rest for
 * the next run.
 */
import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { composeDigest } from '../src/digest/compose.ts';
import { digestMail } from '../src/digest/render.ts';
import {
  digestLeaseJob,
  digestMailTemplate,
  digestMessageId,
  type SendRequest,
  sendDigests,
} from '../src/digest/send.ts';
import { type DigestPeriod, digestPeriodOn } from '../src/domain/digest-period.ts';
import { NO_TOPICS, type SubscriptionTopics } from '../src/domain/subscription-topics.ts';
import { unsubscribeUrl } from '../src/mail/subscription-mails.ts';
import { SmtpMailTransport } from '../src/mail/transport.ts';
import { createLexicalSearch } from '../src/search/lexical-search.ts';
import { type DatabaseHandle, openDatabase } from '../src/storage/database.ts';
import { KyselyDigestDeliveryStore } from '../src/storage/digest-delivery-store.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { KyselyPaperStore } from '../src/storage/paper-store.ts';
import type { Database } from '../src/storage/schema.ts';
import { KyselyJobLeases } from '../src/worker/leases.ts';
import { databaseKinds } from './support/databases.ts';
import { testListing, testRecord } from './support/records.ts';
import { type FaultySmtpSink, headerOf, startFaultySmtpSink } from './support/smtp-faults.ts';
import { subscriptionRow } from './support/subscription-rows.ts';

const BASE = 'http://papers.test';
const SECRET = 'a-test-secret-that-is-long-enough-for-hmac';
const FROM = 'Paperboy <papers@example.org>';
/** Short retry timings: the waits are real, so they are tens of milliseconds here. */
const FAST_RETRY = { baseMs: 25, maxDelayMs: 200, maxWaitMs: 10_000 };
/** Weekdays from Monday 30 November 2026 on: one fresh daily period per test. */
const DAYS = Array.from({ length: 28 }, (_, i) => DateTime.fromISO('2026-11-30', { zone: 'utc' }).plus({ days: i }))
  .filter((d) => d.weekday <= 5)
  .map((d) => d.toISODate()!);

async function subscribe(db: Kysely<Database>, email: string, topics: SubscriptionTopics = NO_TOPICS) {
  const row = await db
    .insertInto('subscriptions')
    .values(subscriptionRow(email, { topics }))
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

describe.each(databaseKinds())('digest sender on $name', (kind) => {
  let handle: DatabaseHandle;
  let sink: FaultySmtpSink;
  let transport: SmtpMailTransport;
  let day = 0;
  const subscribers: Record<string, number> = {};

  /** A fresh daily period for each test, so that each starts with nothing sent. */
  const nextPeriod = (): DigestPeriod => digestPeriodOn('daily', DAYS[day++]!)!;
  const send = (period: DigestPeriod, extra: Partial<SendRequest> = {}) => {
    const db = handle.db;
    return sendDigests(
      {
        store: new KyselyPaperStore(db),
        db,
        search: createLexicalSearch(db, handle.dialect),
        deliveries: new KyselyDigestDeliveryStore(db),
        leases: new KyselyJobLeases(db),
        transport,
      },
      {
        period,
        weeklyDay: null,
        size: 3,
        baseUrl: BASE,
        siteName: 'Paperboy',
        secret: SECRET,
        holder: `test:${process.pid}:${Math.random().toString(36).slice(2, 8)}`,
        retry: FAST_RETRY,
        ...extra,
      },
    );
  };
  const receivedIn = (period: DigestPeriod) =>
    sink.accepted.filter((mail) => mail.messageId?.startsWith(`<${period.key.replace(':', '.')}.`));

  beforeAll(async () => {
    if (!kind.available) return;
    handle = openDatabase((await kind.create()).url);
    await migrateToLatest(handle.db);
    const store = new KyselyPaperStore(handle.db);
    await store.upsertPapersAndListings(
      [
        testRecord('2611.00001', { title: 'Wombats & <b>bold</b> claims', categories: ['cs.CV'] }),
        testRecord('2611.00002', { title: 'Second paper' }),
      ],
      DAYS.map((d, i) => testListing(i === 0 ? '2611.00001' : '2611.00002', d)).slice(0, 2),
    );
    for (const name of ['ada', 'bob', 'cyd']) subscribers[name] = await subscribe(handle.db, `${name}@example.org`);
    subscribers.topics = await subscribe(handle.db, 'vision@example.org', { ...NO_TOPICS, categories: ['cs.CV'] });
    sink = await startFaultySmtpSink();
    transport = new SmtpMailTransport(sink.url, FROM, { maxConnections: 2, ratePerSecond: 1000 });
  });
  afterEach(() => {
    if (sink) sink.rule = () => null;
  });
  afterAll(async () => {
    await transport?.close();
    await sink?.close();
    await handle?.close();
  });

  it.runIf(kind.available)(
    'mails each active subscription once, with the right headers; a rerun sends nothing',
    async () => {
      const period = nextPeriod();
      const summary = await send(period);
      expect(summary).toMatchObject({
        outcome: 'done',
        planned: 4,
        sent: 4,
        alreadySent: 0,
        failed: 0,
        waitingForRetry: 0,
      });
      const mails = receivedIn(period);
      expect(mails.map((mail) => mail.envelopeTo)).toHaveLength(4);
      for (const mail of mails) {
        expect(mail.envelopeTo).toHaveLength(1);
        const address = mail.envelopeTo[0]!;
        // Exactly the one address on the To line, nothing else.
        expect(mail.toHeader).toBe(address);
        const id = Object.values(subscribers).find((sid) => mail.messageId === digestMessageId(period.key, sid, BASE));
        expect(id).toBeDefined();
        const parsed = await sink.parsed(mail);
        expect(parsed.from?.value).toEqual([{ address: 'papers@example.org', name: 'Paperboy' }]);
        expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value.map((v) => v.address) : []).toEqual([address]);
        expect(parsed.subject).toBe('Trending papers, Monday 30 November');
        expect(parsed.messageId).toBe(digestMessageId(period.key, id!, BASE));
        expect(headerOf(mail.raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
        expect(headerOf(mail.raw, 'List-Unsubscribe')).toBe(`<${unsubscribeUrl(BASE, SECRET, id!)}>`);
        expect(parsed.text).toContain('Wombats & <b>bold</b> claims');
        expect(parsed.text).toContain(`${BASE}/papers/2611.00001`);
        expect(parsed.html).toContain('Wombats &amp; &lt;b&gt;bold&lt;/b&gt; claims');
        expect(parsed.html).toContain(unsubscribeUrl(BASE, SECRET, id!).replaceAll('&', '&amp;'));
      }
      const again = await send(period);
      expect(again).toMatchObject({ planned: 0, sent: 0, alreadySent: 4 });
      expect(receivedIn(period)).toHaveLength(4);
    },
  );

  it.runIf(kind.available)(
    'renders each content once: the per-subscription mail is exactly what digestMail makes',
    async () => {
      const db = handle.db;
      const sources = { store: new KyselyPaperStore(db), db, search: createLexicalSearch(db, handle.dialect) };
      const content = (await composeDigest(sources, {
        period: digestPeriodOn('daily', DAYS[0]!)!,
        topics: NO_TOPICS,
        size: 3,
      }))!;
      const options = { baseUrl: BASE, siteName: 'Paperboy', secret: SECRET };
      const mailer = digestMailTemplate(content, options);
      for (const subscription of [
        { id: 1, email: 'one@example.org' },
        { id: 22, email: 'two@example.org' },
        { id: 2_147_483_646, email: 'three@example.org' },
      ]) {
        expect(mailer(subscription)).toEqual(digestMail(content, subscription, options));
      }
    },
  );

  it.runIf(kind.available)('retries 4xx answers with backoff until they are accepted', async () => {
    const period = nextPeriod();
    let refusals = 0;
    sink.rule = (stage, recipient) => {
      if (stage === 'data' && recipient === 'bob@example.org' && refusals < 2) {
        refusals += 1;
        return { code: 451, message: 'greylisted, try again later' };
      }
      return null;
    };
    const summary = await send(period);
    expect(summary).toMatchObject({ sent: 4, failed: 0, waitingForRetry: 0 });
    expect(refusals).toBe(2);
    const mails = receivedIn(period);
    expect(mails.filter((mail) => mail.envelopeTo[0] === 'bob@example.org')).toHaveLength(1);
    const row = await handle.db
      .selectFrom('digest_deliveries')
      .select(['attempts', 'status', 'last_error'])
      .where('period_key', '=', period.key)
      .where('subscription_id', '=', subscribers.bob!)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ attempts: 2, status: 'sent' });
  });

  it.runIf(kind.available)(
    'with the server down for a while: everything delivered when it is back, none twice, nothing held against anyone',
    async () => {
      const period = nextPeriod();
      await sink.goDown();
      const sending = send(period);
      await new Promise((resolve) => setTimeout(resolve, 400));
      await sink.comeBack();
      const summary = await sending;
      expect(summary).toMatchObject({ sent: 4, failed: 0, waitingForRetry: 0 });
      const mails = receivedIn(period);
      expect(new Set(mails.map((mail) => mail.envelopeTo[0])).size).toBe(4);
      expect(mails).toHaveLength(4);
      const failures = await handle.db.selectFrom('subscriptions').select('consecutive_failures').execute();
      expect(failures.every((row) => Number(row.consecutive_failures) === 0)).toBe(true);
    },
  );

  it.runIf(kind.available)('gives up for the run after the wait bound and leaves the rest queued', async () => {
    const period = nextPeriod();
    await sink.goDown();
    try {
      const summary = await send(period, { retry: { baseMs: 50, maxDelayMs: 100, maxWaitMs: 300 } });
      expect(summary).toMatchObject({ sent: 0, failed: 0, waitingForRetry: 4 });
      expect(summary.nextRetryAt).not.toBeNull();
    } finally {
      await sink.comeBack();
    }
    const rerun = await send(period);
    expect(rerun).toMatchObject({ sent: 4, waitingForRetry: 0 });
    expect(receivedIn(period)).toHaveLength(4);
  });

  it.runIf(kind.available)('counts a 5xx address as failed, pauses it after three periods, then skips it', async () => {
    sink.rule = (stage, recipient) =>
      stage === 'rcpt' && recipient === 'cyd@example.org' ? { code: 550, message: 'no such user' } : null;
    for (let i = 0; i < 3; i += 1) {
      const summary = await send(nextPeriod());
      expect(summary).toMatchObject({ sent: 3, failed: 1, paused: i === 2 ? 1 : 0 });
    }
    const cyd = await handle.db
      .selectFrom('subscriptions')
      .select(['consecutive_failures', 'paused_at'])
      .where('id', '=', subscribers.cyd!)
      .executeTakeFirstOrThrow();
    expect(Number(cyd.consecutive_failures)).toBe(3);
    expect(cyd.paused_at).not.toBeNull();
    const period = nextPeriod();
    expect(await send(period)).toMatchObject({ planned: 3, sent: 3, failed: 0 });
    expect(receivedIn(period).map((mail) => mail.envelopeTo[0])).not.toContain('cyd@example.org');
  });

  it.runIf(kind.available)('never sends to an address that could inject a header', async () => {
    const period = nextPeriod();
    const bad = await subscribe(handle.db, 'x@y.org\r\nBcc: z@w.org');
    try {
      const summary = await send(period);
      expect(summary.failed).toBe(1);
      for (const mail of receivedIn(period)) {
        expect(mail.envelopeTo).toHaveLength(1);
        expect(mail.toHeader).toBe(mail.envelopeTo[0]);
        expect(mail.raw).not.toMatch(/^Bcc:/im);
      }
      expect(sink.accepted.some((mail) => mail.envelopeTo.includes('z@w.org'))).toBe(false);
    } finally {
      await handle.db.deleteFrom('subscriptions').where('id', '=', bad).execute();
    }
  });

  it.runIf(kind.available)(
    'does nothing while another sender holds the lease; a stopped run is finished by the next',
    async () => {
      const period = nextPeriod();
      const leases = new KyselyJobLeases(handle.db);
      const other = (await leases.claim(digestLeaseJob('daily'), 'elsewhere.example:1:x', 60_000))!;
      expect(await send(period)).toMatchObject({ outcome: 'busy', busyHolder: 'elsewhere.example:1:x', sent: 0 });
      await leases.release(other);
      const stop = new AbortController();
      stop.abort();
      expect(await send(period, { signal: stop.signal })).toMatchObject({ outcome: 'interrupted', sent: 0 });
      expect(await send(period)).toMatchObject({ outcome: 'done', sent: 3 });
      expect(receivedIn(period)).toHaveLength(3);
    },
  );
});
