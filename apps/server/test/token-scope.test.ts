import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode, codebookRoom } from '@concord/shared';
import type { ConcordServer } from '../src/server.ts';
import { loadConfig } from '../src/env.ts';
import { Client, closeCodeFor, connect, destroyProviders, makeProject, makeUser, startTestServer, synced, TEST_ENV, waitFor, type TestUser } from './helpers.ts';

describe('access token expiry and scope', () => {
  let s: ConcordServer;
  let owner: TestUser;
  let pid: string;
  let other: string;

  beforeAll(async () => {
    // Open sockets re-check their credential often here (see the expiry test).
    s = await startTestServer({ limits: { ...loadConfig(TEST_ENV).limits, credentialCheckMs: 100 } });
    owner = await makeUser(s.url, 'Tess');
    pid = await makeProject(owner, 'Scoped');
    other = await makeProject(owner, 'Other');
  });
  afterAll(async () => { await s.close(); });
  afterEach(() => destroyProviders());

  async function token(body: Record<string, unknown>): Promise<string> {
    const r = await owner.client.req('POST', '/api/tokens', { name: 'script', ...body });
    expect(r.status).toBe(201);
    return r.json.token as string;
  }

  it('a read-only token reads but cannot write over HTTP', async () => {
    const c = new Client(s.url, await token({ readOnly: true }));
    expect((await c.req('GET', '/api/projects')).status).toBe(200);
    expect((await c.req('GET', `/api/projects/${pid}/codebook`)).status).toBe(200);
    for (const [m, p, b] of [
      ['POST', '/api/projects', { name: 'New' }],
      ['POST', `/api/projects/${pid}/transcripts`, { name: 'T', text: 'A: hello' }],
      ['POST', `/api/projects/${pid}/members`, { email: 'x@example.org', role: 'coder' }],
      ['DELETE', `/api/projects/${other}`, undefined],
    ] as const) {
      const r = await c.req(m, p, b);
      expect(r.status, `${m} ${p}`).toBe(403);
      expect(r.json.error.code).toBe('read_only_token');
    }
    expect((await owner.client.req('GET', `/api/projects/${other}`)).status).toBe(200);
    expect((await owner.client.req('GET', `/api/projects/${pid}`)).json.transcripts).toEqual([]);
  });

  it('a read-only token syncs but its changes are not taken', async () => {
    const room = codebookRoom(pid);
    const watcher = connect(s.url, room, owner.token);
    const reader = connect(s.url, room, await token({ readOnly: true }));
    await Promise.all([synced(watcher), synced(reader)]);
    reader.doc.getMap('probe').set('from-reader', 1);
    watcher.doc.getMap('probe').set('sentinel', 1);
    await waitFor(() => reader.doc.getMap('probe').get('sentinel') === 1, 5000, 'reader still receives');
    await new Promise((r) => setTimeout(r, 200));
    expect(watcher.doc.getMap('probe').get('from-reader')).toBeUndefined();
    const fresh = connect(s.url, room, owner.token, new Y.Doc());
    await synced(fresh);
    expect(fresh.doc.getMap('probe').get('sentinel')).toBe(1);
    expect(fresh.doc.getMap('probe').get('from-reader')).toBeUndefined();
  });

  it('a token for one project reaches no other, over HTTP or sync', async () => {
    const t = await token({ projectId: pid });
    const c = new Client(s.url, t);
    expect((await c.req('GET', '/api/projects')).json.map((p: { id: string }) => p.id)).toEqual([pid]);
    expect((await c.req('GET', `/api/projects/${pid}`)).status).toBe(200);
    expect((await c.req('GET', `/api/projects/${other}`)).status).toBe(404);
    expect((await c.req('POST', '/api/projects', { name: 'New' })).status).toBe(403);
    // It may write in its project (it is not read-only).
    expect((await c.req('POST', `/api/projects/${pid}/transcripts`, { name: 'T', text: 'A: hello' })).status).toBe(201);
    const p = connect(s.url, codebookRoom(pid), t);
    await synced(p);
    expect(await closeCodeFor(s.url, codebookRoom(other), { token: t })).toBe(CloseCode.Forbidden);
    // Only for projects its user is in.
    const stranger = await makeUser(s.url, 'Stan');
    expect((await stranger.client.req('POST', '/api/tokens', { name: 'x', projectId: pid })).status).toBe(404);
  });

  it('an expired token is refused over HTTP and sync, and a socket open when it expires is closed', async () => {
    const past = await s.deps.auth.createAccessToken(owner.id, 'old', { expiresAt: Date.now() - 1 });
    expect((await new Client(s.url, past.token).req('GET', '/api/projects')).status).toBe(401);
    expect(await closeCodeFor(s.url, codebookRoom(pid), { token: past.token })).toBe(CloseCode.Unauthorized);

    const soon = await s.deps.auth.createAccessToken(owner.id, 'soon', { expiresAt: Date.now() + 1500 });
    const p = connect(s.url, codebookRoom(pid), soon.token);
    let code = 0;
    p.on('connection-close', (e: { code: number } | null) => { if (e && !code) code = e.code; });
    await synced(p);
    await waitFor(() => code !== 0, 15_000, 'the socket to close when the token expires');
    expect(code).toBe(CloseCode.Unauthorized);

    const r = await owner.client.req('POST', '/api/tokens', { name: 'month', expiresInDays: 30 });
    expect(r.json.expiresAt).toBeGreaterThan(Date.now() + 29 * 24 * 3600 * 1000);
    expect((await new Client(s.url, r.json.token).req('GET', '/api/projects')).status).toBe(200);
    expect((await owner.client.req('POST', '/api/tokens', { name: 'bad', expiresInDays: 0 })).status).toBe(400);
  });
});
