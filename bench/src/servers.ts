/**
 * The servers under test, each started the same way as its own child process on
 * loopback: `node --expose-gc --import tsx --import bench/servers/probe.ts <entry>`
 * with PORT=0 and HOST=127.0.0.1, stdout/stderr to a raw log.
 *   - Concord: apps/server/src/main.ts as shipped (SQLite, auth on), CONCORD_DEMO=0, CONCORD_LOG=silent,
 *     CONCORD_CONNECTIONS_PER_USER raised (every simulated person shares the bench's one access token);
 *   - Concord on PostgreSQL: the same with DATABASE_URL (a fresh schema of the local server);
 *   - Concord, 2 nodes: two such processes on one PostgreSQL schema with REDIS_URL (the local Redis);
 *   - Hocuspocus: bench/servers/hocuspocus.ts;
 *   - y-websocket reference: bench/servers/y-websocket.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { NODE_COUNT, type ServerKind } from './types.ts';

export const BENCH_DIR = path.resolve(import.meta.dirname, '..');
export const REPO_ROOT = path.resolve(BENCH_DIR, '..');

const CONCORD_ENTRY = { entry: path.join(REPO_ROOT, 'apps/server/src/main.ts'), ready: /Concord listening on (http:\/\/\S+)/ };

const ENTRIES: Record<ServerKind, { entry: string; ready: RegExp }> = {
  concord: CONCORD_ENTRY,
  'concord-pg': CONCORD_ENTRY,
  'concord-cluster': CONCORD_ENTRY,
  hocuspocus: { entry: path.join(BENCH_DIR, 'servers/hocuspocus.ts'), ready: /listening on (http:\/\/\S+)/ },
  'y-websocket': { entry: path.join(BENCH_DIR, 'servers/y-websocket.ts'), ready: /listening on (http:\/\/\S+)/ },
};

export interface RunningServer {
  kind: ServerKind;
  pid: number;
  /** http://127.0.0.1:<port> */
  httpUrl: string;
  /** ws://127.0.0.1:<port> */
  wsBase: string;
  probeUrl: string;
  dataDir: string;
  /** Resolves with the exit code if the server dies. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export async function startServer(kind: ServerKind, dataDir: string, logFile: string, nice = 0, env: Record<string, string> = {}): Promise<RunningServer> {
  const { entry, ready } = ENTRIES[kind];
  fs.mkdirSync(dataDir, { recursive: true });
  const log = fs.createWriteStream(logFile);
  const probe = pathToFileURL(path.join(BENCH_DIR, 'servers/probe.ts')).href;
  // BENCH_SERVER_NODE_FLAGS: extra flags for the servers' node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to see where their time goes.
  const extra = (process.env.BENCH_SERVER_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const child: ChildProcess = spawn(process.execPath, ['--expose-gc', ...extra, '--import', 'tsx', '--import', probe, entry], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: '0', HOST: '127.0.0.1',
      CONCORD_DATA: dataDir, CONCORD_DEMO: '0', CONCORD_LOG: 'silent', CONCORD_CONNECTIONS_PER_USER: '1000000',
      BENCH_DATA: dataDir,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (nice !== 0 && child.pid) os.setPriority(child.pid, nice);
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const found = await new Promise<{ url: string; probePort: number }>((resolve, reject) => {
    let out = '';
    let url: string | null = null;
    let probePort: number | null = null;
    const timer = setTimeout(() => reject(new Error(`${kind} did not start within 60 s; see ${logFile}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      url ??= ready.exec(out)?.[1] ?? null;
      const p = /bench-probe (\d+)/.exec(out);
      if (p) probePort = Number(p[1]);
      if (url && probePort) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.stderr!.off('data', onData);
        resolve({ url, probePort });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`${kind} exited with ${code} while starting; see ${logFile}`)); });
  });
  // Concord prints localhost; it is bound to 127.0.0.1 only.
  const port = new URL(found.url).port;
  const httpUrl = `http://127.0.0.1:${port}`;
  return {
    kind, pid: child.pid!, httpUrl, wsBase: httpUrl.replace(/^http/, 'ws'),
    probeUrl: `http://127.0.0.1:${found.probePort}`, dataDir, exited,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
      log.end();
    },
  };
}

// ---- deployments: what each kind needs around its processes --------------------------------------

/** PostgreSQL and Redis on their usual local ports (as in CI); BENCH_DATABASE_URL / BENCH_REDIS_URL override. */
const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface Deployment {
  /** Environment of each node's process (one entry per node). */
  nodeEnv: Record<string, string>[];
  /** Drops what the deployment created (the PostgreSQL schema). */
  cleanup(): Promise<void>;
}

