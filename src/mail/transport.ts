/**
 * Sending mail, behind one small interface so that the rest of the program does not care how: SMTP through
 * nodemailer (`SMTP_URL`, pooled), or, on a laptop without SMTP, the log (the message is written to the log and the
 * caller may show it, e.g. a sign-in link on the page).
 *
 * A failed send rejects with nodemailer's own error, which keeps the SMTP `responseCode` and nodemailer's `code`;
 * classifyMailError turns that into what the digest sender needs to know (retry later, or give up on the address).
 * The digest sender's transport is rate limited: nodemailer's pool counts messages for the whole pool (not per
 * connection: one counter, `rateLimit` messages per `rateDelta` ms, shared by every connection), so `ratePerSecond`
 * is the process's rate to the relay.
 */
import nodemailer, { type Transporter } from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Extra headers (List-Unsubscribe, ...); values must not contain line breaks. */
  headers?: Record<string, string>;
  /** The Message-ID (`<id@host>`) to use instead of a random one, e.g. the same for a resent digest. */
  messageId?: string;
}

/** What the server said when it accepted a message. */
export interface MailSent {
  /** The Message-ID the mail carried (null for the log transport). */
  messageId: string | null;
}

export interface MailTransport {
  /** 'smtp' delivers; 'log' only writes the message to the log (development). */
  readonly kind: 'smtp' | 'log';
  send(message: MailMessage): Promise<MailSent>;
  close(): Promise<void>;
}

/** A sink for the log transport: the logger's `info`. */
export type MailLog = (fields: Record<string, unknown>, message: string) => void;

/** Connections kept open to the SMTP server by one process. */
const SMTP_POOL_CONNECTIONS = 3;
/** Give up on an unresponsive SMTP server after this long, in milliseconds. */
const SMTP_TIMEOUT_MS = 15_000;

/** Pool settings for a transport that sends in bulk (the digest). */
export interface SmtpPoolOptions {
  /** Connections kept open (and so messages in flight at once); default SMTP_POOL_CONNECTIONS. */
  maxConnections?: number;
  /** Most messages handed to the server per second by this transport, across all its connections. */
  ratePerSecond?: number;
}

/** nodemailer's rate window: `rateLimit` messages per this many milliseconds. */
const RATE_WINDOW_MS = 1000;
/** Messages over one connection before nodemailer opens a fresh one (its default is 100). */
const MESSAGES_PER_CONNECTION = 1000;

export class SmtpMailTransport implements MailTransport {
  readonly kind = 'smtp' as const;
  /** Connections in the pool: how many messages a bulk sender should keep in flight. */
  readonly connections: number;
  private readonly transporter: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
    pool: SmtpPoolOptions = {},
  ) {
    const url = new URL(smtpUrl);
    this.connections = pool.maxConnections ?? SMTP_POOL_CONNECTIONS;
    this.transporter = nodemailer.createTransport({
      pool: true,
      maxConnections: this.connections,
      maxMessages: MESSAGES_PER_CONNECTION,
      ...(pool.ratePerSecond ? { rateLimit: pool.ratePerSecond, rateDelta: RATE_WINDOW_MS } : {}),
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 587)),
      secure: url.protocol === 'smtps:',
      auth: url.username
        ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
        : undefined,
      // Loopback servers in development and tests rarely speak TLS; a real relay announces STARTTLS and gets it.
      ignoreTLS: url.searchParams.get('tls') === 'off',
      connectionTimeout: SMTP_TIMEOUT_MS,
      greetingTimeout: SMTP_TIMEOUT_MS,
      socketTimeout: SMTP_TIMEOUT_MS,
    });
  }

  async send(message: MailMessage): Promise<MailSent> {
    const info = await this.transporter.sendMail({
      from: this.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      headers: message.headers,
      ...(message.messageId ? { messageId: message.messageId } : {}),
      // Mail from a machine: no tracking, and the address line is exactly the one address given.
      disableUrlAccess: true,
      disableFileAccess: true,
    });
    return { messageId: typeof info.messageId === 'string' ? info.messageId : null };
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}

export class LogMailTransport implements MailTransport {
  readonly kind = 'log' as const;
  constructor(private readonly log: MailLog) {}

  async send(message: MailMessage): Promise<MailSent> {
    this.log(
      { to: message.to, subject: message.subject, text: message.text },
      'mail not sent (no SMTP_URL): logged instead',
    );
    return { messageId: null };
  }

  async close(): Promise<void> {}
}

/** The transport the configuration asks for. */
export function createMailTransport(config: { smtpUrl: string | null; mailFrom: string }, log: MailLog): MailTransport {
  return config.smtpUrl ? new SmtpMailTransport(config.smtpUrl, config.mailFrom) : new LogMailTransport(log);
}

/**
 * What a failed send means for the one who sent it:
 * - 'connection': the server could not be reached or talked to (refused, timed out, socket closed, TLS, a 421
 *   "service not available"): nothing is wrong with the address, try again later and count nothing against it;
 * - 'temporary': the server answered 4xx for this message (greylisting, mailbox full): try again later;
 * - 'permanent': the server answered 5xx (no such user, rejected): sending again will not help.
 * Errors without an SMTP answer that are not about the connection are treated as temporary.
 */
export type MailErrorKind = 'connection' | 'temporary' | 'permanent';

/** nodemailer's (and Node's) codes for a connection that failed rather than an answer about the message. */
const CONNECTION_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ETLS',
  'EPROTOCOL',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
/** SMTP's "service not available, closing transmission channel": about the server, not the address. */
const SMTP_SERVICE_NOT_AVAILABLE = 421;

export function classifyMailError(error: unknown): MailErrorKind {
  const { responseCode, code } = (error ?? {}) as { responseCode?: unknown; code?: unknown };
  if (typeof responseCode === 'number') {
    if (responseCode === SMTP_SERVICE_NOT_AVAILABLE) return 'connection';
    if (responseCode >= 500 && responseCode < 600) return 'permanent';
    if (responseCode >= 400 && responseCode < 500) return 'temporary';
  }
  if (typeof code === 'string' && CONNECTION_ERROR_CODES.has(code)) return 'connection';
  return 'temporary';
}

/** A one-line description of a send error for logs and the delivery row (the SMTP answer when there is one). */
export function describeMailError(error: unknown): string {
  const { response, code, message } = (error ?? {}) as { response?: unknown; code?: unknown; message?: unknown };
  const text = typeof response === 'string' ? response : typeof message === 'string' ? message : String(error);
  const line = text.replace(/\s+/g, ' ').trim();
  return typeof code === 'string' && !line.includes(code) ? `${code}: ${line}` : line;
}
