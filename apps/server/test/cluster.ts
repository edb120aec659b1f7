/**
 * Helpers for the multi-node, crash, fuzz and security suites: PostgreSQL schemas
 * per test file, server processes sharing PostgreSQL and Redis, providers that
 * can be re-pointed to another node, raw y-websocket frames, and the room
 * authorisation matrix as a reusable suite (run against any storage backend).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as encoding from 'lib0/encoding';
import { WebsocketProvider } from 'y-websocket';
import { describe, expect, it } from 'vitest';
import { CloseCode, codebookRoom, commentsRoom, layerRoom, parseRoom, roomAccess, transcriptRoom, type Role } from '@concord/shared';
import {
  addMember, closeCodeFor, connect, makeProject, makeTranscript, makeUser, ServerProcess, synced, tempDir, waitFor, type TestUser,
} from './helpers.ts';

/** PostgreSQL and Redis run in CI as they do locally; nothing here is skipped. */
export const TEST_PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// ---- PostgreSQL ------------------------------------------------------------------

export interface PgSchema {
  schema: string;
  /**
   * A DATABASE_URL whose connections use only this schema: node-postgres passes the
   * `options` query parameter to the server as a startup option (`-c search_path=…`),
   * so a child process needs nothing but the URL.
   */
  url: string;
  drop(): Promise<void>;
}

/** Creates a fresh, empty schema `concord_test_<random>` and a URL that uses it. */
export async function createPgSchema(base = TEST_PG_URL): Promise<PgSchema> {
  const schema = `concord_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    schema,
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

// ---- server processes -------------------------------------------------------------

/** Starts `n` server processes ("nodes") sharing one PostgreSQL schema and Redis. */
export async function startNodes(n: number, databaseUrl: string, redisUrl = TEST_REDIS_URL, env: Record<string, string> = {}): Promise<ServerProcess[]> {
  const tag = randomBytes(3).toString('hex');
  const nodes = Array.from({ length: n }, (_, i) => new ServerProcess(tempDir(), {
    DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, CONCORD_NODE: `n${i + 1}-${tag}`, ...env,
  }));
  // One at a time: on a 2-core machine parallel tsx start-ups only slow each other down.
  for (const node of nodes) await node.start();
  return nodes;
}

/**
 * Kills a server process with SIGKILL unless it is dead already. (A child killed by a
 * signal has `exitCode === null`, so `ServerProcess.kill9()` would wait forever for a
 * second 'exit'.)
 */
export function killNode(node: ServerProcess): Promise<void> {
  const child = node.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return node.kill9();
}

export async function healthy(base: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(timeoutMs) });
    return res.status === 200;
  } catch {
    return false;
  }
}

// ---- providers ----------------------------------------------------------------------

const tracked = new Set<WebsocketProvider>();

export interface ProviderOptions {
  doc?: Y.Doc;
  /** Pass the previous provider's awareness to keep the client's awareness clock when re-pointing. */
  awareness?: awarenessProtocol.Awareness;
}

/**
 * A real y-websocket provider (BroadcastChannel off). Re-pointing a client to another
 * node, as a load balancer would after a node dies, is `provider(other, room, token,
 * { doc: old.doc, awareness: old.awareness })` after `old.destroy()`.
 */
export function provider(base: string, room: string, token: string, opts: ProviderOptions = {}): WebsocketProvider {
  const doc = opts.doc ?? new Y.Doc();
  const p = new WebsocketProvider(base.replace(/^http/, 'ws') + '/sync', room, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    params: { token },
    maxBackoffTime: 300,
    ...(opts.awareness ? { awareness: opts.awareness } : {}),
  });
  tracked.add(p);
  return p;
}

/** Destroys every provider made by `provider()` (and stops their awareness timers). */
export function destroyTracked(): void {
  for (const p of tracked) {
    p.destroy();
    p.awareness.destroy();
  }
  tracked.clear();
}

// ---- raw sockets and frames -----------------------------------------------------------

export function syncUrl(base: string, room: string, token: string | null): string {
  return `${base.replace(/^http/, 'ws')}/sync/${room}${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

/** Opens a raw WebSocket to a room; resolves once open (rejects on refusal). */
export function openSocket(base: string, room: string, token: string | null, headers: Record<string, string> = {}): Promise<WebSocket> {
  const ws = new WebSocket(syncUrl(base, room, token), { headers });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode ?? 0}`)));
    ws.once('error', reject);
  });
}

/** Resolves with the close code of a socket (immediately when it is closed already). */
export function closeCode(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) resolve(-1);
    ws.once('close', (code: number) => resolve(code));
  });
}

export function syncStep1Frame(doc: Y.Doc = new Y.Doc()): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, 0);
  syncProtocol.writeSyncStep1(enc, doc);
  return encoding.toUint8Array(enc);
}

/** A y-websocket sync message carrying `update` as sync step 2 (1) or update (2). */
export function updateFrame(update: Uint8Array, syncType: 1 | 2 = 2): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, 0);
  encoding.writeVarUint(enc, syncType);
  encoding.writeVarUint8Array(enc, update);
  return encoding.toUint8Array(enc);
}

export function awarenessFrame(payload: Uint8Array): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, 1);
  encoding.writeVarUint8Array(enc, payload);
  return encoding.toUint8Array(enc);
}

// ---- the room authorisation matrix ------------------------------------------------------

export type RoomKind = 'codebook' | 'transcript' | 'comments' | 'layer';
export type Access = 'write' | 'read' | 'none';

/** The table of docs/sync-protocol.md ("Who may read and write each room"): what each role may do in each kind of room (the layer is the coder's own, before any reveal). */
export const EXPECTED_ACCESS: Record<RoomKind, Record<Role, Access>> = {
  codebook: { owner: 'write', coder: 'write', commenter: 'read', viewer: 'read' },
  transcript: { owner: 'write', coder: 'write', commenter: 'read', viewer: 'read' },
  comments: { owner: 'write', coder: 'write', commenter: 'write', viewer: 'read' },
  layer: { owner: 'none', coder: 'write', commenter: 'none', viewer: 'none' },
};

export const ROLE_LIST: readonly Role[] = ['owner', 'coder', 'commenter', 'viewer'];

export interface MatrixFixture {
  url: string;
  pid: string;
  tid: string;
  users: Record<Role, TestUser>;
  outsider: TestUser;
}

/** One project with one member per role, one transcript and a non-member. */
export async function setupMatrixFixture(url: string): Promise<MatrixFixture> {
  const owner = await makeUser(url, 'Owner');
  const pid = await makeProject(owner);
  const tid = await makeTranscript(owner, pid);
  const users = { owner } as Record<Role, TestUser>;
  for (const role of ['coder', 'commenter', 'viewer'] as const) {
    users[role] = await makeUser(url, role);
    await addMember(owner, pid, users[role], role);
  }
  const outsider = await makeUser(url, 'Outsider');
  return { url, pid, tid, users, outsider };
}

export function matrixRoom(f: MatrixFixture, kind: RoomKind): string {
  switch (kind) {
    case 'codebook': return codebookRoom(f.pid);
    case 'transcript': return transcriptRoom(f.pid, f.tid);
    case 'comments': return commentsRoom(f.pid, f.tid);
    case 'layer': return layerRoom(f.pid, f.tid, f.users.coder.id);
  }
}

/**
 * Checks one cell of the matrix against a live server: a role that may read syncs;
 * a writer's change reaches another client and storage; a reader's change is
 * refused by the server (never reaches others or storage, while the reader still
 * receives); a role that may not read is closed with 4403.
 */
export async function checkAccess(f: MatrixFixture, kind: RoomKind, role: Role): Promise<void> {
  const access = EXPECTED_ACCESS[kind][role];
  const room = matrixRoom(f, kind);
  const user = f.users[role];
  if (access === 'none') {
    expect(await closeCodeFor(f.url, room, { token: user.token }), `${role} in ${kind}`).toBe(CloseCode.Forbidden);
    return;
  }
  const watcherUser = kind === 'layer' ? f.users.coder : f.users.owner;
  const made: WebsocketProvider[] = [];
  try {
    const watcher = connect(f.url, room, watcherUser.token);
    const p = connect(f.url, room, user.token);
    made.push(watcher, p);
    await Promise.all([synced(watcher), synced(p)]);
    const key = `${role}-${randomBytes(4).toString('hex')}`;
    p.doc.getMap('probe').set(key, 1);
    if (access === 'write') {
      await waitFor(() => watcher.doc.getMap('probe').get(key) === 1, 5000, `${role}'s write in ${kind} to arrive`);
      const fresh = connect(f.url, room, watcherUser.token, new Y.Doc());
      made.push(fresh);
      await synced(fresh);
      await waitFor(() => fresh.doc.getMap('probe').get(key) === 1, 5000, `${role}'s write in ${kind} to be stored`);
      return;
    }
    const sentinel = `sentinel-${key}`;
    watcher.doc.getMap('probe').set(sentinel, 1);
    await waitFor(() => p.doc.getMap('probe').get(sentinel) === 1, 5000, `read-only ${role} still receives in ${kind}`);
    await sleep(150);
    expect(watcher.doc.getMap('probe').get(key), `${role}'s refused write in ${kind}`).toBeUndefined();
    const fresh = connect(f.url, room, watcherUser.token, new Y.Doc());
    made.push(fresh);
    await synced(fresh);
    await waitFor(() => fresh.doc.getMap('probe').get(sentinel) === 1, 5000, 'sentinel stored');
    expect(fresh.doc.getMap('probe').get(key), `${role}'s refused write in ${kind} not stored`).toBeUndefined();
  } finally {
    for (const m of made) m.destroy();
  }
}

