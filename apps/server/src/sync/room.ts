import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as authProtocol from 'y-protocols/auth';
import * as syncProtocol from 'y-protocols/sync';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { CloseCode, LIMITS } from '@concord/shared';
import type { Storage, StoredDoc } from '../storage/types.ts';
import type { Connection } from './connection.ts';
import { MessageType, SyncType } from './protocol.ts';
import type { Fanout } from './fanout.ts';
import { checkUpdateCost, UpdateRefused } from './update-cost.ts';
import type { RoomPolicy, RoomPolicyFactory } from './room-policy.ts';
import { AwarenessRefused, decodeAwareness, encodeAwareness, type AwarenessEntry } from './awareness-rules.ts';

/** Transaction origins that are not a client connection. */
export const ORIGIN_LOAD = Symbol('load');
export const ORIGIN_REMOTE = Symbol('remote-node');
export const ORIGIN_SERVER = Symbol('server');

export type RoomState = 'loading' | 'ready' | 'closing' | 'closed';

export interface RoomHooks {
  log(level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>): void;
  /**
   * Commits a room's updates; default `storage.appendUpdates`. The room manager
   * passes its node-wide group commit (`commit-batcher.ts`).
   */
  append?(room: string, updates: Uint8Array[]): Promise<void>;
  compactAfter: number;
  /** Chooses the room's policy (what its kind may hold and pass on) once, when it is created. */
  policy?: RoomPolicyFactory;
}

/**
 * One loaded Yjs document and its connections. Rules:
 * - every update is committed to storage before it is broadcast (group commit per tick);
 * - a client's sync step 1 is answered only once everything in memory is committed;
 * - frames that arrive while the room loads are buffered and handled in order;
 * - a failed load or store closes every connection (4500) and unloads the room.
 */
export class Room {
  // A fixed guid: the server never shares it (no subdocuments), and a random one costs a UUID per load.
  readonly doc = new Y.Doc({ gc: true, guid: 'concord-room' });
  readonly awareness = new awarenessProtocol.Awareness(this.doc);
  readonly connections = new Set<Connection>();
  state: RoomState = 'loading';
  readonly loaded: Promise<boolean>;
  /** Resolves once the room is closed and stored. */
  closed: Promise<void> | null = null;
  /** Number of server-side users (HTTP handlers) holding the room open. */
  holds = 0;
  private queue: { update: Uint8Array; origin: unknown }[] = [];
  private flushScheduled = false;
  private flushChain: Promise<void> = Promise.resolve();
  private logged = 0;
  /** Sync step 2 for an empty state vector, for the document as it is now; null once it changes. */
  private fullStep2: Uint8Array | null = null;
  /** What this kind of room may hold and pass on (chosen once). */
  private readonly policy: RoomPolicy;
  /** The connection that introduced each awareness client id (only it may change or remove that state). */
  private readonly awarenessOwners = new Map<number, Connection>();

  constructor(
    readonly name: string,
    private readonly storage: Storage,
    private readonly hooks: RoomHooks,
    private readonly fanout: Fanout | null,
    private readonly onEmpty: (room: Room) => void,
    private readonly onClosed: (room: Room) => void,
  ) {
    this.awareness.setLocalState(null);
    this.policy = hooks.policy?.(this) ?? {};
    const afterApply = this.policy.afterApply;
    if (afterApply) {
      this.doc.on('afterTransaction', (tr: Y.Transaction) => {
        if (tr.origin && typeof tr.origin === 'object' && 'awarenessIds' in tr.origin) afterApply(tr.origin as Connection, tr);
      });
    }
    this.awareness.on('update', this.handleAwarenessUpdate);
    this.loaded = this.load();
  }

