/** Pieces every form of the site shares. */
import type { ComponentChildren } from 'preact';
import { MAX_EMAIL_LENGTH } from '../../domain/sign-in-email.ts';
import { CSRF_FIELD } from '../auth.ts';
import { Layout } from './layout.tsx';
import { usePageContext } from './page-context.ts';

/** The hidden CSRF field every state-changing form carries (its token comes from the page context). */
export function CsrfField() {
  const { csrf } = usePageContext();
  return csrf ? <input type="hidden" name={CSRF_FIELD} value={csrf} /> : null;
}

export interface EmailFieldProps {
  id: string;
  value?: string | null;
  /** Marks the field invalid (the page's error message names it). */
  invalid?: boolean;
  /** Ids of the elements describing the field (its error and help lines). */
  describedBy?: string;
}

/** The labelled email address field of the sign-in and subscription forms: one address, the mobile keyboard for it. */
export function EmailField({ id, value, invalid, describedBy }: EmailFieldProps) {
  return (
    <>
      <label for={id}>Email address</label>
      <input
        id={id}
        name="email"
        type="email"
        autocomplete="email"
        inputMode="email"
        required
        maxLength={MAX_EMAIL_LENGTH}
        value={value ?? ''}
        aria-invalid={invalid ? 'true' : undefined}
        aria-describedby={describedBy}
      />
    </>
  );
}

export interface ConfirmByButtonProps {
  title: string;
  heading: string;
  lede: string;
  /** Where the button posts the token. */
  action: string;
  token: string;
  button: string;
  children?: ComponentChildren;
}

/**
 * The page a mailed link opens: one button that posts the link's token. Mail scanners open links, but do not press
 * buttons, so a single-use link is used only by the person.
 */
export function ConfirmByButtonPage({ title, heading, lede, action, token, button, children }: ConfirmByButtonProps) {
  return (
    <Layout title={title} section="account" noIndex>
      <section class="account-page narrow" aria-labelledby="confirm-title">
        <h1 id="confirm-title">{heading}</h1>
        <p class="lede">{lede}</p>
        <form class="stacked-form" method="post" action={action}>
          <CsrfField />
          <input type="hidden" name="token" value={token} />
          <button class="button button-primary" type="submit">
            {button}
          </button>
        </form>
        {children}
      </section>
    </Layout>
  );
}
