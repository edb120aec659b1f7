import { Redis, type RedisOptions } from 'ioredis';
import type { FanoutLog } from './redis.ts';

/** One person in a room, as the transcript list shows them. */
export interface PresenceUser {
  userId: string;
  name: string;
}

/** Room name → the people connected to it. */
export type RoomPresence = Map<string, PresenceUser[]>;

/** What a node knows of its own sockets (the RoomManager). */
export interface LocalPresence {
  presence(prefix: string): RoomPresence;
}

/** Who is in which room of a project, over every node. */
export interface PresenceDirectory {
  read(projectId: string): Promise<RoomPresence>;
  close(): Promise<void>;
}

export interface ClusterPresenceOptions {
  /** How often a node writes what it has (ms). */
  refreshMs?: number;
  /** How long a node's entry lives unless refreshed (ms): a node that dies leaves the lists after this. */
  ttlMs?: number;
  redis?: RedisOptions;
}

const KEY_PREFIX = 'concord:presence:';

/** Set of node ids that have written presence for a project. */
export function presenceIndexKey(projectId: string): string {
  return `${KEY_PREFIX}${projectId}`;
}

/** One node's entry for one project: JSON of room name → [userId, name][]. */
export function presenceNodeKey(projectId: string, nodeId: string): string {
  return `${KEY_PREFIX}${projectId}:${nodeId}`;
}

type Entry = Record<string, [string, string][]>;

function projectOf(room: string): string {
  const slash = room.indexOf('/');
  return slash < 0 ? room : room.slice(0, slash);
}

/** Adds `users` to `out[room]`, each person once. */
function mergeInto(out: RoomPresence, room: string, users: readonly PresenceUser[]): void {
  const list = out.get(room) ?? [];
  for (const u of users) if (!list.some((x) => x.userId === u.userId)) list.push(u);
  if (list.length) out.set(room, list);
}

function parseEntry(json: string | null): Entry | null {
  if (!json) return null;
  try {
    const v: unknown = JSON.parse(json);
    return v && typeof v === 'object' ? (v as Entry) : null;
  } catch {
    return null;
  }
}

/**
 * Presence lists across nodes, through Redis. Each node writes, every `refreshMs`,
 * one key per project it has people in (who is in which room), with a time to
 * live, and adds itself to the project's index set; a node that dies stops
 * refreshing, so its people leave the lists within `ttlMs`. Reading merges the
 * other nodes' entries with this node's live state (fresher than its own entry).
 * If Redis is unreachable, reading falls back to this node's people alone.
 */
export class ClusterPresence implements PresenceDirectory {
  private readonly refreshMs: number;
  private readonly ttlMs: number;
  private readonly timer: NodeJS.Timeout;
  /** Projects this node wrote an entry for at the last refresh. */
  private written = new Set<string>();
  private publishing: Promise<void> | null = null;
  private closed = false;
  private warned = false;
  private publishFailing = false;

  private constructor(
    private readonly redis: Redis,
    readonly nodeId: string,
    private readonly local: LocalPresence,
    private readonly log: FanoutLog,
    opts: ClusterPresenceOptions,
  ) {
    this.refreshMs = opts.refreshMs ?? 3000;
    this.ttlMs = opts.ttlMs ?? 15_000;
    this.timer = setInterval(() => void this.publish(), this.refreshMs);
    this.timer.unref();
  }

  static async connect(url: string, nodeId: string, local: LocalPresence, log: FanoutLog, opts: ClusterPresenceOptions = {}): Promise<ClusterPresence> {
    const redis = new Redis(url, { lazyConnect: true, connectionName: `concord-${nodeId.replace(/[^\w.-]/g, '_')}-presence`, ...opts.redis });
    redis.on('error', (err: Error) => {
      if (!presence.warned) log('warn', 'redis error (presence)', { err: err.message });
      presence.warned = true;
    });
    redis.on('ready', () => { presence.warned = false; });
    const presence = new ClusterPresence(redis, nodeId, local, log, opts);
    await redis.connect();
    return presence;
  }

  /** Writes this node's entries (and removes those of projects it no longer has anyone in). */
  publish(): Promise<void> {
    this.publishing ??= this.write().finally(() => { this.publishing = null; });
    return this.publishing;
  }

  private async write(): Promise<void> {
    if (this.closed) return;
    const entries = new Map<string, Entry>();
    for (const [room, users] of this.local.presence('')) {
      if (users.length === 0) continue;
      const pid = projectOf(room);
      const entry = entries.get(pid) ?? {};
      entry[room] = users.map((u) => [u.userId, u.name]);
      entries.set(pid, entry);
    }
    const tx = this.redis.multi();
    for (const [pid, entry] of entries) {
      tx.set(presenceNodeKey(pid, this.nodeId), JSON.stringify(entry), 'PX', this.ttlMs);
      tx.sadd(presenceIndexKey(pid), this.nodeId);
      tx.pexpire(presenceIndexKey(pid), this.ttlMs * 4);
    }
    for (const pid of this.written) {
      if (entries.has(pid)) continue;
      tx.del(presenceNodeKey(pid, this.nodeId));
      tx.srem(presenceIndexKey(pid), this.nodeId);
    }
    try {
      await tx.exec();
      this.written = new Set(entries.keys());
      this.publishFailing = false;
    } catch (err) {
      // Once per outage, not every refresh.
      if (!this.publishFailing) this.log('warn', 'presence not published', { err: err instanceof Error ? err.message : String(err) });
      this.publishFailing = true;
    }
  }

  async read(projectId: string): Promise<RoomPresence> {
    const out: RoomPresence = new Map();
    for (const [room, users] of this.local.presence(`${projectId}/`)) mergeInto(out, room, users);
    try {
      const nodes = (await this.redis.smembers(presenceIndexKey(projectId))).filter((n) => n !== this.nodeId);
      if (nodes.length === 0) return out;
      const values = await this.redis.mget(nodes.map((n) => presenceNodeKey(projectId, n)));
      const gone: string[] = [];
      values.forEach((json, i) => {
        const entry = parseEntry(json);
        if (!entry) { gone.push(nodes[i]!); return; }
        for (const [room, users] of Object.entries(entry)) {
          if (!Array.isArray(users)) continue;
          mergeInto(out, room, users.filter((u) => Array.isArray(u) && typeof u[0] === 'string' && typeof u[1] === 'string').map(([userId, name]) => ({ userId, name })));
        }
      });
      // Entries that expired (their node died or left): drop them from the index.
      if (gone.length) await this.redis.srem(presenceIndexKey(projectId), ...gone);
    } catch (err) {
      this.log('warn', 'presence of other nodes unavailable', { err: err instanceof Error ? err.message : String(err) });
    }
    return out;
  }

  /** Stops refreshing and removes this node's entries, so its people leave the lists at once. */
  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.timer);
    await this.publishing;
    this.closed = true;
    try {
      if (this.written.size) {
        const tx = this.redis.multi();
        for (const pid of this.written) {
          tx.del(presenceNodeKey(pid, this.nodeId));
          tx.srem(presenceIndexKey(pid), this.nodeId);
        }
        await tx.exec();
      }
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }
}
