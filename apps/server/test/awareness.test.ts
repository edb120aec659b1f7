import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import type { WebsocketProvider } from 'y-websocket';
import { CloseCode, LIMITS, transcriptRoom } from '@concord/shared';
import type { ConcordServer } from '../src/server.ts';
import { encodeAwareness } from '../src/sync/awareness-rules.ts';
import { awarenessFrame, closeCode, openSocket } from './cluster.ts';
import {
  addMember, connect, destroyProviders, makeProject, makeTranscript, makeUser, startTestServer, synced, waitFor, type TestUser,
} from './helpers.ts';

/** Presence rules (docs/sync-protocol.md, "Awareness") and blind coding's presence filter. */
let server: ConcordServer;
let owner: TestUser;
let ada: TestUser;
let ben: TestUser;
let pid: string;
let tid: string;

beforeAll(async () => {
  server = await startTestServer();
  owner = await makeUser(server.url, 'Olga');
  ada = await makeUser(server.url, 'Ada');
  ben = await makeUser(server.url, 'Ben');
  pid = await makeProject(owner);
  for (const u of [ada, ben]) await addMember(owner, pid, u, 'coder');
  tid = await makeTranscript(owner, pid, 'Interviewer: Why?\n\nP1: Because the metrics are a poor proxy.\n');
});
afterEach(() => destroyProviders());
afterAll(async () => { await server.close(); });

type State = { user?: { name: string }; cursor?: unknown; viewport?: unknown; activity?: string; n?: number } | undefined;
const stateOf = (p: WebsocketProvider, clientId: number): State => p.awareness.getStates().get(clientId) as State;

async function present(user: TestUser, name: string, room = transcriptRoom(pid, tid)): Promise<WebsocketProvider> {
  const p = connect(server.url, room, user.token);
  await synced(p);
  p.awareness.setLocalStateField('user', { name });
  return p;
}

/** A raw socket in `room`; `send` writes awareness entries for the given client ids. */
async function raw(user: TestUser, room = transcriptRoom(pid, tid)) {
  const ws: WebSocket = await openSocket(server.url, room, user.token);
  ws.on('error', () => undefined);
  const closed = closeCode(ws);
  return {
    closed,
    send: (entries: { clientId: number; clock: number; state: unknown }[]) => ws.send(awarenessFrame(encodeAwareness(
      entries.map((e) => ({ clientId: e.clientId, clock: e.clock, state: JSON.stringify(e.state) })),
    ))),
  };
}

