import fs from 'node:fs';
import path from 'node:path';
import { Hono } from 'hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { HTTPException } from 'hono/http-exception';
import { HttpError, forbidden } from '../errors.ts';
import { SESSION_COOKIE, readCookie } from './cookies.ts';
import { isAllowedOrigin } from './origin.ts';
import { securityHeaders } from './security-headers.ts';
import { readOnlyTokens } from './token-scope.ts';
import { auditTrail } from './audit.routes.ts';
import { metricsRoute } from './metrics.ts';
import { authRoutes, setSessionCookie } from './auth.routes.ts';
import { projectRoutes } from './projects.routes.ts';
import type { AppDeps, Env } from './context.ts';

export type ExtraRoutes = (deps: AppDeps) => Hono<Env>;

/** The HTTP API under /api and the built web app for everything else. */
export function createApp(deps: AppDeps, extra: ExtraRoutes[] = []): Hono<Env> {
  const app = new Hono<Env>();
  app.use('*', securityHeaders(deps.config));

  app.onError((err, c) => {
    if (err instanceof HttpError) return c.json({ error: { code: err.code, message: err.message } }, err.status);
    if (err instanceof HTTPException) {
      return c.json({ error: { code: err.status === 413 ? 'too_large' : 'http_error', message: err.message || 'Request failed.' } }, err.status);
    }
    deps.log('error', 'request failed', { path: c.req.path, err: err instanceof Error ? err.stack ?? err.message : String(err) });
    return c.json({ error: { code: 'internal', message: 'Something went wrong on the server. Nothing was changed.' } }, 500);
  });

  const api = new Hono<Env>();

  // Authentication: bearer token for scripts, session cookie for browsers.
  api.use('*', async (c, next) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? null;
    const cookieToken = readCookie(c.req.header('cookie'), SESSION_COOKIE);
    c.set('principal', null);
    if (bearer) {
      c.set('principal', await deps.auth.validateAccessToken(bearer));
    } else if (cookieToken) {
      const v = await deps.auth.validateSessionToken(cookieToken);
      if (v) {
        // CSRF: a cookie-authenticated change must come from our own origin.
        if (!['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)) {
          const origin = c.req.header('origin');
          if (origin && !isAllowedOrigin(origin, c.req.header('host'), deps.config.origins)) throw forbidden('Requests from other sites are refused.');
        }
        c.set('principal', v.principal);
        if (v.renewed) setSessionCookie(deps, c, cookieToken, v.expiresAt);
      }
    }
    await next();
  });

  api.use('*', readOnlyTokens);
  api.use('*', auditTrail(deps));

  api.get('/health', (c) => c.json({ ok: true, storage: deps.storage.kind, node: deps.config.nodeId, rooms: deps.rooms.rooms.size }));
  api.route('/', authRoutes(deps));
  api.route('/', projectRoutes(deps));
  for (const make of extra) api.route('/', make(deps));
  api.all('*', (c) => c.json({ error: { code: 'not_found', message: `No API route ${c.req.method} ${c.req.path}.` } }, 404));
  app.route('/api', api);
  app.route('/', metricsRoute(() => deps.metrics ?? null, deps.config, deps.clientAddress));

  // The built web app, with index.html for client-side routes.
  const dist = deps.config.webDist;
  const root = path.relative(process.cwd(), dist) || '.';
  if (fs.existsSync(dist)) app.use('/*', serveStatic({ root, onFound: (file, c) => { c.header('Cache-Control', cacheControl(file)); } }));
  app.get('*', (c) => {
    const index = path.join(dist, 'index.html');
    if (!fs.existsSync(index)) {
      return c.text('The web app is not built. Run `npm run build` (or `npm start`, which builds it).', 503);
    }
    c.header('Cache-Control', 'no-cache');
    return c.html(fs.readFileSync(index, 'utf8'));
  });
  return app;
}

/**
 * Vite's hashed files under assets/ never change: cache them for good. Everything
 * else (index.html, sw.js, which name the current build) is revalidated on every
 * load, so a new deployment is picked up at once; the service worker keeps the app
 * usable offline.
 */
export function cacheControl(file: string): string {
  return /(^|[/\\])assets[/\\]/.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache';
}
