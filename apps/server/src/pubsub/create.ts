import { RateLimiter, type AttemptLimiter, type BackoffPolicy } from '../auth/rate-limit.ts';
import type { Config, Limits } from '../env.ts';
import type { Storage } from '../storage/types.ts';
import type { Fanout } from '../sync/fanout.ts';

export async function createFanout(cfg: Config, log: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void, storage: Storage): Promise<Fanout> {
  const { RedisFanout } = await import('./redis.ts');
  return RedisFanout.connect(cfg.redisUrl!, cfg.nodeId, log, { storage });
}

export interface AuthLimiters {
  /** Failed sign-ins of one account from one address (key: `email address`): growing delays after a few. */
  account: AttemptLimiter;
  /** Failed sign-ins from one address, any account: growing delays after many. */
  ip: AttemptLimiter;
  /** Accounts created from one address. */
  signup: AttemptLimiter;
  close(): Promise<void>;
}

const MINUTE = 60_000;

/** The policies of the sign-in and sign-up limits, from the configured limits. */
export function authPolicies(l: Limits): Record<'account' | 'ip' | 'signup', BackoffPolicy> {
  const signInWindow = Math.max(15 * MINUTE, l.loginMaxDelayMs);
  return {
    account: { free: l.loginFreeAttempts, baseDelayMs: 1000, maxDelayMs: l.loginMaxDelayMs, windowMs: signInWindow },
    ip: { free: l.loginFailuresPerIp, baseDelayMs: 1000, maxDelayMs: l.loginMaxDelayMs, windowMs: signInWindow },
    signup: { free: l.signupsPerIpPerHour, baseDelayMs: MINUTE, maxDelayMs: 60 * MINUTE, windowMs: 60 * MINUTE },
  };
}

/** Sign-in and sign-up limits: in this process for a single node, in Redis (across nodes) when REDIS_URL is set. */
export async function createAuthLimiters(cfg: Config, log: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void): Promise<AuthLimiters> {
  const p = authPolicies(cfg.limits);
  const local = { account: new RateLimiter(p.account), ip: new RateLimiter(p.ip), signup: new RateLimiter(p.signup) };
  if (!cfg.redisUrl) return { ...local, close: async () => {} };
  const [{ Redis }, { RedisRateLimiter }] = await Promise.all([import('ioredis'), import('./redis-rate-limit.ts')]);
  // Commands fail fast while Redis is away (the limiter then counts locally) instead of queueing.
  const redis = new Redis(cfg.redisUrl, {
    lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1,
    connectionName: `concord-${cfg.nodeId.replace(/[^\w.-]/g, '_')}-limits`,
  });
  redis.on('error', () => { /* reported by the limiter when a command fails */ });
  await redis.connect();
  return {
    account: new RedisRateLimiter(redis, 'login-account', local.account, log),
    ip: new RedisRateLimiter(redis, 'login-ip', local.ip, log),
    signup: new RedisRateLimiter(redis, 'signup-ip', local.signup, log),
    close: async () => { await redis.quit().catch(() => redis.disconnect()); },
  };
}
