import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SqliteStorage } from '../storage/sqlite.ts';
import type { Storage, StoredDoc } from '../storage/types.ts';
import { Connection } from '../sync/connection.ts';
import type { Room } from '../sync/room.ts';
import { RoomManager } from '../sync/room-manager.ts';
import {
  decodeEnvelope, encodeEnvelope, MessageKind, RedisFanout, roomChannel, type FanoutLog, type RedisFanoutOptions,
} from './redis.ts';

/** Redis runs in CI as it does locally; nothing here is skipped. */
const REDIS_URL = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const rand = () => randomBytes(5).toString('hex');
const roomName = () => `p${rand()}/transcripts/t1`;

async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A client connection whose socket just records frames. */
function fakeConnection(name: string): Connection & { frames: Uint8Array[] } {
  const frames: Uint8Array[] = [];
  const conn = new Connection({ send: (d) => frames.push(d), close: () => undefined, bufferedAmount: 0 }, `u-${name}`, name, false, 'p', '127.0.0.1');
  return Object.assign(conn, { frames });
}

const items = (room: Room) => room.doc.getArray<string>('items').toArray();

interface Node {
  id: string;
  fanout: RedisFanout;
  rooms: RoomManager;
}

describe('RedisFanout', () => {
  let dir: string;
  let storage: SqliteStorage;
  let admin: Redis;
  const nodes: Node[] = [];
  const logs: { level: string; msg: string }[] = [];
  const log: FanoutLog = (level, msg) => { logs.push({ level, msg }); };

  async function startNode(opts: RedisFanoutOptions & { roomStorage?: Storage } = {}): Promise<Node> {
    const id = `node-${rand()}`;
    const fanout = await RedisFanout.connect(REDIS_URL, id, log, { storage, ...opts, redis: { retryStrategy: () => 20 } });
    const rooms = new RoomManager(opts.roomStorage ?? storage, { log, fanout });
    const node = { id, fanout, rooms };
    nodes.push(node);
    return node;
  }

  /** Opens a room on a node the way a WebSocket client does, and keeps it open. */
  async function open(node: Node, name: string, who = 'client'): Promise<{ room: Room; conn: ReturnType<typeof fakeConnection> }> {
    const conn = fakeConnection(who);
    const room = await node.rooms.join(name, conn);
    expect(await room.loaded).toBe(true);
    return { room, conn };
  }

  const push = (node: Node, name: string, ...values: string[]) =>
    node.rooms.withDoc(name, (doc) => doc.getArray<string>('items').push(values));

  const numsub = async (name: string) => Number(((await admin.pubsub('NUMSUB', roomChannel(name))) as [string, number])[1]);

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'concord-redis-'));
    storage = new SqliteStorage(path.join(dir, 'db.sqlite'));
    admin = new Redis(REDIS_URL);
    logs.length = 0;
  });

  afterEach(async () => {
    for (const n of nodes.splice(0)) {
      await n.rooms.closeAll(1001, 'test over');
      await n.fanout.close();
    }
    admin.disconnect();
    await storage.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('encodes the envelope as [kind][nodeId length][nodeId][payload]', () => {
    const msg = encodeEnvelope(MessageKind.Awareness, 'nœud', new Uint8Array([7, 8]));
    expect(Array.from(msg)).toEqual([1, 5, ...Buffer.from('nœud'), 7, 8]);
    expect(decodeEnvelope(msg)).toEqual({ kind: 1, nodeId: 'nœud', payload: new Uint8Array([7, 8]) });
    expect(decodeEnvelope(new Uint8Array([0]))).toBeNull();
    expect(decodeEnvelope(new Uint8Array([0, 9, 1]))).toBeNull();
    expect(() => encodeEnvelope(MessageKind.Update, '', new Uint8Array())).toThrow();
  });

  it('a change on node A appears in node B\'s room and reaches B\'s clients', async () => {
    const a = await startNode();
    const b = await startNode();
    const name = roomName();
    const { room: roomB, conn: clientB } = await open(b, name);
    const framesBefore = clientB.frames.length;
    await push(a, name, 'from-a');
    await until(() => items(roomB).includes('from-a'), 'update on B');
    expect(clientB.frames.length).toBeGreaterThan(framesBefore);
  });

  it('two nodes editing one room concurrently converge', async () => {
    const a = await startNode();
    const b = await startNode();
    const name = roomName();
    const { room: roomA } = await open(a, name);
    const { room: roomB } = await open(b, name);
    await Promise.all([
      ...Array.from({ length: 30 }, (_, i) => push(a, name, `a${i}`)),
      ...Array.from({ length: 30 }, (_, i) => push(b, name, `b${i}`)),
    ]);
    await until(() => items(roomA).length === 60 && items(roomB).length === 60, 'both rooms complete');
    expect(items(roomA)).toEqual(items(roomB));
  });

  it('awareness from A reaches B, including removal when A\'s client leaves', async () => {
    const a = await startNode();
    const b = await startNode();
    const name = roomName();
    const { room: roomA, conn: clientA } = await open(a, name, 'ada');
    await open(a, name, 'keeps-room-open');
    const { room: roomB } = await open(b, name);

    const clientDoc = new Y.Doc();
    const clientAwareness = new awarenessProtocol.Awareness(clientDoc);
    clientAwareness.setLocalState({ user: 'Ada', cursor: 3 });
    awarenessProtocol.applyAwarenessUpdate(roomA.awareness, awarenessProtocol.encodeAwarenessUpdate(clientAwareness, [clientDoc.clientID]), clientA);
    await until(() => roomB.awareness.getStates().has(clientDoc.clientID), 'awareness on B');
    expect(roomB.awareness.getStates().get(clientDoc.clientID)).toEqual({ user: 'Ada', cursor: 3 });

    roomA.leave(clientA);
    await until(() => !roomB.awareness.getStates().has(clientDoc.clientID), 'awareness removal on B');
    clientAwareness.destroy();
    clientDoc.destroy();
  });

  it('a node opening a room learns the awareness of clients already connected elsewhere', async () => {
    const a = await startNode();
    const b = await startNode();
    const name = roomName();
    const { room: roomA, conn: clientA } = await open(a, name, 'ada');
    const clientDoc = new Y.Doc();
    const clientAwareness = new awarenessProtocol.Awareness(clientDoc);
    clientAwareness.setLocalState({ user: 'Ada' });
    awarenessProtocol.applyAwarenessUpdate(roomA.awareness, awarenessProtocol.encodeAwarenessUpdate(clientAwareness, [clientDoc.clientID]), clientA);
    await sleep(50); // published before B subscribed: B can only learn it by asking
    const { room: roomB } = await open(b, name);
    await until(() => roomB.awareness.getStates().has(clientDoc.clientID), 'awareness answered on B');
    clientAwareness.destroy();
    clientDoc.destroy();
  });

  it('ignores its own messages', async () => {
    const a = await startNode();
    const b = await startNode();
    const name = roomName();
    const { room: roomA } = await open(a, name);
    const { room: roomB } = await open(b, name);
    const spyA = vi.spyOn(roomA, 'applyRemoteUpdate');
    const other = new Y.Doc();
    other.getArray<string>('items').push(['only-published']);
    a.fanout.publishUpdate(name, Y.encodeStateAsUpdate(other));
    await until(() => items(roomB).includes('only-published'), 'B applies it');
    await sleep(50);
    expect(spyA).not.toHaveBeenCalled();
    expect(items(roomA)).not.toContain('only-published');
  });

  it('unsubscribe stops delivery', async () => {
    const a = await startNode();
    const b = await startNode();
    const name = roomName();
    await open(a, name);
    const { room: roomB } = await open(b, name);
    expect(await numsub(name)).toBe(2);
    await push(a, name, 'before');
    await until(() => items(roomB).includes('before'), 'first update on B');

    await b.fanout.unsubscribe(roomB);
    expect(await numsub(name)).toBe(1);
    const spyB = vi.spyOn(roomB, 'applyRemoteUpdate');
    await push(a, name, 'after');
    await sleep(150);
    expect(spyB).not.toHaveBeenCalled();
    expect(items(roomB)).toEqual(['before']);
  });

  it('a room unloading on B unsubscribes it', async () => {
    const a = await startNode();
    const b = await startNode();
    const name = roomName();
    await open(a, name);
    const { room: roomB, conn } = await open(b, name);
    expect(await numsub(name)).toBe(2);
    roomB.leave(conn);
    await roomB.closed;
    await until(() => b.rooms.rooms.size === 0, 'room unloaded');
    expect(await numsub(name)).toBe(1);
  });

  it('converges when an update is committed and published between B\'s load and B\'s subscribe', async () => {
    const a = await startNode();
    // B's room storage pauses right after reading, before the room can subscribe.
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    let readDone = false;
    let gated = true;
    const slowStorage = new Proxy(storage, {
      get(target, prop, receiver) {
        if (prop === 'loadDoc') {
          return async (room: string): Promise<StoredDoc> => {
            const doc = await target.loadDoc(room);
            if (gated) { gated = false; readDone = true; await gate; }
            return doc;
          };
        }
        const v: unknown = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const b = await startNode({ roomStorage: slowStorage });
    const name = roomName();
    await push(a, name, 'early');
    const opening = open(b, name);
    await until(() => readDone, 'B read storage');
    await push(a, name, 'in-the-gap'); // committed + published while B has read but not subscribed
    await sleep(50);
    release();
    const { room: roomB } = await opening;
    await until(() => items(roomB).includes('in-the-gap'), 'gap update on B');
    expect(items(roomB)).toEqual(['early', 'in-the-gap']);
  });

  it('resyncs rooms from storage after the subscriber reconnects', async () => {
    const a = await startNode();
    const b = await startNode();
    const name = roomName();
    const { room: roomB } = await open(b, name);
    // An update committed by some node whose publish B never received.
    const other = new Y.Doc();
    other.getArray<string>('items').push(['missed-while-disconnected']);
    await storage.appendUpdates(name, [Y.encodeStateAsUpdate(other)]);

    const clients = (await admin.client('LIST')) as string;
    const line = clients.split('\n').find((l) => l.includes(` name=concord-${b.id}-sub `));
    expect(line).toBeDefined();
    const id = /\bid=(\d+)/.exec(line!)![1]!;
    await admin.client('KILL', 'ID', id);

    await until(() => items(roomB).includes('missed-while-disconnected'), 'resync after reconnect');
    await push(a, name, 'after-reconnect');
    await until(() => items(roomB).includes('after-reconnect'), 'live update after reconnect');
  });

  it('after a failed publish, peers are told to resync and recover the committed update', async () => {
    const a = await startNode();
    const b = await startNode();
    const name = roomName();
    await open(a, name);
    const { room: roomB } = await open(b, name);
    const pubA = (a.fanout as unknown as { pub: Redis }).pub;
    const spy = vi.spyOn(pubA, 'publish').mockRejectedValueOnce(new Error('redis down'));
    await push(a, name, 'lost-publish'); // committed on A, publish fails, nothing thrown
    expect(spy).toHaveBeenCalledTimes(1);
    expect(logs.some((l) => l.msg === 'redis publish failed')).toBe(true);
    // The update itself never went out (the one publish was refused); B may learn of it from the resync
    // notice at once or from the next update, so whether it has it yet is not asserted (it raced under load).
    spy.mockRestore();
    await push(a, name, 'next');
    await until(() => items(roomB).includes('lost-publish') && items(roomB).includes('next'), 'B recovered');
  });

  it('publishing never throws into the caller', async () => {
    const a = await startNode();
    const pubA = (a.fanout as unknown as { pub: Redis }).pub;
    vi.spyOn(pubA, 'publish').mockImplementationOnce(() => { throw new Error('sync failure'); });
    expect(() => a.fanout.publishUpdate('p/x', new Uint8Array([0, 0]))).not.toThrow();
    await a.fanout.close();
    expect(() => a.fanout.publishUpdate('p/x', new Uint8Array([0, 0]))).not.toThrow();
    expect(() => a.fanout.publishAwareness('p/x', new Uint8Array([0]))).not.toThrow();
  });
});
