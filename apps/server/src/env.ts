import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Every setting of the server, typed, documented and defaulted once. */
export interface Config {
  /** HTTP port; 0 picks a free one. `PORT`, default 3000. */
  port: number;
  /** Interface to bind. `HOST`, default all interfaces. */
  host: string;
  /** Data directory (SQLite file). `CONCORD_DATA`, default `./data`. */
  dataDir: string;
  /** PostgreSQL instead of SQLite when set. `DATABASE_URL`. */
  databaseUrl: string | null;
  /** Cross-node fan-out through Redis when set. `REDIS_URL`. */
  redisUrl: string | null;
  /** Extra allowed browser origins for the WebSocket and cookie-authenticated requests, comma-separated. `CONCORD_ORIGINS`. */
  origins: string[];
  /** Create the demo project on first start of an empty data dir. `CONCORD_DEMO`, default on (`0` turns it off). */
  demo: boolean;
  /** Directory of the built web app. `CONCORD_WEB_DIST`. */
  webDist: string;
  /** Session lifetime (sliding). `CONCORD_SESSION_DAYS`, default 30. */
  sessionDays: number;
  /** Mark cookies Secure. `CONCORD_SECURE_COOKIES`, default off unless origins are https. */
  secureCookies: boolean;
  /** SQLite synchronous mode. `CONCORD_SQLITE_SYNC` = NORMAL (default) | FULL. */
  sqliteSync: 'NORMAL' | 'FULL';
  /** Name of this node in logs and cross-node messages. `CONCORD_NODE`, default random. */
  nodeId: string;
  /** Quiet logs. `CONCORD_LOG` = info (default) | silent. */
  log: 'info' | 'silent';
  /** Worker threads that parse and build imports. `CONCORD_IMPORT_THREADS`, default one less than the cores (1–4). */
  importThreads: number;
}

/** The repository: above apps/server/src/env.ts, or above apps/server/dist/main.js in the build. */
function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'apps', 'server', 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, '../../..');
  }
}

const REPO_ROOT = findRepoRoot(import.meta.dirname);

function int(v: string | undefined, dflt: number, name: string): number {
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${v}"`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const origins = (env.CONCORD_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const sync = (env.CONCORD_SQLITE_SYNC ?? 'NORMAL').toUpperCase();
  if (sync !== 'NORMAL' && sync !== 'FULL') throw new Error('CONCORD_SQLITE_SYNC must be NORMAL or FULL');
  const cfg: Config = {
    port: int(env.PORT, 3000, 'PORT'),
    host: env.HOST ?? '0.0.0.0',
    dataDir: path.resolve(env.CONCORD_DATA ?? './data'),
    databaseUrl: env.DATABASE_URL || null,
    redisUrl: env.REDIS_URL || null,
    origins,
    demo: env.CONCORD_DEMO !== '0',
    webDist: path.resolve(env.CONCORD_WEB_DIST ?? path.join(REPO_ROOT, 'apps/web/dist')),
    sessionDays: int(env.CONCORD_SESSION_DAYS, 30, 'CONCORD_SESSION_DAYS'),
    secureCookies: env.CONCORD_SECURE_COOKIES ? env.CONCORD_SECURE_COOKIES === '1' : origins.some((o) => o.startsWith('https:')),
    sqliteSync: sync,
    nodeId: env.CONCORD_NODE ?? Math.random().toString(36).slice(2, 8),
    log: env.CONCORD_LOG === 'silent' ? 'silent' : 'info',
    importThreads: Math.max(1, int(env.CONCORD_IMPORT_THREADS, Math.min(4, os.availableParallelism() - 1), 'CONCORD_IMPORT_THREADS')),
  };
  return { ...cfg, ...overrides };
}

export { REPO_ROOT };
