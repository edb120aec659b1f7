import { Redis, type RedisOptions } from 'ioredis';
import { Revocation, type RevocationBus } from '../sync/revocation.ts';
import type { FanoutLog } from './redis.ts';

export const REVOCATIONS_CHANNEL = 'concord:revocations';

/**
 * Revocations between nodes through Redis pub/sub: each node publishes the ones it
 * decides and applies the others'. A message that does not parse is logged and
 * ignored. If Redis is down when a revocation is published it is lost for the
 * other nodes, but not for the data: every join and every HTTP request checks
 * access in storage again, so a revoked socket that stays open on another node
 * keeps only what it already had and loses it at its next reconnect.
 */
export class RedisRevocationBus implements RevocationBus {
  private constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly nodeId: string,
    private readonly log: FanoutLog,
  ) {}

  static async connect(url: string, nodeId: string, apply: (r: Revocation) => void, log: FanoutLog, opts: RedisOptions = {}): Promise<RedisRevocationBus> {
    const name = `concord-${nodeId.replace(/[^\w.-]/g, '_')}-revocations`;
    const pub = new Redis(url, { lazyConnect: true, connectionName: `${name}-pub`, ...opts });
    const sub = new Redis(url, { lazyConnect: true, connectionName: `${name}-sub`, ...opts });
    let lastError = '';
    for (const conn of [pub, sub]) {
      conn.on('error', (err: Error) => {
        if (err.message !== lastError) log('warn', 'redis error (revocations)', { err: err.message });
        lastError = err.message;
      });
    }
    const bus = new RedisRevocationBus(pub, sub, nodeId, log);
    sub.on('message', (_channel: string, message: string) => {
      let parsed: { node?: unknown; revocation?: unknown };
      try {
        parsed = JSON.parse(message) as typeof parsed;
      } catch {
        log('warn', 'revocation message is not JSON', {});
        return;
      }
      if (parsed.node === nodeId) return;
      const r = Revocation.safeParse(parsed.revocation);
      if (!r.success) {
        log('warn', 'revocation message refused', { err: r.error.issues[0]?.message ?? 'invalid' });
        return;
      }
      apply(r.data);
    });
    await Promise.all([pub.connect(), sub.connect()]);
    await sub.subscribe(REVOCATIONS_CHANNEL);
    return bus;
  }

  publish(r: Revocation): void {
    this.publishNow(r).catch((err: unknown) => {
      this.log('warn', 'revocation not sent to other nodes', { err: err instanceof Error ? err.message : String(err) });
    });
  }

  /** Publishes and resolves once Redis has it (the CLI waits for this before it exits). */
  async publishNow(r: Revocation): Promise<void> {
    await this.pub.publish(REVOCATIONS_CHANNEL, JSON.stringify({ node: this.nodeId, revocation: r }));
  }

  async close(): Promise<void> {
    await Promise.all([this.pub, this.sub].map((c) => c.quit().catch(() => c.disconnect())));
  }
}
