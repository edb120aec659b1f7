import { LIMITS } from '@concord/shared';
import { RateLimiter, type AttemptLimiter } from '../auth/rate-limit.ts';
import type { Config } from '../env.ts';
import type { Storage } from '../storage/types.ts';
import type { Fanout } from '../sync/fanout.ts';

export async function createFanout(cfg: Config, log: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void, storage: Storage): Promise<Fanout> {
  const { RedisFanout } = await import('./redis.ts');
  return RedisFanout.connect(cfg.redisUrl!, cfg.nodeId, log, { storage });
}

export interface LoginLimiters {
  email: AttemptLimiter;
  ip: AttemptLimiter;
  close(): Promise<void>;
}

/** Failed-login limits: in this process for a single node, in Redis (across nodes) when REDIS_URL is set. */
export async function createLoginLimiters(cfg: Config, log: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void): Promise<LoginLimiters> {
  const email = new RateLimiter(LIMITS.loginAttempts, LIMITS.loginWindowMs);
  const ip = new RateLimiter(LIMITS.loginAttemptsPerIp, LIMITS.loginWindowMs);
  if (!cfg.redisUrl) return { email, ip, close: async () => {} };
  const [{ Redis }, { RedisRateLimiter }] = await Promise.all([import('ioredis'), import('./redis-rate-limit.ts')]);
  // Commands fail fast while Redis is away (the limiter then counts locally) instead of queueing.
  const redis = new Redis(cfg.redisUrl, {
    lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1,
    connectionName: `concord-${cfg.nodeId.replace(/[^\w.-]/g, '_')}-limits`,
  });
  redis.on('error', () => { /* reported by the limiter when a command fails */ });
  await redis.connect();
  return {
    email: new RedisRateLimiter(redis, 'login-email', email, log),
    ip: new RedisRateLimiter(redis, 'login-ip', ip, log),
    close: async () => { await redis.quit().catch(() => redis.disconnect()); },
  };
}