async function pgQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Concord on PostgreSQL gets a fresh schema `concord_bench_<random>`; node-postgres passes
 * the URL's `options` to the server, so `search_path` puts every table there. The cluster
 * adds Redis and a node name per process.
 */
export async function prepareDeployment(kind: ServerKind): Promise<Deployment> {
  const nodes = NODE_COUNT[kind];
  if (kind !== 'concord-pg' && kind !== 'concord-cluster') {
    return { nodeEnv: Array.from({ length: nodes }, () => ({})), cleanup: async () => {} };
  }
  const schema = `concord_bench_${randomBytes(5).toString('hex')}`;
  try {
    await pgQuery(`CREATE SCHEMA ${schema}`);
  } catch (err) {
    throw new Error(`${kind} needs PostgreSQL at ${PG_URL} (set BENCH_DATABASE_URL): ${err instanceof Error ? err.message : String(err)}`);
  }
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const tag = randomBytes(3).toString('hex');
  return {
    nodeEnv: Array.from({ length: nodes }, (_, i) => ({
      DATABASE_URL: url.toString(),
      ...(kind === 'concord-cluster' ? { REDIS_URL, CONCORD_NODE: `bench-${i + 1}-${tag}` } : {}),
    })),
    cleanup: () => pgQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`),
  };
}

// ---- Concord's data, made over its HTTP API as a user would -------------------------------------

export interface ConcordFixture {
  token: string;
  projectId: string;
  transcriptIds: string[];
  setupMs: number;
}

async function call(base: string, method: string, p: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; json: unknown; cookie: string | null }> {
  const res = await fetch(base + p, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith('concord_session=')) ?? null;
  const text = await res.text();
  let json: unknown = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = text; }
  if (res.status >= 300) throw new Error(`${method} ${p} answered ${res.status}: ${text.slice(0, 300)}`);
  return { status: res.status, json, cookie };
}

/** A user, a personal access token, a project and `n` transcripts of `text`, all over HTTP. */
export async function setupConcord(base: string, n: number, text: string): Promise<ConcordFixture> {
  const t0 = Date.now();
  const email = `bench-${Date.now()}@example.org`;
  const signup = await call(base, 'POST', '/api/auth/signup', { email, password: 'benchmark password 1', name: 'Bench' }, {});
  if (!signup.cookie) throw new Error('signup set no session cookie');
  const tok = await call(base, 'POST', '/api/tokens', { name: 'bench' }, { cookie: signup.cookie });
  const token = (tok.json as { token: string }).token;
  const auth = { authorization: `Bearer ${token}` };
  const project = await call(base, 'POST', '/api/projects', { name: 'Bench study' }, auth);
  const projectId = (project.json as { id: string }).id;
  const transcriptIds: string[] = new Array<string>(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const r = await call(base, 'POST', `/api/projects/${projectId}/transcripts`, { name: `Interview ${i + 1}`, text }, auth);
      transcriptIds[i] = (r.json as { transcripts: { id: string }[] }).transcripts[0]!.id;
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return { token, projectId, transcriptIds, setupMs: Date.now() - t0 };
}
