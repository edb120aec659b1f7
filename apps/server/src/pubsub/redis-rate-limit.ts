import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { backoffDelay, type AttemptLimiter, type RateLimiter } from '../auth/rate-limit.ts';
import type { FanoutLog } from './redis.ts';

/**
 * Attempts counted in Redis, so that with several nodes behind a load balancer
 * the limit holds for the whole deployment rather than per node. Per key: a
 * counter (INCR, forgotten `windowMs` after the last attempt) and, once past the
 * free attempts, a wait key whose time to live is the wait (same policy as the
 * in-process limiter). Keys are hashed: Redis never holds an email address.
 * Every attempt is also counted in `local`; while Redis is unreachable the
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
      const ttl = await this.redis.pttl(`${this.key(key)}:wait`);
      this.warned = false;
      return ttl > 0 ? ttl : 0;
    } catch (err) {
      this.fellBack(err);
      return this.local.wait(key);
    }
  }

  async hit(key: string): Promise<void> {
    this.local.count(key);
    const k = this.key(key);
    const policy = this.local.policy;
    try {
      const [[, count]] = (await this.redis.multi().incr(k).pexpire(k, policy.windowMs).exec()) as [[null, number], unknown];
      const delay = backoffDelay(policy, count);
      if (delay > 0) await this.redis.multi().set(`${k}:wait`, '1', 'PX', delay).pexpire(k, Math.max(policy.windowMs, delay)).exec();
    } catch (err) {
      this.fellBack(err);
    }
  }

  async reset(key: string): Promise<void> {
    this.local.forget(key);
    try {
      await this.redis.del(this.key(key), `${this.key(key)}:wait`);
    } catch (err) {
      this.fellBack(err);
    }
  }

  private fellBack(err: unknown): void {
    if (!this.warned) this.log('warn', 'sign-in limits counted on this node only: redis unavailable', { limiter: this.name, err: err instanceof Error ? err.message : String(err) });
    this.warned = true;
  }
}
