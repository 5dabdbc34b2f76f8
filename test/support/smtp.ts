/**
 * A real SMTP server on loopback that keeps what it receives, for tests where mail matters (sign-in links,
 * digests). Point the app at it with `SMTP_URL: sink.url`; read `sink.messages` (parsed by mailparser, plus the
 * SMTP envelope); `await sink.waitForMessages(n)` before reading, since mail arrives asynchronously.
 *
 *   const sink = await startSmtpSink();
 *   const t = await createTestApp(kind, undefined, { SMTP_URL: sink.url });
 *   ...; const [mail] = await sink.waitForMessages(1); ...; await sink.close();
 */
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One message as received: the parsed mail and the addresses the SMTP envelope named. */
export interface ReceivedMail {
  /** The SMTP envelope's sender and recipients (what the server was told, whatever the headers say). */
  envelope: { from: string | null; to: string[] };
  /** mailparser's view of the message: subject, text, html, headers, to/from... */
  parsed: ParsedMail;
  /** The message exactly as transmitted. */
  raw: string;
}

export interface SmtpSink {
  /** `smtp://127.0.0.1:PORT?tls=off`, for SMTP_URL (`tls=off`: our transport then never tries STARTTLS). */
  url: string;
  /** Every message received so far, in order of arrival. */
  messages: ReceivedMail[];
  /** Resolves with the first `count` messages once that many have arrived; rejects after `timeoutMs`. */
  waitForMessages(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

const DEFAULT_WAIT_MS = 10_000;
const POLL_INTERVAL_MS = 20;

/** Starts a sink on a free loopback port. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw)
          .then((parsed) => {
            const from = session.envelope.mailFrom;
            messages.push({
              envelope: {
                from: from ? from.address : null,
                to: session.envelope.rcptTo.map((recipient) => recipient.address),
              },
              parsed,
              raw,
            });
            callback();
          })
          .catch(callback);
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
    messages,
    async waitForMessages(count, timeoutMs = DEFAULT_WAIT_MS) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} mail(s) within ${timeoutMs} ms, received ${messages.length}`);
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
      }
      return messages.slice(0, count);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
