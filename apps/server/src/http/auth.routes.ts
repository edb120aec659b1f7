import { Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import type { IncomingMessage } from 'node:http';
import { CloseCode, LoginBody, PasswordChangeBody, SignupBody, TokenBody } from '@concord/shared';
import type { AttemptLimiter } from '../auth/rate-limit.ts';
import { checkPasswordStrength } from '../auth/password-strength.ts';
import { badRequest, forbidden, HttpError, notFound, tooMany, unauthorized } from '../errors.ts';
import { SESSION_COOKIE } from './cookies.ts';
import { grantFirstAdmin, isAdmin } from './admin.routes.ts';
import { parseJson, requireUser, type AppDeps, type Ctx, type Env } from './context.ts';

export function setSessionCookie(deps: AppDeps, c: Ctx, token: string, expiresAt: number): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true, sameSite: 'Lax', path: '/', secure: deps.config.secureCookies, expires: new Date(expiresAt),
  });
}

/** The client's address, believing only the trusted proxies (`CONCORD_TRUST_PROXY`). */
export function clientIp(deps: AppDeps, c: Ctx): string {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return deps.clientAddress(incoming?.socket?.remoteAddress, incoming?.headers ?? {});
}

/** 429 with Retry-After when any of the limits makes the caller wait. */
export async function waitIfLimited(c: Ctx, checks: [AttemptLimiter, string][], what: string): Promise<void> {
  const waitMs = Math.max(0, ...(await Promise.all(checks.map(([l, k]) => l.retryAfterMs(k)))));
  if (waitMs <= 0) return;
  const secs = Math.ceil(waitMs / 1000);
  c.header('Retry-After', String(secs));
  throw tooMany(`${what} Try again in ${secs < 90 ? `${secs} seconds` : `${Math.ceil(secs / 60)} minutes`}.`);
}

const SIGNUP_REFUSED = 'This account could not be created. If you already have one, sign in instead (an administrator can reset its password).';

