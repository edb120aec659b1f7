import * as client from 'openid-client';
import type { OidcConfig } from '../env.ts';

/** What a completed sign-in at the provider tells about the person. */
export interface OidcIdentity {
  email: string;
  name: string | null;
}

/** The random values one sign-in attempt carries through the browser (kept in an HttpOnly cookie). */
export interface OidcAttempt {
  state: string;
  nonce: string;
  verifier: string;
  next: string;
}

export class OidcError extends Error {}

/**
 * OpenID Connect sign-in with openid-client: the authorization code flow with
 * PKCE, state and nonce. The provider's metadata is discovered once, on first use.
 * Plain-http issuers are accepted only on this machine (localhost, 127.0.0.1).
 */
export class OidcSignIn {
  private config: Promise<client.Configuration> | null = null;

  constructor(private readonly cfg: OidcConfig) {}

  private configuration(): Promise<client.Configuration> {
    if (!this.config) {
      const issuer = new URL(this.cfg.issuer);
      const local = issuer.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname);
      this.config = client.discovery(issuer, this.cfg.clientId, this.cfg.clientSecret || undefined, undefined, local ? { execute: [client.allowInsecureRequests] } : undefined);
      // A failed discovery is tried again on the next sign-in.
      this.config.catch(() => { this.config = null; });
    }
    return this.config;
  }

  /** The provider's sign-in page to send the browser to, and what to remember until it comes back. */
  async start(redirectUri: string, next: string): Promise<{ url: URL; attempt: OidcAttempt }> {
    const config = await this.configuration();
    const attempt: OidcAttempt = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier(), next };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri, scope: 'openid email profile', state: attempt.state, nonce: attempt.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(attempt.verifier), code_challenge_method: 'S256',
    });
    return { url, attempt };
  }

  /** Completes the sign-in the provider sent the browser back from; the checked e-mail and name. */
  async finish(currentUrl: URL, attempt: OidcAttempt): Promise<OidcIdentity> {
    const config = await this.configuration();
    const tokens = await client.authorizationCodeGrant(config, currentUrl, {
      pkceCodeVerifier: attempt.verifier, expectedState: attempt.state, expectedNonce: attempt.nonce,
    });
    const idClaims = tokens.claims();
    if (!idClaims) throw new OidcError('The identity provider sent no ID token.');
    let claims: Record<string, unknown> = idClaims;
    if (typeof claims.email !== 'string') claims = { ...claims, ...(await client.fetchUserInfo(config, tokens.access_token, idClaims.sub)) };
    const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
    if (!email.includes('@')) throw new OidcError('The identity provider did not tell your e-mail address.');
    if (claims.email_verified === false) throw new OidcError('The identity provider has not verified your e-mail address.');
    const domain = email.slice(email.lastIndexOf('@') + 1);
    if (this.cfg.domains.length > 0 && !this.cfg.domains.includes(domain)) {
      throw new OidcError(`Sign-in through ${this.cfg.label} is for addresses at ${this.cfg.domains.join(' or ')}.`);
    }
    const name = typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim() : null;
    return { email, name };
  }
}
