/**
 * The digest benchmark: DIGEST_BENCH_SUBSCRIBERS (10,000) active daily subscriptions on a SQLite file, each
 * composed, rendered and delivered by sendDigests (the code behind `paperboy digest send` and the worker's job:
 * claims, per-subscription unsubscribe links, a commit per mail) to a loopback SMTP sink (smtp-server) that counts
 * messages, distinct Message-IDs and distinct recipients from the headers alone. The baseline, in the same run, is
 * nodemailer alone sending as many copies of one prebuilt digest through the same pool (same connections, no rate
 * limit) to the same sink: the ratio says what our bookkeeping costs on top of SMTP itself. Each side runs in its
 * own child process, so that its peak RSS is its own. Duplicates (mails beyond one per subscription) must be 0.
 *
 * `DIGEST_BENCH_SUBSCRIBERS=1000 npm run bench -- --only=digest` is the short mode for development.
 */
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { sendDigests } from '../src/digest/send.ts';
import { previewPeriodOn } from '../src/domain/digest-period.ts';
import { todayIn } from '../src/domain/feed-period.ts';
import { NO_TOPICS } from '../src/domain/subscription-topics.ts';
import { type MailMessage, SmtpMailTransport } from '../src/mail/transport.ts';
import { createLexicalSearch } from '../src/search/lexical-search.ts';
import { openDatabase } from '../src/storage/database.ts';
import { KyselyDigestDeliveryStore } from '../src/storage/digest-delivery-store.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { KyselyPaperStore } from '../src/storage/paper-store.ts';
import { KyselyJobLeases } from '../src/worker/leases.ts';
import { workerHolderName } from '../src/worker/worker.ts';
import { testListing, testRecord } from '../test/support/records.ts';
import { subscriptionRow } from '../test/support/subscription-rows.ts';
import { runMeasured } from './child-processes.ts';

/** Subscriptions mailed (10,000 in the full run). */
export const DIGEST_SUBSCRIBERS = Number(process.env.DIGEST_BENCH_SUBSCRIBERS ?? 10_000);
/** Papers in the catalogue, all listed today, so that every digest is full. */
const PAPERS = 60;
/** Every this-many-th subscription has topics (one of TOPIC_SETS): "for you" is composed per distinct set. */
const TOPICS_EVERY = 10;
const TOPIC_SETS = [
  { ...NO_TOPICS, categories: ['cs.CV'] },
  { ...NO_TOPICS, categories: ['cs.CL'] },
  { ...NO_TOPICS, authors: ['Ada Lovelace'] },
  { ...NO_TOPICS, keywords: ['wombat'] },
];
const INSERT_CHUNK = 500;
const BASE_URL = 'https://papers.example.org';
const SECRET = 'bench-secret-long-enough-for-the-hmac-key';
/** Connections of the sender's pool, for both sides. */
const POOL_CONNECTIONS = 3;
const BYTES_PER_MIB = 1024 * 1024;
const CHILD_MODE_ENV = 'PAPERBOY_DIGEST_BENCH_CHILD';

type Progress = (message: string) => void;

export interface DigestSide {
  messages: number;
  seconds: number;
  messagesPerSecond: number;
  peakRssMiB: number;
}

export interface DigestFigures {
  subscribers: number;
  connections: number;
  ours: DigestSide;
  baseline: DigestSide;
  /** Distinct recipients and Message-IDs the sink saw from our run, and mails beyond one per subscription. */
  distinctRecipients: number;
  distinctMessageIds: number;
  duplicates: number;
}

/** What the child reports on its last stdout line. */
interface ChildReport {
  messages: number;
  seconds: number;
}

