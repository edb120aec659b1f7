/**
 * Concord behind a real nginx (the README's configuration): 300 simultaneous
 * WebSocket clients all connect through it and sync, and 50 failed sign-ins from
 * one client behind it (which also claims another address in X-Forwarded-For)
 * lock out neither the others nor the account's owner. Clients come from
 * different loopback addresses (127.0.0.x), as people behind the proxy would;
 * Concord trusts one proxy hop (CONCORD_TRUST_PROXY=1).
 */
import fs from 'node:fs';
import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CodebookDoc, codebookRoom } from '@concord/shared';
import type { ConcordServer } from '../src/server.ts';
import { addMember, connect, destroyProviders, makeProject, makeUser, startTestServer, synced, waitFor, type TestUser } from './helpers.ts';
import { NGINX, startNginx } from './nginx.ts';

const HAVE_NGINX = fs.existsSync(NGINX);
if (!HAVE_NGINX) console.warn(`proxy.test.ts skipped: nginx is not installed at ${NGINX} (apt-get install nginx; CI installs it).`);

/** POST JSON from a chosen local address (the client's address as nginx sees it). */
function postFrom(localAddress: string, url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request(url, { method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...headers } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

describe.skipIf(!HAVE_NGINX)('behind nginx', () => {
  let server: ConcordServer;
  let proxy: Awaited<ReturnType<typeof startNginx>>;
  beforeAll(async () => {
    server = await startTestServer({ trustProxy: 1 });
    proxy = await startNginx(server.port);
  });
  afterAll(async () => {
    destroyProviders();
    await proxy?.stop();
    await server?.close();
  });
  afterEach(() => destroyProviders());

  it('300 simultaneous WebSocket clients all connect through the proxy and sync', async () => {
    const owner = await makeUser(proxy.url, 'Host');
    const pid = await makeProject(owner);
    const people: TestUser[] = [owner];
    for (let i = 0; i < 19; i++) {
      const u = await makeUser(proxy.url, `Member${i}`);
      await addMember(owner, pid, u, 'coder');
      people.push(u);
    }
    const room = codebookRoom(pid);
    const clients = Array.from({ length: 300 }, (_, i) => connect(proxy.url, room, people[i % people.length]!.token, new Y.Doc()));
    await Promise.all(clients.map((p) => synced(p, 120_000)));
    expect(server.sync.connectionCount).toBe(300);
    // One writes; all 300 receive it through the proxy.
    new CodebookDoc(clients[7]!.doc).createCode({ id: 'hello', name: 'through nginx' });
    await waitFor(() => clients.every((p) => new CodebookDoc(p.doc).get('hello')?.name === 'through nginx'), 60_000, 'every client to receive the update');
    expect(proxy.log()).not.toMatch(/\[(error|crit|alert|emerg)\]/);
  }, 240_000);

  it('50 failed sign-ins from one client behind it lock out neither the others nor the rightful user', async () => {
    const victim = await makeUser(proxy.url, 'Victim');
    const others = await Promise.all([0, 1, 2, 3, 4].map((i) => makeUser(proxy.url, `Colleague${i}`)));
    const login = `${proxy.url}/api/auth/login`;
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) {
      // The attacker also claims to be the victim's address; one trusted hop means nginx's word only.
      statuses.push((await postFrom('127.0.0.66', login, { email: victim.email, password: `guess ${i}` }, { 'x-forwarded-for': '127.0.0.7' })).status);
    }
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    expect(statuses.filter((s) => s === 401).length).toBeGreaterThanOrEqual(server.deps.config.limits.loginFreeAttempts);
    expect(statuses.at(-1)).toBe(429);
    // The rightful user, at their own address, signs in at once; so does everyone else.
    expect((await postFrom('127.0.0.7', login, { email: victim.email, password: 'correct horse battery' })).status).toBe(200);
    for (const [i, u] of others.entries()) {
      expect((await postFrom(`127.0.0.${20 + i}`, login, { email: u.email, password: 'correct horse battery' })).status).toBe(200);
    }
    // A colleague at the attacker's own address (same NAT) signing in to their own account is not held up either.
    expect((await postFrom('127.0.0.66', login, { email: others[0]!.email, password: 'correct horse battery' })).status).toBe(200);
  }, 120_000);
});
