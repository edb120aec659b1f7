import * as Y from 'yjs';
import { LIMITS } from '@concord/shared';
import type { Storage } from '../storage/types.ts';
import type { Connection } from './connection.ts';
import type { Fanout } from './fanout.ts';
import { ORIGIN_SERVER, Room, type RoomHooks } from './room.ts';
import { CommitBatcher } from './commit-batcher.ts';
import { codeIdsFrom, roomPolicies, type PolicyExtensions } from './room-policy.ts';
import { revocationMatcher, type Revocation, type RevocationBus } from './revocation.ts';

export interface RoomManagerOptions {
  log: RoomHooks['log'];
  fanout?: Fanout | null;
  compactAfter?: number;
  /** Hooks of other parts of the server that the room kinds' policies compose (comment rules, inbox, transcript index). */
  extensions?: PolicyExtensions;
  /** How long an update naming an unknown code waits for the codebook (ms). */
  codeWaitMs?: number;
  /** Told of every commit of client updates: how many, and the milliseconds from handing them over to committed (metrics). */
  onCommit?: (updates: number, ms: number) => void;
}

/**
 * Owns the loaded rooms: loads on first use, unloads (after storing) when the last
 * connection or server-side holder leaves. A room that is closing is awaited
 * before it is loaded again, so no update can slip between two copies.
 */
/** A `closeConnections` call, kept while sockets that started joining before it are still being admitted. */
interface RecentRevocation {
  seq: number;
  match: (conn: Connection, room: Room) => boolean;
  code: number;
  reason: string;
}

export class RoomManager {
  readonly rooms = new Map<string, Room>();
  private readonly hooks: RoomHooks;
  /** Counts `closeConnections` calls. */
  private revocationSeq = 0;
  /** Admissions under way, by the `revocationSeq` they started at. */
  private readonly admitting = new Map<number, number>();
  /** Revocations newer than the oldest admission under way. */
  private recent: RecentRevocation[] = [];

  /** Group commit across this node's rooms. */
  readonly commits: CommitBatcher;

  constructor(private readonly storage: Storage, private readonly opts: RoomManagerOptions) {
    this.commits = new CommitBatcher(storage);
    this.hooks = {
      log: opts.log,
      append: opts.onCommit ? this.measuredAppend(opts.onCommit) : (room, updates) => this.commits.append(room, updates),
      compactAfter: opts.compactAfter ?? LIMITS.compactAfterUpdates,
      policy: roomPolicies({
        ...opts.extensions,
        codeIds: codeIdsFrom((name, fn) => this.readDoc(name, fn)),
        ...(opts.codeWaitMs !== undefined ? { codeWaitMs: opts.codeWaitMs } : {}),
      }),
    };
  }

  private measuredAppend(report: (updates: number, ms: number) => void): RoomHooks['append'] {
    return (room, updates) => {
      const started = performance.now();
      return this.commits.append(room, updates).then(() => report(updates.length, performance.now() - started));
    };
  }

  private async acquire(name: string): Promise<Room> {
    for (;;) {
      const existing = this.rooms.get(name);
      if (!existing) break;
      if (existing.state === 'loading' || existing.state === 'ready') return existing;
      await existing.closed;
      if (this.rooms.get(name) === existing) this.rooms.delete(name);
    }
    const room = new Room(name, this.storage, this.hooks, this.opts.fanout ?? null, (r) => this.unload(r), (r) => {
      if (this.rooms.get(r.name) === r) this.rooms.delete(r.name);
    });
    this.rooms.set(name, room);
    return room;
  }

  /** Adds a connection to its room, loading the room if needed. */
  async join(name: string, conn: Connection): Promise<Room> {
    const room = await this.acquire(name);
    room.join(conn);
    return room;
  }

  private unload(room: Room): void {
    if (room.state !== 'ready' && room.state !== 'loading') return;
    void room.close();
  }

  /**
   * Runs `fn` on a room's document as the server (imports, renames, reveals):
   * the change is committed and broadcast like any client's.
   */
  async withDoc<T>(name: string, fn: (doc: Y.Doc) => T): Promise<T> {
    const room = await this.acquire(name);
    room.holds++;
    try {
      if (!(await room.loaded)) throw new Error(`room ${name} could not be loaded`);
      let result!: T;
      Y.transact(room.doc, () => { result = fn(room.doc); }, ORIGIN_SERVER);
      await room.idle();
      if (room.state !== 'ready') throw new Error(`room ${name} failed while storing`);
      return result;
    } finally {
      room.holds--;
      if (room.holds === 0 && room.connections.size === 0) this.unload(room);
    }
  }