/** A counting SMTP sink: reads each message's header block only, and remembers To and Message-ID. */
export async function startCountingSink() {
  let messages = 0;
  const recipients = new Set<string>();
  const messageIds = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      let head = '';
      let headDone = false;
      stream.on('data', (chunk: Buffer) => {
        if (headDone) return;
        head += chunk.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end >= 0) {
          head = head.slice(0, end);
          headDone = true;
        }
      });
      stream.on('error', callback);
      stream.on('end', () => {
        messages += 1;
        const unfolded = head.replace(/\r\n[ \t]+/g, ' ');
        for (const line of unfolded.split('\r\n')) {
          const lower = line.toLowerCase();
          if (lower.startsWith('to:')) recipients.add(line.slice(3).trim());
          else if (lower.startsWith('message-id:')) messageIds.add(line.slice(11).trim());
        }
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}?tls=off`,
    counts: () => ({ messages, recipients: recipients.size, messageIds: messageIds.size }),
    reset() {
      messages = 0;
      recipients.clear();
      messageIds.clear();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A database with the papers and the subscriptions. */
export async function prepareDatabase(path: string): Promise<void> {
  const handle = openDatabase({ dialect: 'sqlite', path });
  try {
    await migrateToLatest(handle.db);
    const today = todayIn('UTC');
    const categories = ['cs.LG', 'cs.CV', 'cs.CL'];
    await new KyselyPaperStore(handle.db).upsertPapersAndListings(
      Array.from({ length: PAPERS }, (_, i) =>
        testRecord(`2611.${String(i + 1).padStart(5, '0')}`, {
          title: `Paper ${i + 1}: on wombats and other burrowing learners`,
          abstract: `We study problem ${i + 1} in depth. The results are described at length in what follows.`,
          authors:
            i % 3 === 0 ? ['Ada Lovelace', 'Charles Babbage'] : ['Grace Hopper', 'Alan Turing', 'Edsger Dijkstra'],
          categories: [categories[i % categories.length]!],
          versions: [{ version: 1, created: `${today}T00:00:00.000Z` }],
        }),
      ),
      Array.from({ length: PAPERS }, (_, i) =>
        testListing(
          `2611.${String(i + 1).padStart(5, '0')}`,
          today,
          new Date(Date.parse(`${today}T00:00:00.000Z`) + i * 60_000).toISOString(),
        ),
      ),
    );
    for (let start = 0; start < DIGEST_SUBSCRIBERS; start += INSERT_CHUNK) {
      await handle.db
        .insertInto('subscriptions')
        .values(
          Array.from({ length: Math.min(INSERT_CHUNK, DIGEST_SUBSCRIBERS - start) }, (_, offset) => {
            const i = start + offset;
            const topics = i % TOPICS_EVERY === 0 ? TOPIC_SETS[(i / TOPICS_EVERY) % TOPIC_SETS.length]! : NO_TOPICS;
            return subscriptionRow(`reader${i}@example.org`, { topics });
          }),
        )
        .execute();
    }
  } finally {
    await handle.close();
  }
}

/** One side, in a child process (peak RSS is then that side's alone). */
async function runSide(
  mode: 'ours' | 'baseline',
  dbPath: string,
  smtpUrl: string,
  usageFile: string,
): Promise<DigestSide> {
  const run = await runMeasured(
    ['bin/run-ts.js', 'bench/digest.ts'],
    {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      [CHILD_MODE_ENV]: mode,
      DIGEST_BENCH_DB: dbPath,
      DIGEST_BENCH_SMTP: smtpUrl,
      DIGEST_BENCH_SUBSCRIBERS: String(DIGEST_SUBSCRIBERS),
    },
    usageFile,
  );
  const lines = run.stdout.trim().split('\n');
  const report = JSON.parse(lines[lines.length - 1]!) as ChildReport;
  return {
    messages: report.messages,
    seconds: report.seconds,
    messagesPerSecond: report.messages / report.seconds,
    peakRssMiB: run.peakRssBytes / BYTES_PER_MIB,
  };
}

export async function runDigestBench(workDir: string, progress: Progress): Promise<DigestFigures> {
  const dbPath = join(workDir, 'digest-bench.db');
  const usageFile = join(workDir, 'digest-usage.json');
  progress(`digest: ${DIGEST_SUBSCRIBERS} subscriptions and ${PAPERS} papers on SQLite`);
  await prepareDatabase(dbPath);
  const sink = await startCountingSink();
  try {
    progress('digest: baseline (nodemailer alone, one prebuilt digest)');
    const baseline = await runSide('baseline', dbPath, sink.url, usageFile);
    sink.reset();
    progress('digest: sendDigests');
    const ours = await runSide('ours', dbPath, sink.url, usageFile);
    const counts = sink.counts();
    if (ours.messages !== DIGEST_SUBSCRIBERS) {
      throw new Error(`sendDigests reported ${ours.messages} mails sent for ${DIGEST_SUBSCRIBERS} subscriptions`);
    }
    return {
      subscribers: DIGEST_SUBSCRIBERS,
      connections: POOL_CONNECTIONS,
      ours,
      baseline,
      distinctRecipients: counts.recipients,
      distinctMessageIds: counts.messageIds,
      duplicates: counts.messages - counts.recipients,
    };
  } finally {
    await sink.close();
  }
}

function digestTable(figures: DigestFigures): { header: string[]; rows: string[][] } {
  const { ours, baseline } = figures;
  const ratio = ours.messagesPerSecond / baseline.messagesPerSecond;
  return {
    header: ['sender', 'mails', 'mails/s', 'vs baseline', 'peak RSS', 'duplicates'],
    rows: [
      [
        'sendDigests (compose, render, claim, commit per mail)',
        String(ours.messages),
        ours.messagesPerSecond.toFixed(0),
        `${ratio.toFixed(2)}×`,
        `${ours.peakRssMiB.toFixed(0)} MiB`,
        String(figures.duplicates),
      ],
      [
        'baseline: nodemailer, one prebuilt message',
        String(baseline.messages),
        baseline.messagesPerSecond.toFixed(0),
        '1.00×',
        `${baseline.peakRssMiB.toFixed(0)} MiB`,
        '–',
      ],
    ],
  };
}

export function renderDigestConsole(figures: DigestFigures): string {
  const { header, rows } = digestTable(figures);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [
    `Digest: ${figures.subscribers} subscriptions on SQLite to a loopback SMTP sink, ${figures.connections} pooled connections, no rate limit`,
    line(header),
    ...rows.map(line),
    `distinct recipients ${figures.distinctRecipients}, distinct Message-IDs ${figures.distinctMessageIds}`,
  ].join('\n');
}

export function renderDigestMarkdown(figures: DigestFigures): string {
  const { header, rows } = digestTable(figures);
  return [
    '',
    '## Digest delivery',
    '',
    `${figures.subscribers} active daily subscriptions on SQLite (one in ${TOPICS_EVERY} with topics, so "for you" is composed per distinct topic set), each composed, rendered with its own unsubscribe link and delivered by \`sendDigests\` (a claimed row before each mail, a commit after each) to a loopback SMTP sink (smtp-server) over ${figures.connections} pooled connections with no rate limit. The baseline is nodemailer alone sending as many copies of one prebuilt digest through the same pool to the same sink. Each side runs in its own process (peak RSS is its own). Duplicates: mails beyond one per subscription, counted by the sink from the To headers (distinct Message-IDs: ${figures.distinctMessageIds}).`,
    '',
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
  ].join('\n');
}

