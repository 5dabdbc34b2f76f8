/**
 * The settings page of the signed-in person: their names, their digest subscriptions (where each stands, and
 * changing, resuming or ending it), their personal API tokens (a new one is shown once, here), the browsers signed
 * in to their account, and signing out here or everywhere. Every form works without JavaScript and carries the
 * CSRF token.
 */
import type { SettingsModel } from '../../commands/accounts.ts';
import { DISPLAY_NAME_MAX_LENGTH, TOKEN_NAME_MAX_LENGTH } from '../../domain/account-names.ts';
import { USERNAME_MAX_LENGTH } from '../../domain/username.ts';
import type { Subscription } from '../../storage/subscription-store.ts';
import { describeUserAgent, momentLabel } from '../presenters/html/account-labels.ts';
import { CsrfField } from './forms.tsx';
import { Layout } from './layout.tsx';
import { WEEKDAYS } from './subscription-pages.tsx';

export interface SettingsPageProps {
  model: SettingsModel;
  /** A token made by the request this page answers: its secret, shown this once. */
  newToken?: { token: string; name: string } | null;
  /** A confirmation of what was just done. */
  notice?: string | null;
  /** Why the profile form was refused, with what was typed. */
  profileError?: { message: string; username: string; displayName: string } | null;
  /** Why the token form was refused. */
  tokenError?: string | null;
}

function Moment({ at }: { at: string }) {
  const label = momentLabel(at);
  return <time datetime={label.iso}>{label.text}</time>;
}

