import { afterAll, afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode, codebookRoom, transcriptRoom } from '@concord/shared';
import {
  connect, destroyProviders, makeProject, makeTranscript, makeUser, ServerProcess, startTestServer, synced, tempDir, waitFor,
} from './helpers.ts';
import { SqliteStorage } from '../src/storage/sqlite.ts';
import { RoomManager } from '../src/sync/room-manager.ts';
import { Connection } from '../src/sync/connection.ts';

afterEach(() => destroyProviders());
const procs: ServerProcess[] = [];
afterAll(async () => { await Promise.all(procs.map((p) => p.kill9())); });

describe('durability', () => {
  it('loses nothing across a clean stop and restart', async () => {
    const dataDir = tempDir();
    let server = await startTestServer({ dataDir });
    const owner = await makeUser(server.url, 'Owner');
    const pid = await makeProject(owner);
    const tid = await makeTranscript(owner, pid);
    const a = connect(server.url, transcriptRoom(pid, tid), owner.token);
    await synced(a);
    for (let i = 0; i < 50; i++) a.doc.getArray('log').push([i]);
    await waitFor(() => server.deps.rooms.rooms.get(transcriptRoom(pid, tid))?.doc.getArray('log').length === 50);
    a.destroy();
    await server.close();
    server = await startTestServer({ dataDir });
    const b = connect(server.url, transcriptRoom(pid, tid), owner.token);
    await synced(b);
    expect(b.doc.getArray('log').toArray()).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(b.doc.getText('body').toString()).toContain('Hello there.');
    await server.close();
  });

  it('after kill -9 every update any client had received is still there', async () => {
    const proc = new ServerProcess(tempDir());
    procs.push(proc);
    const url = await proc.start();
    const owner = await makeUser(url, 'Owner');
    const pid = await makeProject(owner);
    const room = codebookRoom(pid);
    const writer = connect(url, room, owner.token);
    const reader = connect(url, room, owner.token);
    await Promise.all([synced(writer), synced(reader)]);
    // Steady writes; kill the server while they are in flight.
    let i = 0;
    const timer = setInterval(() => { for (let k = 0; k < 5; k++) writer.doc.getArray('n').push([i++]); }, 2);
    await waitFor(() => reader.doc.getArray('n').length > 300, 10_000, 'writes flowing');
    await proc.kill9();
    clearInterval(timer);
    const received = reader.doc.getArray('n').toArray() as number[];
    expect(received.length).toBeGreaterThan(300);
    destroyProviders();
    // Restart on the same data and read with a fresh client.
    const url2 = await proc.start();
    const fresh = connect(url2, room, owner.token, new Y.Doc());
    await synced(fresh);
    const stored = new Set(fresh.doc.getArray('n').toArray() as number[]);
    const missing = received.filter((n) => !stored.has(n));
    expect(missing).toEqual([]);
    await proc.stop();
  });
});

describe('room failures', () => {
  function fakeConn() {
    const closes: number[] = [];
    const conn = new Connection({ send: () => undefined, close: (c) => { closes.push(c); }, bufferedAmount: 0 }, 'u', 'U', false, 'p', 'ip');
    return { conn, closes };
  }

  it('a room whose load throws closes its connections with 4500 and is unloaded', async () => {
    const storage = new SqliteStorage(`${tempDir()}/db.sqlite`);
    let fail = true;
    const loadDoc = storage.loadDoc.bind(storage);
    storage.loadDoc = async (room) => { if (fail) throw new Error('disk on fire'); return loadDoc(room); };
    const rooms = new RoomManager(storage, { log: () => undefined });
    const { conn, closes } = fakeConn();
    const room = await rooms.join('p/codebook', conn);
    expect(await room.loaded).toBe(false);
    expect(closes).toEqual([CloseCode.RoomFailed]);
    await waitFor(() => !rooms.rooms.has('p/codebook'), 2000, 'unload after failed load');
    fail = false;
    const again = fakeConn();
    const room2 = await rooms.join('p/codebook', again.conn);
    expect(await room2.loaded).toBe(true);
    expect(again.closes).toEqual([]);
    await rooms.closeAll(1000, 'done');
    await storage.close();
  });

  it('a room whose store throws closes its connections, unloads, and keeps what was committed', async () => {
    const storage = new SqliteStorage(`${tempDir()}/db.sqlite`);
    const rooms = new RoomManager(storage, { log: () => undefined });
    await rooms.withDoc('p/codebook', (doc) => doc.getMap('m').set('kept', 1));
    // Rooms commit through the node-wide group commit, which calls appendBatch.
    const append = storage.appendBatch.bind(storage);
    storage.appendBatch = async () => { throw new Error('disk full'); };
    const { conn, closes } = fakeConn();
    const room = await rooms.join('p/codebook', conn);
    await room.loaded;
    room.doc.getMap('m').set('lost', 1); // as if a client sent it
    await waitFor(() => closes.length > 0, 2000, 'close on store failure');
    expect(closes).toEqual([CloseCode.RoomFailed]);
    await waitFor(() => !rooms.rooms.has('p/codebook'), 2000, 'unload after failed store');
    storage.appendBatch = append;
    const state = await rooms.readDoc('p/codebook', (doc) => doc.getMap('m').toJSON());
    expect(state).toEqual({ kept: 1 });
    await storage.close();
  });

  it('commits together what every room received while a commit was in flight, and broadcasts nothing before its commit', async () => {
    const storage = new SqliteStorage(`${tempDir()}/db.sqlite`);
    const rooms = new RoomManager(storage, { log: () => undefined });
    const calls: string[][] = [];
    const append = storage.appendBatch.bind(storage);
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    storage.appendBatch = async (batch) => { calls.push(batch.map((b) => b.room)); await gate; return append(batch); };
    const names = ['p/codebook', 'p/transcripts/t1', 'p/transcripts/t2'];
    const sent: Uint8Array[][] = names.map(() => []);
    const joined = await Promise.all(names.map(async (name, i) => {
      const conn = new Connection({ send: (d) => { sent[i]!.push(d); }, close: () => undefined, bufferedAmount: 0 }, 'u', 'U', false, 'p', 'ip');
      const room = await rooms.join(name, conn);
      await room.loaded;
      return room;
    }));
    sent.forEach((s) => s.splice(0));
    // One change in each room in the same tick, as three clients' frames would be. The
    // first room's commit starts at once (held here, as a slow database would); the
    // others wait for it and then go together.
    joined.forEach((room, i) => room.doc.getMap('m').set('k', i));
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toEqual([[names[0]]]);
    expect(sent.every((s) => s.length === 0)).toBe(true); // nothing goes out before its commit
    release();
    await Promise.all(joined.map((r) => r.idle()));
    expect(calls).toEqual([[names[0]], [names[1], names[2]]]);
    expect(sent.every((s) => s.length > 0)).toBe(true);
    expect((await storage.loadDoc(names[2]!)).updates.length).toBeGreaterThan(0);
    await rooms.closeAll(1001, 'test over');
    await storage.close();
  });
});
