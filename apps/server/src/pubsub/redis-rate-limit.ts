import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AttemptLimiter, RateLimiter } from '../auth/rate-limit.ts';
import type { FanoutLog } from './redis.ts';

/**
 * Failed attempts counted in Redis, so that with several nodes behind a load
 * balancer the limit holds for the whole deployment rather than per node. A
 * fixed window per key: INCR, and the expiry set by the first failure
 * (`PEXPIRE … NX`). Keys are hashed: Redis never holds an email address.
 * Every failure is also counted in `local`; while Redis is unreachable the
 * limiter answers from there, so the limit falls back to per node, never to none.
 */
export class RedisRateLimiter implements AttemptLimiter {
  private warned = false;

  constructor(
    private readonly redis: Redis,
    /** Names the counter: `concord:limit:<name>:…`. */
    private readonly name: string,
    private readonly local: RateLimiter,
    private readonly log: FanoutLog,
  ) {}

  key(key: string): string {
    return `concord:limit:${this.name}:${createHash('sha256').update(key).digest('base64url').slice(0, 32)}`;
  }

  async retryAfterMs(key: string): Promise<number> {
    try {
      const [[, count], [, ttl]] = (await this.redis.multi().get(this.key(key)).pttl(this.key(key)).exec()) as [[null, string | null], [null, number]];
      this.warned = false;
      return Number(count ?? 0) >= this.local.limit && ttl > 0 ? ttl : 0;
    } catch (err) {
      this.fellBack(err);
      return this.local.wait(key);
    }
  }

  async hit(key: string): Promise<void> {
    this.local.count(key);
    try {
      await this.redis.multi().incr(this.key(key)).pexpire(this.key(key), this.local.windowMs, 'NX').exec();
    } catch (err) {
      this.fellBack(err);
    }
  }

  async reset(key: string): Promise<void> {
    this.local.forget(key);
    try {
      await this.redis.del(this.key(key));
    } catch (err) {
      this.fellBack(err);
    }
  }

  private fellBack(err: unknown): void {
    if (!this.warned) this.log('warn', 'login limits counted on this node only: redis unavailable', { limiter: this.name, err: err instanceof Error ? err.message : String(err) });
    this.warned = true;
  }
}
