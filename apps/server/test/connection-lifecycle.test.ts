/**
 * What a sync socket leaves behind: every way a socket can end (clean close,
 * dropped, refused credentials, unknown room, closed while being authorised,
 * refused handshake) returns the server's socket, room and per-address counts to
 * zero; frames sent before the server has admitted a socket are kept and handled
 * once it is; a socket that floods before it is admitted is closed, and so is one
 * whose credential or membership is revoked while the server admits it.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { CloseCode, codebookRoom, LIMITS, transcriptRoom } from '@concord/shared';
import { loadConfig } from '../src/env.ts';
import { startServer, type ConcordServer } from '../src/server.ts';
import { SqliteStorage } from '../src/storage/sqlite.ts';
import type { Storage } from '../src/storage/types.ts';
import { closeCode, syncStep1Frame, syncUrl, updateFrame } from './cluster.ts';
import { closeCodeFor, makeProject, makeTranscript, makeUser, startTestServer, tempDir, waitFor, type TestUser } from './helpers.ts';

const parseRoomProject = (room: string): string => room.split('/')[0]!;

/** Resolves with the first frame the server sends (its sync step 1), or rejects when the socket closes first. */
function firstFrame(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.once('message', () => resolve());
    ws.once('close', (code: number) => reject(new Error(`closed with ${code}`)));
    ws.once('error', reject);
  });
}

async function settled(server: ConcordServer): Promise<void> {
  await waitFor(() => server.sync.connectionCount === 0, 10_000, 'every socket released');
  await waitFor(() => server.sync.addressCount === 0, 10_000, 'every address released');
  await waitFor(() => server.deps.rooms.rooms.size === 0, 10_000, 'every room unloaded');
}

/** An upgrade request `ws` refuses during the handshake (bad Sec-WebSocket-Key), on a raw TCP socket. */
function refusedHandshake(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: nope\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    });
    let answer = '';
    s.on('data', (d: Buffer) => { answer += d.toString(); });
    s.on('close', () => resolve(answer.split('\r\n')[0] ?? ''));
    s.on('error', reject);
  });
}

describe('connection lifecycle', () => {
  let server: ConcordServer;
  let owner: TestUser;
  let pid: string;
  let rooms: string[];

  beforeAll(async () => {
    server = await startTestServer();
    owner = await makeUser(server.url, 'Lifecycle');
    pid = await makeProject(owner);
    const tids = [await makeTranscript(owner, pid), await makeTranscript(owner, pid, undefined, 'Second')];
    rooms = [codebookRoom(pid), ...tids.map((t) => transcriptRoom(pid, t))];
  });
  afterAll(async () => { await server.close(); });

  it('returns sockets, rooms and per-address counts to zero after more joins than one account may hold at once', async () => {
    const total = server.deps.config.limits.connectionsPerUser + 40;
    const endings = ['close', 'drop', 'bad-token', 'unknown-room', 'close-at-once'] as const;
    for (let i = 0; i < total; i += 20) {
      await Promise.all(Array.from({ length: 20 }, async (_, j) => {
        const n = i + j;
        const ending = endings[n % endings.length]!;
        const room = ending === 'unknown-room' ? codebookRoom(`nope${n}`) : rooms[n % rooms.length]!;
        const ws = new WebSocket(syncUrl(server.url, room, ending === 'bad-token' ? 'cpat_wrong' : owner.token));
        const code = closeCode(ws);
        if (ending === 'close' || ending === 'drop') {
          await firstFrame(ws);
          if (ending === 'close') ws.close(1000);
          else ws.terminate();
        } else if (ending === 'close-at-once') {
          ws.on('open', () => ws.close(1000));
        }
        const c = await code;
        if (ending === 'bad-token') expect(c).toBe(CloseCode.Unauthorized);
        if (ending === 'unknown-room') expect(c).toBe(CloseCode.UnknownRoom);
      }));
    }
    // Upgrades that ws refuses in the handshake hold an address slot only until they close.
    const answers = await Promise.all(Array.from({ length: 10 }, () => refusedHandshake(server.port, `/sync/${rooms[0]}`)));
    expect(answers.every((a) => a.startsWith('HTTP/1.1 400'))).toBe(true);
    await settled(server);
    // And the address can open its full share again.
    const open = await Promise.all(Array.from({ length: 20 }, async () => {
      const ws = new WebSocket(syncUrl(server.url, rooms[0]!, owner.token));
      await firstFrame(ws);
      return ws;
    }));
    expect(server.sync.connectionCount).toBe(20);
    expect(server.sync.addressCount).toBe(1);
    await Promise.all(open.map((ws) => { const c = closeCode(ws); ws.close(1000); return c; }));
    await settled(server);
  });
});

