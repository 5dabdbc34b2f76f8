/**
 * Accounts on the web: sign-in by emailed link (`/login`, `/login/verify`) or through an OpenID Connect provider
 * (`/login/oidc`), signing out (here or everywhere), the settings page (names, digest subscriptions, API tokens,
 * sessions), profiles (`/u/{username}`), and the JSON of who is asking (`/api/me`, Hugging Face's
 * `/api/whoami-v2`). Routes parse the input, ask the policy, run a command from commands/accounts.ts and render;
 * they decide nothing themselves.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { OidcSignInClient, OidcSignInError, type PendingOidcSignIn } from '../../accounts/oidc-client.ts';
import { openSealedValue, sealValue } from '../../accounts/signed-cookie.ts';
import {
  type CompletedSignIn,
  checkSignInLink,
  completeSignInLink,
  createPersonalToken,
  finishOidcSignIn,
  readProfile,
  readSettings,
  requestSignInLink,
  revokePersonalToken,
  type SignInDeps,
  updateProfile,
} from '../../commands/accounts.ts';
import { HttpError } from '../../commands/errors.ts';
import { returnPathOrHome, safeReturnPath } from '../../domain/return-path.ts';
import { requireMember, requireSignedIn, type Viewer } from '../../policy/policy.ts';
import type { User } from '../../storage/account-store.ts';
import { KyselySubscriptionStore } from '../../storage/subscription-store.ts';
import type { WebContext } from '../app.ts';
import {
  clearSessionCookie,
  RATE_LIMITS,
  rateLimit,
  SESSION_COOKIE,
  secureCookies,
  setSessionCookie,
} from '../auth.ts';
import { presentProfilePage } from '../presenters/html/profile-page.ts';
import { pageContextFor, renderPage, sendView } from '../render.ts';
import { CheckInboxView, ConfirmLinkView, LoginPageView, SignInProblemView } from '../views/login-page.tsx';
import type { PageContextValue } from '../views/page-context.ts';
import { ProfilePageView } from '../views/profile-page.tsx';
import { type SettingsPageProps, SettingsPageView } from '../views/settings-page.tsx';
import { SUBSCRIPTION_NOTICES } from './subscriptions.tsx';

/** The cookie that carries the OpenID Connect state, nonce and PKCE verifier while the person is at the provider. */
export const OIDC_COOKIE = 'pb_oidc';
const OIDC_COOKIE_PATH = '/login/oidc';
const OIDC_SEAL_PURPOSE = 'oidc-sign-in';
/** How long someone may take at their provider, in minutes. */
const OIDC_ATTEMPT_LIFETIME_MINUTES = 10;
const MS_PER_MINUTE = 60_000;
/** Profiles change with every vote and comment of the person: a minute of caching. */
const PROFILE_CACHE_CONTROL = 'public, max-age=60';
/** Pages carrying a secret (a new token, a development sign-in link) or a form are never stored. */
const NO_STORE = 'no-store';
/** Header lengths kept from the browser's User-Agent (shown in settings). */
const USER_AGENT_MAX_LENGTH = 300;

/** Sentences for `/settings?done=...` after a form redirects back. */
const SETTINGS_NOTICES: Record<string, string> = {
  profile: 'Your profile is saved.',
  revoked: 'The token is revoked: it no longer works.',
  ...SUBSCRIPTION_NOTICES,
};

const NextQuery = Type.Object({ next: Type.Optional(Type.String()) }, { additionalProperties: true });
const LoginBody = Type.Object(
  { email: Type.Optional(Type.String()), next: Type.Optional(Type.String()), _csrf: Type.Optional(Type.String()) },
  { additionalProperties: true },
);
const MagicLinkBody = Type.Object({
  email: Type.String({ description: 'the address to mail the sign-in link to' }),
  next: Type.Optional(Type.String({ description: 'a local path to go to after signing in, e.g. /settings' })),
});
const TokenQuery = Type.Object({ token: Type.Optional(Type.String()) }, { additionalProperties: true });
const TokenBody = Type.Object(
  { token: Type.Optional(Type.String()), _csrf: Type.Optional(Type.String()) },
  { additionalProperties: true },
);
const CallbackQuery = Type.Object(
  { error: Type.Optional(Type.String()), state: Type.Optional(Type.String()) },
  { additionalProperties: true },
);
const ProfileBody = Type.Object(
  { username: Type.Optional(Type.String()), displayName: Type.Optional(Type.String()) },
  { additionalProperties: true },
);
const TokenNameBody = Type.Object({ name: Type.Optional(Type.String()) }, { additionalProperties: true });
const TokenIdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const DoneQuery = Type.Object({ done: Type.Optional(Type.String()) }, { additionalProperties: true });
const UsernameParams = Type.Object({ username: Type.String({ minLength: 1, maxLength: 200 }) });