export function authRoutes(deps: AppDeps): Hono<Env> {
  const app = new Hono<Env>();
  const cfg = deps.config;
  const limits = deps.authLimits;

  app.post('/auth/signup', async (c) => {
    if (cfg.signup === 'off') throw forbidden('Accounts are created by an administrator here. Ask yours for one.');
    const body = await parseJson(c, SignupBody);
    const ip = clientIp(deps, c);
    await waitIfLimited(c, [[limits.signup, ip]], 'Too many accounts were created from your network.');
    const domain = body.email.slice(body.email.lastIndexOf('@') + 1);
    if (cfg.signupDomains.length > 0 && !cfg.signupDomains.includes(domain)) {
      throw new HttpError(403, 'signup_domain', `Sign up with an address at ${cfg.signupDomains.join(' or ')}.`);
    }
    const strength = await checkPasswordStrength(body.password, cfg.passwordMinScore, [body.email, body.name]);
    if (!strength.ok) throw badRequest(strength.message, 'weak_password');
    await limits.signup.hit(ip);
    const user = await deps.auth.register(body.email, body.password, body.name, cfg.signup === 'invite');
    if (!user) throw new HttpError(403, 'signup_refused', SIGNUP_REFUSED);
    await grantFirstAdmin(deps, user.id);
    const s = await deps.auth.createSession(user.id);
    setSessionCookie(deps, c, s.token, s.expiresAt);
    return c.json({ user }, 201);
  });

  app.post('/auth/login', async (c) => {
    const body = await parseJson(c, LoginBody);
    const ip = clientIp(deps, c);
    // One account from one address gets a few free tries, then growing waits; an
    // address failing across many accounts too. Someone guessing elsewhere never
    // locks the account's owner out.
    const account = `${body.email} ${ip}`;
    await waitIfLimited(c, [[limits.ip, ip], [limits.account, account]], 'Too many failed sign-in attempts.');
    const user = await deps.auth.login(body.email, body.password);
    if (!user) {
      await Promise.all([limits.ip.hit(ip), limits.account.hit(account)]);
      throw new HttpError(401, 'invalid_credentials', 'Email or password is not right.');
    }
    await limits.account.reset(account);
    const s = await deps.auth.createSession(user.id);
    setSessionCookie(deps, c, s.token, s.expiresAt);
    return c.json({ user });
  });

  app.post('/auth/password', async (c) => {
    const p = requireUser(c);
    if (p.via !== 'session') throw unauthorized('Change your password while signed in in the browser.');
    const body = await parseJson(c, PasswordChangeBody);
    const ip = clientIp(deps, c);
    const account = `${p.user.email} ${ip}`;
    await waitIfLimited(c, [[limits.ip, ip], [limits.account, account]], 'Too many failed attempts.');
    if (!(await deps.auth.login(p.user.email, body.currentPassword))) {
      await Promise.all([limits.ip.hit(ip), limits.account.hit(account)]);
      throw new HttpError(403, 'invalid_credentials', 'The current password is not right.');
    }
    const strength = await checkPasswordStrength(body.password, cfg.passwordMinScore, [p.user.email, p.user.name]);
    if (!strength.ok) throw badRequest(strength.message, 'weak_password');
    // Every session and access token ends, here and on every node; this browser gets a new session.
    await deps.auth.setPassword(p.user.id, body.password);
    deps.rooms.revoke({ userId: p.user.id, code: CloseCode.Unauthorized, reason: 'password changed' });
    const s = await deps.auth.createSession(p.user.id);
    setSessionCookie(deps, c, s.token, s.expiresAt);
    return c.json({ user: p.user });
  });

  app.post('/auth/logout', async (c) => {
    const p = c.get('principal');
    if (p?.sessionId) {
      await deps.auth.invalidateSession(p.sessionId);
      const sid = p.sessionId;
      deps.rooms.revoke({ credentialId: sid, code: CloseCode.Unauthorized, reason: 'signed out' });
    }
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.body(null, 204);
  });

  app.get('/me', async (c) => {
    const p = requireUser(c);
    const [unread, admin] = await Promise.all([deps.storage.countUnread(p.user.id), isAdmin(deps, p)]);
    return c.json({ user: p.user, unread, admin });
  });

  app.post('/tokens', async (c) => {
    const p = requireUser(c);
    if (p.via !== 'session') throw unauthorized('Create access tokens while signed in in the browser or with the CLI.');
    const body = await parseJson(c, TokenBody);
    if (body.projectId && !(await deps.storage.getRole(body.projectId, p.user.id))) throw notFound('This project');
    const limits = {
      expiresAt: body.expiresInDays ? Date.now() + body.expiresInDays * 24 * 60 * 60 * 1000 : null,
      readOnly: body.readOnly ?? false, projectId: body.projectId ?? null,
    };
    const t = await deps.auth.createAccessToken(p.user.id, body.name, limits);
    return c.json({ token: t.token, id: t.id, name: body.name, ...limits }, 201);
  });

  app.get('/tokens', async (c) => {
    const p = requireUser(c);
    const list = await deps.storage.listTokens(p.user.id);
    return c.json({ tokens: list.map((t) => ({ id: t.id, name: t.name, createdAt: t.createdAt, expiresAt: t.expiresAt ?? null, readOnly: t.readOnly ?? false, projectId: t.projectId ?? null })) });
  });

  app.delete('/tokens/:id', async (c) => {
    const p = requireUser(c);
    const id = c.req.param('id');
    const ok = await deps.storage.deleteToken(id, p.user.id);
    if (ok) deps.rooms.revoke({ credentialId: id, code: CloseCode.Unauthorized, reason: 'access token revoked' });
    return ok ? c.body(null, 204) : c.json({ error: { code: 'not_found', message: 'Token not found.' } }, 404);
  });

  return app;
}
