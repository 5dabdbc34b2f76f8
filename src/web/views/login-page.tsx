/**
 * The sign-in pages: the email form (and the single sign-on button when a provider is configured), "check your
 * inbox", the confirmation that turns an emailed link into a session with one press (a POST, so that mail scanners
 * opening the link do not use it up), and the friendly page for a link that no longer works.
 */
import { ConfirmByButtonPage, CsrfField, EmailField } from './forms.tsx';
import { Layout } from './layout.tsx';

export interface LoginPageProps {
  /** Where to go after signing in (a checked local path), or null for the home page. */
  next: string | null;
  /** What was typed, shown again with the error. */
  email?: string;
  /** Why the last attempt was refused. */
  error?: string | null;
  /** The provider's name when single sign-on is configured. */
  oidcName: string | null;
}

export function LoginPageView({ next, email, error, oidcName }: LoginPageProps) {
  const oidcHref = `/login/oidc${next ? `?next=${encodeURIComponent(next)}` : ''}`;
  return (
    <Layout title="Sign in" section="account" noIndex>
      <section class="account-page narrow" aria-labelledby="login-title">
        <h1 id="login-title">Sign in</h1>
        <p class="lede">
          Sign in to upvote, submit papers and join the discussions. New here? The same form makes your account.
        </p>
        <form class="stacked-form" method="post" action="/login" novalidate>
          <CsrfField />
          {next && <input type="hidden" name="next" value={next} />}
          <EmailField
            id="login-email"
            value={email}
            invalid={Boolean(error)}
            describedBy={error ? 'login-error login-help' : 'login-help'}
          />
          {error && (
            <p class="form-error" id="login-error" role="alert">
              {error}
            </p>
          )}
          <p class="form-help" id="login-help">
            We mail you a link that signs you in; it works once, for 15 minutes. No password to remember.
          </p>
          <button class="button button-primary" type="submit">
            Email me a sign-in link
          </button>
        </form>
        {oidcName && (
          <div class="sign-in-alternative">
            <p class="or-rule">
              <span>or</span>
            </p>
            <a class="button" href={oidcHref}>
              Sign in with {oidcName}
            </a>
          </div>
        )}
      </section>
    </Layout>
  );
}

export interface CheckInboxProps {
  email: string;
  /** Development only (no SMTP_URL): the link itself, since no mail leaves the machine. */
  devLink: string | null;
}

export function CheckInboxView({ email, devLink }: CheckInboxProps) {
  return (
    <Layout title="Check your inbox" section="account" noIndex>
      <section class="account-page narrow" aria-labelledby="inbox-title">
        <h1 id="inbox-title">Check your inbox</h1>
        <p class="lede">
          If <strong>{email}</strong> can receive mail, a sign-in link is on its way. Open it within 15 minutes, in any
          browser. It works once.
        </p>
        <p>
          Nothing after a few minutes? Look in your spam folder, check the address, or{' '}
          <a href="/login">ask for another link</a>.
        </p>
        {devLink && (
          <div class="dev-link" role="note">
            <p>
              <strong>Development:</strong> mail is not configured (no <code>SMTP_URL</code>), so the link was written
              to the log instead of being sent. Here it is:
            </p>
            <p>
              <a href={devLink} class="dev-link-url">
                {devLink}
              </a>
            </p>
          </div>
        )}
      </section>
    </Layout>
  );
}

export function ConfirmLinkView({ token }: { token: string }) {
  return (
    <ConfirmByButtonPage
      title="Sign in"
      heading="Finish signing in"
      lede="Press the button to sign in to Paperboy in this browser."
      action="/login/verify"
      token={token}
      button="Sign in"
    >
      <p class="form-help">
        If you did not ask to sign in, close this page: nothing happens until the button is pressed.
      </p>
    </ConfirmByButtonPage>
  );
}

export interface SignInProblemProps {
  status: number;
  title: string;
  message: string;
}

/** A link that expired, was used, or is garbled; or a refused single sign-on: what happened and how to try again. */
export function SignInProblemView({ status, title, message }: SignInProblemProps) {
  return (
    <Layout title={title} section="account" noIndex>
      <section class="account-page narrow error-page" aria-labelledby="problem-title">
        <p class="error-status">
          <span class="visually-hidden">Error </span>
          {status}
        </p>
        <h1 id="problem-title">{title}</h1>
        <p class="error-message">{message}</p>
        <p>
          <a class="button button-primary" href="/login">
            Request a new sign-in link
          </a>
        </p>
      </section>
    </Layout>
  );
}
