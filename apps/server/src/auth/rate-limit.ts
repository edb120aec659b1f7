/** Attempts counted per key (an account at an address, an address). */
export interface AttemptLimiter {
  /** Milliseconds until `key` may try again; 0 when it may try now. Does not count. */
  retryAfterMs(key: string): Promise<number>;
  /** Counts one attempt of `key` (a failed sign-in, an account created). */
  hit(key: string): Promise<void>;
  /** Forgets `key`'s attempts (after a success). */
  reset(key: string): Promise<void>;
}

/**
 * Growing delays rather than a lock-out: the first `free` attempts in a window
 * cost nothing; after that each attempt makes the key wait `baseDelayMs`,
 * doubling with every further attempt up to `maxDelayMs`. The count is forgotten
 * `windowMs` after the key's last attempt.
 */
export interface BackoffPolicy {
  free: number;
  baseDelayMs: number;
  maxDelayMs: number;
  windowMs: number;
}

/** How long a key must wait after its `attempts`-th attempt. */
export function backoffDelay(p: BackoffPolicy, attempts: number): number {
  if (attempts < p.free) return 0;
  const doublings = Math.min(attempts - p.free, 40);
  return Math.min(p.baseDelayMs * 2 ** doublings, p.maxDelayMs);
}

/**
 * A backoff limiter keyed by string, in this process. A single node uses it
 * alone; with several nodes the Redis limiter (`pubsub/redis-rate-limit.ts`)
 * counts across all of them and keeps one of these as its fallback.
 */
export class RateLimiter implements AttemptLimiter {
  private readonly hits = new Map<string, { count: number; until: number; forgetAt: number }>();

  constructor(readonly policy: BackoffPolicy, private readonly now: () => number = Date.now) {}

  /** Milliseconds until `key` may try again (0: now). */
  wait(key: string): number {
    const h = this.hits.get(key);
    const now = this.now();
    return h && h.forgetAt > now && h.until > now ? h.until - now : 0;
  }

  count(key: string): void {
    const now = this.now();
    let h = this.hits.get(key);
    if (!h || h.forgetAt <= now) {
      h = { count: 0, until: 0, forgetAt: 0 };
      this.hits.set(key, h);
      if (this.hits.size > 10_000) this.prune();
    }
    h.count++;
    const delay = backoffDelay(this.policy, h.count);
    h.until = now + delay;
    h.forgetAt = Math.max(now + this.policy.windowMs, h.until);
  }

  forget(key: string): void { this.hits.delete(key); }

  async retryAfterMs(key: string): Promise<number> { return this.wait(key); }
  async hit(key: string): Promise<void> { this.count(key); }
  async reset(key: string): Promise<void> { this.forget(key); }

  private prune(): void {
    const now = this.now();
    for (const [k, h] of this.hits) if (h.forgetAt <= now) this.hits.delete(k);
  }
}
