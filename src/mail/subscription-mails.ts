/**
 * The mails of digest subscriptions: the confirmation (double opt-in: nothing is sent until the address's owner
 * presses the link), and the headers every digest carries so that leaving is one click from the mail client
 * (RFC 8058 `List-Unsubscribe-Post`). Plain words, both a text and an HTML part, no tracking.
 */
import { signWith } from '../accounts/secret-tokens.ts';
import type { Cadence } from '../domain/subscription-topics.ts';
import { escapeHtml } from '../web/presenters/html/html.ts';
import type { MailMessage } from './transport.ts';

export interface ConfirmationMailInput {
  to: string;
  link: string;
  siteName: string;
  baseUrl: string;
  cadence: Cadence;
  lifetimeDays: number;
}

/** The message asking the address's owner to confirm a subscription. */
export function subscriptionConfirmationMail(input: ConfirmationMailInput): MailMessage {
  const { to, link, siteName, baseUrl, cadence, lifetimeDays } = input;
  const host = new URL(baseUrl).host;
  const what = cadence === 'daily' ? 'daily' : 'weekly';
  const subject = `Confirm your ${what} ${siteName} digest`;
  const text = [
    'Hello,',
    '',
    `Someone (hopefully you) asked ${siteName} at ${host} to mail the ${what} digest of trending papers to this address.`,
    `Open this link within ${lifetimeDays} days and press "Confirm" to start receiving it:`,
    '',
    link,
    '',
    'If you did not ask for it, ignore this mail: nothing will be sent without your confirmation.',
    '',
    siteName,
  ].join('\n');
  const html = `<!doctype html>
<html lang="en"><body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1c1e22;">
<p>Hello,</p>
<p>Someone (hopefully you) asked ${escapeHtml(siteName)} at ${escapeHtml(host)} to mail the ${what} digest of trending
papers to this address. Open this link within ${lifetimeDays} days and press "Confirm" to start receiving it:</p>
<p><a href="${escapeHtml(link)}" style="display: inline-block; padding: 0.6em 1.2em; background: #2c5a88; color: #ffffff; border-radius: 8px; text-decoration: none; font-weight: 600;">Confirm my subscription</a></p>
<p style="font-size: 0.9em; color: #5d6470;">Or copy this address into your browser:<br>${escapeHtml(link)}</p>
<p style="font-size: 0.9em; color: #5d6470;">If you did not ask for it, ignore this mail: nothing will be sent without your confirmation.</p>
</body></html>`;
  return { to, subject, text, html };
}

/** What an unsubscribe token signs: a purpose prefix, so that no other HMAC of this key can stand in for it. */
function unsubscribeMessage(subscriptionId: number): string {
  return `unsubscribe:${subscriptionId}`;
}

/** The token of a subscription's unsubscribe link: an HMAC of its id under the instance secret (nothing stored). */
export function unsubscribeToken(secret: string, subscriptionId: number): string {
  return signWith(secret, unsubscribeMessage(subscriptionId));
}

/** The one-click unsubscribe address of a subscription (also the footer link of every digest). */
export function unsubscribeUrl(baseUrl: string, secret: string, subscriptionId: number): string {
  return `${baseUrl}/subscriptions/unsubscribe?s=${subscriptionId}&t=${unsubscribeToken(secret, subscriptionId)}`;
}

/**
 * The headers that let a mail client unsubscribe with one click and no browser (RFC 2369 and RFC 8058): for the
 * digest sender to put on every digest, as MailMessage.headers.
 */
export function listUnsubscribeHeaders(
  baseUrl: string,
  secret: string,
  subscriptionId: number,
): { 'List-Unsubscribe': string; 'List-Unsubscribe-Post': string } {
  return {
    'List-Unsubscribe': `<${unsubscribeUrl(baseUrl, secret, subscriptionId)}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}
