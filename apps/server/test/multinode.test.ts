import { loadConfig } from '../src/env.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import WebSocket from 'ws';
import { CloseCode, LIMITS, transcriptRoom } from '@concord/shared';
import { addMember, closeCodeFor, makeProject, makeTranscript, makeUser, synced, waitFor, type ServerProcess, type TestUser } from './helpers.ts';
import { createPgSchema, destroyTracked, healthy, killNode, provider, sleep, startNodes, type PgSchema } from './cluster.ts';

/**
 * Three server processes on loopback sharing one PostgreSQL schema and Redis.
 * Clients on different nodes converge and see each other's cursors; one node is
 * killed with SIGKILL while clients on every node write steadily; its clients are
 * re-pointed to a surviving node with the same Y.Doc and awareness (what a load
 * balancer does on reconnect). Afterwards every update any client had received —
 * and everything any client wrote — is in the document a fresh client loads, and
 * the cursor of the killed node's client that never came back disappears from
 * the surviving nodes within the awareness timeout.
 */
let schema: PgSchema;
let nodes: ServerProcess[] = [];

beforeAll(async () => {
  schema = await createPgSchema();
  nodes = await startNodes(3, schema.url);
}, 60_000);
afterAll(async () => {
  destroyTracked();
  await Promise.all(nodes.map(killNode));
  await schema?.drop();
});

