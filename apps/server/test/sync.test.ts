import { hashSecret } from '../src/auth/tokens.ts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import { CloseCode, codebookRoom, LIMITS, transcriptRoom } from '@concord/shared';
import {
  addMember, closeCodeFor, connect, destroyProviders, makeProject, makeTranscript, makeUser, startTestServer, synced, waitFor,
  type TestUser,
} from './helpers.ts';
import type { ConcordServer } from '../src/server.ts';

let server: ConcordServer & { dataDir: string };
let owner: TestUser;
let pid: string;
let tid: string;

beforeAll(async () => {
  server = await startTestServer();
  owner = await makeUser(server.url, 'Owner');
  pid = await makeProject(owner);
  tid = await makeTranscript(owner, pid);
});
afterEach(() => destroyProviders());
afterAll(async () => { await server.close(); });

describe('sync over the y-websocket protocol', () => {
  it('two clients converge and see each other\'s awareness; a third joining late gets everything', async () => {
    const room = transcriptRoom(pid, tid);
    const a = connect(server.url, room, owner.token);
    const b = connect(server.url, room, owner.token);
    await Promise.all([synced(a), synced(b)]);
    a.doc.getText('body').insert(0, 'A says hi. ');
    b.doc.getText('body').insert(0, 'B too. ');
    await waitFor(() => a.doc.getText('body').toString() === b.doc.getText('body').toString()
      && a.doc.getText('body').toString().includes('A says hi.') && a.doc.getText('body').toString().includes('B too.'), 5000, 'convergence');
    a.awareness.setLocalStateField('user', { name: 'Ada', color: '#f00' });
    await waitFor(() => (b.awareness.getStates().get(a.doc.clientID) as { user?: { name: string } } | undefined)?.user?.name === 'Ada', 5000, 'awareness');
    const c = connect(server.url, room, owner.token);
    await synced(c);
    await waitFor(() => c.doc.getText('body').toString() === a.doc.getText('body').toString(), 5000, 'late joiner');
    await waitFor(() => c.awareness.getStates().has(a.doc.clientID), 5000, 'late awareness');
  });

  it('removes a connection\'s awareness the moment it closes', async () => {
    const room = transcriptRoom(pid, tid);
    const a = connect(server.url, room, owner.token);
    const b = connect(server.url, room, owner.token);
    await Promise.all([synced(a), synced(b)]);
    a.awareness.setLocalStateField('user', { name: 'Ada' });
    await waitFor(() => b.awareness.getStates().has(a.doc.clientID));
    a.ws?.close(); // a socket drop, not a polite disconnect
    a.shouldConnect = false;
    await waitFor(() => !b.awareness.getStates().has(a.doc.clientID), 3000, 'awareness removal');
  });

  it('buffers frames sent while the room loads instead of dropping them', async () => {
    const room = codebookRoom(pid);
    const doc = new Y.Doc();
    doc.getMap('m').set('early', 'bird');
    const enc = encoding.createEncoder();
    encoding.writeVarUint(enc, 0);
    syncProtocol.writeUpdate(enc, Y.encodeStateAsUpdate(doc));
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/sync/${room}?token=${owner.token}`);
    await new Promise<void>((r) => ws.on('open', () => { ws.send(encoding.toUint8Array(enc)); r(); }));
    const p = connect(server.url, room, owner.token);
    await synced(p);
    await waitFor(() => p.doc.getMap('m').get('early') === 'bird', 5000, 'early update');
    ws.close();
  });

  it('unloads a room once its last connection leaves, and loads it again with everything', async () => {
    const room = codebookRoom(pid);
    const a = connect(server.url, room, owner.token);
    await synced(a);
    a.doc.getMap('m').set('k', 'v');
    await waitFor(() => server.deps.rooms.rooms.get(room)?.state === 'ready');
    a.destroy();
    await waitFor(() => !server.deps.rooms.rooms.has(room), 5000, 'unload');
    const b = connect(server.url, room, owner.token);
    await synced(b);
    await waitFor(() => b.doc.getMap('m').get('k') === 'v', 5000, 'reload');
  });

  it('closes only the connection that sends a malformed frame', async () => {
    const room = transcriptRoom(pid, tid);
    const good = connect(server.url, room, owner.token);
    const watcher = connect(server.url, room, owner.token);
    await Promise.all([synced(good), synced(watcher)]);
    const codes: number[] = [];
    for (const frame of [new Uint8Array([0, 2, 200, 1, 2]), new Uint8Array([7, 1, 1]), new Uint8Array([0, 2, 5, 1, 2, 3, 4, 5])]) {
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/sync/${room}?token=${owner.token}`);
      codes.push(await new Promise<number>((resolve) => {
        ws.on('open', () => ws.send(frame));
        ws.on('close', (code) => resolve(code));
      }));
    }
    expect(codes).toEqual([CloseCode.BadMessage, CloseCode.BadMessage, CloseCode.BadMessage]);
    good.doc.getText('body').insert(0, 'still syncing ');
    await waitFor(() => watcher.doc.getText('body').toString().startsWith('still syncing'), 5000, 'others keep syncing');
    expect(good.wsconnected && watcher.wsconnected).toBe(true);
  });

  it('closes only the connection that sends an oversized frame', async () => {
    const room = transcriptRoom(pid, tid);
    const good = connect(server.url, room, owner.token);
    const watcher = connect(server.url, room, owner.token);
    await Promise.all([synced(good), synced(watcher)]);
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/sync/${room}?token=${owner.token}`);
    const code = await new Promise<number>((resolve) => {
      ws.on('open', () => ws.send(new Uint8Array(LIMITS.maxFrameBytes + 1024)));
      ws.on('close', (c) => resolve(c));
    });
    expect(code).toBe(CloseCode.TooLarge);
    good.doc.getText('body').insert(0, 'after the big one ');
    await waitFor(() => watcher.doc.getText('body').toString().startsWith('after the big one'), 5000, 'others keep syncing');
  });

  it('drops a connection that piles up updates whose dependencies never arrive, and what it piled up', async () => {
    const room = codebookRoom(pid);
    const honest = connect(server.url, room, owner.token);
    await synced(honest);
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/sync/${room}?token=${owner.token}`);
    await new Promise<void>((r) => ws.on('open', () => r()));
    const closed = new Promise<number>((resolve) => ws.on('close', (c) => resolve(c)));
    for (let i = 0; i < 4 && ws.readyState === ws.OPEN; i++) {
      const d = new Y.Doc();
      const t = d.getText('orphans');
      t.insert(0, 'x');
      const sv = Y.encodeStateVector(d);
      t.insert(1, 'y'.repeat(1_500_000)); // depends on the 'x' that is never sent
      const enc = encoding.createEncoder();
      encoding.writeVarUint(enc, 0);
      syncProtocol.writeUpdate(enc, Y.encodeStateAsUpdate(d, sv));
      ws.send(encoding.toUint8Array(enc));
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await closed).toBe(CloseCode.BadMessage);
    const doc = server.deps.rooms.rooms.get(room)!.doc;
    expect(doc.store.pendingStructs).toBeNull();
    // A client joining now is not sent megabytes of orphans, and the room still syncs.
    const late = connect(server.url, room, owner.token);
    await synced(late);
    expect(Y.encodeStateAsUpdate(late.doc).length).toBeLessThan(100_000);
    honest.doc.getMap('m').set('after', 1);
    await waitFor(() => late.doc.getMap('m').get('after') === 1, 5000, 'room still syncs');
  });

  it('closes a connection that floods messages (4429) and keeps the room up', async () => {
    const room = transcriptRoom(pid, tid);
    const watcher = connect(server.url, room, owner.token);
    await synced(watcher);
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/sync/${room}?token=${owner.token}`);
    const code = await new Promise<number>((resolve) => {
      ws.on('open', () => {
        const q = new Uint8Array([3]); // query-awareness, harmless on its own
        for (let i = 0; i < LIMITS.messageBurst + 200; i++) ws.send(q);
      });
      ws.on('close', (c) => resolve(c));
    });
    expect(code).toBe(CloseCode.RateLimited);
    expect(watcher.wsconnected).toBe(true);
  });

  it('refuses upgrades without credentials (4401), to unknown rooms (4404) and from foreign origins', async () => {
    expect(await closeCodeFor(server.url, transcriptRoom(pid, tid))).toBe(CloseCode.Unauthorized);
    expect(await closeCodeFor(server.url, transcriptRoom(pid, tid), { token: 'cpat_notatoken' })).toBe(CloseCode.Unauthorized);
    expect(await closeCodeFor(server.url, `${pid}/nonsense`, { token: owner.token })).toBe(CloseCode.UnknownRoom);
    expect(await closeCodeFor(server.url, transcriptRoom(pid, 'nosuchtranscript'), { token: owner.token })).toBe(CloseCode.UnknownRoom);
    expect(await closeCodeFor(server.url, codebookRoom('nosuchproject'), { token: owner.token })).toBe(CloseCode.UnknownRoom);
    expect(await closeCodeFor(server.url, codebookRoom(pid), { token: owner.token, headers: { origin: 'https://evil.example' } })).toBe(403);
    // Our own origin is fine.
    const own = connect(server.url, codebookRoom(pid), owner.token, new Y.Doc(), { headers: { origin: server.url } });
    await synced(own);
  });

  it('re-checks open sockets\' sessions and tokens in storage: ended or deleted ones close (4401), live ones stay', async () => {
    const u = await makeUser(server.url, 'Sleeper');
    await addMember(owner, pid, u, 'coder');
    const open = async (headers: Record<string, string>, token = '') => {
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/sync/${codebookRoom(pid)}${token ? `?token=${token}` : ''}`, { headers });
      const code = new Promise<number>((resolve) => ws.on('close', (c) => resolve(c)));
      await new Promise<void>((resolve) => ws.once('message', () => resolve()));
      return { ws, code };
    };
    const cookie = await open({ cookie: u.client.cookie });
    const token = await open({}, u.token);
    expect(await server.sync.checkCredentials()).toBe(0);
    expect(cookie.ws.readyState).toBe(WebSocket.OPEN);
    // The session ends in storage (expired, or deleted by another process): the next check closes its socket only.
    const sessionId = hashSecret(decodeURIComponent(u.client.cookie.slice(u.client.cookie.indexOf('=') + 1)));
    await server.deps.storage.updateSessionExpiry(sessionId, Date.now() - 1000);
    expect(await server.sync.checkCredentials()).toBe(1);
    expect(await cookie.code).toBe(CloseCode.Unauthorized);
    expect(token.ws.readyState).toBe(WebSocket.OPEN);
    expect(await closeCodeFor(server.url, codebookRoom(pid), { headers: { cookie: u.client.cookie } })).toBe(CloseCode.Unauthorized);
    // A token deleted straight in the database (no revocation message at all) closes at the next check too.
    await server.deps.storage.deleteUserTokens(u.id);
    expect(await server.sync.checkCredentials()).toBe(1);
    expect(await token.code).toBe(CloseCode.Unauthorized);
  });

  it('revoking an access token or signing out closes the sockets opened with it', async () => {
    const u = await makeUser(server.url, 'Leaver');
    await addMember(owner, pid, u, 'coder');
    const p = connect(server.url, codebookRoom(pid), u.token);
    await synced(p);
    const closed = new Promise<number>((resolve) => p.on('connection-close', (e) => resolve(e?.code ?? 0)));
    const list = await u.client.req('GET', '/api/tokens');
    expect((await u.client.req('DELETE', `/api/tokens/${list.json.tokens[0].id}`)).status).toBe(204);
    expect(await closed).toBe(CloseCode.Unauthorized);
    // A browser session: the cookie's socket closes on logout.
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/sync/${codebookRoom(pid)}`, { headers: { cookie: u.client.cookie } });
    await new Promise<void>((resolve) => ws.on('message', () => resolve()));
    const code = new Promise<number>((resolve) => ws.on('close', (c) => resolve(c)));
    expect((await u.client.req('POST', '/api/auth/logout')).status).toBe(204);
    expect(await code).toBe(CloseCode.Unauthorized);
  });

  it('closes a member\'s sockets when their membership is revoked', async () => {
    const coder = await makeUser(server.url, 'Revoked');
    await addMember(owner, pid, coder, 'coder');
    const p = connect(server.url, codebookRoom(pid), coder.token);
    await synced(p);
    const closed = new Promise<number>((resolve) => p.on('connection-close', (e) => resolve(e?.code ?? 0)));
    const r = await owner.client.req('DELETE', `/api/projects/${pid}/members/${coder.id}`);
    expect(r.status).toBe(204);
    expect(await closed).toBe(CloseCode.AccessChanged);
    // Its reconnect is refused for good.
    await waitFor(() => !p.shouldConnect, 5000, 'final refusal');
  });
});
