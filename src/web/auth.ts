/**
 * Who is asking, for every request: a browser session (the `pb_session` cookie) or a personal API token
 * (`Authorization: Bearer pb_...`), resolved once into `request.viewer`; plus the CSRF protection that every
 * state-changing form and cookie-authenticated API call passes, and the rate limits on writes.
 *
 * CSRF tokens are HMACs of the session (or, before sign-in, of a random `pb_csrf` cookie) under the instance
 * secret: a page on another site can make a browser send our cookies, but cannot read a page to learn the token.
 * Bearer-token requests carry no ambient credential and need none.
 */
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { newSecretToken, safeEqual, signWith } from '../accounts/secret-tokens.ts';
import { HttpError } from '../commands/errors.ts';
import type { Config } from '../config.ts';
import type { Viewer } from '../policy/policy.ts';
import type { AccountStore } from '../storage/account-store.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking; null for anonymous requests. */
    viewer: Viewer | null;
  }
  interface FastifyContextConfig {
    /**
     * Check a CSRF token even without a session (forms anonymous people post, e.g. the sign-in form). Requests
     * with a session are always checked when they change state.
     */
    csrf?: boolean;
  }
}

export const SESSION_COOKIE = 'pb_session';
export const ANONYMOUS_CSRF_COOKIE = 'pb_csrf';
/** The form field and the header that carry a CSRF token. */
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** How long the anonymous CSRF cookie lives, in seconds (a sign-in form left open for a day still works). */
const ANONYMOUS_CSRF_MAX_AGE_SECONDS = 86_400;

export interface AuthOptions {
  accounts: AccountStore;
  config: Config;
  /** Key for CSRF tokens (config.secret or the instance's generated one). */
  secret: string;
}

/** Rate limits per route, as `config: { rateLimit: RATE_LIMITS.x }` (off when PAPERBOY_RATE_LIMITS=0). */
export const RATE_LIMITS = {
  /** Sign-in mails per client: a person mistyping their address a few times, not a mail bomb. */
  signIn: { max: 5, timeWindow: '15 minutes' },
  /** Upvote toggles per person: fast clicking is fine, a script is not. */
  upvote: { max: 120, timeWindow: '1 minute' },
  /** Submissions per person, on top of the daily quota (which counts stored submissions). */
  submit: { max: 10, timeWindow: '1 minute' },
  /** Comments and edits per person. */
  comment: { max: 10, timeWindow: '1 minute' },
  /** Digest subscription requests per client: a typo or two, not a mail bomb (each address also has a mail cap). */
  subscribe: { max: 5, timeWindow: '15 minutes' },
} as const;

export async function registerAuth(app: FastifyInstance, { accounts, config, secret }: AuthOptions): Promise<void> {
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody);
  app.decorateRequest('viewer', null);

  app.addHook('onRequest', async (request, reply) => {
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!match) {
        throw new HttpError(401, 'invalid_token', 'The Authorization header must be "Bearer <token>".');
      }
      const user = await accounts.findApiTokenUser(match[1]!);
      if (!user) throw new HttpError(401, 'invalid_token', 'The API token is not valid (unknown or revoked).');
      request.viewer = { user, via: 'token', sessionHash: null };
      return;
    }
    const token = request.cookies[SESSION_COOKIE];
    if (!token) return;
    const session = await accounts.findSession(token);
    if (!session) {
      clearSessionCookie(reply, config);
      return;
    }
    request.viewer = { user: session.user, via: 'session', sessionHash: session.tokenHash };
  });

  app.addHook('preHandler', async (request) => {
    if (!UNSAFE_METHODS.has(request.method)) return;
    const viewer = request.viewer;
    if (viewer?.via === 'token') return;
    if (!viewer && !request.routeOptions.config.csrf) return;
    const given = csrfTokenFromRequest(request);
    const expected = expectedCsrfToken(request, secret);
    if (!given || !expected || !safeEqual(given, expected)) {
      throw new HttpError(
        403,
        'csrf_failed',
        'This form has expired or did not come from this site. Reload the page and try again.',
      );
    }
  });

  await app.register(fastifyRateLimit, {
    global: false,
    // Per person when signed in (a lab behind one address is many people), per address otherwise.
    keyGenerator: (request) => (request.viewer ? `user:${request.viewer.user.id}` : `ip:${request.ip}`),
    hook: 'preHandler',
    errorResponseBuilder: (_request, context) =>
      new HttpError(429, 'rate_limited', `Too many requests; please wait ${context.after} and try again.`, {
        'retry-after': String(Math.max(1, Math.ceil(context.ttl / 1000))),
      }),
  });
  if (!config.rateLimits) app.log.warn('rate limits are off (PAPERBOY_RATE_LIMITS=0)');
}

/** A route's rate-limit config, or none when limits are switched off. */
export function rateLimit(
  config: Config,
  limit: { max: number; timeWindow: string },
): { rateLimit?: { max: number; timeWindow: string } } {
  return config.rateLimits ? { rateLimit: limit } : {};
}

/**
 * The CSRF token to embed in this page's forms (and in `<meta name="csrf-token">` for scripts). For anonymous
 * visitors it sets the `pb_csrf` cookie the token is bound to, when there is none yet.
 */
export function csrfTokenFor(request: FastifyRequest, reply: FastifyReply, config: Config, secret: string): string {
  if (request.viewer?.sessionHash) return signWith(secret, `session:${request.viewer.sessionHash}`);
  let nonce = request.cookies[ANONYMOUS_CSRF_COOKIE];
  if (!nonce || !/^[\w-]{20,100}$/.test(nonce)) {
    nonce = newSecretToken();
    reply.setCookie(ANONYMOUS_CSRF_COOKIE, nonce, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: secureCookies(config),
      maxAge: ANONYMOUS_CSRF_MAX_AGE_SECONDS,
    });
    // The page itself is being answered now: the check on its form's POST reads the cookie then.
    request.cookies[ANONYMOUS_CSRF_COOKIE] = nonce;
  }
  return signWith(secret, `anonymous:${nonce}`);
}

function expectedCsrfToken(request: FastifyRequest, secret: string): string | null {
  if (request.viewer?.sessionHash) return signWith(secret, `session:${request.viewer.sessionHash}`);
  const nonce = request.cookies[ANONYMOUS_CSRF_COOKIE];
  return nonce ? signWith(secret, `anonymous:${nonce}`) : null;
}

function csrfTokenFromRequest(request: FastifyRequest): string | null {
  const header = request.headers[CSRF_HEADER];
  if (typeof header === 'string' && header) return header;
  const body = request.body;
  if (body && typeof body === 'object' && CSRF_FIELD in body) {
    const value = (body as Record<string, unknown>)[CSRF_FIELD];
    if (typeof value === 'string' && value) return value;
  }
  return null;
}

/** Cookies are `Secure` when the instance is reached over https. */
export function secureCookies(config: Config): boolean {
  return config.baseUrl.startsWith('https:');
}

/** Starts a browser session: the cookie holds the secret, HttpOnly and SameSite=Lax. */
export function setSessionCookie(reply: FastifyReply, config: Config, token: string, expiresAt: string): void {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: secureCookies(config),
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(reply: FastifyReply, config: Config): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: secureCookies(config) });
}
