import net from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Provider from 'oidc-provider';
import type { Browser } from 'playwright-core';
import { launchBrowser, screenshot, startServer, type RunningServer } from './harness.ts';

/**
 * Single sign-on through a real OpenID Connect provider (oidc-provider, with its
 * development login and consent pages) started by the test: a new colleague signs
 * in with the institution's login and gets an account; an address outside the
 * allowed domain is turned back with a clear message.
 */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

let idp: Server;
let server: RunningServer;
let browser: Browser;
let base = '';

beforeAll(async () => {
  const concordPort = await freePort();
  const idpPort = await freePort();
  base = `http://127.0.0.1:${concordPort}`;
  const issuer = `http://127.0.0.1:${idpPort}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: 'concord', client_secret: 'concord-secret', redirect_uris: [`${base}/api/auth/oidc/callback`],
      grant_types: ['authorization_code'], response_types: ['code'],
    }],
    // The development login page takes any login: here, an e-mail address.
    findAccount: async (_ctx, id) => ({
      accountId: id,
      claims: async () => ({ sub: id, email: id, email_verified: true, name: id.startsWith('ines') ? 'Ines Institution' : 'Someone Else' }),
    }),
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    cookies: { keys: ['test-cookie-key'] },
  });
  idp = provider.listen(idpPort, '127.0.0.1') as Server;
  server = await startServer({
    PORT: String(concordPort), CONCORD_PUBLIC_URL: base, CONCORD_ORIGINS: base,
    CONCORD_OIDC_ISSUER: issuer, CONCORD_OIDC_CLIENT_ID: 'concord', CONCORD_OIDC_CLIENT_SECRET: 'concord-secret',
    CONCORD_OIDC_DOMAINS: 'uni.example', CONCORD_OIDC_LABEL: 'Uni Login',
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise<void>((r) => (idp ? idp.close(() => r()) : r()));
});

async function signInAtProvider(login: string): Promise<import('playwright-core').Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.click('a:has-text("Sign in with Uni Login")');
  // The provider's own pages: sign in, then allow Concord.
  await page.waitForSelector('input[name=login]');
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', 'anything');
  await page.click('button[type=submit]');
  await page.waitForSelector('button:has-text("Continue")');
  await page.click('button:has-text("Continue")');
  return page;
}

describe('single sign-on with OpenID Connect', () => {
  it('a colleague signs in through the institution and gets an account', async () => {
    const page = await signInAtProvider('ines@uni.example');
    await page.waitForSelector('h1:has-text("Your projects")');
    expect(page.url()).toBe(`${base}/`);
    const me = await page.evaluate(async () => (await fetch('/api/me')).json() as Promise<{ user: { email: string; name: string } }>);
    expect(me.user).toMatchObject({ email: 'ines@uni.example', name: 'Ines Institution' });
    await screenshot(page, 'sso-signed-in');
    await page.context().close();
  });

  it('turns back an address outside the allowed domain, with the reason', async () => {
    const page = await signInAtProvider('eve@elsewhere.example');
    await page.waitForSelector('[role=alert]');
    expect(page.url()).toContain('/login');
    expect(await page.textContent('[role=alert]')).toContain('is for addresses at uni.example');
    const me = await page.evaluate(async () => (await fetch('/api/me')).status);
    expect(me).toBe(401);
    await page.context().close();
  });
});
