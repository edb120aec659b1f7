import { Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { CloseCode, LoginBody, SignupBody, TokenBody } from '@concord/shared';
import { conflict, HttpError, tooMany, unauthorized } from '../errors.ts';
import { SESSION_COOKIE } from './cookies.ts';
import { parseJson, requireUser, type AppDeps, type Ctx, type Env } from './context.ts';

export function setSessionCookie(deps: AppDeps, c: Ctx, token: string, expiresAt: number): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true, sameSite: 'Lax', path: '/', secure: deps.config.secureCookies, expires: new Date(expiresAt),
  });
}

export function clientIp(c: Ctx): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}

export function authRoutes(deps: AppDeps): Hono<Env> {
  const app = new Hono<Env>();

  app.post('/auth/signup', async (c) => {
    const body = await parseJson(c, SignupBody);
    const user = await deps.auth.signup(body.email, body.password, body.name);
    if (!user) throw conflict('An account with this email already exists.', 'email_taken');
    const s = await deps.auth.createSession(user.id);
    setSessionCookie(deps, c, s.token, s.expiresAt);
    return c.json({ user }, 201);
  });

  app.post('/auth/login', async (c) => {
    const body = await parseJson(c, LoginBody);
    const limits = [[deps.loginLimiter.ip, clientIp(c)], [deps.loginLimiter.email, body.email]] as const;
    const waitMs = Math.max(...(await Promise.all(limits.map(([l, k]) => l.retryAfterMs(k)))));
    if (waitMs > 0) {
      const secs = Math.ceil(waitMs / 1000);
      c.header('Retry-After', String(secs));
      throw tooMany(`Too many failed sign-in attempts. Try again in ${Math.ceil(secs / 60)} minutes.`);
    }
    const user = await deps.auth.login(body.email, body.password);
    if (!user) {
      await Promise.all(limits.map(([l, k]) => l.hit(k)));
      throw new HttpError(401, 'invalid_credentials', 'Email or password is not right.');
    }
    await deps.loginLimiter.email.reset(body.email);
    const s = await deps.auth.createSession(user.id);
    setSessionCookie(deps, c, s.token, s.expiresAt);
    return c.json({ user });
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
    return c.json({ user: p.user, unread: await deps.storage.countUnread(p.user.id) });
  });

  app.post('/tokens', async (c) => {
    const p = requireUser(c);
    if (p.via !== 'session') throw unauthorized('Create access tokens while signed in in the browser or with the CLI.');
    const body = await parseJson(c, TokenBody);
    const t = await deps.auth.createAccessToken(p.user.id, body.name);
    return c.json({ token: t.token, id: t.id, name: body.name }, 201);
  });

  app.get('/tokens', async (c) => {
    const p = requireUser(c);
    const list = await deps.storage.listTokens(p.user.id);
    return c.json({ tokens: list.map((t) => ({ id: t.id, name: t.name, createdAt: t.createdAt })) });
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
