/** The mail transports against a REAL SMTP server on loopback (smtp-server), and the sign-in mail they carry. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SmtpSink, startSmtpSink } from '../../test/support/smtp.ts';
import { signInMail } from '../accounts/sign-in-mail.ts';
import { createMailTransport, LogMailTransport, SmtpMailTransport } from './transport.ts';

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

  it('fails loudly when the server cannot be reached', async () => {
    const transport = new SmtpMailTransport('smtp://127.0.0.1:1?tls=off', 'papers@example.org');
    try {
      await expect(transport.send({ to: 'a@example.org', subject: 's', text: 't' })).rejects.toThrow();
    } finally {
      await transport.close();
    }
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
