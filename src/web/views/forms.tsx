/** Pieces every form of the site shares. */
import type { ComponentChildren } from 'preact';
import { CSRF_FIELD } from '../auth.ts';
import { Layout } from './layout.tsx';
import { usePageContext } from './page-context.ts';

/** The hidden CSRF field every state-changing form carries (its token comes from the page context). */
export function CsrfField() {
  const { csrf } = usePageContext();
  return csrf ? <input type="hidden" name={CSRF_FIELD} value={csrf} /> : null;
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
