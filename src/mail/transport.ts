/**
 * Sending mail, behind one small interface so that the rest of the program does not care how: SMTP through
 * nodemailer (`SMTP_URL`, pooled), or, on a laptop without SMTP, the log (the message is written to the log and the
 * caller may show it, e.g. a sign-in link on the page).
 */
import nodemailer, { type Transporter } from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Extra headers (List-Unsubscribe, ...); values must not contain line breaks. */
  headers?: Record<string, string>;
}

export interface MailTransport {
  /** 'smtp' delivers; 'log' only writes the message to the log (development). */
  readonly kind: 'smtp' | 'log';
  send(message: MailMessage): Promise<void>;
  close(): Promise<void>;
}

/** A sink for the log transport: the logger's `info`. */
export type MailLog = (fields: Record<string, unknown>, message: string) => void;

/** Connections kept open to the SMTP server by one process. */
const SMTP_POOL_CONNECTIONS = 3;
/** Give up on an unresponsive SMTP server after this long, in milliseconds. */
const SMTP_TIMEOUT_MS = 15_000;

export class SmtpMailTransport implements MailTransport {
  readonly kind = 'smtp' as const;
  private readonly transporter: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    const url = new URL(smtpUrl);
    this.transporter = nodemailer.createTransport({
      pool: true,
      maxConnections: SMTP_POOL_CONNECTIONS,
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

  async send(message: MailMessage): Promise<void> {
    await this.transporter.sendMail({
      from: this.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      headers: message.headers,
      // Mail from a machine: no tracking, and the address line is exactly the one address given.
      disableUrlAccess: true,
      disableFileAccess: true,
    });
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}

export class LogMailTransport implements MailTransport {
  readonly kind = 'log' as const;
  constructor(private readonly log: MailLog) {}

  async send(message: MailMessage): Promise<void> {
    this.log(
      { to: message.to, subject: message.subject, text: message.text },
      'mail not sent (no SMTP_URL): logged instead',
    );
  }

  async close(): Promise<void> {}
}

/** The transport the configuration asks for. */
export function createMailTransport(config: { smtpUrl: string | null; mailFrom: string }, log: MailLog): MailTransport {
  return config.smtpUrl ? new SmtpMailTransport(config.smtpUrl, config.mailFrom) : new LogMailTransport(log);
}
