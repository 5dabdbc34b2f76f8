/**
 * Sign-in through an OpenID Connect provider with openid-client (the functional v6 API): discovery of the provider
 * (once, cached; retried after a failure), the authorization URL with PKCE S256, state and nonce, and the
 * authorization-code exchange whose ID token openid-client verifies (signature, issuer, audience, nonce). Plain http
 * is allowed only for a provider on loopback (development and tests).
 */
import * as oidc from 'openid-client';
import type { OidcConfig } from '../config.ts';

/** What the browser keeps (signed) while the person is at their provider. */
export interface PendingOidcSignIn {
  state: string;
  nonce: string;
  verifier: string;
  /** Where to go after signing in (already checked to be a local path). */
  next: string;
}

/** The person as the provider describes them, after verification. */
export interface OidcClaims {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  preferredUsername: string | null;
  name: string | null;
}

/** The scopes asked for: the identity, the email address and the profile (for a username and a display name). */
const OIDC_SCOPES = 'openid email profile';
/** Give up on the provider after this long, in seconds. */
const OIDC_TIMEOUT_SECONDS = 10;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** The provider refused or the answer did not verify: a sentence for the person (the details go to the log). */
export class OidcSignInError extends Error {
  constructor(
    message: string,
    /** True when the provider could not be reached at all (try later), false when this attempt was refused. */
    readonly unreachable = false,
  ) {
    super(message);
    this.name = 'OidcSignInError';
  }
}

export class OidcSignInClient {
  private configuration: Promise<oidc.Configuration> | null = null;

  constructor(
    private readonly settings: OidcConfig,
    /** Our callback, `${baseUrl}/login/oidc/callback`, registered at the provider. */
    private readonly redirectUri: string,
  ) {}

  /** The provider's name as the sign-in button shows it. */
  get name(): string {
    return this.settings.name;
  }

  /** The provider's address to send the browser to, and what to keep until it comes back. */
  async start(next: string): Promise<{ url: URL; pending: PendingOidcSignIn }> {
    const configuration = await this.discover();
    const pending: PendingOidcSignIn = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      verifier: oidc.randomPKCECodeVerifier(),
      next,
    };
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri,
      scope: OIDC_SCOPES,
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url, pending };
  }

  /** Exchanges the code in the callback address for verified claims; OidcSignInError when anything is off. */
  async finish(callbackUrl: URL, pending: PendingOidcSignIn): Promise<OidcClaims> {
    const configuration = await this.discover();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(configuration, callbackUrl, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      throw refusal(error, this.settings.name);
    }
    const idClaims = tokens.claims();
    if (!idClaims) throw new OidcSignInError(`${this.settings.name} did not send an identity token.`);
    let claims: Record<string, unknown> = { ...idClaims };
    // Providers following the spec put profile and email claims in the userinfo answer rather than the ID token.
    if (configuration.serverMetadata().userinfo_endpoint && tokens.access_token) {
      try {
        const userinfo = await oidc.fetchUserInfo(configuration, tokens.access_token, idClaims.sub);
        claims = { ...claims, ...pickDefined(userinfo) };
      } catch (error) {
        throw refusal(error, this.settings.name);
      }
    }
    return {
      issuer: idClaims.iss,
      subject: idClaims.sub,
      email: typeof claims.email === 'string' && claims.email ? claims.email : null,
      emailVerified: claims.email_verified === true || claims.email_verified === 'true',
      preferredUsername: typeof claims.preferred_username === 'string' ? claims.preferred_username : null,
      name: typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim() : null,
    };
  }

  private discover(): Promise<oidc.Configuration> {
    if (!this.configuration) {
      const issuer = new URL(this.settings.issuer);
      const insecure = issuer.protocol === 'http:' && LOOPBACK_HOSTS.has(issuer.hostname);
      this.configuration = oidc
        .discovery(
          issuer,
          this.settings.clientId,
          { client_secret: this.settings.clientSecret },
          oidc.ClientSecretBasic(this.settings.clientSecret),
          { execute: insecure ? [oidc.allowInsecureRequests] : [], timeout: OIDC_TIMEOUT_SECONDS },
        )
        .catch((error: unknown) => {
          // Try again on the next sign-in: the provider may only have been down for a moment.
          this.configuration = null;
          throw new OidcSignInError(
            `${this.settings.name} cannot be reached right now (${messageOf(error)}); please try again shortly.`,
            true,
          );
        });
    }
    return this.configuration;
  }
}

function pickDefined(claims: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined && value !== null));
}

/** The person-facing sentence for a failed exchange. */
function refusal(error: unknown, name: string): OidcSignInError {
  if (error instanceof oidc.AuthorizationResponseError) {
    return new OidcSignInError(
      error.error === 'access_denied'
        ? `The sign-in at ${name} was cancelled or refused.`
        : `${name} refused the sign-in (${error.error}).`,
    );
  }
  if (error instanceof oidc.ResponseBodyError) {
    return new OidcSignInError(
      `${name} refused the sign-in (${error.error}): the link may have been used already. Please start again.`,
    );
  }
  if (error instanceof TypeError || (error instanceof Error && error.name === 'TimeoutError')) {
    return new OidcSignInError(`${name} cannot be reached right now; please try again shortly.`, true);
  }
  return new OidcSignInError(
    `The answer from ${name} could not be verified (${messageOf(error)}). Please start again.`,
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