  private async load(): Promise<boolean> {
    try {
      // Subscribe before reading storage: an update published after the subscription is
      // held by the fan-out until we are ready; one published before it was committed
      // before, so the read below contains it.
      if (this.fanout) await this.fanout.subscribe(this);
      const stored = await this.storage.loadDoc(this.name);
      Y.transact(this.doc, () => {
        if (stored.snapshot) Y.applyUpdate(this.doc, stored.snapshot);
        for (const u of stored.updates) Y.applyUpdate(this.doc, u);
      }, ORIGIN_LOAD);
      this.logged = stored.updates.length;
      if ((this.state as RoomState) !== 'loading') return false;
      // Listening only from here: Yjs encodes every transaction for 'update' listeners,
      // and the load's would be thrown away. Nothing else touches the document before
      // 'ready' (client frames are buffered, remote updates held, withDoc awaits `loaded`).
      this.doc.on('update', this.handleDocUpdate);
      this.state = 'ready';
      this.reportMalformed();
      return true;
    } catch (err) {
      this.hooks.log('error', 'room load failed', { room: this.name, err: String(err) });
      this.fail();
      return false;
    }
  }

  /** Logs, once per load, entries stored in a bad shape that readers skip (data from before the checks, or edited by hand). */
  private reportMalformed(): void {
    const found = this.policy.malformed?.() ?? [];
    if (found.length === 0) return;
    this.hooks.log('warn', 'entries stored in a bad shape are skipped', {
      room: this.name, count: found.length, first: found.slice(0, 5).map((m) => `${m.part}/${m.key}: ${m.problem}`),
    });
  }

  /** Closes every connection and unloads the room, keeping nothing half-done in memory. */
  fail(): void {
    if (this.state === 'closed' || this.state === 'closing') return;
    for (const c of this.connections) c.close(CloseCode.RoomFailed, 'room failed on the server');
    this.connections.clear();
    this.queue = [];
    this.closed = this.teardown(false);
  }

  // ---- connections -------------------------------------------------------

  join(conn: Connection): void {
    this.connections.add(conn);
    void this.loaded.then((ok) => {
      if (!ok) {
        this.connections.delete(conn);
        conn.close(CloseCode.RoomFailed, 'room failed on the server');
        return;
      }
      if (conn.closed) return;
      // Server's sync step 1 and the current awareness states.
      const enc = encoding.createEncoder();
      encoding.writeVarUint(enc, MessageType.Sync);
      syncProtocol.writeSyncStep1(enc, this.doc);
      conn.send(encoding.toUint8Array(enc));
      const states = [...this.awareness.getStates().keys()];
      if (states.length > 0) conn.send(this.awarenessMessage(states));
    });
  }

  leave(conn: Connection): void {
    if (!this.connections.delete(conn)) return;
    conn.dropPendingAwareness();
    if (conn.awarenessIds.size > 0) {
      for (const id of conn.awarenessIds) if (this.awarenessOwners.get(id) === conn) this.awarenessOwners.delete(id);
      awarenessProtocol.removeAwarenessStates(this.awareness, [...conn.awarenessIds], null);
    }
    if (this.connections.size === 0 && this.holds === 0) this.onEmpty(this);
  }

  /** Handles one frame from a connection; frames are processed in arrival order. */
  receive(conn: Connection, data: Uint8Array): void {
    conn.chain = conn.chain.then(async () => {
      if (!(await this.loaded) || conn.closed) return;
      await this.handleMessage(conn, data);
    }).catch((err: unknown) => {
      this.hooks.log('warn', 'bad message', { room: this.name, conn: conn.id, err: String(err) });
      if (err instanceof AwarenessRefused) conn.close(CloseCode.RefusedChange, err.message.slice(0, 120));
      else conn.close(CloseCode.BadMessage, err instanceof UpdateRefused ? err.message.slice(0, 120) : 'malformed message');
    });
  }

