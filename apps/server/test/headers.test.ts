import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConcordServer } from '../src/server.ts';
import { startTestServer } from './helpers.ts';

describe('security headers', () => {
  let server: ConcordServer;
  beforeAll(async () => { server = await startTestServer({ trustProxy: ['loopback'] }); });
  afterAll(async () => { await server.close(); });

  it('sends a CSP without inline scripts or framing, nosniff and DENY on the app, the API and errors', async () => {
    for (const path of ['/', '/api/health', '/api/nope', '/projects/x']) {
      const r = await fetch(server.url + path);
      const csp = r.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("object-src 'none'");
      const host = new URL(server.url).host;
      expect(csp).toContain(`connect-src 'self' ws://${host} wss://${host}`);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('x-frame-options')).toBe('DENY');
      expect(r.headers.get('strict-transport-security')).toBeNull();
    }
  });

  it('adds HSTS only when a trusted proxy says the request came over https', async () => {
    const https = await fetch(`${server.url}/api/health`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(https.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });
});
