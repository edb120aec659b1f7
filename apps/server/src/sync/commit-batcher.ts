/** One room's updates in a batch, in the order they were received. */
export interface RoomAppend {
  room: string;
  updates: Uint8Array[];
}

/** What the batcher needs of storage: commit several rooms' updates at once, all or nothing. */
export interface BatchAppender {
  appendBatch(batch: RoomAppend[]): Promise<void>;
}

interface Pending {
  updates: Uint8Array[];
  bytes: number;
  waiters: { resolve: () => void; reject: (err: unknown) => void }[];
}

/**
 * Group commit across rooms: every room's updates received while the previous
 * commit was in flight go to storage together, in one transaction (SQLite) or one
 * statement (PostgreSQL). With SQLite a commit finishes at once, so batches stay
 * small and add no delay; with PostgreSQL a batch is in flight for a round trip and
 * everything arriving meanwhile goes in the next. A busy node then needs one round trip per batch rather
 * than one per room, so its commit rate no longer falls with the event loop's
 * speed times the number of rooms. One batch is in flight at a time, so a room's
 * updates are committed, and their promises resolved, in the order received.
 * A batch that fails rejects every room in it (storage is shared; they all
 * failed to commit) and the next batch is tried on its own.
 */
export class CommitBatcher {
  private pending = new Map<string, Pending>();
  private pendingBytes = 0;
  private scheduled = false;
  private inFlight: Promise<void> | null = null;
  /** Batches committed so far. */
  batches = 0;

  constructor(
    private readonly store: BatchAppender,
    /** A batch stops taking rooms past this many bytes; the rest goes in the next one. */
    private readonly maxBatchBytes = 8 * 1024 * 1024,
  ) {}

  /** Resolves when `updates` of `room` are committed. */
  append(room: string, updates: Uint8Array[]): Promise<void> {
    if (updates.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let p = this.pending.get(room);
      if (!p) {
        p = { updates: [], bytes: 0, waiters: [] };
        this.pending.set(room, p);
      }
      for (const u of updates) {
        p.updates.push(u);
        p.bytes += u.length;
        this.pendingBytes += u.length;
      }
      p.waiters.push({ resolve, reject });
      this.schedule();
    });
  }

  /** Resolves when everything appended so far is committed or has failed. */
  async drain(): Promise<void> {
    while (this.inFlight || this.pending.size > 0) {
      if (!this.inFlight) this.run();
      await this.inFlight?.catch(() => undefined);
    }
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight) return;
    this.scheduled = true;
    // At the end of this task, not a loop turn later: every room appending in the same
    // synchronous run joins this batch, and what arrives while it is in flight joins the
    // next. (A setImmediate here would add one event-loop turn to every update's latency.)
    queueMicrotask(() => {
      this.scheduled = false;
      if (!this.inFlight) this.run();
    });
  }

  private run(): void {
    if (this.pending.size === 0) return;
    const batch: RoomAppend[] = [];
    const waiters: Pending['waiters'] = [];
    let bytes = 0;
    for (const [room, p] of this.pending) {
      if (batch.length > 0 && bytes + p.bytes > this.maxBatchBytes) break;
      batch.push({ room, updates: p.updates });
      waiters.push(...p.waiters);
      bytes += p.bytes;
      this.pending.delete(room);
    }
    this.pendingBytes -= bytes;
    this.inFlight = this.store.appendBatch(batch).then(
      () => {
        this.batches++;
        for (const w of waiters) w.resolve();
      },
      (err: unknown) => {
        for (const w of waiters) w.reject(err);
      },
    ).finally(() => {
      this.inFlight = null;
      if (this.pending.size > 0) this.schedule();
    });
  }

  /** Bytes waiting for the next batch. */
  get backlogBytes(): number {
    return this.pendingBytes;
  }
}
