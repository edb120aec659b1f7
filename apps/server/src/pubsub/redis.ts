import { Redis, type RedisOptions } from 'ioredis';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { Storage } from '../storage/types.ts';
import type { Fanout } from '../sync/fanout.ts';
import { mergeStoredDoc, validateUpdate, type Room } from '../sync/room.ts';

export type FanoutLog = (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void;

/**
 * First byte of every message. Receivers ignore kinds they do not know, so new
 * kinds can be added without breaking nodes still running an older version.
 */
export const MessageKind = {
  /** A Yjs update, already committed to storage by the sender. */
  Update: 0,
  /** A y-protocols awareness update. */
  Awareness: 1,
  /** "I just (re)subscribed: send me the awareness states of your clients." Empty payload. */
  AwarenessQuery: 2,
  /** "Some of my updates may not have reached you: reload this room from storage." Empty payload. */
  Resync: 3,
} as const;
export type MessageKind = (typeof MessageKind)[keyof typeof MessageKind];

export interface Envelope {
  kind: number;
  nodeId: string;
  payload: Uint8Array;
}

export const CHANNEL_PREFIX = 'concord:room:';

export function roomChannel(room: string): string {
  return CHANNEL_PREFIX + room;
}

/** `[kind: u8][nodeId byte length: u8][nodeId: UTF-8][payload]`. */
export function encodeEnvelope(kind: MessageKind, nodeId: string, payload: Uint8Array): Buffer {
  const id = Buffer.from(nodeId, 'utf8');
  if (id.length === 0 || id.length > 255) throw new Error('node id must be 1–255 bytes of UTF-8');
  const out = Buffer.allocUnsafe(2 + id.length + payload.byteLength);
  out[0] = kind;
  out[1] = id.length;
  id.copy(out, 2);
  out.set(payload, 2 + id.length);
  return out;
}

/** The envelope of a message, or null when it is too short to be one. */
export function decodeEnvelope(msg: Uint8Array): Envelope | null {
  if (msg.byteLength < 2) return null;
  const idLen = msg[1]!;
  if (idLen === 0 || msg.byteLength < 2 + idLen) return null;
  return {
    kind: msg[0]!,
    nodeId: Buffer.from(msg.buffer, msg.byteOffset + 2, idLen).toString('utf8'),
    // Copy: ioredis may reuse the buffer the message was parsed from.
    payload: new Uint8Array(msg.subarray(2 + idLen)),
  };
}

export interface RedisFanoutOptions {
  /**
   * The storage every node commits to. With it the fan-out can reconcile a room
   * from storage whenever a subscription (re)starts — after the initial SUBSCRIBE,
   * after a Redis reconnect, and when a peer reports a failed publish — which is
   * what makes rooms converge no matter what Redis dropped. Without it, messages
   * lost while a subscriber was disconnected are only recovered when the room is
   * next loaded.
   */
  storage?: Pick<Storage, 'loadDoc'>;
  /**
   * How long `subscribe` waits for Redis to acknowledge before letting the room
   * open anyway (it is reconciled from storage once the acknowledgement comes).
   * Default 5000 ms.
   */
  subscribeTimeoutMs?: number;
  /** Messages kept for a room that is still loading before falling back to a storage resync. Default 10000. */
  maxPending?: number;
  /** Extra ioredis options for both connections (tests: retry strategy, etc.). */
  redis?: RedisOptions;
}

interface Entry {
  room: Room;
  /** Messages received while the room loads; null once loaded (then messages are applied at once). */
  pending: Envelope[] | null;
  /** A SUBSCRIBE was acknowledged since the last reconciliation from storage. */
  needsCatchUp: boolean;
  /** Consecutive failed reconciliations (retried with back-off). */
  failures: number;
  retryTimer: NodeJS.Timeout | null;
}

/**
 * Cross-node fan-out through Redis pub/sub: one channel per room, one connection
 * publishing and one subscribed.
 *
 * Convergence. A node publishes an update only after committing it to storage
 * (see Room.flush). So for any update U and a node B that has SUBSCRIBE'd to the
 * room: either U was published after Redis processed the SUBSCRIBE, and B receives
 * it; or it was published before, so it was committed before B got the
 * acknowledgement, and a storage read B starts after the acknowledgement contains
 * it. Hence the rule implemented here: every time a subscription becomes active
 * (first SUBSCRIBE, re-SUBSCRIBE after a reconnect), read the room from storage
 * after the acknowledgement and apply the difference — Yjs updates are idempotent
 * and commutative, so applying something twice or out of order is harmless.
 * Messages that arrive while the room is still loading are buffered and applied
 * once it is ready (Room.applyRemoteUpdate ignores a room that is not ready).
 *
 * Publishing never throws into the caller. A failed update publish marks the room;
 * once Redis takes our publishes again we broadcast a Resync for it, so peers
 * reload the (already committed) updates they missed.
 */
export class RedisFanout implements Fanout {
  private readonly entries = new Map<string, Entry>();
  /** Rooms whose update publish failed; peers are told to resync them once we can publish. */
  private readonly dirty = new Set<string>();
  private readonly storage: Pick<Storage, 'loadDoc'> | null;
  private readonly subscribeTimeoutMs: number;
  private readonly maxPending: number;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    readonly nodeId: string,
    private readonly log: FanoutLog,
    opts: RedisFanoutOptions,
  ) {
    this.storage = opts.storage ?? null;
    this.subscribeTimeoutMs = opts.subscribeTimeoutMs ?? 5000;
    this.maxPending = opts.maxPending ?? 10_000;
    sub.on('messageBuffer', (channel: Buffer, message: Buffer) => this.receive(channel, message));
    // Emitted again after every reconnect (the first one happened in connect()).
    sub.on('ready', () => this.resubscribeAll());
    pub.on('ready', () => this.flushDirty());
  }

  static async connect(url: string, nodeId: string, log: FanoutLog, opts: RedisFanoutOptions = {}): Promise<RedisFanout> {
    encodeEnvelope(MessageKind.Update, nodeId, new Uint8Array(0)); // validates the node id
    const name = `concord-${nodeId.replace(/[^\w.-]/g, '_')}`;
    // autoResubscribe off: we re-SUBSCRIBE ourselves on 'ready' so that we know when
    // the subscriptions are live again and can reconcile from storage after that.
    const base: RedisOptions = { lazyConnect: true, autoResubscribe: false, ...opts.redis };
    const pub = new Redis(url, { ...base, connectionName: `${name}-pub` });
    const sub = new Redis(url, { ...base, connectionName: `${name}-sub` });
    let lastError = '';
    for (const [role, conn] of [['publisher', pub], ['subscriber', sub]] as const) {
      // Without an 'error' listener ioredis prints every failed reconnect attempt.
      conn.on('error', (err: Error) => {
        if (err.message !== lastError) log('warn', 'redis error', { role, err: err.message });
        lastError = err.message;
      });
      conn.on('ready', () => { lastError = ''; });
      conn.on('reconnecting', () => log('warn', 'redis reconnecting', { role }));
    }
    try {
      await Promise.all([pub.connect(), sub.connect()]);
    } catch (err) {
      pub.disconnect();
      sub.disconnect();
      throw err;
    }
    return new RedisFanout(pub, sub, nodeId, log, opts);
  }

  // ---- subscriptions -----------------------------------------------------------

  async subscribe(room: Room): Promise<void> {
    if (this.closing) return;
    const entry: Entry = { room, pending: room.state === 'ready' ? null : [], needsCatchUp: false, failures: 0, retryTimer: null };
    const previous = this.entries.get(room.name);
    if (previous?.retryTimer) clearTimeout(previous.retryTimer);
    this.entries.set(room.name, entry);
    if (entry.pending) {
      // Read `room.loaded` a tick later: a room that subscribes before it loads calls
      // us from inside its constructor, before `loaded` is assigned.
      Promise.resolve()
        .then(() => room.loaded)
        .then((ok) => this.onLoaded(entry, ok), () => this.onLoaded(entry, false));
    }
    if (this.sub.status !== 'ready') {
      // Not connected: the room opens now; 'ready' re-subscribes and reconciles it.
      this.log('warn', 'redis unavailable; room will be subscribed on reconnect', { room: room.name });
      return;
    }
    const ack = this.sub.subscribe(roomChannel(room.name)).then(() => this.activated(entry));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), this.subscribeTimeoutMs); });
    try {
      if ((await Promise.race([ack, timedOut])) === 'timeout') {
        this.log('warn', 'redis subscribe slow; room opens and is reconciled when it completes', { room: room.name });
        ack.catch((err: unknown) => this.log('error', 'redis subscribe failed', { room: room.name, err: String(err) }));
      }
    } finally {
      clearTimeout(timer);
    }
  }

  async unsubscribe(room: Room): Promise<void> {
    const entry = this.entries.get(room.name);
    // A newer copy of the room may have subscribed already: leave its subscription alone.
    if (!entry || entry.room !== room) return;
    this.entries.delete(room.name);
    if (entry.retryTimer) clearTimeout(entry.retryTimer);
    entry.pending = null;
    if (this.closing || this.sub.status !== 'ready') return;
    try {
      await this.sub.unsubscribe(roomChannel(room.name));
    } catch (err) {
      this.log('warn', 'redis unsubscribe failed', { room: room.name, err: String(err) });
    }
  }

  /** A SUBSCRIBE for this entry was acknowledged: from now on nothing published is missed. */
  private activated(entry: Entry): void {
    if (this.entries.get(entry.room.name) !== entry) return;
    entry.needsCatchUp = true;
    this.catchUp(entry);
  }

  private onLoaded(entry: Entry, ok: boolean): void {
    if (this.entries.get(entry.room.name) !== entry) return;
    const pending = entry.pending ?? [];
    entry.pending = null;
    if (!ok) return; // the room failed; its teardown unsubscribes
    for (const env of pending) this.apply(entry, env);
    this.catchUp(entry);
    this.queryAwareness(entry.room.name);
  }

  /** Once loaded and subscribed, reconciles the room from storage if a subscription (re)started since the last time. */
  private catchUp(entry: Entry): void {
    if (entry.pending !== null || !entry.needsCatchUp || !this.storage || this.closing) return;
    entry.needsCatchUp = false;
    this.resync(entry.room).then(
      () => { entry.failures = 0; },
      (err: unknown) => {
        if (this.entries.get(entry.room.name) !== entry || this.closing) return;
        entry.failures++;
        const delay = Math.min(30_000, 500 * 2 ** Math.min(entry.failures, 6));
        this.log('error', 'room resync from storage failed; retrying', { room: entry.room.name, err: String(err), delayMs: delay });
        entry.needsCatchUp = true;
        entry.retryTimer = setTimeout(() => { entry.retryTimer = null; this.catchUp(entry); }, delay);
        entry.retryTimer.unref?.();
      },
    );
  }

  /**
   * Applies to a loaded room whatever storage holds that the room lacks (as a
   * remote update: it is committed already, so it is only broadcast to clients).
   * Returns false when there is no storage or the room is not ready.
   */
  async resync(room: Room): Promise<boolean> {
    if (!this.storage || room.state !== 'ready') return false;
    const stored = await this.storage.loadDoc(room.name);
    if (room.state !== 'ready') return false;
    if (!stored.snapshot && stored.updates.length === 0) return true;
    const missing = Y.diffUpdate(mergeStoredDoc(stored), Y.encodeStateVector(room.doc));
    room.applyRemoteUpdate(missing);
    return true;
  }

  /** After a reconnect of the subscriber: SUBSCRIBE every loaded room again, then reconcile each. */
  private resubscribeAll(): void {
    if (this.closing) return;
    const entries = [...this.entries.values()];
    if (entries.length === 0) return;
    this.log('info', 'redis subscriber reconnected; resubscribing and resyncing rooms', { rooms: entries.length });
    this.sub.subscribe(...entries.map((e) => roomChannel(e.room.name))).then(
      () => {
        for (const e of entries) {
          this.activated(e);
          if (e.pending === null && this.entries.get(e.room.name) === e) this.queryAwareness(e.room.name);
        }
      },
      (err: unknown) => this.log('error', 'redis resubscribe failed', { err: String(err) }),
    );
  }

  // ---- incoming -----------------------------------------------------------------

  private receive(channel: Buffer, message: Buffer): void {
    const name = channel.toString('utf8');
    if (!name.startsWith(CHANNEL_PREFIX)) return;
    const entry = this.entries.get(name.slice(CHANNEL_PREFIX.length));
    if (!entry) return;
    const env = decodeEnvelope(message);
    if (!env) {
      this.log('warn', 'malformed fan-out message', { channel: name });
      return;
    }
    if (env.nodeId === this.nodeId) return; // our own publish, already applied here
    if (entry.pending) {
      if (entry.pending.length < this.maxPending) entry.pending.push(env);
      else if (env.kind === MessageKind.Update || env.kind === MessageKind.Resync) entry.needsCatchUp = true; // recovered from storage once loaded
      return;
    }
    this.apply(entry, env);
  }

  private apply(entry: Entry, env: Envelope): void {
    const { room } = entry;
    try {
      switch (env.kind) {
        case MessageKind.Update:
          validateUpdate(env.payload); // never half-apply a corrupt update
          room.applyRemoteUpdate(env.payload);
          break;
        case MessageKind.Awareness:
          room.applyRemoteAwareness(env.payload);
          break;
        case MessageKind.AwarenessQuery:
          this.answerAwarenessQuery(room);
          break;
        case MessageKind.Resync:
          entry.needsCatchUp = true;
          this.catchUp(entry);
          break;
        default:
          break; // a kind from a newer node
      }
    } catch (err) {
      this.log('warn', 'fan-out message rejected', { room: room.name, from: env.nodeId, kind: env.kind, err: String(err) });
    }
  }

  /** Another node opened the room: tell it about the clients connected here (not states learnt from other nodes). */
  private answerAwarenessQuery(room: Room): void {
    if (room.state !== 'ready') return;
    const states = room.awareness.getStates();
    const ids: number[] = [];
    for (const conn of room.connections) for (const id of conn.awarenessIds) if (states.has(id)) ids.push(id);
    if (ids.length > 0) this.publishAwareness(room.name, awarenessProtocol.encodeAwarenessUpdate(room.awareness, ids));
  }

  // ---- outgoing ---------------------------------------------------------------------

  publishUpdate(room: string, update: Uint8Array): void {
    this.publish(room, MessageKind.Update, update);
  }

  publishAwareness(room: string, update: Uint8Array): void {
    this.publish(room, MessageKind.Awareness, update);
  }

  private queryAwareness(room: string): void {
    this.publish(room, MessageKind.AwarenessQuery, new Uint8Array(0));
  }

  private publish(room: string, kind: MessageKind, payload: Uint8Array): void {
    if (this.closing) return;
    // Updates and resync requests must reach every peer eventually; awareness is
    // re-sent by clients every 15 s, so a lost one is not worth a resync.
    const mustArrive = kind === MessageKind.Update || kind === MessageKind.Resync;
    try {
      this.pub.publish(roomChannel(room), encodeEnvelope(kind, this.nodeId, payload)).then(
        () => { if (this.dirty.size > 0) this.flushDirty(); },
        (err: unknown) => this.publishFailed(room, kind, mustArrive, err),
      );
    } catch (err) {
      this.publishFailed(room, kind, mustArrive, err);
    }
  }

  private publishFailed(room: string, kind: MessageKind, mustArrive: boolean, err: unknown): void {
    if (this.closing) return;
    this.log(mustArrive ? 'error' : 'warn', 'redis publish failed', { room, kind, err: String(err) });
    if (mustArrive) this.dirty.add(room);
  }

  /** Asks peers to reload from storage the rooms whose updates we failed to publish. */
  private flushDirty(): void {
    if (this.closing || this.pub.status !== 'ready') return;
    const rooms = [...this.dirty];
    this.dirty.clear();
    for (const room of rooms) this.publish(room, MessageKind.Resync, new Uint8Array(0));
  }

  close(): Promise<void> {
    return (this.closing ??= (async () => {
      for (const e of this.entries.values()) if (e.retryTimer) clearTimeout(e.retryTimer);
      this.entries.clear();
      this.dirty.clear();
      await Promise.all([this.pub, this.sub].map(async (conn) => {
        if (conn.status === 'ready') {
          try {
            await conn.quit();
            return;
          } catch {
            /* fall through to disconnect */
          }
        }
        conn.disconnect();
      }));
    })());
  }
}