  private async handleMessage(conn: Connection, data: Uint8Array): Promise<void> {
    const decoder = decoding.createDecoder(data);
    const type = decoding.readVarUint(decoder);
    switch (type) {
      case MessageType.Sync: {
        const syncType = decoding.readVarUint(decoder);
        if (syncType === SyncType.Step1) {
          const stateVector = decoding.readVarUint8Array(decoder);
          // Answer only with committed state: wait for anything queued to be stored.
          await this.idle();
          if (conn.closed) return;
          conn.send(this.step2For(stateVector));
        } else if (syncType === SyncType.Step2 || syncType === SyncType.Update) {
          const update = decoding.readVarUint8Array(decoder);
          if (conn.readOnly) {
            if (!isEmptyUpdate(update) && !conn.deniedNotified) {
              conn.deniedNotified = true;
              const enc = encoding.createEncoder();
              encoding.writeVarUint(enc, MessageType.Auth);
              authProtocol.writePermissionDenied(enc, 'read-only: your changes were not saved');
              conn.send(encoding.toUint8Array(enc));
            }
            return;
          }
          // Every joining client answers our step 1 with its state; most have nothing.
          if (isEmptyUpdate(update)) return;
          let started = performance.now();
          let spent = 0;
          validateUpdate(update, this.doc);
          let refused = this.policy.check?.(conn, update) ?? null;
          if (refused instanceof Promise) {
            spent = performance.now() - started;
            refused = await refused;
            if (conn.closed || this.state !== 'ready') return;
            // The document may have moved on while the policy waited: check the cost again against it.
            started = performance.now();
            validateUpdate(update, this.doc);
          }
          if (refused) {
            this.hooks.log('warn', 'update refused by the room policy', { room: this.name, conn: conn.id, reason: refused });
            const enc = encoding.createEncoder();
            encoding.writeVarUint(enc, MessageType.Auth);
            authProtocol.writePermissionDenied(enc, refused);
            conn.send(encoding.toUint8Array(enc));
            conn.close(CloseCode.RefusedChange, refused.slice(0, 120));
            return;
          }
          Y.applyUpdate(this.doc, update, conn);
          if (!conn.chargeUpdateCpu(spent + performance.now() - started)) {
            // Each update is bounded (validateUpdate); this bounds a stream of costly ones.
            this.hooks.log('warn', 'update processing over the per-connection budget', {
              room: this.name, conn: conn.id, budgetMs: LIMITS.updateCpuBudgetMs, windowMs: LIMITS.updateCpuWindowMs,
            });
            conn.close(CloseCode.RateLimited, 'too much time spent applying your updates');
            return;
          }
          if (pendingBytes(this.doc) > LIMITS.maxPendingBytes) {
            // Updates that depend on data no one sent stay in memory and go to every
            // joiner; a client piling them up is dropped along with what it piled up.
            this.doc.store.pendingStructs = null;
            this.doc.store.pendingDs = null;
            this.hooks.log('warn', 'pending updates over the limit', { room: this.name, conn: conn.id });
            conn.close(CloseCode.BadMessage, 'too many updates with missing dependencies');
          }
        } else {
          throw new Error(`unknown sync message type ${syncType}`);
        }
        break;
      }
      case MessageType.Awareness: {
        this.receiveAwareness(conn, decodeAwareness(decoding.readVarUint8Array(decoder)));
        break;
      }
      case MessageType.QueryAwareness: {
        const ids = [...this.awareness.getStates().keys()];
        if (ids.length > 0) conn.send(this.awarenessMessage(ids, conn));
        break;
      }
      case MessageType.Auth:
        break;
      default:
        throw new Error(`unknown message type ${type}`);
    }
  }

  // ---- updates ------------------------------------------------------------

  /**
   * Sync step 2 for a client's state vector. The answer to an empty one (a client
   * with nothing: every fresh join) is the whole document; it is encoded once per
   * version of the document and shared by every joiner, instead of once per join —
   * that encoding was most of a join's CPU and, through the allocator, of the memory
   * an idle connection appeared to cost.
   */
  private step2For(stateVector: Uint8Array): Uint8Array {
    const full = stateVector.length === 1 && stateVector[0] === 0;
    if (full && this.fullStep2) return this.fullStep2;
    const enc = encoding.createEncoder();
    encoding.writeVarUint(enc, MessageType.Sync);
    syncProtocol.writeSyncStep2(enc, this.doc, stateVector);
    const msg = encoding.toUint8Array(enc);
    if (full) this.fullStep2 = msg;
    return msg;
  }