describe('awareness rules', () => {
  it('refuses a state set for another user\'s client id (4422); that client keeps its own', async () => {
    const a = await present(ada, 'Ada');
    const watcher = await present(owner, 'Olga');
    await waitFor(() => stateOf(watcher, a.doc.clientID)?.user?.name === 'Ada', 5000, 'Ada present');
    const mallory = await raw(ben);
    mallory.send([{ clientId: a.doc.clientID, clock: 1_000, state: { user: { name: 'Not Ada' } } }]);
    expect(await mallory.closed).toBe(CloseCode.RefusedChange);
    await new Promise((r) => setTimeout(r, 200));
    expect(stateOf(watcher, a.doc.clientID)?.user?.name).toBe('Ada');
  });

  it('refuses removing another user\'s state', async () => {
    const a = await present(ada, 'Ada');
    const watcher = await present(owner, 'Olga');
    await waitFor(() => stateOf(watcher, a.doc.clientID)?.user?.name === 'Ada', 5000, 'Ada present');
    const mallory = await raw(ben);
    mallory.send([{ clientId: a.doc.clientID, clock: 1_000, state: null }]);
    expect(await mallory.closed).toBe(CloseCode.RefusedChange);
    await new Promise((r) => setTimeout(r, 200));
    expect(stateOf(watcher, a.doc.clientID)?.user?.name).toBe('Ada');
  });

  it('lets another socket of the same user take its client id over (a reconnect before the old socket timed out)', async () => {
    const a = await present(ada, 'Ada');
    const watcher = await present(owner, 'Olga');
    await waitFor(() => stateOf(watcher, a.doc.clientID)?.user?.name === 'Ada', 5000, 'Ada present');
    const again = await raw(ada);
    again.send([{ clientId: a.doc.clientID, clock: 1_000, state: { user: { name: 'Ada (reconnected)' } } }]);
    await waitFor(() => stateOf(watcher, a.doc.clientID)?.user?.name === 'Ada (reconnected)', 5000, 'taken over');
  });

  it(`refuses a state over ${LIMITS.maxAwarenessStateBytes} bytes`, async () => {
    const watcher = await present(owner, 'Olga');
    const big = await raw(ben);
    big.send([{ clientId: 4242, clock: 1, state: { user: { name: 'x'.repeat(LIMITS.maxAwarenessStateBytes) } } }]);
    expect(await big.closed).toBe(CloseCode.RefusedChange);
    await new Promise((r) => setTimeout(r, 200));
    expect(watcher.awareness.getStates().has(4242)).toBe(false);
  });

  it('holds back states sent faster than the rate and delivers the latest, without closing the sender', async () => {
    const watcher = await present(owner, 'Olga');
    let seen = 0;
    watcher.awareness.on('change', ({ added, updated }: { added: number[]; updated: number[] }) => {
      if ([...added, ...updated].includes(5151)) seen++;
    });
    const fast = await raw(ben);
    let code = 0;
    void fast.closed.then((c) => { code = c; });
    const n = 300;
    for (let i = 1; i <= n; i++) fast.send([{ clientId: 5151, clock: i, state: { user: { name: 'Ben' }, n: i } }]);
    await waitFor(() => stateOf(watcher, 5151)?.n === n, 10_000, 'the latest state');
    expect(code).toBe(0);
    // The burst passes at once, the rest is coalesced: far fewer states reach others than were sent.
    expect(seen).toBeLessThan(n / 2);
  });
});

describe('blind coding: presence without positions', () => {
  it('before the reveal others are listed but their cursor and viewport are not sent; after it they are', async () => {
    const t2 = await makeTranscript(owner, pid, 'P1: one two three\n\nP2: four five six\n', 'Blind');
    expect((await owner.client.req('PUT', `/api/projects/${pid}/transcripts/${t2}/mode`, { mode: 'independent' })).status).toBe(200);
    const room = transcriptRoom(pid, t2);
    const a = await present(ada, 'Ada', room);
    const b = await present(ben, 'Ben', room);
    a.awareness.setLocalStateField('cursor', { anchor: { type: null, tname: 'body', item: null, assoc: 0 }, head: { type: null, tname: 'body', item: null, assoc: 0 } });
    a.awareness.setLocalStateField('viewport', { top: null, line: 3 });
    a.awareness.setLocalStateField('activity', 'coding');
    await waitFor(() => stateOf(b, a.doc.clientID)?.activity === 'coding', 5000, 'Ada listed for Ben');
    const before = stateOf(b, a.doc.clientID)!;
    expect(before.user?.name).toBe('Ada');
    expect(before).not.toHaveProperty('cursor');
    expect(before).not.toHaveProperty('viewport');

    // The reveal sends the states again, now whole, without Ada doing anything.
    expect((await owner.client.req('POST', `/api/projects/${pid}/transcripts/${t2}/reveal`)).status).toBe(200);
    await waitFor(() => stateOf(b, a.doc.clientID)?.cursor !== undefined, 5000, 'Ada\'s cursor after the reveal');
    expect(stateOf(b, a.doc.clientID)?.viewport).toEqual({ top: null, line: 3 });
    // And Ada's next move reaches Ben.
    a.awareness.setLocalStateField('viewport', { top: null, line: 9 });
    await waitFor(() => (stateOf(b, a.doc.clientID)?.viewport as { line: number } | undefined)?.line === 9, 5000, 'Ada\'s next move');
  });

  it('in open mode cursors are sent', async () => {
    const a = await present(ada, 'Ada');
    const b = await present(ben, 'Ben');
    a.awareness.setLocalStateField('cursor', { anchor: 1, head: 2 });
    await waitFor(() => stateOf(b, a.doc.clientID)?.cursor !== undefined, 5000, 'cursor in open mode');
  });
});
