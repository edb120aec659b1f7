/**
 * Sign-up policy (open, by invitation, off; allowed domains; throttled; strong
 * passwords; no answer that tells which addresses have accounts) and password
 * changes that end every session, token and socket of the account.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode, codebookRoom } from '@concord/shared';
import { loadConfig, type Config } from '../src/env.ts';
import type { ConcordServer } from '../src/server.ts';
import { Client, connect, destroyProviders, makeProject, makeUser, startTestServer, synced } from './helpers.ts';

const DEFAULTS = loadConfig({}).limits;
const signup = (server: ConcordServer, email: string, password = 'correct horse battery', name = 'Someone') =>
  new Client(server.url).req('POST', '/api/auth/signup', { email, password, name });

afterEach(() => destroyProviders());

function withServer(overrides: Partial<Config>): () => ConcordServer {
  let server: ConcordServer;
  beforeAll(async () => { server = await startTestServer(overrides); });
  afterAll(async () => { await server.close(); });
  return () => server;
}

describe('open sign-up', () => {
  const server = withServer({ signupDomains: ['uni.edu'], limits: { ...DEFAULTS, signupsPerIpPerHour: 4 } });

  it('refuses weak passwords with advice, addresses outside the allowed domains, and throttles an address', async () => {
    const weak = await signup(server(), 'weak@uni.edu', 'password');
    expect(weak.status).toBe(400);
    expect(weak.json.error.code).toBe('weak_password');
    expect(weak.json.error.message).toMatch(/too easy to guess/);
    const own = await signup(server(), 'ada.lovelace@uni.edu', 'ada lovelace 1815', 'Ada Lovelace');
    expect(own.json.error.code).toBe('weak_password');
    const foreign = await signup(server(), 'x@gmail.com');
    expect(foreign.status).toBe(403);
    expect(foreign.json.error.message).toMatch(/uni\.edu/);
    const made = [];
    for (let i = 0; i < 4; i++) made.push((await signup(server(), `n${i}@uni.edu`)).status);
    expect(made).toEqual([201, 201, 201, 201]);
    const throttled = await signup(server(), 'n5@uni.edu');
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('sign-up that does not list accounts', () => {
  const server = withServer({});

  it('answers an existing address like any refused sign-up, and signs in its owner who signs up again', async () => {
    expect((await signup(server(), 'taken@example.org')).status).toBe(201);
    const other = await signup(server(), 'taken@example.org', 'another strong passphrase');
    expect(other.status).toBe(403);
    expect(other.json.error.code).toBe('signup_refused');
    expect(other.text).not.toMatch(/exists|taken/i);
    const again = await signup(server(), 'taken@example.org');
    expect(again.status).toBe(201);
  });
});

describe('sign-up by invitation', () => {
  const server = withServer({ signup: 'invite' });

  it('lets invited addresses sign up once and refuses others exactly as it refuses existing accounts', async () => {
    await server().deps.storage.addInvitation('guest@example.org', Date.now());
    expect((await signup(server(), 'guest@example.org')).status).toBe(201);
    const uninvited = await signup(server(), 'stranger@example.org');
    const existing = await signup(server(), 'guest@example.org', 'a different long passphrase');
    expect(uninvited.status).toBe(403);
    expect({ status: existing.status, body: existing.json }).toEqual({ status: uninvited.status, body: uninvited.json });
  });
});

describe('sign-up off', () => {
  const server = withServer({ signup: 'off' });

  it('refuses every sign-up', async () => {
    const r = await signup(server(), 'anyone@example.org');
    expect(r.status).toBe(403);
    expect(r.json.error.message).toMatch(/administrator/);
  });
});

describe('changing a password', () => {
  const server = withServer({});

  it('needs the current password and a strong new one, then ends every other session, token and socket', async () => {
    const u = await makeUser(server().url, 'Changer');
    const pid = await makeProject(u);
    const other = new Client(server().url);
    expect((await other.req('POST', '/api/auth/login', { email: u.email, password: 'correct horse battery' })).status).toBe(200);
    const p = connect(server().url, codebookRoom(pid), u.token);
    await synced(p);
    const closed = new Promise<number>((resolve) => p.on('connection-close', (e) => resolve(e?.code ?? 0)));
    expect((await u.client.req('POST', '/api/auth/password', { currentPassword: 'wrong one', password: 'new long passphrase here' })).status).toBe(403);
    expect((await u.client.req('POST', '/api/auth/password', { currentPassword: 'correct horse battery', password: 'password1' })).json.error.code).toBe('weak_password');
    const ok = await u.client.req('POST', '/api/auth/password', { currentPassword: 'correct horse battery', password: 'new long passphrase here' });
    expect(ok.status).toBe(200);
    expect(await closed).toBe(CloseCode.Unauthorized);
    expect((await new Client(server().url, u.token).req('GET', '/api/me')).status).toBe(401);
    expect((await other.req('GET', '/api/me')).status).toBe(401);
    // This browser got a new session.
    expect((await u.client.req('GET', '/api/me')).status).toBe(200);
  });

  it('a disabled account cannot sign in and its sessions and sockets end at the next check', async () => {
    const u = await makeUser(server().url, 'Leaving');
    const pid = await makeProject(u);
    const p = connect(server().url, codebookRoom(pid), u.token);
    await synced(p);
    const closed = new Promise<number>((resolve) => p.on('connection-close', (e) => resolve(e?.code ?? 0)));
    // As `concord user disable` does, from another process: only the database changes.
    await server().deps.storage.setUserDisabled(u.id, Date.now());
    expect(await server().sync.checkCredentials()).toBe(1);
    expect(await closed).toBe(CloseCode.Unauthorized);
    expect((await u.client.req('GET', '/api/me')).status).toBe(401);
    expect((await new Client(server().url).req('POST', '/api/auth/login', { email: u.email, password: 'correct horse battery' })).status).toBe(401);
  });
});
