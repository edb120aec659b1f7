import { createRng } from '@concord/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import { CloseCode, codebookRoom, LIMITS, transcriptRoom } from '@concord/shared';
import { makeProject, makeTranscript, makeUser, startTestServer, synced, waitFor, type TestUser } from './helpers.ts';
import { awarenessFrame, destroyTracked, healthy, provider, sleep, syncStep1Frame, syncUrl, updateFrame } from './cluster.ts';
import type { ConcordServer } from '../src/server.ts';
import { encodeV1, writeStruct, type Writer } from './update-cost-fixtures.ts';

/**
 * Thousands of malformed, truncated, oversized and random frames against a live
 * server, one attacking connection per frame (plus bursts and floods), while
 * honest clients keep working in the attacked room and in another room.
 *
 * Every attacking connection is classified by what the server did: closed with
 * 4400 (bad message), 1009 (frame too large), 4429 (flood), or kept open (the
 * frame was in fact well-formed: a probe sent after it is answered). An oracle
 * decodes each frame the way the protocol defines; a frame it cannot decode
 * must be answered with 4400, a frame it decodes may be applied or refused.
 *
 * Pathological Yjs updates: yjs issue #687 (run-length encoding abused to lock
 * the thread or exhaust memory) — its five published reproduction payloads are
 * V2-encoded, and are sent here as they are (the server speaks V1, so they must
 * be refused or be harmless). Their V1 counterparts are constructed: valid
 * updates whose structs are rewritten to reference missing parents/origins,
 * to use huge clocks and client ids, self-referential origins and parents,
 * zero-length structs and huge or empty deletions.
 *
 * Known limit (Yjs, not this server): a writer can forge another client's id (two
 * different structs with one id) or anchor an item between an origin and a right
 * origin that were never neighbours (but not crossed: crossed origins are refused,
 * see room.ts validateUpdate). Replicas that integrate such an item in different
 * orders may then disagree on the ORDER of text, never on its content. Forged ids
 * are kept out of the random attacks (ids are unique per attack); random byte
 * mutation can still produce a wide anchor, so text order is compared and
 * reported, while state vectors, characters and the honest client's writes are
 * asserted. Only members with write access to the room can send updates at all.
 */

// ---- deterministic randomness ------------------------------------------------------

/** Seeded PRNG (mulberry32, shared with the bootstrap) so a failing run can be replayed. */
const rng = createRng;
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const random = rng(SEED);
const R = (n: number) => Math.floor(random() * n);
const pick = <T>(xs: readonly T[]): T => xs[R(xs.length)]!;
const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => R(256));
const BIG = [0, 1, 2, 127, 128, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 40, 2 ** 52, Number.MAX_SAFE_INTEGER] as const;

function varUint(n: number): number[] {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, n);
  return [...encoding.toUint8Array(e)];
}
function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

// ---- yjs #687 payloads (V2 updates, from the reproduction cases) ------------

const YJS_687: Record<string, number[]> = {
  tooManyStructsV2: [0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 2, 0, 0, 22, 2, 0, 0, 1, 253, 255, 255, 255, 255, 127, 0, 0],
  tooManyUpdatesV1: [228, 156, 16, 0, 5, 255, 255, 5, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 237, 0, 0, 0, 1, 1, 0, 254, 184, 194, 233, 173, 135, 217, 18, 0, 0, 1, 1, 255, 237, 246],
  tooManyUpdatesV2: [228, 149, 0, 0, 1, 24, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 237, 1, 190, 130, 227, 195, 28, 1, 2, 228, 149, 0, 0, 1, 24, 0, 0, 1, 24, 0, 0, 1, 0, 1, 237, 0],
  tooLargeGcV2: [143, 1, 128, 0, 0, 0, 1, 170, 1, 0, 1, 2, 0, 0, 22, 2, 0, 229, 196, 67, 20, 231, 166, 139, 147, 174, 181, 253, 93, 232, 38, 154, 138, 89, 0, 49, 213, 15, 18, 1, 48, 0, 0, 0],
  overLimitV2: [0, 1, 35, 0, 0, 0, 1, 2, 129, 0, 0, 16, 0, 199, 220, 0, 196, 122, 128, 0, 65, 171, 234, 214, 0, 1, 0, 0, 1, 0, 0, 132, 0, 0, 16, 255, 199, 220, 255, 0, 0, 0],
};

// ---- V1 update surgery ------------------------------------------------------------------

