import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RateLimiter } from '../auth/rate-limit.ts';
import { RedisRateLimiter } from './redis-rate-limit.ts';

/** Redis runs in CI as it does locally; nothing here is skipped. */
const REDIS_URL = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('RedisRateLimiter', () => {
  const conns: Redis[] = [];
  const warnings: string[] = [];
  const log = (_level: string, msg: string) => { warnings.push(msg); };
  const connect = (opts: RedisOptions = {}) => {
    const r = new Redis(REDIS_URL, opts);
    r.on('error', () => undefined);
    conns.push(r);
    return r;
  };
  /** A limiter as one node would have it: its own Redis connection and its own local fallback. */
  const nodeLimiter = (name: string, free = 3, windowMs = 60_000, redis = connect(), baseDelayMs = windowMs) =>
    new RedisRateLimiter(redis, name, new RateLimiter({ free, baseDelayMs, maxDelayMs: 10 * baseDelayMs, windowMs }), log);

  afterEach(() => {
    for (const r of conns.splice(0)) r.disconnect();
    warnings.length = 0;
  });

  it('counts failures from every node against one limit', async () => {
    const name = `t-${randomBytes(4).toString('hex')}`;
    const a = nodeLimiter(name);
    const b = nodeLimiter(name);
    const c = nodeLimiter(name);
    await a.hit('ada@example.org');
    await b.hit('ada@example.org');
    expect(await c.retryAfterMs('ada@example.org')).toBe(0);
    await c.hit('ada@example.org');
    // Three failures, one per node: each node alone has counted only one, yet all refuse.
    for (const l of [a, b, c]) {
      const wait = await l.retryAfterMs('ada@example.org');
      expect(wait).toBeGreaterThan(50_000);
      expect(wait).toBeLessThanOrEqual(60_000);
    }
    // Other keys are not affected; a success on one node clears the key for all.
    expect(await a.retryAfterMs('ben@example.org')).toBe(0);
    await b.reset('ada@example.org');
    expect(await a.retryAfterMs('ada@example.org')).toBe(0);
  });

  it('makes the wait grow with every further failure, from any node', async () => {
    const name = `t-${randomBytes(4).toString('hex')}`;
    const a = nodeLimiter(name, 2, 60_000, connect(), 1000);
    const b = nodeLimiter(name, 2, 60_000, connect(), 1000);
    await a.hit('k');
    expect(await b.retryAfterMs('k')).toBe(0);
    await b.hit('k');
    const first = await a.retryAfterMs('k');
    expect(first).toBeGreaterThan(500);
    expect(first).toBeLessThanOrEqual(1000);
    await a.hit('k');
    const second = await b.retryAfterMs('k');
    expect(second).toBeGreaterThan(1000);
    expect(second).toBeLessThanOrEqual(2000);
  });

  it('forgets a key a window after its last failure and never stores the key in clear', async () => {
    const name = `t-${randomBytes(4).toString('hex')}`;
    const a = nodeLimiter(name, 2, 400);
    await a.hit('10.0.0.1');
    await a.hit('10.0.0.1');
    expect(await a.retryAfterMs('10.0.0.1')).toBeGreaterThan(0);
    const admin = connect();
    expect((await admin.keys(`concord:limit:${name}:*`)).sort()).toEqual([a.key('10.0.0.1'), `${a.key('10.0.0.1')}:wait`]);
    expect(a.key('10.0.0.1')).not.toContain('10.0.0.1');
    await new Promise((r) => setTimeout(r, 500));
    expect(await a.retryAfterMs('10.0.0.1')).toBe(0);
  });

  it('falls back to counting on this node while Redis is unreachable', async () => {
    const down = connect({ lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    const a = nodeLimiter(`t-${randomBytes(4).toString('hex')}`, 2, 60_000, down);
    await a.hit('ada@example.org');
    expect(await a.retryAfterMs('ada@example.org')).toBe(0);
    await a.hit('ada@example.org');
    expect(await a.retryAfterMs('ada@example.org')).toBeGreaterThan(0);
    expect(warnings).toEqual(['sign-in limits counted on this node only: redis unavailable']);
  });
});
