/**
 * The sign-in mail: a subject, a plain-text body and a simple HTML part carrying the one-time link. Plain words,
 * the link's lifetime, and what to do if you did not ask for it (nothing), so that a surprised reader is not alarmed.
 */
import type { MailMessage } from '../mail/transport.ts';
import { escapeHtml } from '../web/presenters/html/html.ts';

export interface SignInMailInput {
  to: string;
  link: string;
  siteName: string;
  /** The site's address, named in the mail so that the reader knows where the link leads. */
  baseUrl: string;
  lifetimeMinutes: number;
}

/** The message to send for a sign-in link. */
export function signInMail({ to, link, siteName, baseUrl, lifetimeMinutes }: SignInMailInput): MailMessage {
  const host = new URL(baseUrl).host;
  const subject = `Your sign-in link for ${siteName}`;
  const text = [
    'Hello,',
    '',
    `Someone (hopefully you) asked to sign in to ${siteName} at ${host} with this address.`,
    `Open this link within ${lifetimeMinutes} minutes to sign in; it works once:`,
    '',
    link,
    '',
    'If you did not ask for it, ignore this mail: nobody can sign in without the link.',
    '',
    `${siteName}`,
  ].join('\n');
  const html = `<!doctype html>
<html lang="en"><body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1c1e22;">
<p>Hello,</p>
<p>Someone (hopefully you) asked to sign in to ${escapeHtml(siteName)} at ${escapeHtml(host)} with this address.
Open this link within ${lifetimeMinutes} minutes to sign in; it works once:</p>
<p><a href="${escapeHtml(link)}" style="display: inline-block; padding: 0.6em 1.2em; background: #2c5a88; color: #ffffff; border-radius: 8px; text-decoration: none; font-weight: 600;">Sign in to ${escapeHtml(siteName)}</a></p>
<p style="font-size: 0.9em; color: #5d6470;">Or copy this address into your browser:<br>${escapeHtml(link)}</p>
<p style="font-size: 0.9em; color: #5d6470;">If you did not ask for it, ignore this mail: nobody can sign in without the link.</p>
</body></html>`;
  return { to, subject, text, html };
}