type Struct = Y.Item | Y.GC | Y.Skip;
const gc = (len: number): Writer => (e) => { e.writeInfo(0); e.writeLen(len); };

/** A valid update of `attacker` on top of `base`, decoded into structs that can be rewritten. */
function attackerStructs(base: Uint8Array): { client: number; structs: Struct[] } {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, base);
  const sv = Y.encodeStateVector(doc);
  const body = doc.getText('body');
  body.insert(Math.min(body.length, R(20)), 'abc');
  body.insert(0, 'Z');
  doc.getMap('fuzz').set(`k${R(5)}`, new Y.Map());
  doc.getArray('fuzzlist').insert(0, ['q', { x: 1 }, new Uint8Array([1, 2])]);
  if (body.length > 3) body.delete(1, 2);
  const { structs } = Y.decodeUpdate(Y.encodeStateAsUpdate(doc, sv));
  const client = doc.clientID;
  doc.destroy();
  return { client, structs: structs.filter((s) => s.id.client === client) as Struct[] };
}

/** An item of the same client right after the last struct, with the last struct as its origin. */
function afterLast(structs: Struct[], content: ConstructorParameters<typeof Y.Item>[7]): Y.Item {
  const last = structs[structs.length - 1]!;
  const end = last.id.clock + last.length;
  return new Y.Item(Y.createID(last.id.client, end), null, Y.createID(last.id.client, end - 1), null, null, null, null, content);
}

/** One pathological V1 update built from a valid one (kind names the rewrite). */
function pathologicalUpdate(base: Uint8Array): { kind: string; update: Uint8Array } {
  const { client, structs } = attackerStructs(base);
  const items = structs.filter((s): s is Y.Item => s instanceof Y.Item);
  const target = pick(items);
  const clock0 = structs[0]!.id.clock;
  let section = { client, clock: clock0, structs: structs.map(writeStruct) };
  let ds: [number, [number, number][]][] = [];
  const kinds = [
    'self-origin', 'self-right-origin', 'future-origin', 'missing-origin', 'huge-clock', 'huge-client',
    'self-parent', 'missing-parent', 'dangling-origins', 'huge-gc', 'zero-gc', 'zero-deleted', 'zero-string',
    'huge-delete', 'zero-delete', 'foreign-delete',
  ] as const;
  const kind = pick(kinds);
  switch (kind) {
    case 'self-origin': target.origin = Y.createID(target.id.client, target.id.clock); break;
    case 'self-right-origin': target.rightOrigin = Y.createID(target.id.client, target.id.clock); break;
    case 'future-origin': target.origin = Y.createID(client, target.id.clock + 1 + R(50)); break;
    case 'missing-origin': target.origin = Y.createID(pick(BIG), pick(BIG)); break;
    case 'huge-clock': section = { ...section, clock: pick(BIG.slice(5)) }; break;
    // Unique per attack: two attackers forging the same client id is spoofing, see below.
    case 'huge-client': section = { ...section, client: pick([0, 2 ** 31, 2 ** 32, 2 ** 40, 2 ** 52]) + 1 + R(1_000_000) }; break;
    case 'self-parent':
      target.origin = null; target.rightOrigin = null;
      target.parent = Y.createID(target.id.client, target.id.clock);
      break;
    case 'missing-parent':
      target.origin = null; target.rightOrigin = null;
      target.parent = Y.createID(pick(BIG), pick(BIG));
      target.parentSub = random() < 0.5 ? 'x' : null;
      break;
    case 'dangling-origins':
      target.origin = Y.createID(1 + R(3), R(40)); target.rightOrigin = Y.createID(1 + R(3), R(40));
      break;
    case 'huge-gc': section.structs.push(gc(pick(BIG.slice(5)))); break;
    case 'zero-gc': section.structs.push(gc(0)); break;
    case 'zero-deleted':
      section.structs.push(writeStruct(afterLast(structs, new Y.ContentDeleted(0))));
      break;
    case 'zero-string':
      section.structs.push(writeStruct(afterLast(structs, new Y.ContentString(''))));
      break;
    case 'huge-delete': ds = [[pick([client, 1, 2, 3]), [[R(30), pick(BIG.slice(5))]]]]; break;
    case 'zero-delete': ds = [[pick([client, 1, 2, 3, 12345]), [[R(30), 0]]]]; break;
    case 'foreign-delete': ds = [[pick(BIG), [[pick(BIG), pick(BIG)]]]]; break;
  }
  return { kind, update: encodeV1([section], ds) };
}