  /** Reads a room's document: from memory when loaded, else from storage without loading it. */
  async readDoc<T>(name: string, fn: (doc: Y.Doc) => T): Promise<T> {
    const room = this.rooms.get(name);
    if (room && room.state === 'ready') return fn(room.doc);
    const stored = await this.storage.loadDoc(name);
    const doc = new Y.Doc();
    try {
      if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
      for (const u of stored.updates) Y.applyUpdate(doc, u);
      return fn(doc);
    } finally {
      doc.destroy();
    }
  }

  /** A private copy of a room's document (from memory when loaded, else from storage); the caller destroys it. */
  async copyDoc(name: string): Promise<Y.Doc> {
    const room = this.rooms.get(name);
    const doc = new Y.Doc();
    if (room && room.state === 'ready') {
      Y.applyUpdate(doc, Y.encodeStateAsUpdate(room.doc));
      return doc;
    }
    const stored = await this.storage.loadDoc(name);
    if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
    for (const u of stored.updates) Y.applyUpdate(doc, u);
    return doc;
  }

  /**
   * Marks the start of a socket's admission (credentials and membership read from
   * storage, then the join). A revocation made meanwhile may have missed what the
   * admission read; `endAdmission` applies it to the joined connection.
   */
  beginAdmission(): number {
    const since = this.revocationSeq;
    this.admitting.set(since, (this.admitting.get(since) ?? 0) + 1);
    return since;
  }

  /**
   * Ends an admission begun at `since`. With the connection it joined: when a
   * `closeConnections` made since then matches it, closes it with that call's code
   * and takes it out of its room, and returns false.
   */
  endAdmission(since: number, conn?: Connection, room?: Room): boolean {
    let admitted = true;
    if (conn && room) {
      for (const r of this.recent) {
        if (r.seq > since && r.match(conn, room)) {
          conn.close(r.code, r.reason);
          room.leave(conn);
          admitted = false;
          break;
        }
      }
    }
    const left = (this.admitting.get(since) ?? 1) - 1;
    if (left > 0) this.admitting.set(since, left);
    else this.admitting.delete(since);
    if (this.admitting.size === 0) this.recent = [];
    else {
      const oldest = Math.min(...this.admitting.keys());
      if (this.recent.length > 0 && this.recent[0]!.seq <= oldest) this.recent = this.recent.filter((r) => r.seq > oldest);
    }
    return admitted;
  }

  /** Carries revocations to the other nodes (set when REDIS_URL is). */
  revocationBus: RevocationBus | null = null;

  /**
   * Takes access away from matching sockets on this node and, through the bus, on
   * every other node: a member removed or a token deleted on one node cannot keep
   * a socket open on another. Returns the sockets closed here.
   */
  revoke(r: Revocation): number {
    this.revocationBus?.publish(r);
    return this.applyRevocation(r);
  }

  /** A revocation decided here or on another node, applied to this node's sockets. */
  applyRevocation(r: Revocation): number {
    return this.closeConnections(revocationMatcher(r), r.code, r.reason);
  }

  /** Closes matching connections (membership revoked, mode changed), also ones still being admitted (see `endAdmission`). */
  closeConnections(match: (conn: Connection, room: Room) => boolean, code: number, reason: string): number {
    const seq = ++this.revocationSeq;
    if (this.admitting.size > 0) this.recent.push({ seq, match, code, reason });
    let n = 0;
    for (const room of this.rooms.values()) {
      for (const conn of [...room.connections]) {
        if (match(conn, room)) {
          conn.close(code, reason);
          room.leave(conn);
          n++;
        }
      }
    }
    return n;
  }

  /** Who is connected to which room, for presence lists. */
  presence(prefix: string): Map<string, { userId: string; name: string }[]> {
    const out = new Map<string, { userId: string; name: string }[]>();
    for (const room of this.rooms.values()) {
      if (!room.name.startsWith(prefix)) continue;
      const users = new Map<string, string>();
      for (const c of room.connections) users.set(c.userId, c.userName);
      out.set(room.name, [...users].map(([userId, name]) => ({ userId, name })));
    }
    return out;
  }

  /** Stores and unloads every room (shutdown). */
  async closeAll(code: number, reason: string): Promise<void> {
    const rooms = [...this.rooms.values()];
    for (const room of rooms) for (const c of [...room.connections]) { c.close(code, reason); room.connections.delete(c); }
    await Promise.all(rooms.map((r) => r.close()));
    this.rooms.clear();
  }
}
