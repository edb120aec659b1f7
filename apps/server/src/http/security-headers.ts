import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { Config } from '../env.ts';
import { forwardedHttps } from './client-address.ts';

/** The sync WebSocket of the page's own host (CSP `'self'` does not cover ws: in every browser). */
const ownSockets = (c: Context): string => {
  const host = c.req.header('host') ?? '';
  return /^[\w.:[\]-]+$/.test(host) ? `ws://${host} wss://${host}` : '';
};

/**
 * Security headers on every answer (Hono's secure-headers): a CSP the web app
 * works under — its own scripts only (no inline script), its own sockets,
 * styles inline as CodeMirror, Observable Plot and colour swatches need them
 * (colours are checked before they are rendered: `@concord/shared` `isColour`),
 * no framing (`frame-ancestors 'none'`, X-Frame-Options DENY), nosniff, no
 * referrer; HSTS only when the request came over https (itself or through a
 * trusted proxy), since it would lock a plain-http install out of itself.
 */
export function securityHeaders(cfg: Config): MiddlewareHandler {
  const headers = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      mediaSrc: ["'self'", 'blob:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'", ownSockets],
      workerSrc: ["'self'"],
      manifestSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    xFrameOptions: 'DENY',
    strictTransportSecurity: false,
    crossOriginResourcePolicy: 'same-origin',
  });
  return async (c, next) => {
    await headers(c, next);
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    const encrypted = !!(incoming?.socket as { encrypted?: boolean } | undefined)?.encrypted;
    if (forwardedHttps(cfg.trustProxy, incoming?.socket?.remoteAddress, incoming?.headers ?? {}, encrypted)) {
      c.header('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    }
  };
}