// ---- frame generators ------------------------------------------------------------------

type Category =
  | 'random' | 'truncated' | 'mutated-update' | 'huge-length' | 'unknown-type' | 'awareness-garbage'
  | 'yjs-687' | 'pathological-v1' | 'burst' | 'oversized' | 'flood';

interface Attack { category: Category; sub: string; frames: Uint8Array[] }

function mutateBytes(u: Uint8Array): Uint8Array {
  const a = [...u];
  const n = 1 + R(4);
  for (let i = 0; i < n && a.length > 0; i++) {
    const p = R(a.length);
    switch (R(5)) {
      case 0: a[p] = R(256); break;
      case 1: a.splice(p, 1); break;
      case 2: a.splice(p, 0, R(256)); break;
      case 3: a.splice(p, 1, ...varUint(pick(BIG))); break;
      default: a[p] = a[p]! ^ (1 << R(8)); break;
    }
  }
  return Uint8Array.from(a);
}

function makeAttack(category: Category, base: Uint8Array): Attack {
  const diff = () => {
    const d = new Y.Doc();
    Y.applyUpdate(d, base);
    const sv = Y.encodeStateVector(d);
    d.getText('body').insert(R(5), 'mutant ');
    d.getMap('fuzz').set('k', R(1000));
    const u = Y.encodeStateAsUpdate(d, sv);
    d.destroy();
    return u;
  };
  switch (category) {
    case 'random': {
      const n = random() < 0.8 ? R(64) : R(4096);
      return { category, sub: n === 0 ? 'empty' : `len<${n < 64 ? 64 : 4096}`, frames: [randomBytes(n)] };
    }
    case 'truncated': {
      const frame = pick([
        () => updateFrame(diff(), pick([1, 2] as const)),
        () => syncStep1Frame(),
        () => awarenessFrame(awarenessProtocol.encodeAwarenessUpdate(awarenessWith({ user: { name: 'x'.repeat(R(40)) } }), [4242])),
      ])();
      const cut = 1 + R(Math.max(1, frame.length - 1));
      const sub = random() < 0.5 ? 'cut' : 'cut+garbage';
      return { category, sub, frames: [sub === 'cut' ? frame.slice(0, cut) : concat(frame.slice(0, cut), randomBytes(1 + R(8)))] };
    }
    case 'mutated-update':
      return { category, sub: 'mutated', frames: [updateFrame(mutateBytes(diff()), pick([1, 2] as const))] };
    case 'huge-length': {
      const len = pick([2 ** 31, 2 ** 32, 2 ** 40, Number.MAX_SAFE_INTEGER, LIMITS.maxFrameBytes]);
      const head = pick([[0, 1], [0, 2], [0, 0], [1]]);
      const sub = random() < 0.8 ? 'length' : 'varint>53bits';
      const lengthBytes = sub === 'length' ? varUint(len) : [255, 255, 255, 255, 255, 255, 255, 255, 255, 1];
      return { category, sub, frames: [concat(head, lengthBytes, randomBytes(R(16)))] };
    }
    case 'unknown-type': {
      const sub = random() < 0.5 ? 'message-type' : 'sync-type';
      const frame = sub === 'message-type'
        ? concat(varUint(pick([4, 5, 17, 127, 128, 300, 2 ** 20, 2 ** 31])), randomBytes(R(10)))
        : concat([0], varUint(pick([3, 4, 9, 200, 2 ** 16])), randomBytes(R(10)));
      return { category, sub, frames: [frame] };
    }
    case 'awareness-garbage': {
      const json = pick(['{', 'undefined', '{"user":', 'NaN', '\u0000', "{'a':1}", '[1,2', '', '}{', String.fromCharCode(...randomBytes(12))]);
      const e = encoding.createEncoder();
      const n = 1 + R(3);
      encoding.writeVarUint(e, n);
      for (let i = 0; i < n; i++) {
        encoding.writeVarUint(e, pick(BIG));
        encoding.writeVarUint(e, 1 + R(100));
        encoding.writeVarString(e, i === n - 1 ? json : '{"ok":true}');
      }
      return { category, sub: 'bad-json', frames: [awarenessFrame(encoding.toUint8Array(e))] };
    }
    case 'yjs-687': {
      const [name, bytes] = pick(Object.entries(YJS_687));
      return { category, sub: name, frames: [updateFrame(Uint8Array.from(bytes), pick([1, 2] as const))] };
    }
    case 'pathological-v1': {
      const { kind, update } = pathologicalUpdate(base);
      return { category, sub: kind, frames: [updateFrame(update, pick([1, 2] as const))] };
    }
    case 'burst': {
      const frames = Array.from({ length: 10 + R(20) }, () => makeAttack(pick(['random', 'truncated', 'mutated-update', 'pathological-v1'] as const), base).frames[0]!);
      return { category, sub: 'frames', frames };
    }
    case 'oversized':
      return { category, sub: '>maxFrameBytes', frames: [concat(updateFrame(diff()), new Uint8Array(LIMITS.maxFrameBytes))] };
    case 'flood':
      // Harmless messages (auth type, ignored by the server), but far too many of them.
      return { category, sub: 'messages', frames: Array.from({ length: LIMITS.messageBurst + 300 }, () => Uint8Array.of(2, 0, 0)) };
  }
}