async function waitForAsync(cond: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

type Cursor = { user?: { name: string }; cursor?: { index: number }; ping?: number };
const stateOf = (p: WebsocketProvider, clientId: number) => p.awareness.getStates().get(clientId) as Cursor | undefined;
const items = (p: WebsocketProvider) => p.doc.getArray<string>('n').toArray();

describe('several nodes', () => {
  it('list who is in a transcript whichever node they are on', async () => {
    const urls = nodes.map((n) => n.url);
    const owner = await makeUser(urls[0]!, 'Owner');
    const bea = await makeUser(urls[0]!, 'Bea');
    const pid = await makeProject(owner);
    await addMember(owner, pid, bea, 'coder');
    const tid = await makeTranscript(owner, pid);
    const listed = async (user: TestUser, url: string): Promise<string[]> => {
      const r = await fetch(`${url}/api/projects/${pid}/presence`, { headers: { authorization: `Bearer ${user.token}` } });
      expect(r.status).toBe(200);
      const body = (await r.json()) as { transcripts: Record<string, { name: string }[]> };
      return (body.transcripts[tid] ?? []).map((u) => u.name).sort();
    };
    // Bea opens the transcript on node 3, the owner on node 2; node 1 has no one in it.
    const onNode3 = provider(urls[2]!, transcriptRoom(pid, tid), bea.token);
    const onNode2 = provider(urls[1]!, transcriptRoom(pid, tid), owner.token);
    await Promise.all([synced(onNode3), synced(onNode2)]);
    await waitForAsync(async () => (await Promise.all(urls.map((u) => listed(owner, u)))).every((names) => names.join() === 'Bea,Owner'),
      15_000, 'both people listed on every node');
    // Bea leaves: every node stops listing her.
    onNode3.destroy();
    await waitForAsync(async () => (await Promise.all(urls.map((u) => listed(bea, u)))).every((names) => names.join() === 'Owner'),
      15_000, 'Bea gone from every node\'s list');
    onNode2.destroy();
  }, 60_000);

  it('count failed logins across nodes: spreading the guesses over nodes gains nothing', async () => {
    const urls = nodes.map((n) => n.url);
    const victim = await makeUser(urls[0]!, 'Victim');
    const login = (url: string, password: string) => fetch(`${url}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: victim.email, password }),
    }).then((r) => r.status);
    const statuses: number[] = [];
    const free = loadConfig({}).limits.loginFreeAttempts;
    for (let i = 0; i < free + 3; i++) statuses.push(await login(urls[i % urls.length]!, `guess ${i}`));
    expect(statuses.slice(0, free)).toEqual(Array(free).fill(401));
    expect(statuses.slice(free)).toEqual([429, 429, 429]);
    // From this address even the right password waits, on every node (owners elsewhere are not affected: security.test.ts).
    for (const url of urls) expect(await login(url, 'correct horse battery')).toBe(429);
  }, 60_000);

  it('take access away on every node: a removed member\'s and a deleted token\'s sockets close wherever they are', async () => {
    const urls = nodes.map((n) => n.url);
    const owner = await makeUser(urls[0]!, 'Owner');
    const cara = await makeUser(urls[0]!, 'Cara');
    const pid = await makeProject(owner);
    await addMember(owner, pid, cara, 'coder');
    const tid = await makeTranscript(owner, pid);
    // Open sockets on node 2 and node 3 and report how each one closes.
    // Resolves once admitted, with the close code to come (wrapped: a promise resolved with a promise would wait for it).
    const open = (url: string, token: string) => new Promise<{ closed: Promise<number> }>((resolve, reject) => {
      const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/sync/${transcriptRoom(pid, tid)}?token=${encodeURIComponent(token)}`);
      const closed = new Promise<number>((done) => ws.on('close', (code) => done(code)));
      ws.on('message', () => resolve({ closed })); // admitted: the server's sync step 1 arrived
      ws.on('error', reject);
    });
    const within = (s: { closed: Promise<number> }, ms: number) => Promise.race([s.closed, sleep(ms).then(() => -1)]);

    // A second token of Cara's, used on node 3 and deleted through node 1.
    const t = await cara.client.req('POST', '/api/tokens', { name: 'laptop' });
    expect(t.status).toBe(201);
    const tokenSocket = await open(urls[2]!, t.json.token);
    expect((await cara.client.req('DELETE', `/api/tokens/${t.json.id}`)).status).toBe(204);
    expect(await within(tokenSocket, 5000)).toBe(CloseCode.Unauthorized);

    // Cara's socket on node 2 closes when the owner removes her through node 1, and she cannot come back.
    const memberSocket = await open(urls[1]!, cara.token);
    expect((await owner.client.req('DELETE', `/api/projects/${pid}/members/${cara.id}`)).status).toBe(204);
    expect(await within(memberSocket, 5000)).toBe(CloseCode.AccessChanged);
    expect(await closeCodeFor(urls[1]!, transcriptRoom(pid, tid), { token: cara.token })).toBe(CloseCode.Forbidden);
  }, 60_000);

  it('converge, share cursors, and lose nothing when a node is killed under load', async () => {
    const urls = nodes.map((n) => n.url);
    const owner = await makeUser(urls[0]!, 'Owner');
    const pid = await makeProject(owner);
    const tid = await makeTranscript(owner, pid);
    const room = transcriptRoom(pid, tid);
    const token = owner.token;

    // One writer and one reader per node, and on node 3 a client that will not come back.
    const writers = urls.map((u) => provider(u, room, token));
    const readers = urls.map((u) => provider(u, room, token));
    const idle = provider(urls[2]!, room, token);
    await Promise.all([...writers, ...readers, idle].map((p) => synced(p)));

    // Cursors across nodes: every reader sees every writer's cursor and the idle client.
    writers.forEach((w, i) => w.awareness.setLocalState({ user: { name: `W${i + 1}` }, cursor: { index: i } }));
    idle.awareness.setLocalState({ user: { name: 'Idle on node 3' } });
    await waitFor(() => readers.every((r) => writers.every((w, i) => stateOf(r, w.doc.clientID)?.user?.name === `W${i + 1}`)
      && stateOf(r, idle.doc.clientID)?.user?.name === 'Idle on node 3'), 10_000, 'cursors on every node');

    // Concurrent edits on three nodes converge.
    writers.forEach((w, i) => w.doc.getText('body').insert(0, `[W${i + 1}]`));
    const everyone = () => [...writers, ...readers, idle];
    await waitFor(() => {
      const texts = everyone().map((p) => p.doc.getText('body').toString());
      return texts.every((t) => t === texts[0]) && ['[W1]', '[W2]', '[W3]'].every((m) => texts[0]!.includes(m));
    }, 10_000, 'convergence across nodes');

    // Steady writes from clients on all nodes.
    let seq = 0;
    const timer = setInterval(() => {
      writers.forEach((w, i) => w.doc.getArray<string>('n').push([`w${i + 1}:${seq++}`]));
    }, 25);
    try {
      await waitFor(() => readers.every((r) => r.doc.getArray('n').length >= 150), 15_000, 'writes flowing across nodes');

      // Refresh the idle client's awareness (so its timeout starts now), then kill node 3.
      const ping = Date.now();
      idle.awareness.setLocalStateField('ping', ping);
      await waitFor(() => readers.slice(0, 2).every((r) => stateOf(r, idle.doc.clientID)?.ping === ping), 5000, 'idle ping on nodes 1 and 2');
      const lastIdleUpdate = Date.now();
      await killNode(nodes[2]!);
      const killedAt = Date.now();

      // Node 3's clients notice; the idle one is gone for good.
      await waitFor(() => !writers[2]!.wsconnected && !readers[2]!.wsconnected, 5000, 'node 3 clients disconnected');
      idle.destroy();
      // "Received": whatever the readers hold came from a server, which broadcasts only committed updates.
      const received = new Set(readers.flatMap(items));
      const writtenAtKill = seq;

      // Re-point node 3's writer and reader to node 1 (same Y.Doc, same awareness).
      const repointStarted = Date.now();
      for (const list of [writers, readers]) {
        const old = list[2]!;
        old.destroy();
        list[2] = provider(urls[0]!, room, token, { doc: old.doc, awareness: old.awareness });
      }
      await Promise.all([writers[2]!, readers[2]!].map((p) => synced(p)));
      const repointMs = Date.now() - repointStarted;
      const killToResyncedMs = Date.now() - killedAt;
      await sleep(1500);
      clearInterval(timer);

      // Everything settles: every live client holds every write.
      const live = [...writers, ...readers];
      await waitFor(() => live.every((p) => p.doc.getArray('n').length === seq), 20_000, 'all clients to hold every write');
      const fresh = provider(urls[1]!, room, token);
      await synced(fresh);
      await waitFor(() => fresh.doc.getArray('n').length === seq, 10_000, 'fresh client to load every write');
      const present = new Set(items(fresh));
      expect([...received].filter((x) => !present.has(x)), 'received before the kill, missing after').toEqual([]);
      expect(present.size).toBe(seq);
      expect(items(fresh)).toHaveLength(seq); // no duplicates
      expect(fresh.doc.getText('body').toString()).toBe(writers[0]!.doc.getText('body').toString());
      expect(await healthy(urls[0]!) && await healthy(urls[1]!)).toBe(true);

      // The re-pointed writer's cursor is live on both surviving nodes...
      await waitFor(() => readers.slice(0, 2).every((r) => stateOf(r, writers[2]!.doc.clientID)?.user?.name === 'W3'), 10_000, 're-pointed cursor');
      // ...while the idle client's disappears within the awareness timeout: from the
      // clients on nodes 1 and 2, and from both servers (a new client is not told of it).
      const deadline = lastIdleUpdate + LIMITS.awarenessTimeoutMs + 6000;
      const goneAt: Record<string, number> = {};
      await waitFor(() => {
        readers.slice(0, 2).forEach((r, i) => { if (!stateOf(r, idle.doc.clientID)) goneAt[`reader${i + 1}`] ??= Date.now(); });
        return Object.keys(goneAt).length === 2;
      }, deadline - Date.now(), 'idle cursor to disappear from clients on nodes 1 and 2');
      for (const [i, url] of urls.slice(0, 2).entries()) {
        for (;;) {
          const probe = provider(url, room, token);
          await synced(probe);
          const stale = stateOf(probe, idle.doc.clientID) !== undefined;
          const w3 = stateOf(probe, writers[2]!.doc.clientID)?.user?.name;
          probe.destroy();
          if (!stale) {
            goneAt[`server${i + 1}`] = Date.now();
            expect(w3, 'the re-pointed writer is still announced').toBe('W3');
            break;
          }
          expect(Date.now(), `node ${i + 1} still announces the idle client`).toBeLessThan(deadline);
          await sleep(500);
        }
      }
      const secondsAfterLastUpdate = Object.fromEntries(Object.entries(goneAt).map(([k, t]) => [k, (t - lastIdleUpdate) / 1000]));
      for (const s of Object.values(secondsAfterLastUpdate)) expect(s).toBeLessThanOrEqual((LIMITS.awarenessTimeoutMs + 6000) / 1000);

      console.log(JSON.stringify({
        suite: 'multinode', nodes: 3, writtenAtKill, receivedAtKill: received.size, written: seq, present: present.size,
        repointMs, killToResyncedMs, cursorGoneSecondsAfterLastUpdate: secondsAfterLastUpdate,
      }));
    } finally {
      clearInterval(timer);
    }
  }, 90_000);
});
