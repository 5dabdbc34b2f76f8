/**
 * The pages of digest subscriptions: the subscribe form (reached from the feed pages' box), "check your inbox",
 * the confirmation with one button (a POST, so that mail scanners opening the link confirm nothing), the result,
 * and the one-button unsubscribe page (which posts what a mail client's one-click unsubscribe posts).
 */
import { type Cadence, DEFAULT_WEEKLY_DAY } from '../../domain/subscription-topics.ts';
import { ConfirmByButtonPage, CsrfField, EmailField } from './forms.tsx';
import { Layout } from './layout.tsx';

/** Weekday names by number (0 = Sunday, as stored). */
export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export interface SubscribeFormProps {
  email?: string;
  cadence?: Cadence;
  /** The weekday of a weekly digest (0 = Sunday); null: Monday. */
  weeklyDay?: number | null;
  /** Topic lists as typed: comma-separated. */
  categories?: string;
  authors?: string;
  keywords?: string;
  /** The id of the subscription being changed (the form then says "change", and a new cadence replaces it). */
  replaces?: number | null;
  /** The signed-in person's account address (subscribing it needs no confirmation mail); null when anonymous. */
  ownAddress?: string | null;
  error?: string | null;
}

export function SubscribeFormView(props: SubscribeFormProps) {
  const { email, cadence = 'daily', weeklyDay, categories, authors, keywords, replaces, ownAddress, error } = props;
  const editing = replaces !== null && replaces !== undefined;
  const day = weeklyDay ?? DEFAULT_WEEKLY_DAY;
  return (
    <Layout title={editing ? 'Change your subscription' : 'Subscribe'} section="account" noIndex>
      <section class="account-page narrow" aria-labelledby="subscribe-title">
        <h1 id="subscribe-title">{editing ? 'Change your subscription' : 'Trending papers in your inbox'}</h1>
        {editing ? (
          <p class="lede">
            The digest to <strong>{email}</strong>. Changes take effect from the next digest; changing how often
            replaces this subscription with the new one.
          </p>
        ) : (
          <p class="lede">
            The top papers of the day (weekdays) or of the week, by email. We first mail you a link to confirm; every
            digest has a one-click unsubscribe link.
          </p>
        )}
        {!editing && ownAddress && (
          <p class="form-help" id="subscribe-own-help">
            Signed in: subscribing your account’s address ({ownAddress}) starts at once, without a confirmation mail.
          </p>
        )}
        <form class="stacked-form" method="post" action="/subscriptions" novalidate>
          <CsrfField />
          {editing ? (
            <>
              <input type="hidden" name="email" value={email ?? ''} />
              <input type="hidden" name="replaces" value={String(replaces)} />
            </>
          ) : (
            <EmailField
              id="subscribe-email"
              value={email}
              invalid={Boolean(error)}
              describedBy={error ? 'subscribe-error' : undefined}
            />
          )}
          {error && (
            <p class="form-error" id="subscribe-error" role="alert">
              {error}
            </p>
          )}
          <fieldset class="subscribe-cadence">
            <legend>How often</legend>
            <label>
              <input type="radio" name="cadence" value="daily" checked={cadence === 'daily'} /> Daily, on weekdays
            </label>
            <label>
              <input type="radio" name="cadence" value="weekly" checked={cadence === 'weekly'} /> Weekly
            </label>
          </fieldset>
          <label for="subscribe-weekly-day">Day of the weekly digest</label>
          <select id="subscribe-weekly-day" name="weeklyDay" class="subscribe-select">
            {WEEKDAYS.map((name, index) => (
              <option value={String(index)} selected={index === day}>
                {name}
              </option>
            ))}
          </select>
          <fieldset class="subscribe-topics">
            <legend>For you (optional)</legend>
            <p class="form-help" id="subscribe-topics-help">
              Papers matching these get a section of their own. Separate entries with commas.
            </p>
            <label for="subscribe-categories">arXiv categories</label>
            <input
              id="subscribe-categories"
              name="categories"
              value={categories ?? ''}
              placeholder="e.g. cs.LG, math.AG"
              spellcheck={false}
              autocomplete="off"
              aria-describedby="subscribe-topics-help"
            />
            <label for="subscribe-authors">Authors</label>
            <input
              id="subscribe-authors"
              name="authors"
              value={authors ?? ''}
              placeholder="e.g. Yoshua Bengio"
              autocomplete="off"
              aria-describedby="subscribe-topics-help"
            />
            <label for="subscribe-keywords">Keywords</label>
            <input
              id="subscribe-keywords"
              name="keywords"
              value={keywords ?? ''}
              placeholder="e.g. diffusion, graph neural networks"
              autocomplete="off"
              aria-describedby="subscribe-topics-help"
            />
          </fieldset>
          <button class="button button-primary" type="submit">
            {editing ? 'Save changes' : 'Subscribe'}
          </button>
        </form>
        {editing && (
          <p>
            <a href="/settings#subscriptions-title">Back to your settings</a>
          </p>
        )}
      </section>
    </Layout>
  );
}

