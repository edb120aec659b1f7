import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import * as Y from 'yjs';
import { CloseCode, codebookRoom, LIMITS } from '@concord/shared';
import {
  Client, closeCodeFor, connect, destroyProviders, makeProject, makeUser, startTestServer, synced, waitFor,
} from './helpers.ts';
import {
  closeCode, createPgSchema, describeAuthorizationMatrix, openSocket, setupMatrixFixture, type MatrixFixture, type PgSchema,
} from './cluster.ts';
import { hashSecret } from '../src/auth/tokens.ts';
import type { ConcordServer } from '../src/server.ts';

/**
 * Authorisation and authentication, over BOTH storage backends: the room matrix
 * (role × room kind × read/write), foreign origins, session expiry and logout,
 * token revocation and login rate limiting, on HTTP and on /sync. Then the
 * per-IP connection limit.
 */
afterEach(() => destroyProviders());

const BACKENDS: { label: string; start(): Promise<{ server: ConcordServer; cleanup(): Promise<void> }> }[] = [
  {
    label: 'SQLite',
    start: async () => {
      const server = await startTestServer({ trustProxy: ['loopback'] });
      return { server, cleanup: () => server.close() };
    },
  },
  {
    label: 'PostgreSQL',
    start: async () => {
      const schema: PgSchema = await createPgSchema();
      const server = await startTestServer({ databaseUrl: schema.url, trustProxy: ['loopback'] });
      expect(server.deps.storage.kind).toBe('postgres');
      return { server, cleanup: async () => { await server.close(); await schema.drop(); } };
    },
  },
];

/** Signs up a user with a browser-like cookie session (and returns the session's cookie token). */
async function browserUser(url: string, name: string): Promise<{ client: Client; email: string; password: string; token: string; id: string }> {
  const client = new Client(url);
  const email = `${name.toLowerCase()}-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.org`;
  const password = 'correct horse battery';
  const r = await client.req('POST', '/api/auth/signup', { email, password, name });
  expect(r.status).toBe(201);
  return { client, email, password, token: sessionToken(client), id: r.json.user.id };
}

function sessionToken(client: Client): string {
  const m = /^concord_session=(.*)$/.exec(client.cookie);
  if (!m) throw new Error('no session cookie');
  return decodeURIComponent(m[1]!);
}

