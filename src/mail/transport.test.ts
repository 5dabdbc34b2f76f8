/** The mail transports against a REAL SMTP server on loopback (smtp-server), and the sign-in mail they carry. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SmtpSink, startSmtpSink } from '../../test/support/smtp.ts';
import { signInMail } from '../accounts/sign-in-mail.ts';
import {
  classifyMailError,
  createMailTransport,
  describeMailError,
  LogMailTransport,
  SmtpMailTransport,
} from './transport.ts';

describe('SmtpMailTransport', () => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink.close();
  });

  it('delivers the sign-in mail with a text and an HTML part, to exactly the one address', async () => {
    const transport = createMailTransport({ smtpUrl: sink.url, mailFrom: 'Paperboy <papers@example.org>' }, () => {});
    expect(transport).toBeInstanceOf(SmtpMailTransport);
    const link = 'http://papers.test/login/verify?token=abc&x=<1>';
    try {
      await transport.send(
        signInMail({
          to: 'ada@example.org',
          link,
          siteName: 'Paperboy',
          baseUrl: 'http://papers.test',
          lifetimeMinutes: 15,
        }),
      );
    } finally {
      await transport.close();
    }
    const [mail] = await sink.waitForMessages(1);
    expect(mail!.envelope).toEqual({ from: 'papers@example.org', to: ['ada@example.org'] });
    expect(mail!.parsed.subject).toBe('Your sign-in link for Paperboy');
    expect(mail!.parsed.text).toContain(link);
    expect(mail!.parsed.text).toContain('within 15 minutes');
    expect(mail!.parsed.html).toContain('href="http://papers.test/login/verify?token=abc&amp;x=&lt;1&gt;"');
    expect(mail!.parsed.html).not.toContain('<1>');
  });

  it('fails loudly when the server cannot be reached, as a connection failure (not the address)', async () => {
    const transport = new SmtpMailTransport('smtp://127.0.0.1:1?tls=off', 'papers@example.org');
    try {
      const error = await transport.send({ to: 'a@example.org', subject: 's', text: 't' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(classifyMailError(error)).toBe('connection');
      expect(describeMailError(error)).toMatch(/ECONNREFUSED|connect/);
    } finally {
      await transport.close();
    }
  });

  it('uses the Message-ID it is given and reports it', async () => {
    const transport = new SmtpMailTransport(sink.url, 'papers@example.org', { maxConnections: 2, ratePerSecond: 50 });
    try {
      const sent = await transport.send({
        to: 'mid@example.org',
        subject: 's',
        text: 't',
        messageId: '<daily.2026-11-30.7.digest@papers.test>',
      });
      expect(sent.messageId).toBe('<daily.2026-11-30.7.digest@papers.test>');
    } finally {
      await transport.close();
    }
    await sink.waitForMessages(2);
    const mail = sink.messages.find((m) => m.envelope.to[0] === 'mid@example.org')!;
    expect(mail.parsed.messageId).toBe('<daily.2026-11-30.7.digest@papers.test>');
  });
});

describe('classifyMailError', () => {
  it('tells the server being unreachable, a temporary answer and a permanent one apart', () => {
    const smtp = (responseCode: number, code = 'EENVELOPE') => Object.assign(new Error('x'), { responseCode, code });
    expect(classifyMailError(smtp(451))).toBe('temporary');
    expect(classifyMailError(smtp(452, 'EMESSAGE'))).toBe('temporary');
    expect(classifyMailError(smtp(421))).toBe('connection');
    expect(classifyMailError(smtp(550))).toBe('permanent');
    expect(classifyMailError(smtp(554, 'EMESSAGE'))).toBe('permanent');
    for (const code of ['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'ECONNREFUSED']) {
      expect(classifyMailError(Object.assign(new Error('x'), { code }))).toBe('connection');
    }
    expect(classifyMailError(new Error('something else'))).toBe('temporary');
    expect(classifyMailError(null)).toBe('temporary');
  });
});

describe('LogMailTransport', () => {
  it('writes the message to the log instead of sending it', async () => {
    const logged: Record<string, unknown>[] = [];
    const transport = createMailTransport({ smtpUrl: null, mailFrom: 'p@example.org' }, (fields) =>
      logged.push(fields),
    );
    expect(transport).toBeInstanceOf(LogMailTransport);
    await transport.send({ to: 'a@example.org', subject: 'Hello', text: 'the link' });
    expect(logged).toEqual([{ to: 'a@example.org', subject: 'Hello', text: 'the link' }]);
  });
});
