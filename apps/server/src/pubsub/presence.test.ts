import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClusterPresence, presenceIndexKey, presenceNodeKey, type PresenceUser, type RoomPresence } from './presence.ts';

/** Redis runs in CI as it does locally; nothing here is skipped. */
const REDIS_URL = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const rand = () => randomBytes(5).toString('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A node's own sockets, as the RoomManager would report them. */
class FakeRooms {
  readonly rooms = new Map<string, PresenceUser[]>();
  presence(prefix: string): RoomPresence {
    return new Map([...this.rooms].filter(([room]) => room.startsWith(prefix)));
  }
}

const names = (p: RoomPresence, room: string) => (p.get(room) ?? []).map((u) => u.name).sort();

describe('ClusterPresence', () => {
  const open: ClusterPresence[] = [];
  let admin: Redis;
  const warnings: string[] = [];
  const log = (_level: string, msg: string) => { warnings.push(msg); };

  async function node(rooms: FakeRooms, opts: { refreshMs?: number; ttlMs?: number } = {}): Promise<ClusterPresence> {
    const p = await ClusterPresence.connect(REDIS_URL, `node-${rand()}`, rooms, log, { refreshMs: 60_000, ttlMs: 10_000, ...opts });
    open.push(p);
    return p;
  }

  beforeEach(() => { admin = new Redis(REDIS_URL); warnings.length = 0; });
  afterEach(async () => {
    for (const p of open.splice(0)) await p.close();
    admin.disconnect();
  });

  it('lists people on other nodes beside this node\'s own, each person once per room', async () => {
    const pid = `p${rand()}`;
    const t1 = `${pid}/transcripts/t1`;
    const roomsA = new FakeRooms();
    const roomsB = new FakeRooms();
    roomsA.rooms.set(t1, [{ userId: 'u1', name: 'Ada' }]);
    roomsB.rooms.set(t1, [{ userId: 'u2', name: 'Ben' }, { userId: 'u1', name: 'Ada' }]);
    roomsB.rooms.set(`${pid}/transcripts/t2`, [{ userId: 'u2', name: 'Ben' }]);
    const a = await node(roomsA);
    const b = await node(roomsB);
    await a.publish();
    await b.publish();
    const seenByA = await a.read(pid);
    expect(names(seenByA, t1)).toEqual(['Ada', 'Ben']);
    expect(names(seenByA, `${pid}/transcripts/t2`)).toEqual(['Ben']);
    // Another project's read sees none of it.
    expect((await a.read(`p${rand()}`)).size).toBe(0);
  });

  it('drops a node\'s people when they leave, and a dead node\'s people when its entry expires', async () => {
    const pid = `p${rand()}`;
    const room = `${pid}/transcripts/t1`;
    const roomsA = new FakeRooms();
    const roomsDead = new FakeRooms();
    roomsA.rooms.set(room, [{ userId: 'u1', name: 'Ada' }]);
    roomsDead.rooms.set(room, [{ userId: 'u9', name: 'Zoe' }]);
    const reader = await node(new FakeRooms());
    const a = await node(roomsA);
    const dead = await node(roomsDead, { ttlMs: 400 });
    await a.publish();
    await dead.publish();
    expect(names(await reader.read(pid), room)).toEqual(['Ada', 'Zoe']);

    // Ada leaves: at the next refresh her node removes its entry.
    roomsA.rooms.clear();
    await a.publish();
    expect(await admin.exists(presenceNodeKey(pid, a.nodeId))).toBe(0);
    // The dead node never refreshes again (its refresh interval is a minute): Zoe goes with the TTL.
    await sleep(600);
    const after = await reader.read(pid);
    expect(after.get(room)).toBeUndefined();
    // The expired node is taken out of the project's index too.
    expect(await admin.smembers(presenceIndexKey(pid))).not.toContain(dead.nodeId);
  });

  it('refreshes on its own timer and removes its entries when it closes', async () => {
    const pid = `p${rand()}`;
    const room = `${pid}/transcripts/t1`;
    const rooms = new FakeRooms();
    const reader = await node(new FakeRooms());
    const a = await node(rooms, { refreshMs: 50, ttlMs: 5000 });
    rooms.rooms.set(room, [{ userId: 'u1', name: 'Ada' }]);
    const end = Date.now() + 5000;
    while (!(await reader.read(pid)).has(room)) {
      expect(Date.now()).toBeLessThan(end);
      await sleep(25);
    }
    await a.close();
    expect((await reader.read(pid)).has(room)).toBe(false);
  });

  it('ignores a garbled entry instead of failing the list', async () => {
    const pid = `p${rand()}`;
    const rooms = new FakeRooms();
    rooms.rooms.set(`${pid}/transcripts/t1`, [{ userId: 'u1', name: 'Ada' }]);
    const a = await node(rooms);
    await admin.sadd(presenceIndexKey(pid), 'garbled');
    await admin.set(presenceNodeKey(pid, 'garbled'), '{not json', 'PX', 5000);
    await admin.sadd(presenceIndexKey(pid), 'odd');
    await admin.set(presenceNodeKey(pid, 'odd'), JSON.stringify({ [`${pid}/transcripts/t1`]: [[1, 2], 'x', ['u3', 'Cy']] }), 'PX', 5000);
    const seen = await a.read(pid);
    expect(names(seen, `${pid}/transcripts/t1`)).toEqual(['Ada', 'Cy']);
    await admin.del(presenceNodeKey(pid, 'garbled'), presenceNodeKey(pid, 'odd'), presenceIndexKey(pid));
  });

  it('falls back to this node\'s people when Redis is unreachable', async () => {
    const pid = `p${rand()}`;
    const rooms = new FakeRooms();
    rooms.rooms.set(`${pid}/transcripts/t1`, [{ userId: 'u1', name: 'Ada' }]);
    const nodeId = `node-${rand()}`;
    const a = await ClusterPresence.connect(REDIS_URL, nodeId, rooms, log, {
      refreshMs: 60_000, redis: { maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false },
    });
    open.push(a);
    // Cut this node's connection only (other test files share the Redis server).
    const list = String(await admin.client('LIST'));
    const id = /id=(\d+) [^\n]*name=(\S+)/g;
    let killed = 0;
    for (const m of list.matchAll(id)) {
      if (m[2] === `concord-${nodeId}-presence`) { await admin.client('KILL', 'ID', m[1]!); killed++; }
    }
    expect(killed).toBe(1);
    await sleep(100);
    const seen = await a.read(pid);
    expect(names(seen, `${pid}/transcripts/t1`)).toEqual(['Ada']);
    expect(warnings).toContain('presence of other nodes unavailable');
  });
});
