/**
 * A real SMTP server on loopback (smtp-server) that misbehaves on demand, for the digest sender's tests: answer
 * 4xx or 5xx for some recipients or messages (`rule`), stop listening and come back on the same port (`goDown`,
 * `comeBack`), or hold every DATA from the Nth on without answering (`holdDataFrom`) until `dropHeld`.
 * Accepted messages are kept with their envelope and raw text (parse them with `parsed()` when a test checks
 * headers; the kill test only counts).
 */
import type { AddressInfo, Socket } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One accepted message. */
export interface AcceptedMail {
  envelopeTo: string[];
  /** The Message-ID header as sent (with its angle brackets). */
  messageId: string | null;
  /** The To header line as sent (unfolded). */
  toHeader: string | null;
  raw: string;
}

/** An SMTP answer to give instead of accepting: e.g. {code: 451, message: 'try later'}. */
export interface SmtpAnswer {
  code: number;
  message: string;
}

/** Decides, per recipient and stage, whether to refuse; null accepts. */
export type FaultRule = (stage: 'rcpt' | 'data', recipient: string) => SmtpAnswer | null;

export interface FaultySmtpSink {
  url: string;
  port: number;
  accepted: AcceptedMail[];
  /** DATA commands that arrived (accepted, refused or held). */
  dataArrivals(): number;
  rule: FaultRule;
  /** From the `n`th DATA on (1-based), hold every DATA without answering; resolves when the nth arrives. */
  holdDataFrom(n: number): Promise<void>;
  /** Forgets the held messages (never accepted) and closes their connections; holds nothing further. */
  dropHeld(): void;
  /** Stops listening and cuts every connection (connection refused from now on). */
  goDown(): Promise<void>;
  /** Listens again on the same port. */
  comeBack(): Promise<void>;
  parsed(mail: AcceptedMail): Promise<ParsedMail>;
  waitForAccepted(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const DEFAULT_WAIT_MS = 15_000;
const POLL_MS = 20;

/** A header's value as sent (unfolded), or null. */
export function headerOf(raw: string, name: string): string | null {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const line = unfolded.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line ? line.slice(name.length + 1).trim() : null;
}

function refusal(answer: SmtpAnswer): Error {
  return Object.assign(new Error(answer.message), { responseCode: answer.code });
}

export async function startFaultySmtpSink(): Promise<FaultySmtpSink> {
  const accepted: AcceptedMail[] = [];
  let arrivals = 0;
  let holdFrom = Number.POSITIVE_INFINITY;
  let holdReached: (() => void) | null = null;
  const sockets = new Set<Socket>();
  let port = 0;
  let server: SMTPServer;

  const create = () => {
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      closeTimeout: 100,
      onRcptTo(address, _session, callback) {
        const answer = sink.rule('rcpt', address.address);
        callback(answer ? refusal(answer) : undefined);
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', callback);
        stream.on('end', () => {
          arrivals += 1;
          const recipients = session.envelope.rcptTo.map((r) => r.address);
          if (arrivals >= holdFrom) {
            if (arrivals === holdFrom) holdReached?.();
            // Never answered: the client waits for a reply that does not come (until dropHeld cuts it off).
            return;
          }
          const answer = recipients.map((r) => sink.rule('data', r)).find((a) => a !== null) ?? null;
          if (answer) {
            callback(refusal(answer));
            return;
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          accepted.push({
            envelopeTo: recipients,
            messageId: headerOf(raw, 'Message-ID'),
            toHeader: headerOf(raw, 'To'),
            raw,
          });
          callback();
        });
      },
    });
    smtp.server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    return smtp;
  };

  const listen = async () => {
    server = create();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    port = (server.server.address() as AddressInfo).port;
  };
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });

  await listen();

  const sink: FaultySmtpSink = {
    url: `smtp://127.0.0.1:${port}?tls=off`,
    port,
    accepted,
    dataArrivals: () => arrivals,
    rule: () => null,
    holdDataFrom(n) {
      holdFrom = n;
      return new Promise<void>((resolve) => {
        holdReached = resolve;
      });
    },
    dropHeld() {
      holdFrom = Number.POSITIVE_INFINITY;
      for (const socket of sockets) socket.destroy();
    },
    goDown: stop,
    comeBack: listen,
    parsed: (mail) => simpleParser(mail.raw),
    async waitForAccepted(count, timeoutMs = DEFAULT_WAIT_MS) {
      const deadline = Date.now() + timeoutMs;
      while (accepted.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} accepted mail(s), got ${accepted.length}`);
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
    close: stop,
  };
  return sink;
}
