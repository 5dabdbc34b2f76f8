/**
 * The email address typed into the sign-in form, checked before it gets anywhere near a mail header: a line break
 * could add a `Bcc:` header, a comma or angle bracket a second recipient. The refusal says what to fix.
 */
import { isEmailAddress, normalizeEmail } from './username.ts';

/** The longest address accepted, in characters (RFC 5321's limit on a forward path). */
export const MAX_EMAIL_LENGTH = 254;

export type SignInEmail = { ok: true; email: string } | { ok: false; problem: string };

/** The normalised address, or the sentence saying why it is refused. */
export function checkSignInEmail(raw: unknown): SignInEmail {
  if (typeof raw !== 'string' || raw.trim() === '') {
    return { ok: false, problem: 'Enter your email address.' };
  }
  if (/[\r\n]/.test(raw)) {
    return { ok: false, problem: 'The email address must be on one line, without line breaks.' };
  }
  const email = normalizeEmail(raw);
  if (email.length > MAX_EMAIL_LENGTH) {
    return { ok: false, problem: `An email address has at most ${MAX_EMAIL_LENGTH} characters.` };
  }
  if (/[,;<>:]/.test(email) || /\s/.test(email)) {
    return { ok: false, problem: 'Enter one email address only, like ada@example.org (no names, commas or colons).' };
  }
  if (!isEmailAddress(email)) {
    return { ok: false, problem: `'${shorten(email)}' is not an email address; it should look like ada@example.org.` };
  }
  return { ok: true, email };
}

function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
