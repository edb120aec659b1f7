import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode, codebookRoom, commentsRoom, layerRoom, roomAccess, parseRoom, transcriptRoom, type Role } from '@concord/shared';
import { addMember, closeCodeFor, codingValue, connect, makeCodes, destroyProviders, makeProject, makeTranscript, makeUser, startTestServer, synced, waitFor, type TestUser } from './helpers.ts';
import type { ConcordServer } from '../src/server.ts';

/**
 * Every role × room kind × read/write, against the real server: a role that may
 * read syncs; a role that may write has its change stored and seen by others;
 * a read-only role's change is refused by the server (never reaches others or
 * storage); a role that may not read is closed with 4403.
 */
let server: ConcordServer;
let owner: TestUser;
let pid: string;
let tid: string;
const users = {} as Record<Role, TestUser>;
let outsider: TestUser;

beforeAll(async () => {
  server = await startTestServer();
  owner = await makeUser(server.url, 'Owner');
  pid = await makeProject(owner);
  await makeCodes(server, pid, ['k1']);
  tid = await makeTranscript(owner, pid);
  users.owner = owner;
  for (const role of ['coder', 'commenter', 'viewer'] as const) {
    users[role] = await makeUser(server.url, role);
    await addMember(owner, pid, users[role], role);
  }
  outsider = await makeUser(server.url, 'Outsider');
});
afterEach(() => destroyProviders());
afterAll(async () => { await server.close(); });

const EXPECTED: Record<string, Record<Role, 'write' | 'read' | 'none'>> = {
  codebook: { owner: 'write', coder: 'write', commenter: 'read', viewer: 'read' },
  transcript: { owner: 'write', coder: 'write', commenter: 'read', viewer: 'read' },
  comments: { owner: 'write', coder: 'write', commenter: 'write', viewer: 'read' },
  // The coder's own layer, seen by each role before any reveal.
  layer: { owner: 'none', coder: 'write', commenter: 'none', viewer: 'none' },
};

function roomOf(kind: string): string {
  switch (kind) {
    case 'codebook': return codebookRoom(pid);
    case 'transcript': return transcriptRoom(pid, tid);
    case 'comments': return commentsRoom(pid, tid);
    default: return layerRoom(pid, tid, users.coder.id);
  }
}

describe('room authorisation matrix', () => {
  it('the shared table says what docs/sync-protocol.md says', () => {
    for (const [kind, row] of Object.entries(EXPECTED)) {
      for (const [role, access] of Object.entries(row)) {
        const room = parseRoom(roomOf(kind))!;
        expect(roomAccess(room, { role: role as Role, userId: users[role as Role].id }), `${kind} ${role}`).toBe(access);
      }
    }
  });

  for (const [kind, row] of Object.entries(EXPECTED)) {
    for (const role of ['owner', 'coder', 'commenter', 'viewer'] as Role[]) {
      const access = row[role];
      it(`${role} in ${kind}: ${access}`, async () => {
        const room = roomOf(kind);
        if (access === 'none') {
          expect(await closeCodeFor(server.url, room, { token: users[role].token })).toBe(CloseCode.Forbidden);
          return;
        }
        // A writer (the coder, or the owner) watches what reaches the server.
        const watcherUser = kind === 'layer' ? users.coder : owner;
        const watcher = connect(server.url, room, watcherUser.token);
        const p = connect(server.url, room, users[role].token);
        await Promise.all([synced(watcher), synced(p)]);
        const key = `${role}-${Date.now()}`;
        p.doc.getMap('probe').set(key, 1);
        if (access === 'write') {
          await waitFor(() => watcher.doc.getMap('probe').get(key) === 1, 5000, 'write to arrive');
        } else {
          // The refusal: a sentinel written afterwards by the watcher arrives, the probe never does.
          const sentinel = `sentinel-${key}`;
          watcher.doc.getMap('probe').set(sentinel, 1);
          await waitFor(() => p.doc.getMap('probe').get(sentinel) === 1, 5000, 'read-only client still receives');
          await new Promise((r) => setTimeout(r, 200));
          expect(watcher.doc.getMap('probe').get(key)).toBeUndefined();
          // and it was not stored either.
          const fresh = connect(server.url, room, watcherUser.token, new Y.Doc());
          await synced(fresh);
          expect(fresh.doc.getMap('probe').get(key)).toBeUndefined();
          expect(fresh.doc.getMap('probe').get(sentinel)).toBe(1);
        }
      });
    }
  }

  it('a non-member is refused every room with 4403', async () => {
    for (const kind of Object.keys(EXPECTED)) {
      expect(await closeCodeFor(server.url, roomOf(kind), { token: outsider.token }), kind).toBe(CloseCode.Forbidden);
    }
  });

  it('after the reveal a coder\'s layer is readable by members and writable by nobody', async () => {
    const t2 = await makeTranscript(owner, pid, 'P1: one\n\nP2: two\n', 'Blind');
    expect((await owner.client.req('PUT', `/api/projects/${pid}/transcripts/${t2}/mode`, { mode: 'independent' })).status).toBe(200);
    const room = layerRoom(pid, t2, users.coder.id);
    const mine = connect(server.url, room, users.coder.token);
    await synced(mine);
    mine.doc.getMap('codings').set('c1', codingValue('c1', 'k1', users.coder.id));
    expect(await closeCodeFor(server.url, room, { token: owner.token })).toBe(CloseCode.Forbidden);
    expect(await closeCodeFor(server.url, room, { token: users.viewer.token })).toBe(CloseCode.Forbidden);
    const closed = new Promise<number>((resolve) => mine.on('connection-close', (e) => resolve(e?.code ?? 0)));
    expect((await owner.client.req('POST', `/api/projects/${pid}/transcripts/${t2}/reveal`)).status).toBe(200);
    expect(await closed).toBe(CloseCode.AccessChanged);
    const reader = connect(server.url, room, owner.token);
    await synced(reader);
    await waitFor(() => reader.doc.getMap<{ codeId: string }>('codings').get('c1')?.codeId === 'k1', 5000, 'revealed layer readable');
    await synced(mine);
    mine.doc.getMap('codings').set('c2', codingValue('c2', 'k1', users.coder.id));
    await new Promise((r) => setTimeout(r, 300));
    expect(reader.doc.getMap('codings').get('c2')).toBeUndefined();
  });
});
