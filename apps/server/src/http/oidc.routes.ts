import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { newId, type User } from '@concord/shared';
import { publicUser } from '../auth/auth.service.ts';
import { OidcError, OidcSignIn, type OidcAttempt } from '../auth/oidc.ts';
import type { OidcConfig } from '../env.ts';
import { setSessionCookie } from './auth.routes.ts';
import { grantFirstAdmin } from './admin.routes.ts';
import type { AppDeps, Ctx, Env } from './context.ts';

const ATTEMPT_COOKIE = 'concord_oidc';
const COOKIE_PATH = '/api/auth/oidc';

/**
 * Single sign-on (`CONCORD_OIDC_*`): `GET /api/auth/oidc` tells the sign-in page
 * whether it is on; `/start` sends the browser to the provider, `/callback`
 * signs it in (creating the account on first sign-in when allowed) and goes on to
 * the page it came from. Failures return to `/login?sso_error=…`.
 */
export function oidcRoutes(deps: AppDeps): Hono<Env> {
  const app = new Hono<Env>();
  const cfg = deps.config.oidc;
  const signIn = cfg ? new OidcSignIn(cfg) : null;
  const base = (c: Ctx) => deps.config.publicUrl ?? new URL(c.req.url).origin;
  const redirectUri = (c: Ctx) => `${base(c)}/api/auth/oidc/callback`;

  app.get('/auth/oidc', (c) => c.json(cfg ? { enabled: true, label: cfg.label } : { enabled: false }));

  app.get('/auth/oidc/start', async (c) => {
    if (!signIn) return c.redirect('/login?sso_error=' + encodeURIComponent('Single sign-on is not set up here.'));
    const asked = c.req.query('next') ?? '/';
    const next = asked.startsWith('/') && !asked.startsWith('//') ? asked : '/';
    try {
      const { url, attempt } = await signIn.start(redirectUri(c), next);
      setCookie(c, ATTEMPT_COOKIE, Buffer.from(JSON.stringify(attempt)).toString('base64url'), {
        httpOnly: true, sameSite: 'Lax', path: COOKIE_PATH, secure: deps.config.secureCookies, maxAge: 600,
      });
      return c.redirect(url.href);
    } catch (err) {
      deps.log('warn', 'single sign-on could not start', { err: err instanceof Error ? err.message : String(err) });
      return failed(c, 'The identity provider could not be reached. Try again later or ask your administrator.');
    }
  });

  app.get('/auth/oidc/callback', async (c) => {
    if (!signIn || !cfg) return failed(c, 'Single sign-on is not set up here.');
    const attempt = readAttempt(getCookie(c, ATTEMPT_COOKIE));
    deleteCookie(c, ATTEMPT_COOKIE, { path: COOKIE_PATH });
    if (!attempt) return failed(c, 'The sign-in took too long or was started in another browser. Try again.');
    const current = new URL(redirectUri(c));
    current.search = new URL(c.req.url).search;
    let user: User;
    try {
      const identity = await signIn.finish(current, attempt);
      user = await accountFor(deps, cfg, identity.email, identity.name);
    } catch (err) {
      if (err instanceof OidcError) return failed(c, err.message);
      deps.log('warn', 'single sign-on failed', { err: err instanceof Error ? err.message : String(err) });
      return failed(c, 'The sign-in could not be completed. Try again.');
    }
    const s = await deps.auth.createSession(user.id);
    setSessionCookie(deps, c, s.token, s.expiresAt);
    await deps.storage.addAudit({ at: Date.now(), actorId: user.id, actorEmail: user.email, action: 'signin', projectId: null, target: null, detail: JSON.stringify({ via: 'oidc' }) })
      .catch((err: unknown) => deps.log('error', 'audit entry not recorded', { err: String(err) }));
    return c.redirect(attempt.next);
  });

  return app;
}

function failed(c: Ctx, message: string): Response {
  return c.redirect(`/login?sso_error=${encodeURIComponent(message)}`);
}

function readAttempt(v: string | undefined): OidcAttempt | null {
  if (!v) return null;
  try {
    const a = JSON.parse(Buffer.from(v, 'base64url').toString('utf8')) as Partial<OidcAttempt>;
    return typeof a.state === 'string' && typeof a.nonce === 'string' && typeof a.verifier === 'string' && typeof a.next === 'string' ? (a as OidcAttempt) : null;
  } catch {
    return null;
  }
}

/** The account of this address: the existing one (unless disabled), or a new one when allowed. */
async function accountFor(deps: AppDeps, cfg: OidcConfig, email: string, name: string | null): Promise<User> {
  const existing = await deps.storage.getUserByEmail(email);
  if (existing) {
    if (existing.disabledAt) throw new OidcError('This account is disabled. Ask your administrator.');
    return publicUser(existing);
  }
  if (!cfg.createUsers) throw new OidcError(`There is no Concord account for ${email}. Ask your administrator for one.`);
  const record = { id: newId(), email, name: name ?? email.slice(0, email.indexOf('@')), passwordHash: null, createdAt: Date.now() };
  try {
    await deps.storage.createUser(record);
  } catch {
    // Created at the same moment by another sign-in: use that one.
    const raced = await deps.storage.getUserByEmail(email);
    if (!raced) throw new OidcError('The account could not be created. Try again.');
    return publicUser(raced);
  }
  await grantFirstAdmin(deps, record.id);
  return publicUser(record);
}