function awarenessWith(state: Record<string, unknown>): awarenessProtocol.Awareness {
  const d = new Y.Doc();
  d.clientID = 4242;
  const a = new awarenessProtocol.Awareness(d);
  a.setLocalState(state);
  a.destroy();
  return a;
}

// ---- the oracle --------------------------------------------------------------------

type Verdict = 'reject' | 'maybe' | 'accept';

/** What the protocol says of one frame: undecodable (must be refused), decodable update (may be refused on apply), harmless. */
function oracle(frame: Uint8Array): Verdict {
  try {
    const d = decoding.createDecoder(frame);
    const type = decoding.readVarUint(d);
    switch (type) {
      case 0: {
        const sub = decoding.readVarUint(d);
        const payload = decoding.readVarUint8Array(d);
        if (sub === 0) {
          // The server answers with a diff against this state vector; a well-formed but absurd one (clocks
          // near 2^53) may still fail against the room's pending structs, closing the sender with 4400.
          Y.decodeStateVector(payload);
          return 'maybe';
        }
        if (sub === 1 || sub === 2) {
          Y.decodeUpdate(payload);
          return 'maybe';
        }
        return 'reject';
      }
      case 1: {
        const payload = decoding.readVarUint8Array(d);
        const a = new awarenessProtocol.Awareness(new Y.Doc());
        try {
          awarenessProtocol.applyAwarenessUpdate(a, payload, null);
        } finally {
          a.destroy();
        }
        return 'accept';
      }
      case 2:
      case 3:
        return 'accept';
      default:
        return 'reject';
    }
  } catch {
    return 'reject';
  }
}

// ---- running one attack -----------------------------------------------------------------

type Outcome = number | 'open' | 'timeout' | 'refused';

/**
 * Opens a connection, sends the attack's frames and then a probe (sync step 1):
 * an answered probe means the connection survived; otherwise the close code.
 */
function runAttack(url: string, room: string, token: string, attack: Attack, timeoutMs = 10_000): Promise<Outcome> {
  return new Promise((resolve) => {
    const ws = new WebSocket(syncUrl(url, room, token));
    let done = false;
    const finish = (o: Outcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (o === 'open' || o === 'timeout') ws.terminate();
      resolve(o);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    ws.binaryType = 'nodebuffer';
    ws.on('unexpected-response', (_req, res) => finish(res.statusCode === 429 ? 'refused' : res.statusCode ?? 0));
    ws.on('error', () => undefined);
    ws.on('open', () => {
      for (const f of attack.frames) ws.send(f);
      ws.send(syncStep1Frame());
    });
    ws.on('message', (data: Buffer) => {
      // Sync step 2 is the answer to our probe (the server's own greeting is a step 1).
      if (data[0] === 0 && data[1] === 1) finish('open');
    });
    ws.on('close', (code: number) => finish(code));
  });
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>, deadline: number): Promise<number> {
  let next = 0;
  let done = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length && Date.now() < deadline) {
      const item = items[next++]!;
      await fn(item);
      done++;
    }
  }));
  return done;
}

// ---- the suite -------------------------------------------------------------------------------

let server: ConcordServer;
let owner: TestUser;
let pid: string;
let tid: string;

beforeAll(async () => {
  server = await startTestServer();
  owner = await makeUser(server.url, 'Owner');
  pid = await makeProject(owner);
  tid = await makeTranscript(owner, pid, 'Interviewer: How do you test models?\n\nP1: Mostly by hand, honestly.\n');
});
afterAll(async () => {
  destroyTracked();
  await server.close();
});