export function SubscriptionInboxView({ email }: { email: string }) {
  return (
    <Layout title="Check your inbox" section="account" noIndex>
      <section class="account-page narrow" aria-labelledby="sub-inbox-title">
        <h1 id="sub-inbox-title">Check your inbox</h1>
        <p class="lede">
          If <strong>{email}</strong> can receive mail, a confirmation link is on its way. Open it within 7 days and
          press "Confirm": the digest starts then.
        </p>
        <p>
          Nothing after a few minutes? Look in your spam folder, check the address, or{' '}
          <a href="/subscribe">try again</a>.
        </p>
      </section>
    </Layout>
  );
}

export function ConfirmSubscriptionView({ token }: { token: string }) {
  return (
    <ConfirmByButtonPage
      title="Confirm your subscription"
      heading="Confirm your subscription"
      lede="Press the button to start receiving the digest at this address."
      action="/subscriptions/confirm"
      token={token}
      button="Confirm"
    />
  );
}

export interface SubscriptionDoneProps {
  heading: string;
  message: string;
  cadence?: Cadence;
  weeklyDay?: number | null;
}

export function SubscriptionDoneView({ heading, message, cadence, weeklyDay }: SubscriptionDoneProps) {
  const when =
    cadence === 'weekly' && weeklyDay !== null && weeklyDay !== undefined
      ? `The weekly digest comes on ${WEEKDAYS[weeklyDay]}s.`
      : cadence === 'daily'
        ? 'The daily digest comes on weekdays, once the day’s list is settled.'
        : null;
  return (
    <Layout title={heading} section="account" noIndex>
      <section class="account-page narrow" aria-labelledby="sub-done-title">
        <h1 id="sub-done-title">{heading}</h1>
        <p class="lede">{message}</p>
        {when && <p>{when}</p>}
        <p>
          <a href="/">Back to today’s papers</a>
        </p>
      </section>
    </Layout>
  );
}

export interface UnsubscribePageProps {
  /** The link's own address (path and query), where the button posts. */
  action: string;
  email: string;
  cadence: Cadence;
  alreadyUnsubscribed: boolean;
}

export function UnsubscribePageView({ action, email, cadence, alreadyUnsubscribed }: UnsubscribePageProps) {
  return (
    <Layout title="Unsubscribe" section="account" noIndex>
      <section class="account-page narrow" aria-labelledby="unsub-title">
        <h1 id="unsub-title">Unsubscribe</h1>
        {alreadyUnsubscribed ? (
          <p class="lede">
            <strong>{email}</strong> is already unsubscribed from the {cadence} digest: no more digests will come.
          </p>
        ) : (
          <>
            <p class="lede">
              Stop the {cadence} digest to <strong>{email}</strong>?
            </p>
            <form class="stacked-form" method="post" action={action}>
              <CsrfField />
              <input type="hidden" name="List-Unsubscribe" value="One-Click" />
              <button class="button button-primary" type="submit">
                Unsubscribe
              </button>
            </form>
          </>
        )}
      </section>
    </Layout>
  );
}