const MeAnswer = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.Union([Type.String(), Type.Null()]),
  email: Type.String(),
  isAdmin: Type.Boolean(),
  banned: Type.Boolean(),
  createdAt: Type.String(),
  profileUrl: Type.String(),
  authenticatedBy: Type.String({ description: "'session' (browser cookie) or 'token' (Authorization: Bearer)" }),
});

export function registerAccountRoutes(app: FastifyInstance, context: WebContext): void {
  const { accounts, config } = context;
  const oidcClient = config.oidc ? new OidcSignInClient(config.oidc, `${config.baseUrl}/login/oidc/callback`) : null;
  const signInDeps: SignInDeps = {
    accounts,
    mailer: context.mailer,
    config,
    logError: (fields, message) => app.log.error(fields, message),
  };
  const page = (request: FastifyRequest, reply: FastifyReply, withForm = false) =>
    pageContextFor(request, reply, context, { withForm });
  const subscriptions = new KyselySubscriptionStore(context.db);

  // ---- Sign-in by emailed link --------------------------------------------------------------------------------

  app.get<{ Querystring: Static<typeof NextQuery> }>(
    '/login',
    { schema: { querystring: NextQuery } },
    async (request, reply) => {
      if (request.viewer) return reply.redirect(returnPathOrHome(request.query.next), 303);
      return sendPrivate(
        reply,
        200,
        <LoginPageView next={safeReturnPath(request.query.next)} oidcName={oidcClient?.name ?? null} />,
        page(request, reply, true),
      );
    },
  );

  app.post<{ Body: Static<typeof LoginBody> }>(
    '/login',
    { schema: { body: LoginBody }, config: { csrf: true, ...rateLimit(config, RATE_LIMITS.signIn) } },
    async (request, reply) => {
      const { email, next } = request.body;
      try {
        const requested = await requestSignInLink(signInDeps, { email, next });
        return sendPrivate(
          reply,
          200,
          <CheckInboxView email={requested.email} devLink={requested.devLink} />,
          page(request, reply),
        );
      } catch (error) {
        if (!(error instanceof HttpError) || error.code !== 'invalid_email') throw error;
        return sendPrivate(
          reply,
          400,
          <LoginPageView
            next={safeReturnPath(next)}
            email={typeof email === 'string' ? email.replace(/[\r\n]+/g, ' ').slice(0, 300) : ''}
            error={error.message}
            oidcName={oidcClient?.name ?? null}
          />,
          page(request, reply, true),
        );
      }
    },
  );

  app.post<{ Body: Static<typeof MagicLinkBody> }>(
    '/api/auth/magic-link',
    {
      schema: {
        tags: ['accounts'],
        summary:
          'Mail a sign-in link (202 whether or not an account exists; the link is in the answer only without SMTP_URL)',
        body: MagicLinkBody,
      },
      config: rateLimit(config, RATE_LIMITS.signIn),
    },
    async (request, reply) => {
      const requested = await requestSignInLink(signInDeps, request.body);
      return reply
        .status(202)
        .header('cache-control', NO_STORE)
        .send({
          message: 'If this address can receive mail, a sign-in link is on its way; it works once, for 15 minutes.',
          email: requested.email,
          ...(requested.devLink ? { link: requested.devLink } : {}),
        });
    },
  );

  app.get<{ Querystring: Static<typeof TokenQuery> }>(
    '/login/verify',
    { schema: { querystring: TokenQuery } },
    async (request, reply) => {
      // The token is in this page's address: no Referer may carry it anywhere.
      reply.header('referrer-policy', 'no-referrer');
      try {
        const token = await checkSignInLink(accounts, request.query.token);
        return sendPrivate(reply, 200, <ConfirmLinkView token={token} />, page(request, reply, true));
      } catch (error) {
        return sendSignInProblem(request, reply, error);
      }
    },
  );

  app.post<{ Body: Static<typeof TokenBody> }>(
    '/login/verify',
    { schema: { body: TokenBody }, config: { csrf: true } },
    async (request, reply) => {
      let completed: CompletedSignIn;
      try {
        completed = await completeSignInLink(accounts, request.body.token, userAgentOf(request));
      } catch (error) {
        return sendSignInProblem(request, reply, error);
      }
      return startSession(request, reply, completed);
    },
  );

  // ---- Sign-in through an OpenID Connect provider -------------------------------------------------------------

  app.get<{ Querystring: Static<typeof NextQuery> }>(
    '/login/oidc',
    { schema: { querystring: NextQuery } },
    async (request, reply) => {
      if (!oidcClient) throw new HttpError(404, 'not_found', 'Single sign-on is not configured on this instance.');
      let started: Awaited<ReturnType<OidcSignInClient['start']>>;
      try {
        started = await oidcClient.start(returnPathOrHome(request.query.next));
      } catch (error) {
        if (!(error instanceof OidcSignInError)) throw error;
        request.log.warn({ err: error }, 'OpenID Connect discovery failed');
        return sendSignInProblem(request, reply, new HttpError(502, 'upstream_unavailable', error.message));
      }
      const expiresAt = Date.now() + OIDC_ATTEMPT_LIFETIME_MINUTES * MS_PER_MINUTE;
      reply.setCookie(OIDC_COOKIE, sealValue(context.secret, OIDC_SEAL_PURPOSE, started.pending, expiresAt), {
        path: OIDC_COOKIE_PATH,
        httpOnly: true,
        sameSite: 'lax',
        secure: secureCookies(config),
        maxAge: OIDC_ATTEMPT_LIFETIME_MINUTES * 60,
      });
      return reply.header('cache-control', NO_STORE).redirect(started.url.href, 303);
    },
  );

  app.get<{ Querystring: Static<typeof CallbackQuery> }>(
    '/login/oidc/callback',
    { schema: { querystring: CallbackQuery } },
    async (request, reply) => {
      if (!oidcClient) throw new HttpError(404, 'not_found', 'Single sign-on is not configured on this instance.');
      // One attempt, one callback: the cookie goes whatever happens next, so a replayed callback finds nothing.
      const sealed = request.cookies[OIDC_COOKIE];
      reply.clearCookie(OIDC_COOKIE, {
        path: OIDC_COOKIE_PATH,
        httpOnly: true,
        sameSite: 'lax',
        secure: secureCookies(config),
      });
      if (request.query.error !== undefined) {
        const refused =
          request.query.error === 'access_denied'
            ? `The sign-in at ${oidcClient.name} was cancelled or refused.`
            : `${oidcClient.name} refused the sign-in (${request.query.error.slice(0, 60)}).`;
        return sendSignInProblem(request, reply, new HttpError(400, 'sign_in_failed', refused));
      }
      const pending = pendingFrom(openSealedValue(context.secret, OIDC_SEAL_PURPOSE, sealed, Date.now()));
      if (!pending) {
        return sendSignInProblem(
          request,
          reply,
          new HttpError(
            400,
            'sign_in_failed',
            'This sign-in attempt has expired, was finished already, or was started in another browser. Please start again.',
          ),
        );
      }
      let completed: CompletedSignIn;
      try {
        completed = await finishOidcSignIn(
          accounts,
          oidcClient,
          new URL(request.url, config.baseUrl),
          pending,
          userAgentOf(request),
        );
      } catch (error) {
        if (error instanceof HttpError)
          request.log.warn({ code: error.code, reason: error.message }, 'OIDC sign-in refused');
        return sendSignInProblem(request, reply, error);
      }
      return startSession(request, reply, completed);
    },
  );

  /** Ends the browser's previous session (if any), starts the new one and goes where the person was heading. */
  async function startSession(request: FastifyRequest, reply: FastifyReply, completed: CompletedSignIn) {
    const previous = request.cookies[SESSION_COOKIE];
    if (previous) await accounts.deleteSession(previous);
    setSessionCookie(reply, config, completed.session.token, completed.session.expiresAt);
    request.log.info({ userId: completed.user.id, created: completed.created }, 'signed in');
    return reply.header('cache-control', NO_STORE).redirect(completed.next, 303);
  }

  /** The friendly page for a sign-in that cannot go on (other errors go to the app's error handler). */
  function sendSignInProblem(request: FastifyRequest, reply: FastifyReply, error: unknown) {
    if (!(error instanceof HttpError)) throw error;
    const title =
      error.code === 'link_expired'
        ? 'This link has expired'
        : error.code === 'link_used'
          ? 'This link has been used already'
          : error.code === 'invalid_link'
            ? 'This link does not work'
            : 'Sign-in did not work';
    for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
    return sendPrivate(
      reply,
      error.statusCode,
      <SignInProblemView status={error.statusCode} title={title} message={error.message} />,
      page(request, reply),
    );
  }

  // ---- Signing out --------------------------------------------------------------------------------------------

  app.post('/logout', async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await accounts.deleteSession(token);
    clearSessionCookie(reply, config);
    return reply.header('cache-control', NO_STORE).redirect('/', 303);
  });

  app.post('/logout/everywhere', async (request, reply) => {
    const user = requireSignedIn(request.viewer, 'sign out');
    const ended = await accounts.deleteUserSessions(user.id);
    request.log.info({ userId: user.id, ended }, 'signed out everywhere');
    clearSessionCookie(reply, config);
    return reply.header('cache-control', NO_STORE).redirect('/', 303);
  });

  // ---- Settings -----------------------------------------------------------------------------------------------

  const showSettings = async (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    extra: Omit<SettingsPageProps, 'model'>,
  ) => {
    const viewer = request.viewer!;
    const model = await readSettings(accounts, viewer, subscriptions);
    return sendPrivate(reply, status, <SettingsPageView model={model} {...extra} />, page(request, reply));
  };

  app.get<{ Querystring: Static<typeof DoneQuery> }>(
    '/settings',
    { schema: { querystring: DoneQuery } },
    async (request, reply) => {
      if (!request.viewer) return reply.redirect('/login?next=/settings', 303);
      const done = request.query.done;
      return showSettings(request, reply, 200, { notice: done ? (SETTINGS_NOTICES[done] ?? null) : null });
    },
  );

  app.post<{ Body: Static<typeof ProfileBody> }>(
    '/settings/profile',
    { schema: { body: ProfileBody } },
    async (request, reply) => {
      const user = requireMember(request.viewer, 'change your profile');
      try {
        await updateProfile(accounts, user, request.body);
      } catch (error) {
        if (!(error instanceof HttpError) || (error.statusCode !== 400 && error.statusCode !== 409)) throw error;
        // The page shows the names as stored (the form failed), with what was typed kept in the form.
        return showSettings(request, reply, error.statusCode, {
          profileError: {
            message: error.message,
            username: oneLine(request.body.username),
            displayName: oneLine(request.body.displayName),
          },
        });
      }
      return reply.redirect('/settings?done=profile', 303);
    },
  );

  app.post<{ Body: Static<typeof TokenNameBody> }>(
    '/settings/tokens',
    { schema: { body: TokenNameBody } },
    async (request, reply) => {
      const user = requireBrowserMember(request.viewer, 'create API tokens');
      try {
        const created = await createPersonalToken(accounts, user, request.body.name);
        return showSettings(request, reply, 201, { newToken: { token: created.token, name: created.info.name } });
      } catch (error) {
        if (!(error instanceof HttpError) || error.statusCode !== 400) throw error;
        return showSettings(request, reply, 400, { tokenError: error.message });
      }
    },
  );

  app.post<{ Params: Static<typeof TokenIdParams> }>(
    '/settings/tokens/:id/revoke',
    { schema: { params: TokenIdParams } },
    async (request, reply) => {
      const user = requireSignedIn(request.viewer, 'revoke API tokens');
      await revokePersonalToken(accounts, user, request.params.id);
      return reply.redirect('/settings?done=revoked', 303);
    },
  );

  // ---- Who is asking, as JSON ---------------------------------------------------------------------------------

  app.get(
    '/api/me',
    {
      schema: {
        tags: ['accounts'],
        summary: 'The signed-in person (session cookie or Bearer token); 401 when anonymous',
        response: { 200: MeAnswer },
      },
    },
    async (request, reply) => {
      const user = requireSignedIn(request.viewer, 'see your account');
      reply.header('cache-control', 'private, no-store');
      return meJson(user, request.viewer!, config.baseUrl);
    },
  );

  app.get(
    '/api/whoami-v2',
    {
      schema: {
        tags: ['accounts'],
        summary: "Hugging Face's whoami-v2 answer for the signed-in person (what huggingface_hub's whoami() reads)",
      },
    },
    async (request, reply) => {
      const user = requireSignedIn(request.viewer, 'see your account');
      reply.header('cache-control', 'private, no-store');
      return whoamiJson(user, request.viewer!, config.baseUrl);
    },
  );

  // ---- Profiles -----------------------------------------------------------------------------------------------

  app.get<{ Params: Static<typeof UsernameParams> }>(
    '/u/:username',
    { schema: { params: UsernameParams } },
    async (request, reply) => {
      const model = await readProfile(accounts, context.store, request.params.username);
      if (model.user.username !== request.params.username) {
        return reply.redirect(`/u/${encodeURIComponent(model.user.username)}`, 301);
      }
      const canonicalUrl = `${config.baseUrl}/u/${model.user.username}`;
      return sendView(reply, {
        cacheControl: PROFILE_CACHE_CONTROL,
        view: <ProfilePageView page={presentProfilePage(model)} canonicalUrl={canonicalUrl} />,
        page: page(request, reply),
      });
    },
  );
}