  private readonly handleDocUpdate = (update: Uint8Array, origin: unknown): void => {
    this.fullStep2 = null; // the document changed
    if (origin === ORIGIN_REMOTE) {
      // Another node committed it already; just pass it on to our clients.
      this.broadcast(syncUpdateMessage(update), null);
      return;
    }
    this.queue.push({ update, origin });
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
  };

  private readonly flush = (): void => {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0 || this.state === 'closed') return;
    this.flushChain = this.flushChain.then(async () => {
      const updates = batch.map((b) => b.update);
      await (this.hooks.append ? this.hooks.append(this.name, updates) : this.storage.appendUpdates(this.name, updates));
      this.logged += batch.length;
      for (const { update, origin } of batch) {
        const msg = syncUpdateMessage(update);
        this.broadcast(msg, origin);
        this.fanout?.publishUpdate(this.name, update);
      }
      this.policy.afterCommit?.();
      if (this.logged >= this.hooks.compactAfter) await this.compact();
    }).catch((err: unknown) => {
      this.hooks.log('error', 'room store failed', { room: this.name, err: String(err) });
      this.fail();
    });
  };

  /** Resolves when every update received so far is committed. */
  async idle(): Promise<void> {
    while (this.queue.length > 0 || this.flushScheduled) {
      if (this.flushScheduled) this.flush();
      await this.flushChain;
    }
    await this.flushChain;
  }

  private async compact(): Promise<void> {
    await this.storage.compactDoc(this.name, mergeStoredDoc);
    this.logged = 0;
  }

  private broadcast(msg: Uint8Array, except: unknown): void {
    for (const c of this.connections) if (c !== except) c.send(msg);
  }

  // ---- awareness ------------------------------------------------------------

  /**
   * A connection's awareness update, under the rules of docs/sync-protocol.md: a
   * state of at most LIMITS.maxAwarenessStateBytes; only the client ids the
   * connection introduced (or that another connection of the same user introduced:
   * a reconnect before the old socket timed out) may be set or removed by it; over
   * the per-connection rate, the latest state per client is kept and applied once
   * the rate allows. A refused update throws (AwarenessRefused closes the connection).
   */
  private receiveAwareness(conn: Connection, received: AwarenessEntry[]): void {
    // y-websocket clients send back every state they receive, at the clock they got it:
    // such echoes (and other stale entries) change nothing and are not the sender's doing.
    const entries = received.filter((e) => this.changesAwareness(e));
    if (entries.length === 0) return;
    for (const e of entries) {
      const owner = this.awarenessOwners.get(e.clientId);
      if (owner && owner !== conn && owner.userId !== conn.userId) throw new AwarenessRefused('presence of another client');
      if (!owner && e.state !== 'null' && !conn.awarenessIds.has(e.clientId) && conn.awarenessIds.size >= LIMITS.maxAwarenessClientsPerConnection) {
        throw new AwarenessRefused('too many presence states from one connection');
      }
    }
    if (!conn.takeAwarenessToken()) {
      conn.deferAwareness(entries, (pending) => {
        if (conn.closed || this.state !== 'ready' || !this.connections.has(conn)) return;
        try {
          this.applyAwareness(conn, pending);
        } catch (err) {
          this.hooks.log('warn', 'held awareness failed', { room: this.name, conn: conn.id, err: String(err) });
          conn.close(CloseCode.BadMessage, 'malformed message');
        }
      });
      return;
    }
    this.applyAwareness(conn, entries);
  }

  /** Whether applying `e` would change the room's awareness (y-protocols' own test). */
  private changesAwareness(e: AwarenessEntry): boolean {
    const clock = this.awareness.meta.get(e.clientId)?.clock ?? 0;
    return clock < e.clock || (clock === e.clock && e.state === 'null' && this.awareness.getStates().has(e.clientId));
  }

  private applyAwareness(conn: Connection, held: AwarenessEntry[]): void {
    const entries = held.filter((e) => this.changesAwareness(e));
    if (entries.length === 0) return;
    for (const e of entries) {
      const owner = this.awarenessOwners.get(e.clientId);
      if (owner && owner !== conn) {
        if (owner.userId !== conn.userId) return; // taken by another user meanwhile: leave it
        owner.awarenessIds.delete(e.clientId); // the same user's new socket takes its client id over
      }
    }
    awarenessProtocol.applyAwarenessUpdate(this.awareness, encodeAwareness(entries), conn);
  }

  private readonly handleAwarenessUpdate = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    const changed = [...added, ...updated, ...removed];
    if (changed.length === 0) return;
    if (origin && typeof origin === 'object' && 'awarenessIds' in origin) {
      const conn = origin as Connection;
      for (const id of [...added, ...updated]) {
        conn.awarenessIds.add(id);
        this.awarenessOwners.set(id, conn);
      }
      for (const id of removed) {
        conn.awarenessIds.delete(id);
        if (this.awarenessOwners.get(id) === conn) this.awarenessOwners.delete(id);
      }
    }
    if (this.policy.awarenessView?.()) {
      // A filtered view: each connection still gets its own clients' states whole.
      let shared: Uint8Array | null = null;
      for (const c of this.connections) {
        const own = c.awarenessIds.size > 0 && changed.some((id) => c.awarenessIds.has(id));
        c.send(own ? this.awarenessMessage(changed, c) : (shared ??= this.awarenessMessage(changed)));
      }
    } else this.broadcast(this.awarenessMessage(changed), null);
    if (origin !== ORIGIN_REMOTE && this.fanout) {
      this.fanout.publishAwareness(this.name, awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed));
    }
  };

  /** An awareness message of `clients`' states as this room's policy lets `recipient` (default: anyone) see them. */
  private awarenessMessage(clients: number[], recipient: Connection | null = null): Uint8Array {
    const view = this.policy.awarenessView?.() ?? null;
    const enc = encoding.createEncoder();
    encoding.writeVarUint(enc, MessageType.Awareness);
    if (!view) encoding.writeVarUint8Array(enc, awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients));
    else {
      const states = this.awareness.getStates();
      encoding.writeVarUint8Array(enc, encodeAwareness(clients.map((clientId) => {
        const state = states.get(clientId) as Record<string, unknown> | undefined;
        return {
          clientId,
          clock: this.awareness.meta.get(clientId)?.clock ?? 0,
          state: state === undefined || state === null ? 'null' : JSON.stringify(recipient?.awarenessIds.has(clientId) ? state : view(state)),
        };
      })));
    }
    return encoding.toUint8Array(enc);
  }

  /**
   * Sends every state again, one clock later, after the policy's view changed (a
   * transcript revealed): clients ignore a state at a clock they already hold, and the
   * owner of each state adopts the later clock, so its next change reaches everyone.
   */
  refreshAwareness(): void {
    if (this.state !== 'ready') return;
    const entries: AwarenessEntry[] = [];
    for (const [clientId, state] of this.awareness.getStates()) {
      entries.push({ clientId, clock: (this.awareness.meta.get(clientId)?.clock ?? 0) + 1, state: JSON.stringify(state) });
    }
    if (entries.length > 0) awarenessProtocol.applyAwarenessUpdate(this.awareness, encodeAwareness(entries), ORIGIN_SERVER);
  }

  /** Applies an update from another node (already committed there). */
  applyRemoteUpdate(update: Uint8Array): void {
    if (this.state !== 'ready') return;
    Y.applyUpdate(this.doc, update, ORIGIN_REMOTE);
  }

  applyRemoteAwareness(update: Uint8Array): void {
    if (this.state !== 'ready') return;
    awarenessProtocol.applyAwarenessUpdate(this.awareness, update, ORIGIN_REMOTE);
  }

  // ---- lifecycle ----------------------------------------------------------------

  /** Stores what is pending, compacts, and frees the room. */
  close(): Promise<void> {
    if (!this.closed) {
      this.state = 'closing';
      this.closed = this.teardown(true);
    }
    return this.closed;
  }

  private async teardown(store: boolean): Promise<void> {
    const wasLoaded = await this.loaded.catch(() => false);
    if (store && wasLoaded) {
      try {
        await this.idle();
        if (this.logged > 20) await this.compact();
      } catch (err) {
        this.hooks.log('error', 'room store on close failed', { room: this.name, err: String(err) });
      }
    }
    this.state = 'closed';
    if (this.fanout) await this.fanout.unsubscribe(this).catch(() => undefined);
    this.doc.off('update', this.handleDocUpdate);
    this.awareness.off('update', this.handleAwarenessUpdate);
    this.awareness.destroy();
    this.doc.destroy();
    this.onClosed(this);
  }
}