export function SettingsPageView({ model, newToken, notice, profileError, tokenError }: SettingsPageProps) {
  const { user } = model;
  const liveTokens = model.tokens.filter((token) => token.revokedAt === null);
  const revokedTokens = model.tokens.filter((token) => token.revokedAt !== null);
  return (
    <Layout title="Settings" section="account" noIndex>
      <div class="account-page settings-page">
        <header class="settings-header">
          <h1>Settings</h1>
          <p class="lede">
            Signed in as <a href={`/u/${user.username}`}>@{user.username}</a> ({user.email}).
          </p>
          {user.bannedAt && (
            <p class="notice notice-warning" role="status">
              Your account has been suspended by the moderators: you can read, but not upvote, submit or comment.
            </p>
          )}
          {notice && (
            <p class="notice" role="status">
              {notice}
            </p>
          )}
        </header>

        <section class="settings-section" aria-labelledby="profile-title">
          <h2 id="profile-title">Profile</h2>
          <form class="stacked-form" method="post" action="/settings/profile">
            <CsrfField />
            <label for="settings-username">Username</label>
            <input
              id="settings-username"
              name="username"
              required
              maxLength={USERNAME_MAX_LENGTH}
              autocomplete="username"
              spellcheck={false}
              value={profileError?.username ?? user.username}
              aria-describedby="username-help"
            />
            <p class="form-help" id="username-help">
              Letters, digits, - and _; your page is /u/username and people mention you as @username.
            </p>
            <label for="settings-display-name">Display name</label>
            <input
              id="settings-display-name"
              name="displayName"
              maxLength={DISPLAY_NAME_MAX_LENGTH}
              autocomplete="name"
              value={profileError?.displayName ?? user.displayName ?? ''}
            />
            {profileError && (
              <p class="form-error" role="alert">
                {profileError.message}
              </p>
            )}
            <button class="button button-primary" type="submit">
              Save profile
            </button>
          </form>
        </section>

        <SubscriptionsSection subscriptions={model.subscriptions} />

        <section class="settings-section" aria-labelledby="tokens-title">
          <h2 id="tokens-title">API tokens</h2>
          <p>
            A personal token lets scripts use the JSON API as you: send it as <code>Authorization: Bearer pb_…</code>.
            Keep it secret; revoke it when it is no longer needed.
          </p>
          {newToken && (
            <div class="new-token" role="status">
              <p>
                <strong>Your new token “{newToken.name}”.</strong> Copy it now: it is shown only this once.
              </p>
              <label for="new-token-value" class="visually-hidden">
                The new token
              </label>
              <input id="new-token-value" class="token-value" readOnly value={newToken.token} spellcheck={false} />
            </div>
          )}
          {liveTokens.length > 0 ? (
            <ul class="account-list" aria-label="Your tokens">
              {liveTokens.map((token) => (
                <li class="account-item">
                  <div class="account-item-main">
                    <strong>{token.name}</strong> <code class="token-prefix">{token.prefix}…</code>
                    <span class="account-item-meta">
                      created <Moment at={token.createdAt} />;{' '}
                      {token.lastUsedAt ? (
                        <>
                          last used <Moment at={token.lastUsedAt} />
                        </>
                      ) : (
                        'never used'
                      )}
                    </span>
                  </div>
                  <form method="post" action={`/settings/tokens/${token.id}/revoke`}>
                    <CsrfField />
                    <button class="button button-small" type="submit">
                      Revoke<span class="visually-hidden"> the token {token.name}</span>
                    </button>
                  </form>
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">You have no API tokens.</p>
          )}
          {revokedTokens.length > 0 && (
            <p class="muted">
              {revokedTokens.length} revoked {revokedTokens.length === 1 ? 'token' : 'tokens'} no longer work.
            </p>
          )}
          <form class="inline-form" method="post" action="/settings/tokens">
            <CsrfField />
            <label for="token-name">New token name</label>
            <div class="inline-form-row">
              <input
                id="token-name"
                name="name"
                required
                maxLength={TOKEN_NAME_MAX_LENGTH}
                placeholder="e.g. reading-list script"
                aria-invalid={tokenError ? 'true' : undefined}
                aria-describedby={tokenError ? 'token-error' : undefined}
              />
              <button class="button" type="submit">
                Create token
              </button>
            </div>
            {tokenError && (
              <p class="form-error" id="token-error" role="alert">
                {tokenError}
              </p>
            )}
          </form>
        </section>

        <section class="settings-section" aria-labelledby="sessions-title">
          <h2 id="sessions-title">Signed-in browsers</h2>
          <ul class="account-list" aria-label="Your sessions">
            {model.sessions.map((session) => (
              <li class="account-item">
                <div class="account-item-main">
                  <strong>{describeUserAgent(session.userAgent)}</strong>
                  {session.tokenHash === model.currentSessionHash && <span class="badge">this browser</span>}
                  <span class="account-item-meta">
                    signed in <Moment at={session.createdAt} />; last seen <Moment at={session.lastSeenAt} />
                  </span>
                </div>
              </li>
            ))}
          </ul>
          <div class="button-row">
            <form method="post" action="/logout">
              <CsrfField />
              <button class="button" type="submit">
                Sign out
              </button>
            </form>
            <form method="post" action="/logout/everywhere">
              <CsrfField />
              <button class="button" type="submit">
                Sign out everywhere
              </button>
            </form>
          </div>
        </section>
      </div>
    </Layout>
  );
}

/** "Daily, on weekdays" / "Weekly, on Mondays". */
function cadenceText(subscription: Subscription): string {
  if (subscription.cadence === 'daily') return 'Daily, on weekdays';
  return `Weekly, on ${WEEKDAYS[subscription.weeklyDay ?? 1]}s`;
}

function TopicsText({ subscription }: { subscription: Subscription }) {
  const { categories, authors, keywords } = subscription.topics;
  const parts: [string, string[]][] = [
    ['categories', categories],
    ['authors', authors],
    ['keywords', keywords],
  ];
  const given = parts.filter(([, items]) => items.length > 0);
  if (given.length === 0) return <span class="account-item-meta">No topics: the trending papers only.</span>;
  return (
    <span class="account-item-meta">
      For you:{' '}
      {given.map(([name, items], index) => (
        <>
          {index > 0 && '; '}
          {name} {items.join(', ')}
        </>
      ))}
    </span>
  );
}

function StatusBadge({ subscription }: { subscription: Subscription }) {
  if (subscription.status === 'pending') return <span class="badge badge-muted">waiting for confirmation</span>;
  if (subscription.pausedAt !== null) return <span class="badge badge-warning">paused</span>;
  return <span class="badge">active</span>;
}

/** The person's digest subscriptions, each with what it is, where it stands and what they can do. */
function SubscriptionsSection({ subscriptions }: { subscriptions: Subscription[] }) {
  return (
    <section class="settings-section" aria-labelledby="subscriptions-title">
      <h2 id="subscriptions-title">Your subscriptions</h2>
      {subscriptions.length === 0 ? (
        <p>
          You receive no digests. <a href="/subscribe">Subscribe</a> to get the trending papers of the day or the week
          by email.
        </p>
      ) : (
        <>
          <ul class="account-list" aria-label="Your digest subscriptions">
            {subscriptions.map((subscription) => (
              <li class="account-item subscription-item">
                <div class="account-item-main">
                  <strong class="subscription-address">{subscription.email}</strong>
                  <StatusBadge subscription={subscription} />
                  <span class="account-item-meta">{cadenceText(subscription)}</span>
                  <TopicsText subscription={subscription} />
                  {subscription.status === 'pending' && (
                    <span class="account-item-meta">
                      Nothing is sent until the link in the confirmation mail to this address is pressed (it works for 7
                      days). Or press “Change” and save: it is your account’s address, so that starts it at once.
                    </span>
                  )}
                  {subscription.status === 'active' && subscription.pausedAt !== null && (
                    <span class="account-item-meta subscription-paused">
                      Paused since <Moment at={subscription.pausedAt} />: mails to this address kept bouncing, so none
                      are sent. Make sure the address accepts mail (a full mailbox, a typo, a strict spam filter), then
                      press “Resume”.
                    </span>
                  )}
                </div>
                <div class="button-row">
                  {subscription.status === 'active' && subscription.pausedAt !== null && (
                    <form method="post" action={`/settings/subscriptions/${subscription.id}/resume`}>
                      <CsrfField />
                      <button class="button button-small button-primary" type="submit">
                        Resume<span class="visually-hidden"> the {subscription.cadence} digest</span>
                      </button>
                    </form>
                  )}
                  <a class="button button-small" href={`/subscribe?edit=${subscription.id}`}>
                    Change<span class="visually-hidden"> the {subscription.cadence} digest</span>
                  </a>
                  <form method="post" action={`/settings/subscriptions/${subscription.id}/unsubscribe`}>
                    <CsrfField />
                    <button class="button button-small" type="submit">
                      Unsubscribe<span class="visually-hidden"> from the {subscription.cadence} digest</span>
                    </button>
                  </form>
                </div>
              </li>
            ))}
          </ul>
          <p>
            <a href="/subscribe">Add a subscription</a> (another cadence or another address).
          </p>
        </>
      )}
    </section>
  );
}
