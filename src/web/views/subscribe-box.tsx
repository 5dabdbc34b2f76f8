/**
 * The "trending papers in your inbox" box at the end of every feed page. Signed-in pages carry a CSRF token, so
 * the box posts straight to `/subscriptions`; anonymous feed pages carry none (they are cached whole and shared by
 * every visitor), so there the box opens `/subscribe` with the address filled in, whose form carries the token:
 * one more press, and no cross-site page can subscribe anyone.
 */
import { EmailField } from './forms.tsx';
import { usePageContext } from './page-context.ts';

export function SubscribeBox() {
  const { csrf, viewer } = usePageContext();
  return (
    <section class="subscribe-box" aria-labelledby="subscribe-box-title">
      <h2 id="subscribe-box-title">Trending papers in your inbox</h2>
      <p class="subscribe-lede">
        The top papers of the day or the week, by email. No account needed; one click to leave.
        {viewer && (
          <>
            {' '}
            Your account’s address starts at once; manage your subscriptions in{' '}
            <a href="/settings#subscriptions-title">settings</a>.
          </>
        )}
      </p>
      <form
        class="subscribe-form"
        method={csrf ? 'post' : 'get'}
        action={csrf ? '/subscriptions' : '/subscribe'}
        novalidate
      >
        {csrf && <input type="hidden" name="_csrf" value={csrf} />}
        <EmailField id="subscribe-box-email" />
        <fieldset class="subscribe-cadence">
          <legend>How often</legend>
          <label>
            <input type="radio" name="cadence" value="daily" checked /> Daily
          </label>
          <label>
            <input type="radio" name="cadence" value="weekly" /> Weekly
          </label>
        </fieldset>
        <button class="button button-primary" type="submit">
          Subscribe
        </button>
      </form>
    </section>
  );
}