for (const backend of BACKENDS) {
  describe(`${backend.label} backend`, () => {
    let server: ConcordServer;
    let cleanup: () => Promise<void>;
    let fixture: MatrixFixture;
    beforeAll(async () => {
      ({ server, cleanup } = await backend.start());
      fixture = await setupMatrixFixture(server.url);
    });
    afterAll(async () => { await cleanup(); });

    describeAuthorizationMatrix(backend.label, () => fixture);

    describe('origins, sessions, tokens, login limits', () => {
      it('refuses a foreign Origin on /sync (403 before the upgrade) and on cookie-authenticated API writes', async () => {
        const room = codebookRoom(fixture.pid);
        const owner = fixture.users.owner;
        expect(await closeCodeFor(server.url, room, { token: owner.token, headers: { origin: 'https://evil.example' } })).toBe(403);
        // A session cookie from a foreign page is refused too.
        expect(await closeCodeFor(server.url, room, { headers: { origin: 'https://evil.example', cookie: owner.client.cookie } })).toBe(403);
        expect((await owner.client.req('POST', '/api/projects', { name: 'x' }, { origin: 'https://evil.example' })).status).toBe(403);
        // The server's own origin works, by cookie and by token.
        const own = connect(server.url, room, null, new Y.Doc(), { headers: { origin: server.url, cookie: owner.client.cookie } });
        await synced(own);
      });

      it('an expired session opens neither the API nor /sync', async () => {
        const u = await browserUser(server.url, 'Expiring');
        const pid = (await u.client.req('POST', '/api/projects', { name: 'Mine' })).json.id as string;
        const room = codebookRoom(pid);
        const live = connect(server.url, room, null, new Y.Doc(), { headers: { cookie: u.client.cookie } });
        await synced(live);
        live.destroy();
        await server.deps.storage.updateSessionExpiry(hashSecret(u.token), Date.now() - 1000);
        const replay = new Client(server.url);
        replay.cookie = u.client.cookie;
        expect((await replay.req('GET', '/api/me')).status).toBe(401);
        expect(await closeCodeFor(server.url, room, { headers: { cookie: u.client.cookie } })).toBe(CloseCode.Unauthorized);
        // The expired session row is gone for good, not merely refused.
        expect(await server.deps.storage.getSession(hashSecret(u.token))).toBeNull();
      });

      it('after logout the old session cookie opens neither the API nor /sync', async () => {
        const u = await browserUser(server.url, 'Leaving');
        const pid = (await u.client.req('POST', '/api/projects', { name: 'Mine' })).json.id as string;
        const room = codebookRoom(pid);
        const cookie = u.client.cookie;
        const live = connect(server.url, room, null, new Y.Doc(), { headers: { cookie } });
        await synced(live);
        live.destroy();
        expect((await u.client.req('POST', '/api/auth/logout')).status).toBe(204);
        const replay = new Client(server.url);
        replay.cookie = cookie;
        expect((await replay.req('GET', '/api/me')).status).toBe(401);
        expect(await closeCodeFor(server.url, room, { headers: { cookie } })).toBe(CloseCode.Unauthorized);
        // Signing in again gives a new session that works.
        const again = new Client(server.url);
        expect((await again.req('POST', '/api/auth/login', { email: u.email, password: u.password })).status).toBe(200);
        expect(again.cookie).not.toBe(cookie);
        const back = connect(server.url, room, null, new Y.Doc(), { headers: { cookie: again.cookie } });
        await synced(back);
      });

      it('a revoked personal access token no longer opens /sync or the API', async () => {
        const u = await makeUser(server.url, 'Script');
        const pid = await makeProject(u);
        const room = codebookRoom(pid);
        const made = await u.client.req('POST', '/api/tokens', { name: 'ci' });
        expect(made.status).toBe(201);
        const token = made.json.token as string;
        const p = connect(server.url, room, token);
        await synced(p);
        p.destroy();
        expect((await u.client.req('DELETE', `/api/tokens/${encodeURIComponent(made.json.id as string)}`)).status).toBe(204);
        expect(await closeCodeFor(server.url, room, { token })).toBe(CloseCode.Unauthorized);
        expect((await new Client(server.url, token).req('GET', '/api/me')).status).toBe(401);
        // The user's other token still works.
        expect(await new Promise<boolean>((resolve) => {
          const q = connect(server.url, room, u.token);
          synced(q).then(() => resolve(true), () => resolve(false));
        })).toBe(true);
      });

      it('failed sign-ins make that account wait at that address only: its owner elsewhere signs in (clients told apart by a trusted proxy)', async () => {
        const u = await browserUser(server.url, 'Guessed');
        const limits = server.deps.config.limits;
        const from = (ip: string) => ({ 'x-forwarded-for': ip });
        const login = async (password: string, ip: string) => new Client(server.url).req('POST', '/api/auth/login', { email: u.email, password }, from(ip));
        const statuses: number[] = [];
        for (let i = 0; i < limits.loginFreeAttempts; i++) statuses.push((await login(`wrong ${i}`, '198.51.100.66')).status);
        expect(statuses).toEqual(Array(limits.loginFreeAttempts).fill(401));
        // The guesser's address now waits, even with the right password…
        const blocked = await login(u.password, '198.51.100.66');
        expect(blocked.status).toBe(429);
        expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
        // …the owner at their own address is not locked out, and their session is unaffected.
        expect((await login(u.password, '203.0.113.5')).status).toBe(200);
        expect((await u.client.req('GET', '/api/me')).status).toBe(200);
      });
    });
  });
}
