import { LIMITS } from '@concord/shared';
import type { SyncSocket } from './socket.ts';
import type { AwarenessEntry } from './awareness-rules.ts';

/** Largest send backlog tolerated before a slow reader is dropped. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

let nextConnectionId = 1;

/** The start of every connection's message chain (shared: most connections never need their own). */
const SETTLED: Promise<void> = Promise.resolve();

/**
 * One client's WebSocket in one room. A server holds thousands of these, mostly
 * idle, so nothing is allocated here that an idle connection does not need.
 */
export class Connection {
  readonly id = nextConnectionId++;
  private announced: Set<number> | null = null;
  closed = false;
  /** Whether an empty-update "permission denied" notice was already sent. */
  deniedNotified = false;
  /** Serialises message handling so a connection's frames are processed in order. */
  chain: Promise<void> = SETTLED;
  private tokens: number = LIMITS.messageBurst;
  private lastRefill = Date.now();
  /** Leaky bucket of milliseconds spent checking and applying this connection's updates, and when it last drained. */
  private updateCpuMs = 0;
  private updateCpuAt = 0;
  /** Awareness token bucket (refilled lazily) and the latest states held back by it. */
  private awarenessTokens: number = LIMITS.awarenessBurst;
  private awarenessAt = 0;
  private heldAwareness: Map<number, AwarenessEntry> | null = null;
  private awarenessTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly socket: SyncSocket,
    readonly userId: string,
    readonly userName: string,
    public readOnly: boolean,
    readonly projectId: string,
    readonly ip: string,
    /** Session or access-token id the socket was opened with; logout or revocation closes it. */
    readonly credentialId: string | null = null,
  ) {}

  /** Awareness client ids this connection has announced; removed when it closes. Made on first use. */
  get awarenessIds(): Set<number> {
    return (this.announced ??= new Set<number>());
  }

  send(data: Uint8Array): void {
    if (this.closed) return;
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.close(1013, 'client too slow');
      return;
    }
    try {
      this.socket.send(data);
    } catch {
      this.close(1011, 'send failed');
    }
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.socket.close(code, reason);
    } catch {
      /* already closed */
    }
  }

  /**
   * Adds `ms` spent on one of this connection's updates; false once it spent more
   * than LIMITS.updateCpuBudgetMs per LIMITS.updateCpuWindowMs (the bucket drains
   * at that rate).
   */
  chargeUpdateCpu(ms: number, now = performance.now()): boolean {
    const drained = (now - this.updateCpuAt) * (LIMITS.updateCpuBudgetMs / LIMITS.updateCpuWindowMs);
    this.updateCpuMs = Math.max(0, this.updateCpuMs - drained) + ms;
    this.updateCpuAt = now;
    return this.updateCpuMs <= LIMITS.updateCpuBudgetMs;
  }

  /** Awareness token bucket: false when the connection sends presence faster than LIMITS.awarenessUpdatesPerSecond. */
  takeAwarenessToken(now = Date.now()): boolean {
    if (this.heldAwareness) return false; // keep order: later states wait behind held ones
    const refill = ((now - this.awarenessAt) / 1000) * LIMITS.awarenessUpdatesPerSecond;
    this.awarenessTokens = Math.min(LIMITS.awarenessBurst, this.awarenessTokens + Math.max(0, refill));
    this.awarenessAt = now;
    if (this.awarenessTokens < 1) return false;
    this.awarenessTokens -= 1;
    return true;
  }

  /**
   * Holds awareness states sent over the rate: the latest per client id replaces
   * earlier ones, and `apply` gets them once a token is free again.
   */
  deferAwareness(entries: AwarenessEntry[], apply: (entries: AwarenessEntry[]) => void): void {
    const held = (this.heldAwareness ??= new Map());
    for (const e of entries) held.set(e.clientId, e);
    if (this.awarenessTimer) return;
    const wait = Math.ceil((1 - Math.min(1, this.awarenessTokens)) * (1000 / LIMITS.awarenessUpdatesPerSecond));
    this.awarenessTimer = setTimeout(() => {
      this.awarenessTimer = null;
      const pending = this.heldAwareness;
      this.heldAwareness = null;
      if (!pending || this.closed) return;
      if (this.takeAwarenessToken()) apply([...pending.values()]);
      else this.deferAwareness([...pending.values()], apply);
    }, Math.max(1, wait));
    this.awarenessTimer.unref();
  }

  /** Forgets held awareness states (the connection left its room). */
  dropPendingAwareness(): void {
    if (this.awarenessTimer) clearTimeout(this.awarenessTimer);
    this.awarenessTimer = null;
    this.heldAwareness = null;
  }

  /** Token bucket: false when the connection exceeds its message rate. */
  takeToken(now = Date.now()): boolean {
    const elapsed = now - this.lastRefill;
    if (elapsed > 0) {
      this.tokens = Math.min(LIMITS.messageBurst, this.tokens + (elapsed / 1000) * LIMITS.messagesPerSecond);
      this.lastRefill = now;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