/** The child: one side against the sink, reporting mails and seconds as JSON on its last line. */
async function runChild(mode: string): Promise<void> {
  const dbPath = process.env.DIGEST_BENCH_DB!;
  const smtpUrl = process.env.DIGEST_BENCH_SMTP!;
  const count = Number(process.env.DIGEST_BENCH_SUBSCRIBERS);
  const handle = openDatabase({ dialect: 'sqlite', path: dbPath });
  const transport = new SmtpMailTransport(smtpUrl, 'Paperboy <papers@example.org>', {
    maxConnections: POOL_CONNECTIONS,
  });
  const store = new KyselyPaperStore(handle.db);
  const search = createLexicalSearch(handle.db, 'sqlite');
  const period = previewPeriodOn('daily', todayIn('UTC'));
  try {
    if (mode === 'baseline') {
      // One digest, composed and rendered once, sent `count` times with as many in flight as ours has.
      const { composeDigest } = await import('../src/digest/compose.ts');
      const { digestMail } = await import('../src/digest/render.ts');
      const content = (await composeDigest({ store, db: handle.db, search }, { period, topics: NO_TOPICS, size: 10 }))!;
      const message: MailMessage = digestMail(
        content,
        { id: 1, email: 'reader0@example.org' },
        { baseUrl: BASE_URL, siteName: 'Paperboy', secret: SECRET },
      );
      const started = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: POOL_CONNECTIONS }, async () => {
          while (next < count) {
            next += 1;
            await transport.send(message);
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      process.stdout.write(`${JSON.stringify({ messages: count, seconds } satisfies ChildReport)}\n`);
      return;
    }
    const started = performance.now();
    const summary = await sendDigests(
      {
        store,
        db: handle.db,
        search,
        deliveries: new KyselyDigestDeliveryStore(handle.db),
        leases: new KyselyJobLeases(handle.db),
        transport,
      },
      {
        period,
        weeklyDay: null,
        size: 10,
        baseUrl: BASE_URL,
        siteName: 'Paperboy',
        secret: SECRET,
        holder: workerHolderName(),
      },
    );
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(`${JSON.stringify({ messages: summary.sent, seconds } satisfies ChildReport)}\n`);
  } finally {
    await transport.close();
    await handle.close();
  }
}

const childMode = process.env[CHILD_MODE_ENV];
if (childMode) await runChild(childMode);