describe('a socket that is still being authorised', () => {
  let server: ConcordServer;
  let storage: Storage;
  let owner: TestUser;
  let room: string;
  /** While set, the room-access read waits for it after reading: the socket stays unadmitted. */
  let gate: Promise<void> | null = null;
  /** Reads held by the gate so far. */
  let reads = 0;

  beforeAll(async () => {
    const dataDir = tempDir();
    const real = new SqliteStorage(`${dataDir}/concord.sqlite`);
    storage = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop === 'getRoomAccess') {
          return async (...args: Parameters<Storage['getRoomAccess']>) => {
            // Read first, then wait: what was read may be revoked meanwhile.
            const facts = await target.getRoomAccess(...args);
            if (gate) {
              reads++;
              await gate;
            }
            return facts;
          };
        }
        const v: unknown = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const cfg = loadConfig({}, { port: 0, host: '127.0.0.1', dataDir, demo: false, log: 'silent' });
    server = await startServer(cfg, { storage });
    owner = await makeUser(server.url, 'Early');
    room = codebookRoom(await makeProject(owner));
  });
  afterAll(async () => {
    await server.close();
    await storage.close();
  });

  /** Holds every room-access read until the returned function is called. */
  function hold(): () => void {
    let open!: () => void;
    gate = new Promise<void>((resolve) => { open = resolve; });
    return () => { gate = null; open(); };
  }

  it('keeps the frames it sends and handles every one once admitted', async () => {
    const release = hold();
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    const text = doc.getText('early');
    for (const piece of ['one ', 'two ', 'three']) text.insert(text.length, piece);
    const ws = new WebSocket(syncUrl(server.url, room, owner.token));
    await new Promise<void>((resolve) => ws.once('open', () => resolve()));
    for (const u of updates) ws.send(updateFrame(u));
    // Sync step 1 last: the server answers it once everything before it is committed.
    ws.send(syncStep1Frame());
    // Let the frames reach the server while it still waits on storage.
    await new Promise((r) => setTimeout(r, 100));
    expect(server.deps.rooms.rooms.has(room)).toBe(false);
    const answered = new Promise<void>((resolve) => ws.on('message', (d: Buffer) => { if (d[0] === 0 && d[1] === 1) resolve(); }));
    release();
    await answered;
    const stored = await server.deps.rooms.readDoc(room, (d) => [d.getText('early').toString(), d.store.pendingStructs] as const);
    expect(stored).toEqual(['one two three', null]);
    const c = closeCode(ws);
    ws.close(1000);
    await c;
    await settled(server);
  });

  it('closes one that floods before it is admitted (4429) and releases it', async () => {
    const release = hold();
    const ws = new WebSocket(syncUrl(server.url, room, owner.token));
    const code = closeCode(ws);
    ws.on('open', () => {
      const q = new Uint8Array([3]); // query-awareness, harmless on its own
      for (let i = 0; i < LIMITS.messageBurst + 50; i++) ws.send(q);
    });
    expect(await code).toBe(CloseCode.RateLimited);
    release();
    await settled(server);
  });

  it('is closed when its credential or membership is revoked while it is admitted, and the next join is refused', async () => {
    const coder = await makeUser(server.url, 'Revoked');
    const pid = parseRoomProject(room);
    expect((await owner.client.req('POST', `/api/projects/${pid}/members`, { email: coder.email, role: 'coder' })).status).toBe(201);

    // Membership removed after the server read it, before the socket joined.
    let release = hold();
    let before = reads;
    let ws = new WebSocket(syncUrl(server.url, room, coder.token));
    let code = closeCode(ws);
    await waitFor(() => reads > before, 10_000, 'membership read');
    expect((await owner.client.req('DELETE', `/api/projects/${pid}/members/${coder.id}`)).status).toBe(204);
    release();
    expect(await code).toBe(CloseCode.AccessChanged);
    expect(await closeCodeFor(server.url, room, { token: coder.token })).toBe(CloseCode.Forbidden);
    await settled(server);

    // Access token deleted after the server read it.
    expect((await owner.client.req('POST', `/api/projects/${pid}/members`, { email: coder.email, role: 'coder' })).status).toBe(201);
    release = hold();
    before = reads;
    ws = new WebSocket(syncUrl(server.url, room, coder.token));
    code = closeCode(ws);
    await waitFor(() => reads > before, 10_000, 'membership read');
    const tokens = await coder.client.req('GET', '/api/tokens');
    expect((await coder.client.req('DELETE', `/api/tokens/${tokens.json.tokens[0].id}`)).status).toBe(204);
    release();
    expect(await code).toBe(CloseCode.Unauthorized);
    expect(await closeCodeFor(server.url, room, { token: coder.token })).toBe(CloseCode.Unauthorized);
    await settled(server);

    // A revocation of someone else leaves an admission alone.
    release = hold();
    before = reads;
    ws = new WebSocket(syncUrl(server.url, room, owner.token));
    await waitFor(() => reads > before, 10_000, 'membership read');
    const other = await makeUser(server.url, 'Bystander');
    const list = await other.client.req('GET', '/api/tokens');
    expect((await other.client.req('DELETE', `/api/tokens/${list.json.tokens[0].id}`)).status).toBe(204);
    release();
    await firstFrame(ws);
    code = closeCode(ws);
    ws.close(1000);
    await code;
    await settled(server);
  });

  it('leaves nothing behind when closed before it is admitted', async () => {
    const release = hold();
    const sockets = Array.from({ length: 10 }, () => new WebSocket(syncUrl(server.url, room, owner.token)));
    await Promise.all(sockets.map((ws) => new Promise<void>((resolve) => ws.once('open', () => resolve()))));
    await Promise.all(sockets.map((ws, i) => {
      const c = closeCode(ws);
      if (i % 2 === 0) ws.close(1000);
      else ws.terminate();
      return c;
    }));
    await waitFor(() => server.sync.connectionCount === 0, 10_000, 'sockets released while held');
    release();
    // Their authorisation finishes after they closed: none of them joins the room.
    await new Promise((r) => setTimeout(r, 100));
    await settled(server);
  });
});
