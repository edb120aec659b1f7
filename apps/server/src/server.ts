import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { CloseCode, LIMITS } from '@concord/shared';
import { AuthService } from './auth/auth.service.ts';
import type { Config } from './env.ts';
import { createApp, type ExtraRoutes } from './http/app.ts';
import { addressResolver } from './http/client-address.ts';
import { Metrics } from './http/metrics.ts';
import type { AppDeps } from './http/context.ts';
import { createStorage } from './storage/create.ts';
import type { Storage } from './storage/types.ts';
import { RoomManager } from './sync/room-manager.ts';
import { SyncServer } from './sync/ws-server.ts';
import type { Fanout } from './sync/fanout.ts';
import { createFanout, createAuthLimiters } from './pubsub/create.ts';
import { transcriptRoutes } from './http/transcripts.routes.ts';
import { agreementRoutes } from './http/agreement.routes.ts';
import { inboxRoutes } from './http/inbox.routes.ts';
import { invitationRoutes } from './http/invitations.routes.ts';
import { adminRoutes } from './http/admin.routes.ts';
import { auditRoutes } from './http/audit.routes.ts';
import { oidcRoutes } from './http/oidc.routes.ts';
import { purgeProjectRooms } from './sync/project-rooms.ts';
import { exchangeRoutes } from './http/exchange.routes.ts';
import { mediaRoutes } from './http/media.routes.ts';
import { checkCommentsUpdate } from './comments/comment-rules.ts';
import { inboxHook } from './comments/inbox.ts';
import { TranscriptIndex } from './transcripts/transcript-index.ts';
import { ImportPool } from './import/import-pool.ts';
import { SearchIndex } from './search/search-index.ts';
import { searchRoutes } from './search/search.routes.ts';

export interface ConcordServer {
  url: string;
  port: number;
  deps: AppDeps;
  sync: SyncServer;
  close(): Promise<void>;
}

export type Logger = AppDeps['log'];

/** How long an idle HTTP keep-alive connection is kept (longer than proxies keep theirs). */
export const KEEP_ALIVE_MS = 65_000;

export function makeLogger(cfg: Config): Logger {
  return (level, msg, extra) => {
    if (cfg.log === 'silent' && level !== 'error') return;
    const line = JSON.stringify({ t: new Date().toISOString(), level, node: cfg.nodeId, msg, ...extra });
    if (level === 'error') console.error(line);
    else console.log(line);
  };
}

/** Starts Concord: storage, sync, HTTP. Used by main.ts and by tests (port 0, temp data dir). */
export async function startServer(cfg: Config, opts: { storage?: Storage; extraRoutes?: ExtraRoutes[] } = {}): Promise<ConcordServer> {
  const log = makeLogger(cfg);
  if (!cfg.databaseUrl) fs.mkdirSync(cfg.dataDir, { recursive: true });
  if (cfg.databaseUrl && cfg.mediaDir === path.join(cfg.dataDir, 'media')) {
    log('warn', `Recordings are kept in ${cfg.mediaDir} on this machine; when several nodes run, set CONCORD_MEDIA_DIR to a directory every node mounts.`);
  }
  const storage = opts.storage ?? (await createStorage(cfg, log));
  const fanout: Fanout | null = cfg.redisUrl ? await createFanout(cfg, log, storage) : null;
  const auth = new AuthService(storage, cfg.sessionDays);
  let deps!: AppDeps;
  const transcriptIndex = new TranscriptIndex(storage, log);
  const searchIndex = new SearchIndex(storage, log);
  let sync: SyncServer | null = null;
  const metrics = new Metrics({
    rooms: () => rooms.rooms.size, sockets: () => sync?.connectionCount ?? 0, addresses: () => sync?.addressCount ?? 0,
  }, cfg.nodeId);
  const rooms: RoomManager = new RoomManager(storage, {
    log, fanout,
    extensions: {
      comments: { check: checkCommentsUpdate, afterApply: inboxHook(() => deps) },
      transcript: { afterCommit: (room, where) => { transcriptIndex.committed(room, where); searchIndex.committed(room, where); } },
    },
    onCommit: (n, ms) => metrics.committed(n, ms),
  });
  if (cfg.redisUrl) {
    const { RedisRevocationBus } = await import('./pubsub/revocations.ts');
    rooms.revocationBus = await RedisRevocationBus.connect(cfg.redisUrl, cfg.nodeId, (r) => {
      const n = rooms.applyRevocation(r);
      // A project deleted on another node: drop its rooms here too, after they stored what was pending.
      if (r.project) void purgeProjectRooms(rooms, storage, r.project.projectId).catch((err: unknown) => log('error', 'purging a deleted project failed', { err: String(err) }));
      return n;
    }, log);
  }
  const authLimits = await createAuthLimiters(cfg, log);
  // Loaded only with Redis, like the fan-out: a single node needs neither ioredis nor this.
  const presence = cfg.redisUrl ? await (await import('./pubsub/presence.ts')).ClusterPresence.connect(cfg.redisUrl, cfg.nodeId, rooms, log) : null;
  const imports = new ImportPool({ threads: cfg.importThreads }, log);
  deps = {
    config: cfg, storage, auth, rooms, log, clientAddress: addressResolver(cfg.trustProxy), metrics, imports,
    ...(presence ? { presence } : {}),
    authLimits,
  };
  const app = createApp(deps, [
    transcriptRoutes, mediaRoutes, agreementRoutes, inboxRoutes, exchangeRoutes, (d) => searchRoutes(d, searchIndex),
    invitationRoutes, adminRoutes, auditRoutes, oidcRoutes, ...(opts.extraRoutes ?? []),
  ]);
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  // Idle keep-alive connections stay open longer than a reverse proxy keeps its own
  // (nginx: 60 s): otherwise Concord may close one just as the proxy sends a request
  // on it, and the request fails (Node's default is 5 s).
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1000;
  sync = new SyncServer({ rooms, auth, storage, origins: cfg.origins, log, limits: cfg.limits, clientAddress: deps.clientAddress });
  sync.attach(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.port, cfg.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://localhost:${port}`;
  let closing: Promise<void> | null = null;
  return {
    url, port, deps, sync: sync as SyncServer,
    close: () => (closing ??= (async () => {
      await transcriptIndex.close();
      await searchIndex.close();
      await rooms.closeAll(CloseCode.ServerShutdown, 'server shutting down');
      await sync.close();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await presence?.close();
      await authLimits.close();
      await rooms.revocationBus?.close();
      await fanout?.close();
      await imports.close();
      if (!opts.storage) await storage.close();
    })()),
  };
}

export function dataFile(cfg: Config): string {
  return path.join(cfg.dataDir, 'concord.sqlite');
}
