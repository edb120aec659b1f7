import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { loadConfig, REPO_ROOT, type Config } from '../src/env.ts';
import { startServer, type ConcordServer } from '../src/server.ts';
import { CodebookDoc, codebookRoom } from '@concord/shared';

export function tempDir(prefix = 'concord-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Settings every test server starts with: tests create many accounts from one
 * address, more than the sign-up limit lets one network create in an hour.
 */
export const TEST_ENV: Record<string, string> = { CONCORD_SIGNUPS_PER_IP: '1000000' };

export async function startTestServer(overrides: Partial<Config> = {}): Promise<ConcordServer & { dataDir: string }> {
  const dataDir = overrides.dataDir ?? tempDir();
  const cfg = loadConfig(TEST_ENV, { port: 0, host: '127.0.0.1', dataDir, demo: false, log: 'silent', ...overrides });
  const server = await startServer(cfg);
  return Object.assign(server, { dataDir });
}

/** A tiny HTTP client with a cookie jar, as a browser would be. */
export class Client {
  cookie = '';
  constructor(readonly base: string, public token: string | null = null) {}

  async req(method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any; text: string; headers: Headers }> {
    const h: Record<string, string> = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (this.token) h.authorization = `Bearer ${this.token}`;
    let payload: RequestInit['body'];
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      h['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await fetch(this.base + p, { method, headers: h, body: payload ?? null });
    const set = res.headers.getSetCookie();
    for (const c of set) {
      const [pair] = c.split(';');
      if (pair?.startsWith('concord_session=')) this.cookie = /Max-Age=0|expires=Thu, 01 Jan 1970/i.test(c) ? '' : pair;
    }
    const text = await res.text();
    let json: any = null;
    try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
    return { status: res.status, json, text, headers: res.headers };
  }
}

let userSeq = 0;
export interface TestUser { id: string; email: string; name: string; client: Client; token: string }

export async function makeUser(base: string, name = `User${++userSeq}`): Promise<TestUser> {
  const client = new Client(base);
  const email = `${name.toLowerCase()}-${Date.now()}-${userSeq}@example.org`;
  const r = await client.req('POST', '/api/auth/signup', { email, password: 'correct horse battery', name });
  if (r.status !== 201) throw new Error(`signup failed: ${r.status} ${r.text}`);
  const t = await client.req('POST', '/api/tokens', { name: 'test' });
  if (t.status !== 201) throw new Error(`token failed: ${t.status} ${t.text}`);
  return { id: r.json.user.id, email, name, client, token: t.json.token };
}

export async function makeProject(owner: TestUser, name = 'Study'): Promise<string> {
  const r = await owner.client.req('POST', '/api/projects', { name });
  if (r.status !== 201) throw new Error(`project failed: ${r.status} ${r.text}`);
  return r.json.id;
}

export async function addMember(owner: TestUser, pid: string, user: TestUser, role: string): Promise<void> {
  const r = await owner.client.req('POST', `/api/projects/${pid}/members`, { email: user.email, role });
  if (r.status !== 201) throw new Error(`member failed: ${r.status} ${r.text}`);
}

export async function makeTranscript(owner: TestUser, pid: string, text = 'Interviewer: Hello there.\n\nP1: Hi, thanks for having me.\n', name = 'Interview'): Promise<string> {
  const r = await owner.client.req('POST', `/api/projects/${pid}/transcripts`, { name, text });
  if (r.status !== 201) throw new Error(`transcript failed: ${r.status} ${r.text}`);
  return r.json.transcripts[0].id;
}

const providers = new Set<WebsocketProvider>();

/** A real y-websocket provider in Node (BroadcastChannel disabled so only the server syncs). */
/** Creates codes with these ids in a project's codebook (as the server), so codings may name them. */
export async function makeCodes(server: ConcordServer, pid: string, ids: readonly string[]): Promise<void> {
  await server.deps.rooms.withDoc(codebookRoom(pid), (doc) => {
    const cb = new CodebookDoc(doc);
    for (const id of ids) if (!cb.codes.has(id)) cb.createCode({ id, name: `Code ${id}` });
  });
}

/** A coding value in the schema's shape (anchored at the start of a transcript body), for layer and codings maps. */
export function codingValue(id: string, codeId: string, coderId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const pos = Y.encodeRelativePosition(Y.createRelativePositionFromTypeIndex(new Y.Doc().getText('body'), 0));
  return { id, codeId, coderId, start: pos, end: pos, createdAt: Date.now(), ...extra };
}

export function connect(base: string, room: string, token: string | null, doc = new Y.Doc(), opts: { headers?: Record<string, string> } = {}): WebsocketProvider {
  const url = base.replace(/^http/, 'ws') + '/sync';
  const Polyfill = opts.headers
    ? class extends WebSocket { constructor(u: string, p?: string | string[]) { super(u, p, { headers: opts.headers }); } }
    : WebSocket;
  const p = new WebsocketProvider(url, room, doc, {
    WebSocketPolyfill: Polyfill as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    params: token ? { token } : {},
    maxBackoffTime: 300,
  });
  providers.add(p);
  return p;
}

export function destroyProviders(): void {
  for (const p of providers) p.destroy();
  providers.clear();
}

export function waitFor(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const tick = () => {
      let ok = false;
      try { ok = cond(); } catch { ok = false; }
      if (ok) return resolve();
      if (Date.now() - start > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

export function synced(p: WebsocketProvider, timeoutMs = 10_000): Promise<void> {
  return waitFor(() => p.synced, timeoutMs, `sync of ${p.roomname}`);
}

/** The close code the server sends to a raw WebSocket for a room. */
export function closeCodeFor(base: string, room: string, opts: { token?: string | null; headers?: Record<string, string> } = {}): Promise<number> {
  const q = opts.token ? `?token=${encodeURIComponent(opts.token)}` : '';
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/sync/${room}${q}`, { headers: opts.headers ?? {} });
  return new Promise((resolve) => {
    ws.on('close', (code) => resolve(code));
    ws.on('error', () => undefined);
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
  });
}

/** Runs the real server as a child process (for kill -9 tests). */
export class ServerProcess {
  child: ChildProcess | null = null;
  url = '';
  constructor(readonly dataDir: string, readonly env: Record<string, string> = {}) {}

  async start(port = 0): Promise<string> {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'apps/server/src/main.ts')], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...TEST_ENV, PORT: String(port), HOST: '127.0.0.1', CONCORD_DATA: this.dataDir, CONCORD_DEMO: '0', CONCORD_LOG: 'silent', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let err = '';
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    this.url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const onData = (d: Buffer) => {
        out += d.toString();
        const m = /Concord listening on (http:\/\/\S+)/.exec(out);
        if (m) { child.stdout!.off('data', onData); resolve(m[1]!); }
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)));
    });
    child.stdout!.resume();
    return this.url;
  }

  kill9(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}
