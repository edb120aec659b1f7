/**
 * The servers under test, each started the same way as its own child process on
 * loopback: `node --expose-gc --import tsx --import bench/servers/probe.ts <entry>`
 * with PORT=0 and HOST=127.0.0.1, stdout/stderr to a raw log.
 *   - Concord: apps/server/src/main.ts as shipped (SQLite, auth on), CONCORD_DEMO=0, CONCORD_LOG=silent;
 *   - Hocuspocus: bench/servers/hocuspocus.ts;
 *   - y-websocket reference: bench/servers/y-websocket.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServerKind } from './types.ts';

export const BENCH_DIR = path.resolve(import.meta.dirname, '..');
export const REPO_ROOT = path.resolve(BENCH_DIR, '..');

const ENTRIES: Record<ServerKind, { entry: string; ready: RegExp }> = {
  concord: { entry: path.join(REPO_ROOT, 'apps/server/src/main.ts'), ready: /Concord listening on (http:\/\/\S+)/ },
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

export async function startServer(kind: ServerKind, dataDir: string, logFile: string, nice = 0): Promise<RunningServer> {
  const { entry, ready } = ENTRIES[kind];
  fs.mkdirSync(dataDir, { recursive: true });
  const log = fs.createWriteStream(logFile);
  const probe = pathToFileURL(path.join(BENCH_DIR, 'servers/probe.ts')).href;
  const child: ChildProcess = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', '--import', probe, entry], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: '0', HOST: '127.0.0.1',
      CONCORD_DATA: dataDir, CONCORD_DEMO: '0', CONCORD_LOG: 'silent',
      BENCH_DATA: dataDir,
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