/** Tokens are made by a person in their browser, not by a script holding another token. */
function requireBrowserMember(viewer: Viewer | null, action: string): User {
  const user = requireMember(viewer, action);
  if (viewer?.via === 'token') {
    throw new HttpError(403, 'forbidden', 'API tokens are made on the settings page, in a signed-in browser.');
  }
  return user;
}

/** A page that must never be stored by a cache (forms, secrets), whoever asks. */
function sendPrivate(reply: FastifyReply, status: number, view: VNode, page: PageContextValue) {
  return reply
    .status(status)
    .header('cache-control', NO_STORE)
    .type('text/html; charset=utf-8')
    .send(renderPage(view, page));
}

function userAgentOf(request: FastifyRequest): string | null {
  const agent = request.headers['user-agent'];
  return typeof agent === 'string' && agent ? agent.slice(0, USER_AGENT_MAX_LENGTH) : null;
}

function oneLine(value: unknown): string {
  return typeof value === 'string' ? value.replace(/[\r\n]+/g, ' ').slice(0, 200) : '';
}

/** The OIDC attempt read back from its cookie, checked for shape. */
function pendingFrom(value: unknown): PendingOidcSignIn | null {
  if (!value || typeof value !== 'object') return null;
  const { state, nonce, verifier, next } = value as Record<string, unknown>;
  if (typeof state !== 'string' || typeof nonce !== 'string' || typeof verifier !== 'string') return null;
  return { state, nonce, verifier, next: returnPathOrHome(next) };
}

function meJson(user: User, viewer: Viewer, baseUrl: string): Static<typeof MeAnswer> {
  return {
    id: String(user.id),
    username: user.username,
    displayName: user.displayName,
    email: user.email,
    isAdmin: user.isAdmin,
    banned: user.bannedAt !== null,
    createdAt: user.createdAt,
    profileUrl: `${baseUrl}/u/${user.username}`,
    authenticatedBy: viewer.via,
  };
}

/** Hugging Face's `whoami-v2` shape (huggingface_hub reads `name`, `fullname`, `type` and `auth.accessToken.role`). */
function whoamiJson(user: User, viewer: Viewer, baseUrl: string) {
  return {
    type: 'user',
    id: String(user.id),
    name: user.username,
    fullname: user.displayName ?? user.username,
    email: user.email,
    emailVerified: true,
    canPay: false,
    isPro: false,
    periodEnd: null,
    avatarUrl: `${baseUrl}/static/avatar.svg`,
    orgs: [],
    auth:
      viewer.via === 'token'
        ? { type: 'access_token', accessToken: { displayName: 'personal API token', role: 'write' } }
        : { type: 'session' },
  };
}
