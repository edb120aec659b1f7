import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, makeProject, makeUser, startTestServer, tempDir, type TestUser } from './helpers.ts';
import type { ConcordServer } from '../src/server.ts';
import { AuthService } from '../src/auth/auth.service.ts';

let server: ConcordServer;
beforeAll(async () => { server = await startTestServer(); });
afterAll(async () => { await server.close(); });

describe('accounts and sessions', () => {
  it('signs up, reads /me with the cookie, logs out and the session is gone', async () => {
    const c = new Client(server.url);
    const r = await c.req('POST', '/api/auth/signup', { email: 'Ada@Example.org', password: 'long enough pw', name: 'Ada' });
    expect(r.status).toBe(201);
    expect(r.json.user).toMatchObject({ email: 'ada@example.org', name: 'Ada' });
    const setCookie = r.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect((await c.req('GET', '/api/me')).json.user.email).toBe('ada@example.org');
    const stolen = c.cookie;
    expect((await c.req('POST', '/api/auth/logout')).status).toBe(204);
    expect((await c.req('GET', '/api/me')).status).toBe(401);
    // The old cookie no longer works anywhere: the session row is deleted.
    const replay = new Client(server.url);
    replay.cookie = stolen;
    expect((await replay.req('GET', '/api/me')).status).toBe(401);
  });

  it('refuses a duplicate email, a short password and bad JSON with clear errors', async () => {
    const c = new Client(server.url);
    await c.req('POST', '/api/auth/signup', { email: 'dup@example.org', password: 'long enough pw', name: 'D' });
    const dup = await new Client(server.url).req('POST', '/api/auth/signup', { email: 'dup@example.org', password: 'other long password', name: 'D' });
    expect(dup.status).toBe(403);
    expect(dup.json.error.code).toBe('signup_refused');
    const short = await c.req('POST', '/api/auth/signup', { email: 'x@example.org', password: 'short', name: 'X' });
    expect(short.status).toBe(400);
    expect(short.json.error.message).toMatch(/8 characters/);
    const bad = await c.req('POST', '/api/auth/login', undefined, { 'content-type': 'application/json' });
    expect(bad.status).toBe(400);
  });

  it('logs in with the right password only, and stores only a hash of the session token', async () => {
    const c = new Client(server.url);
    await c.req('POST', '/api/auth/signup', { email: 'login@example.org', password: 'long enough pw', name: 'L' });
    const token = decodeURIComponent(c.cookie.split('=')[1]!);
    const wrong = await new Client(server.url).req('POST', '/api/auth/login', { email: 'login@example.org', password: 'wrong password' });
    expect(wrong.status).toBe(401);
    const ok = new Client(server.url);
    expect((await ok.req('POST', '/api/auth/login', { email: 'login@example.org', password: 'long enough pw' })).status).toBe(200);
    expect(await server.deps.storage.getSession(token)).toBeNull();
    const u = await server.deps.storage.getUserByEmail('login@example.org');
    expect(u?.passwordHash).toMatch(/^\$argon2id\$/);
  });

  it('sessions expire, and slide forward when used past half their life', async () => {
    let now = 1_000_000;
    const auth = new AuthService(server.deps.storage, 30, () => now);
    const user = await auth.signup('expiry@example.org', 'long enough pw', 'E');
    const s = await auth.createSession(user!.id);
    now += 10 * 86_400_000;
    expect((await auth.validateSessionToken(s.token))?.renewed).toBe(false);
    now += 10 * 86_400_000; // 20 days in: past half, renewed to now + 30 days
    const v = await auth.validateSessionToken(s.token);
    expect(v?.renewed).toBe(true);
    expect(v?.expiresAt).toBe(now + 30 * 86_400_000);
    now += 31 * 86_400_000;
    expect(await auth.validateSessionToken(s.token)).toBeNull();
  });

  it('makes an account wait after a few failed sign-ins from one address, but not other accounts there', async () => {
    const c = new Client(server.url);
    await c.req('POST', '/api/auth/signup', { email: 'rl@example.org', password: 'long enough pw', name: 'R' });
    const free = server.deps.config.limits.loginFreeAttempts;
    const statuses: number[] = [];
    for (let i = 0; i < free + 2; i++) statuses.push((await new Client(server.url).req('POST', '/api/auth/login', { email: 'rl@example.org', password: `nope ${i}` })).status);
    expect(statuses).toEqual([...Array(free).fill(401), 429, 429]);
    const blocked = await new Client(server.url).req('POST', '/api/auth/login', { email: 'rl@example.org', password: 'long enough pw' });
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toMatch(/^\d+$/);
    // Another account from the same address is not held up by this one's failures.
    const other = new Client(server.url);
    await other.req('POST', '/api/auth/signup', { email: 'rl2@example.org', password: 'long enough pw', name: 'R2' });
    expect((await new Client(server.url).req('POST', '/api/auth/login', { email: 'rl2@example.org', password: 'long enough pw' })).status).toBe(200);
  });

  it('personal access tokens authenticate scripts and can be revoked', async () => {
    const u = await makeUser(server.url, 'Scripter');
    const script = new Client(server.url, u.token);
    expect((await script.req('GET', '/api/me')).json.user.id).toBe(u.id);
    expect((await script.req('POST', '/api/tokens', { name: 'x' })).status).toBe(401); // tokens do not mint tokens
    const list = await u.client.req('GET', '/api/tokens');
    expect(list.json.tokens).toHaveLength(1);
    expect((await u.client.req('DELETE', `/api/tokens/${list.json.tokens[0].id}`)).status).toBe(204);
    expect((await script.req('GET', '/api/me')).status).toBe(401);
  });

  it('refuses cookie-authenticated changes from another site (CSRF)', async () => {
    const u = await makeUser(server.url, 'Csrf');
    const r = await u.client.req('POST', '/api/projects', { name: 'x' }, { origin: 'https://evil.example' });
    expect(r.status).toBe(403);
    expect((await u.client.req('POST', '/api/projects', { name: 'x' }, { origin: server.url })).status).toBe(201);
  });
});

