/** Failed attempts counted per key (client IP, email) in a fixed window. */
export interface AttemptLimiter {
  /** Milliseconds until `key` may try again; 0 when it may try now. Does not count. */
  retryAfterMs(key: string): Promise<number>;
  /** Counts one failed attempt of `key`. */
  hit(key: string): Promise<void>;
  /** Forgets `key`'s failures (after a success). */
  reset(key: string): Promise<void>;
}

/**
 * A fixed-window counter keyed by string, in this process. A single node uses it
 * alone; with several nodes the Redis limiter (`pubsub/redis-rate-limit.ts`) counts
 * across all of them and keeps one of these as its fallback.
 */
export class RateLimiter implements AttemptLimiter {
  private readonly hits = new Map<string, { count: number; resetAt: number }>();

  constructor(readonly limit: number, readonly windowMs: number, private readonly now: () => number = Date.now) {}

  /** Milliseconds until `key` may try again (0: now). */
  wait(key: string): number {
    const h = this.hits.get(key);
    const now = this.now();
    return h && h.resetAt > now && h.count >= this.limit ? h.resetAt - now : 0;
  }

  count(key: string): void {
    const now = this.now();
    const h = this.hits.get(key);
    if (!h || h.resetAt <= now) {
      this.hits.set(key, { count: 1, resetAt: now + this.windowMs });
      if (this.hits.size > 10_000) this.prune();
    } else h.count++;
  }

  forget(key: string): void { this.hits.delete(key); }

  async retryAfterMs(key: string): Promise<number> { return this.wait(key); }
  async hit(key: string): Promise<void> { this.count(key); }
  async reset(key: string): Promise<void> { this.forget(key); }

  private prune(): void {
    const now = this.now();
    for (const [k, h] of this.hits) if (h.resetAt <= now) this.hits.delete(k);
  }
}