export function syncUpdateMessage(update: Uint8Array): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MessageType.Sync);
  syncProtocol.writeUpdate(enc, update);
  return encoding.toUint8Array(enc);
}

/** Builds one snapshot from a stored snapshot and log (used by compaction). */
export function mergeStoredDoc(stored: StoredDoc): Uint8Array {
  const doc = new Y.Doc();
  Y.transact(doc, () => {
    if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
    for (const u of stored.updates) Y.applyUpdate(doc, u);
  });
  const merged = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return merged;
}

function pendingBytes(doc: Y.Doc): number {
  return (doc.store.pendingStructs?.update.length ?? 0) + (doc.store.pendingDs?.length ?? 0);
}

function isEmptyUpdate(update: Uint8Array): boolean {
  // An update with no structs and an empty delete set encodes as [0, 0].
  return update.length <= 2 && update.every((b) => b === 0);
}

/**
 * Decodes an update fully before it touches the room's document, so a truncated
 * or garbage update throws here (closing only its connection) instead of leaving
 * the document half-applied.
 *
 * Yjs never encodes an empty struct or an empty deletion range, nor a clock near
 * 2^53 (clocks count one client's insertions), but it decodes and integrates
 * crafted ones, directly or as pending structs and deletions, which it keeps in
 * the V2 format whose clock differences are doubled. The document is then
 * poisoned: encoding it throws, so sync step 2, compaction and every later load of
 * the room fail (found by test/fuzz.test.ts). Such updates are refused here.
 *
 * With `doc` (a client's update), the update is also checked against the
 * document (update-cost.ts): an item whose right origin is not to the right of its
 * origin (both already in the document) is integrated differently depending on
 * the order updates arrive in, so replicas (and the room after a reload) would
 * disagree on the text; Yjs never creates one. And an update whose integration
 * would make Yjs scan more than LIMITS.maxUpdateScanSteps items, or that holds
 * more than LIMITS.maxConcurrentSiblings items inserted at one place, is refused:
 * Yjs's time for those grows with the square of their number.
 */
export function validateUpdate(update: Uint8Array, doc?: Y.Doc): void {
  const { structs, ds } = Y.decodeUpdate(update);
  for (const s of structs) {
    if (!(s.length > 0)) throw new UpdateRefused('update holds an empty struct');
    const refs = s instanceof Y.Item ? [s.origin, s.rightOrigin, s.parent instanceof Y.ID ? s.parent : null] : [];
    if (!(s.id.clock + s.length <= MAX_CLOCK) || refs.some((id) => id && !(id.clock <= MAX_CLOCK))) {
      throw new UpdateRefused('update holds a clock beyond any real client');
    }
  }
  for (const ranges of ds.clients.values()) {
    for (const r of ranges) {
      if (!(r.len > 0)) throw new UpdateRefused('update holds an empty deletion');
      if (!(r.clock + r.len <= MAX_CLOCK)) throw new UpdateRefused('update holds a deletion beyond any real client');
    }
  }
  if (doc) checkUpdateCost(structs, ds, doc);
}

/** Largest clock accepted: far beyond what a client reaches, far below where Yjs's encodings overflow. */
const MAX_CLOCK = 2 ** 48;
