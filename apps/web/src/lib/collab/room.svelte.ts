import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { IndexeddbPersistence } from 'y-indexeddb';
import type { Awareness } from 'y-protocols/awareness';
import { CloseCode, FATAL_CLOSE_CODES, closeReason } from '@concord/shared';

export type RoomStatus = 'loading' | 'connecting' | 'synced' | 'offline' | 'denied';

export interface FatalClose {
  code: number;
  reason: string;
}

/** Sync server base URL: `ws(s)://<host>/sync` on the page's own origin. */
export function syncUrl(): string {
  return `${location.origin.replace(/^http/, 'ws')}/sync`;
}

/** Performance marks (`concord:…`) for the browser benchmark and the DevTools timeline. */
function mark(what: string): void {
  try {
    performance.mark(`concord:${what}`);
  } catch {
    /* marks are best effort */
  }
}

/** All live rooms, for the connection indicator and test hooks. */
export const liveRooms = new Set<SyncedRoom>();

/**
 * One Yjs document bound to one room: WebSocket sync with the server, a local
 * copy in IndexedDB (offline work survives reloads and merges on reconnect), and
 * rune state that says how it is connected and how many local changes the server
 * has not seen yet.
 */
export class SyncedRoom {
  readonly doc = new Y.Doc();
  readonly provider: WebsocketProvider;
  readonly persistence: IndexeddbPersistence | null;

  /** Whether the server ever answered a sync for this room in this session. */
  everSynced = $state(false);
  connected = $state(false);
  synced = $state(false);
  /** The local copy (IndexedDB) is loaded. */
  localLoaded = $state(false);
  /** Local changes made while not synced with the server. */
  pending = $state(0);
  fatal = $state<FatalClose | null>(null);
  /** Set when the server said our access changed (4509): the app should refetch the role. */
  accessChanged = $state(0);
  /** Forced offline (user "work offline" or a test hook). */
  manualOffline = $state(false);
  /** The browser says it has no network. */
  browserOffline = $state(typeof navigator !== 'undefined' && navigator.onLine === false);
  /** The last attempt to reach the server failed (cleared when a connection opens). */
  connectFailed = $state(false);