/** Closes a room's clients and waits until the server has stored and unloaded it. */
async function unload(room: string): Promise<void> {
  destroyTracked();
  await waitFor(() => !server.deps.rooms.rooms.has(room), 10_000, `unload of ${room}`);
}

/** Everything the honest client wrote, and the document state, as a fresh client sees it. */
async function freshView(room: string): Promise<{ sv: string; honest: string[]; body: string }> {
  const p = provider(server.url, room, owner.token);
  await synced(p);
  const view = {
    sv: svString(p.doc),
    honest: p.doc.getArray<string>('honest').toArray(),
    body: p.doc.getText('body').toString(),
  };
  p.destroy();
  return view;
}
function svString(doc: Y.Doc): string {
  return JSON.stringify([...Y.decodeStateVector(Y.encodeStateVector(doc))].sort((a, b) => a[0] - b[0]));
}

describe('fuzzing the sync endpoint', () => {
  it('refuses crafted updates that would poison the document or make replicas disagree', async () => {
    const room = transcriptRoom(pid, await makeTranscript(owner, pid, 'P1: these words come from the server\n', 'Crafted'));
    const honest = provider(server.url, room, owner.token);
    await synced(honest);
    const base = Y.encodeStateAsUpdate(honest.doc);
    const { client, structs } = attackerStructs(base);
    const clock = structs[0]!.id.clock;
    // The transcript text is one struct written by the server: an item anchored with its
    // right origin LEFT of its origin inside it ("crossed" origins).
    const bodyStruct = Y.decodeUpdate(base).structs.find((st): st is Y.Item => st instanceof Y.Item && st.content instanceof Y.ContentString && st.length > 20)!;
    const crossed = new Y.Item(Y.createID(client, 0), null, Y.createID(bodyStruct.id.client, bodyStruct.id.clock + 15), null,
      Y.createID(bodyStruct.id.client, bodyStruct.id.clock + 3), null, null, new Y.ContentString('crossed'));
    const attacks: [string, Uint8Array][] = [
      // Integrated, each of these left a document whose encoding throws: no new client could sync, compaction
      // failed, and every later load of the room failed (4500 for good).
      ['gc of length 0', encodeV1([{ client, clock, structs: [...structs.map(writeStruct), gc(0)] }])],
      ['deleted content of length 0', encodeV1([{ client, clock, structs: [...structs.map(writeStruct), writeStruct(afterLast(structs, new Y.ContentDeleted(0)))] }])],
      ['empty deletion range', encodeV1([{ client, clock, structs: structs.map(writeStruct) }], [[12345, [[2, 0]]]])],
      // Found by the fuzzer (minimised): two pending items whose origins' clocks overflow Yjs's V2 encoding.
      ['pending origin clock near 2^53', Uint8Array.from(Buffer.from('0102bab0c1ef0300c483d0a8b80183d08080808080808008b80102076d6501616e742028010466757a7a016b017db60b00', 'hex'))],
      ['deletion ending past 2^53', encodeV1([], [[client, [[Number.MAX_SAFE_INTEGER - 1, 5]]]])],
      // Integrated, this one is placed differently by replicas that receive it in different orders.
      ['crossed origins', encodeV1([{ client, clock: 0, structs: [writeStruct(crossed)] }])],
    ];
    // The other half of the minimised pair (harmless alone, accepted).
    expect(await runAttack(server.url, room, owner.token, { category: 'pathological-v1', sub: 'pending', frames: [updateFrame(Uint8Array.from(Buffer.from(
      '0102b7a6f50400c483d051a8b80383d0a8b80104076d7574616e742028010466757a7a016b017dae0200', 'hex')))] })).toBe('open');
    for (const [name, update] of attacks) {
      expect(await runAttack(server.url, room, owner.token, { category: 'pathological-v1', sub: name, frames: [updateFrame(update)] }), name).toBe(CloseCode.BadMessage);
    }
    // A well-formed insert in the same place is accepted.
    const legit = new Y.Doc();
    Y.applyUpdate(legit, base);
    const sv = Y.encodeStateVector(legit);
    legit.getText('body').insert(5, 'fine ');
    expect(await runAttack(server.url, room, owner.token, { category: 'pathological-v1', sub: 'legit', frames: [updateFrame(Y.encodeStateAsUpdate(legit, sv))] })).toBe('open');
    honest.doc.getArray<string>('honest').push(['after']);
    await waitFor(() => server.deps.rooms.rooms.get(room)?.doc.getArray('honest').length === 1, 5000, 'honest write');
    await waitFor(() => honest.doc.getText('body').toString().includes('fine '), 5000, 'legit insert reaches the honest client');
    // A new client can still sync (the server can still encode the document) and sees what the honest client
    // sees, now and after the room is stored and loaded again.
    const now = await freshView(room);
    expect(now.honest).toEqual(['after']);
    expect(now.body).toBe(honest.doc.getText('body').toString());
    expect(now.body).not.toContain('crossed');
    await unload(room);
    const reloaded = await freshView(room);
    expect(reloaded).toEqual(now);
  });

  it('survives thousands of malformed frames; only attackers are closed; the room is not corrupted', async () => {
    const attacked = transcriptRoom(pid, tid);
    const other = codebookRoom(pid);
    const honest = provider(server.url, attacked, owner.token);
    const b1 = provider(server.url, other, owner.token);
    const b2 = provider(server.url, other, owner.token);
    await Promise.all([synced(honest), synced(b1), synced(b2)]);
    const honestCloses: number[] = [];
    honest.on('connection-close', (e) => honestCloses.push(e?.code ?? 0));
    const base = Y.encodeStateAsUpdate(honest.doc);

    // The attacks: counts per category, shuffled.
    const plan: [Category, number][] = [
      ['random', 600], ['truncated', 300], ['mutated-update', 400], ['huge-length', 100], ['unknown-type', 100],
      ['awareness-garbage', 100], ['yjs-687', 50], ['pathological-v1', 400], ['burst', 60], ['oversized', 4], ['flood', 4],
    ];
    const attacks: Attack[] = plan.flatMap(([c, n]) => Array.from({ length: n }, () => makeAttack(c, base)));
    for (let i = attacks.length - 1; i > 0; i--) { const j = R(i + 1); [attacks[i], attacks[j]] = [attacks[j]!, attacks[i]!]; }

    // Honest work and monitoring, running throughout the attack.
    let stop = false;
    let honestSeq = 0;
    let otherSeq = 0;
    let maxOtherLagMs = 0;
    let healthChecks = 0;
    const healthErrors: string[] = [];
    let maxHealthMs = 0;
    const honestLoop = (async () => {
      while (!stop) {
        honest.doc.getArray<string>('honest').push([`h${honestSeq++}`]);
        if (honestSeq % 5 === 0) honest.doc.getText('body').insert(0, '.');
        await sleep(100);
      }
    })();
    const otherLoop = (async () => {
      while (!stop) {
        const n = otherSeq++;
        const t = Date.now();
        b1.doc.getArray<number>('ticks').push([n]);
        await waitFor(() => b2.doc.getArray<number>('ticks').length > n, 10_000, `other room tick ${n}`);
        maxOtherLagMs = Math.max(maxOtherLagMs, Date.now() - t);
        await sleep(100);
      }
    })();
    // The server runs in this process: event-loop lag here is the server stalling.
    let maxLoopLagMs = 0;
    let lastTick = Date.now();
    const lagTimer = setInterval(() => {
      const now = Date.now();
      maxLoopLagMs = Math.max(maxLoopLagMs, now - lastTick - 20);
      lastTick = now;
    }, 20);
    const healthLoop = (async () => {
      while (!stop) {
        const t = Date.now();
        healthChecks++;
        try {
          const res = await fetch(`${server.url}/api/health`, { signal: AbortSignal.timeout(5000) });
          if (res.status !== 200) healthErrors.push(`status ${res.status}`);
          await res.arrayBuffer();
        } catch (err) {
          healthErrors.push(String((err as { cause?: unknown }).cause ?? err));
        }
        maxHealthMs = Math.max(maxHealthMs, Date.now() - t);
        await sleep(200);
      }
    })();

    const results = new Map<string, Map<string, number>>();
    const violations: string[] = [];
    let frames = 0;
    let floodFrames = 0;
    const started = Date.now();
    const count = (key: string, outcome: string) => {
      const m = results.get(key) ?? new Map<string, number>();
      m.set(outcome, (m.get(outcome) ?? 0) + 1);
      results.set(key, m);
    };
    const completed = await pool(attacks, 12, async (attack) => {
      const outcome = await runAttack(server.url, attacked, owner.token, attack);
      frames += attack.frames.length;
      if (attack.category === 'flood') floodFrames += attack.frames.length;
      count(attack.category, String(outcome));
      const verdicts = attack.frames.map(oracle);
      const expected: Outcome[] = attack.category === 'oversized' ? [CloseCode.TooLarge]
        : attack.category === 'flood' ? [CloseCode.RateLimited]
          : verdicts.includes('reject') ? [CloseCode.BadMessage]
            : verdicts.includes('maybe') ? [CloseCode.BadMessage, 'open']
              : ['open'];
      if (!expected.includes(outcome)) {
        violations.push(`${attack.category}/${attack.sub}: ${String(outcome)} (expected ${expected.join('|')}) ${Buffer.from(attack.frames[0]!.slice(0, 64)).toString('hex')}`);
      }
    }, started + 50_000); // bounded in time as well as in count: a slow machine sends fewer
    const attackMs = Date.now() - started;
    stop = true;
    clearInterval(lagTimer);
    await Promise.all([honestLoop, otherLoop, healthLoop]);

    const distribution = Object.fromEntries([...results].map(([k, m]) => [k, Object.fromEntries(m)]));
    const totals: Record<string, number> = {};
    for (const m of results.values()) for (const [o, n] of m) totals[o] = (totals[o] ?? 0) + n;
    console.log(JSON.stringify({
      suite: 'fuzz', seed: SEED, connections: completed, planned: attacks.length, frames, floodFrames, attackMs, totals, distribution,
      pendingBytes: server.deps.rooms.rooms.get(attacked)?.doc.store.pendingStructs?.update.length ?? 0,
      honestWrites: honestSeq, otherRoomTicks: otherSeq, maxOtherLagMs, healthChecks, healthErrors, maxHealthMs, maxLoopLagMs,
    }));

    if (violations.length > 0) console.log(JSON.stringify({ seed: SEED, violations: violations.slice(0, 10) }, null, 1));
    expect(violations.slice(0, 10), `seed ${SEED}`).toEqual([]);
    expect(completed).toBeGreaterThan(1000);
    expect(frames - floodFrames).toBeGreaterThan(2000);
    expect(healthErrors).toEqual([]);
    expect(await healthy(server.url)).toBe(true);
    expect(honestCloses).toEqual([]);
    expect(honest.wsconnected && b1.wsconnected && b2.wsconnected).toBe(true);
    expect(maxOtherLagMs).toBeLessThan(3000);
    expect(maxLoopLagMs).toBeLessThan(2000);

    // The attacked room converges: a fresh client holds exactly what the honest client holds (same state
    // vector, same characters), every honest write is there in order, and the same holds after the room is
    // stored and loaded again. (The exact order of text is compared and reported, not asserted: an accepted
    // update whose origins are wider apart than Yjs ever makes them is placed differently by replicas that
    // integrate it in different orders, a limitation of Yjs that the server cannot detect; see the header.)
    const expectHonest = Array.from({ length: honestSeq }, (_, i) => `h${i}`);
    const honestWritesOf = (xs: string[]) => xs.filter((x) => /^h\d+$/.test(x));
    const chars = (t: string) => [...t].sort().join('');
    // (The server's and the honest client's state vectors meet once the last honest frames are handled.)
    await waitFor(() => {
      const doc = server.deps.rooms.rooms.get(attacked)?.doc;
      return !!doc && svString(doc) === svString(honest.doc);
    }, 10_000, 'server and honest client to agree');
    const before = { sv: svString(honest.doc), body: honest.doc.getText('body').toString() };
    const view = await freshView(attacked);
    expect(view.sv).toBe(before.sv);
    expect(honestWritesOf(view.honest)).toEqual(expectHonest);
    expect(chars(view.body)).toBe(chars(before.body));
    await unload(attacked);
    const reloaded = await freshView(attacked);
    expect(reloaded.sv).toBe(before.sv);
    expect(honestWritesOf(reloaded.honest)).toEqual(expectHonest);
    expect(chars(reloaded.body)).toBe(chars(before.body));
    console.log(JSON.stringify({
      suite: 'fuzz-convergence', bodyChars: before.body.length, sameTextFresh: view.body === before.body, sameTextReloaded: reloaded.body === before.body,
      honestArrayExtraItems: view.honest.length - honestSeq,
    }));
  }, 120_000);
});
