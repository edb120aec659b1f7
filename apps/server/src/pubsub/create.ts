import type { Config } from '../env.ts';
import type { Storage } from '../storage/types.ts';
import type { Fanout } from '../sync/fanout.ts';

export async function createFanout(cfg: Config, log: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void, storage: Storage): Promise<Fanout> {
  const { RedisFanout } = await import('./redis.ts');
  return RedisFanout.connect(cfg.redisUrl!, cfg.nodeId, log, { storage });
}
