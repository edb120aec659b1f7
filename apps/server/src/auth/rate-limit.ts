/**
 * A fixed-window counter keyed by string (IP, email): small, in-process. With
 * several nodes each node counts on its own, so the effective limit is per node.
 */
export class RateLimiter {
  private readonly hits = new Map<string, { count: number; resetAt: number }>();

  constructor(private readonly limit: number, private readonly windowMs: number, private readonly now: () => number = Date.now) {}

  /** True when `key` is over the limit; does not count. */
  blocked(key: string): boolean {
    const h = this.hits.get(key);
    return !!h && h.resetAt > this.now() && h.count >= this.limit;
  }

  hit(key: string): void {
    const now = this.now();
    const h = this.hits.get(key);
    if (!h || h.resetAt <= now) {
      this.hits.set(key, { count: 1, resetAt: now + this.windowMs });
      if (this.hits.size > 10_000) this.prune();
    } else h.count++;
  }

  reset(key: string): void { this.hits.delete(key); }

  retryAfterMs(key: string): number {
    const h = this.hits.get(key);
    return h ? Math.max(0, h.resetAt - this.now()) : 0;
  }

  private prune(): void {
    const now = this.now();
    for (const [k, h] of this.hits) if (h.resetAt <= now) this.hits.delete(k);
  }
}