/**
 * Defines the whole matrix as tests (one per role × room kind, plus the
 * non-member row); `fixture` is read when the tests run, after `beforeAll`.
 */
export function describeAuthorizationMatrix(label: string, fixture: () => MatrixFixture): void {
  describe(`room authorisation matrix (${label})`, () => {
    it('the shared table agrees with docs/sync-protocol.md', () => {
      const f = fixture();
      for (const kind of Object.keys(EXPECTED_ACCESS) as RoomKind[]) {
        for (const role of ROLE_LIST) {
          const room = parseRoom(matrixRoom(f, kind));
          expect(room, kind).not.toBeNull();
          expect(roomAccess(room!, { role, userId: f.users[role].id }), `${kind} ${role}`).toBe(EXPECTED_ACCESS[kind][role]);
        }
      }
    });
    for (const kind of Object.keys(EXPECTED_ACCESS) as RoomKind[]) {
      for (const role of ROLE_LIST) {
        it(`${role} in ${kind}: ${EXPECTED_ACCESS[kind][role]}`, () => checkAccess(fixture(), kind, role));
      }
    }
    it('a non-member is refused every room with 4403', async () => {
      const f = fixture();
      for (const kind of Object.keys(EXPECTED_ACCESS) as RoomKind[]) {
        expect(await closeCodeFor(f.url, matrixRoom(f, kind), { token: f.outsider.token }), kind).toBe(CloseCode.Forbidden);
      }
    });
  });
}