describe('projects and members', () => {
  let owner: TestUser;
  let other: TestUser;
  let pid: string;
  beforeAll(async () => {
    owner = await makeUser(server.url, 'PO');
    other = await makeUser(server.url, 'PC');
    pid = await makeProject(owner, 'Interviews 2026');
  });

  it('lists projects with the caller\'s role and shows members', async () => {
    expect((await owner.client.req('GET', '/api/projects')).json).toEqual([{ id: pid, name: 'Interviews 2026', role: 'owner' }]);
    expect((await other.client.req('GET', `/api/projects/${pid}`)).status).toBe(404);
    const add = await owner.client.req('POST', `/api/projects/${pid}/members`, { email: other.email, role: 'commenter' });
    expect(add.status).toBe(201);
    const p = await other.client.req('GET', `/api/projects/${pid}`);
    expect(p.json.role).toBe('commenter');
    expect(p.json.members.map((m: { name: string; role: string }) => `${m.name}:${m.role}`).sort()).toEqual(['PC:commenter', 'PO:owner']);
  });

  it('only owners manage members; the last owner cannot leave', async () => {
    expect((await other.client.req('POST', `/api/projects/${pid}/members`, { email: other.email, role: 'owner' })).status).toBe(403);
    const bad = await owner.client.req('POST', `/api/projects/${pid}/members`, { email: other.email, role: 'superuser' });
    expect(bad.status).toBe(400);
    const unknown = await owner.client.req('POST', `/api/projects/${pid}/members`, { email: 'nobody@example.org', role: 'coder' });
    expect(unknown.status).toBe(404);
    const last = await owner.client.req('DELETE', `/api/projects/${pid}/members/${owner.id}`);
    expect(last.status).toBe(400);
    expect(last.json.error.code).toBe('last_owner');
  });

  it('answers unknown API routes with a JSON 404', async () => {
    const r = await owner.client.req('GET', '/api/nope');
    expect(r.status).toBe(404);
    expect(r.json.error.code).toBe('not_found');
    expect((await owner.client.req('GET', '/api/health')).json.ok).toBe(true);
  });
});

describe('the web app\'s files', () => {
  it('caches hashed assets for good and revalidates index.html and sw.js on every load', async () => {
    const dist = tempDir();
    fs.mkdirSync(path.join(dist, 'assets'));
    fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>Concord</title>');
    fs.writeFileSync(path.join(dist, 'sw.js'), 'self.addEventListener("fetch", () => {});');
    fs.writeFileSync(path.join(dist, 'assets', 'index-3f2a.js'), 'console.log(1)');
    const web = await startTestServer({ webDist: dist });
    try {
      const get = (p: string) => fetch(web.url + p);
      const asset = await get('/assets/index-3f2a.js');
      expect(asset.status).toBe(200);
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      const sw = await get('/sw.js');
      expect(sw.status).toBe(200);
      expect(sw.headers.get('content-type')).toMatch(/javascript/);
      expect(sw.headers.get('cache-control')).toBe('no-cache');
      for (const p of ['/', '/index.html', '/projects/abc/transcripts/def']) {
        const page = await get(p);
        expect(page.status).toBe(200);
        expect(await page.text()).toContain('<title>Concord</title>');
        expect(page.headers.get('cache-control'), p).toBe('no-cache');
      }
    } finally {
      await web.close();
    }
  });
});