  readonly #pendingKey: string;
  readonly #onUpdate: (update: Uint8Array, origin: unknown) => void;
  readonly #onOnline = (): void => {
    this.browserOffline = false;
    if (!this.manualOffline && !this.fatal) this.provider.connect();
  };
  readonly #onOffline = (): void => {
    this.browserOffline = true;
    // An open socket can outlive the network by ~30 s before y-websocket notices;
    // close it now so the badge says offline and changes from now on count as kept.
    if (this.provider.wsconnected || this.provider.wsconnecting) {
      this.provider.disconnect();
      this.synced = false;
      this.connected = false;
    }
  };

  constructor(
    readonly name: string,
    opts: { userId: string; persist?: boolean; connect?: boolean } = { userId: 'anon' },
  ) {
    this.#pendingKey = `concord:pending:${opts.userId}:${name}`;
    this.pending = Number(localStorage.getItem(this.#pendingKey) ?? 0) || 0;
    this.persistence = opts.persist === false ? null : new IndexeddbPersistence(`concord:${opts.userId}:${name}`, this.doc);
    if (this.persistence) {
      void this.persistence.whenSynced.then(() => {
        this.localLoaded = true;
        mark(`local-loaded ${name}`);
      });
    } else this.localLoaded = true;

    this.provider = new WebsocketProvider(syncUrl(), name, this.doc, {
      connect: opts.connect !== false,
      maxBackoffTime: 5000,
      // Only the codes that reconnecting cannot fix stop us; 4509 (access changed)
      // and rate limiting reconnect with backoff.
      shouldReconnect: (event) => !FATAL_CLOSE_CODES.has(event.code),
    });
    mark(`open ${name}`);
    this.provider.on('status', ({ status }) => {
      this.connected = status === 'connected';
      if (status === 'connected') this.connectFailed = false;
      if (status === 'disconnected') this.connectFailed = true;
      if (status !== 'connected') this.synced = false;
    });
    this.provider.on('sync', (isSynced: boolean) => {
      this.synced = isSynced;
      if (isSynced) {
        if (!this.everSynced) mark(`synced ${name}`);
        this.everSynced = true;
        this.setPending(0);
      }
    });
    this.provider.on('connection-close', (event) => {
      if (event && event.code === CloseCode.AccessChanged) this.accessChanged++;
    });
    this.provider.on('closed', ({ code, reason }) => {
      this.fatal = { code, reason: reason || closeReason(code) };
      this.provider.shouldConnect = false;
    });
    this.#onUpdate = (_update, origin) => {
      if (origin === this.provider || origin === this.persistence) return;
      if (!(this.provider.wsconnected && this.synced)) this.setPending(this.pending + 1);
    };
    this.doc.on('update', this.#onUpdate);
    addEventListener('online', this.#onOnline);
    addEventListener('offline', this.#onOffline);
    liveRooms.add(this);
  }

  get awareness(): Awareness {
    return this.provider.awareness;
  }

  get status(): RoomStatus {
    if (this.fatal) return 'denied';
    if (this.synced) return 'synced';
    if (this.manualOffline) return 'offline';
    if (!this.everSynced && !this.localLoaded) return 'loading';
    // opened without a network (e.g. reloaded offline): say so rather than "connecting" forever
    if (!this.everSynced && !this.browserOffline && !this.connectFailed) return 'connecting';
    return 'offline';
  }

  /** Resolves once the document has content to show: the local copy or the server's. */
  whenReady(): Promise<void> {
    return new Promise((resolve) => {
      if (this.synced) return resolve();
      const done = (): void => {
        this.provider.off('sync', onSync);
        resolve();
      };
      const onSync = (s: boolean): void => {
        if (s) done();
      };
      this.provider.on('sync', onSync);
      // a local copy with content is good enough to start (offline start)
      void this.persistence?.whenSynced.then(() => {
        if (this.doc.share.size > 0 && hasContent(this.doc)) done();
      });
    });
  }

  private setPending(n: number): void {
    this.pending = n;
    try {
      if (n > 0) localStorage.setItem(this.#pendingKey, String(n));
      else localStorage.removeItem(this.#pendingKey);
    } catch {
      /* private mode */
    }
  }

  goOffline(): void {
    this.manualOffline = true;
    this.provider.disconnect();
  }

  goOnline(): void {
    this.manualOffline = false;
    if (!this.fatal) this.provider.connect();
  }

  /** Try again after a fatal close (e.g. after signing in again). */
  retry(): void {
    this.fatal = null;
    this.provider.connect();
  }

  destroy(): void {
    liveRooms.delete(this);
    removeEventListener('online', this.#onOnline);
    removeEventListener('offline', this.#onOffline);
    this.doc.off('update', this.#onUpdate);
    this.provider.awareness.setLocalState(null);
    this.provider.destroy();
    void this.persistence?.destroy();
    this.doc.destroy();
  }
}

function hasContent(doc: Y.Doc): boolean {
  for (const t of doc.share.values()) {
    if (t instanceof Y.Text && t.length > 0) return true;
    if (t instanceof Y.Map && t.size > 0) return true;
    if (t instanceof Y.Array && t.length > 0) return true;
    // untyped top-level types (not yet accessed with getText/getMap) carry items in _start/_map
    if (t._start !== null || t._map.size > 0) return true;
  }
  return false;
}

export type CombinedStatus = { status: RoomStatus; pending: number; fatal: FatalClose | null };

/** One indicator for several rooms: the worst state wins, pending changes add up. */
export function combineStatus(rooms: readonly SyncedRoom[]): CombinedStatus {
  const order: RoomStatus[] = ['denied', 'offline', 'loading', 'connecting', 'synced'];
  let worst: RoomStatus = 'synced';
  let pending = 0;
  let fatal: FatalClose | null = null;
  for (const r of rooms) {
    const s = r.status;
    if (order.indexOf(s) < order.indexOf(worst)) worst = s;
    pending += r.pending;
    fatal ??= r.fatal;
  }
  return { status: worst, pending, fatal };
}
