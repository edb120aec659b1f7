import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import * as Y from 'yjs';
import { CloseCode, createRng, LIMITS, TranscriptDoc, transcriptRoom } from '@concord/shared';
import { validateUpdate } from '../src/sync/room.ts';
import { checkUpdateCost, largestSiblingGroup } from '../src/sync/update-cost.ts';
import type { ConcordServer } from '../src/server.ts';
import { makeCodes, makeProject, makeTranscript, makeUser, startTestServer, synced, waitFor, type TestUser } from './helpers.ts';
import { destroyTracked, healthy, openSocket, provider, updateFrame } from './cluster.ts';
import {
  chainDoc, collaborativeTranscript, editTranscript, encodeItems, farAnchors, FIXTURE_CODE_IDS, FORGED_CLIENT, item, mapKeyFlood,
  overlappingDeletions, pendingMapEntries, pushedChain, scanToEnd, siblingFlood, splitFlood, textStartFlood, transcriptText, writtenCodebook,
} from './update-cost-fixtures.ts';

/**
 * Updates whose integration costs Yjs time quadratic in their size (one frame of
 * ~300 KB held the event loop for seconds) are refused before they touch a room;
 * a stream of costly updates that each pass is cut off by the per-connection
 * budget; and what real clients send (a whole transcript with its codings, an
 * offline client's edits, a codebook) still passes. Shapes of the crafted
 * updates: update-cost-fixtures.ts; their cost before and after:
 * `npx tsx apps/server/test/measure-update-cost.ts`.
 */

const structsOf = (update: Uint8Array) => Y.decodeUpdate(update).structs;

/** A document holding a `chainDoc` of `n` items. */
function chain(n: number): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, chainDoc(n));
  return doc;
}

/** The steps checkUpdateCost charges `update` against `doc` (throws when refused). */
const stepsFor = (update: Uint8Array, doc: Y.Doc): number => {
  const { structs, ds } = Y.decodeUpdate(update);
  return checkUpdateCost(structs, ds, doc);
};

const DOC = 20_000;
const TOO_COSTLY = /too costly/;

describe('largestSiblingGroup', () => {
  it('counts items sharing parent, map key, origin and right origin', () => {
    expect(largestSiblingGroup(structsOf(mapKeyFlood(100))).size).toBe(100);
    expect(largestSiblingGroup(structsOf(textStartFlood(30))).size).toBe(30);
    expect(largestSiblingGroup(structsOf(farAnchors(12, DOC, 'same'))).size).toBe(12);
    expect(largestSiblingGroup(structsOf(farAnchors(12, DOC, 'distinct'))).size).toBe(1);
    // Different keys, or different maps, are different places.
    const keys = encodeItems(Array.from({ length: 50 }, (_, i) =>
      item(Y.createID(FORGED_CLIENT + i, 0), null, null, new Y.ContentAny([i]), i % 2 ? 'm' : 'n', `k${i >> 1}`)));
    expect(largestSiblingGroup(structsOf(keys)).size).toBe(1);
  });

  it('finds only small groups in what real clients send', () => {
    const full = Y.encodeStateAsUpdate(collaborativeTranscript({ chars: 20_000, codings: 2000 }));
    expect(largestSiblingGroup(structsOf(full)).size).toBeLessThanOrEqual(4);
    expect(largestSiblingGroup(structsOf(Y.encodeStateAsUpdate(writtenCodebook(300)))).size).toBeLessThanOrEqual(2);
  });
});

describe('validateUpdate: what integrating an update may cost', () => {
  it(`refuses more than ${LIMITS.maxConcurrentSiblings} items inserted at one place`, () => {
    expect(() => validateUpdate(mapKeyFlood(LIMITS.maxConcurrentSiblings), new Y.Doc())).not.toThrow();
    expect(() => validateUpdate(mapKeyFlood(LIMITS.maxConcurrentSiblings + 1), new Y.Doc()))
      .toThrow(`update holds ${LIMITS.maxConcurrentSiblings + 1} items inserted at the same place; Yjs would need quadratic time`);
    expect(() => validateUpdate(textStartFlood(20_000), new Y.Doc())).toThrow(/inserted at the same place/);
    expect(() => validateUpdate(farAnchors(100, DOC, 'same'), chain(DOC))).toThrow(/inserted at the same place/);
  });

  it('refuses items anchored far apart in a long document (the walk between anchors is budgeted)', () => {
    const doc = chain(DOC);
    // One item is fine, as many as the budget allows are fine, more are refused.
    const per = DOC - 1;
    const fits = Math.floor(LIMITS.maxUpdateScanSteps / per);
    expect(stepsFor(farAnchors(1, DOC, 'distinct'), doc)).toBeGreaterThanOrEqual(per - 1);
    expect(() => validateUpdate(farAnchors(fits, DOC, 'distinct'), doc)).not.toThrow();
    expect(() => validateUpdate(farAnchors(fits + 2, DOC, 'distinct'), doc)).toThrow(TOO_COSTLY);
    // Right origin at the end of the text: Yjs scans from the origin to the end.
    expect(() => validateUpdate(farAnchors(fits + 2, DOC, 'open-right'), doc)).toThrow(TOO_COSTLY);
    // A chain anchored before an item that Yjs will place at the end scans as far.
    expect(() => validateUpdate(pushedChain(fits + 2), doc)).toThrow(TOO_COSTLY);
  });

  it('refuses many items sharing an origin that are not anchored next to each other', () => {
    const doc = chain(2000);
    expect(() => validateUpdate(siblingFlood(100, 2000), doc)).not.toThrow();
    expect(() => validateUpdate(siblingFlood(2000, 2000), doc)).toThrow(TOO_COSTLY);
  });

  it('charges items placed inside a long item of the same update by what follows them there', () => {
    expect(() => validateUpdate(splitFlood(2000), new Y.Doc())).toThrow(TOO_COSTLY);
    // Anchored before the next character, as typing into one's own text makes them: nothing to scan.
    expect(stepsFor(splitFlood(2000, true), new Y.Doc())).toBe(0);
  });

  it('refuses overlapping deletions that make Yjs visit the same items again and again', () => {
    const doc = chain(DOC);
    expect(() => validateUpdate(overlappingDeletions(1, DOC), doc)).not.toThrow();
    expect(() => validateUpdate(overlappingDeletions(1000, DOC), doc)).toThrow(TOO_COSTLY);
  });

  it('counts the pending items an update would let Yjs integrate along with it', () => {
    const doc = new Y.Doc();
    // Five updates of 60 entries each pass, and stay pending (the client's first clock is missing)...
    for (let f = 0; f < 5; f++) {
      const u = pendingMapEntries(1 + 60 * f, 60);
      validateUpdate(u, doc);
      Y.applyUpdate(doc, u);
    }
    expect(doc.store.pendingStructs).not.toBeNull();
    // ...but the one that supplies it would have all 301 integrated at once.
    expect(() => validateUpdate(pendingMapEntries(0, 1), doc)).toThrow('update holds 301 items inserted at the same place');
    // Another client's update leaves them pending, and is checked alone.
    expect(() => validateUpdate(pendingMapEntries(0, 1, FORGED_CLIENT + 1), doc)).not.toThrow();
  });

  it('leaves the document untouched, whether it accepts or refuses', () => {
    const doc = chain(2000);
    const before = Y.encodeStateAsUpdate(doc);
    const shares = [...doc.share.keys()];
    for (const u of [mapKeyFlood(65), siblingFlood(2000, 2000), farAnchors(40, 2000, 'distinct'), mapKeyFlood(3, { map: 'new' })]) {
      try { validateUpdate(u, doc); } catch { /* refused */ }
    }
    expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
    expect([...doc.share.keys()]).toEqual(shares);
  });

  it('accepts what real clients send, with room to spare', () => {
    const headroom = LIMITS.maxUpdateScanSteps / 10;
    const full = collaborativeTranscript({ chars: 20_000, codings: 2000 });
    const t = new TranscriptDoc(full);
    expect(t.body.length).toBeGreaterThanOrEqual(20_000);
    expect(t.codings.size).toBe(2000);
    const fullUpdate = Y.encodeStateAsUpdate(full);
    // A fresh client sending the whole document (sync step 2) to an empty room, and to one with its own import.
    expect(stepsFor(fullUpdate, new Y.Doc())).toBeLessThan(headroom);
    const imported = new Y.Doc();
    const text = transcriptText(2000, createRng(3));
    new TranscriptDoc(imported).initialise(text.text, text.turns, { name: 'Server import' });
    expect(stepsFor(fullUpdate, imported)).toBeLessThan(headroom);
    // An offline client's edits and codings, while another client edited the same text.
    const server = new Y.Doc();
    Y.applyUpdate(server, fullUpdate);
    const offline = new Y.Doc();
    const online = new Y.Doc();
    Y.applyUpdate(offline, fullUpdate);
    Y.applyUpdate(online, fullUpdate);
    const sv = Y.encodeStateVector(server);
    editTranscript(offline, createRng(4), { edits: 1500, codings: 2000 });
    editTranscript(online, createRng(5), { edits: 1500, codings: 200 });
    Y.applyUpdate(server, Y.encodeStateAsUpdate(online, sv));
    expect(stepsFor(Y.encodeStateAsUpdate(offline, Y.encodeStateVector(server)), server)).toBeLessThan(headroom);
    // A codebook written by one client.
    expect(stepsFor(Y.encodeStateAsUpdate(writtenCodebook(300)), new Y.Doc())).toBeLessThan(headroom);
  });
});

// ---- against a live server ------------------------------------------------------------------

let server: ConcordServer;
let owner: TestUser;
let pid: string;

beforeAll(async () => {
  server = await startTestServer();
  owner = await makeUser(server.url, 'Owner');
  pid = await makeProject(owner);
  // The server refuses codings of codes the codebook never had.
  await makeCodes(server, pid, FIXTURE_CODE_IDS);
});
afterEach(() => destroyTracked());
afterAll(async () => {
  destroyTracked();
  await server.close();
});

/** Sends frames on a raw socket; `closed` resolves with how the server closed it. */
async function send(room: string, frames: Uint8Array[]): Promise<{ closed: Promise<{ code: number; reason: string }> }> {
  const ws: WebSocket = await openSocket(server.url, room, owner.token);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() }));
  });
  ws.on('error', () => undefined);
  for (const f of frames) ws.send(f);
  return { closed };
}

const roomDoc = (room: string): Y.Doc | undefined => server.deps.rooms.rooms.get(room)?.doc;

/** Two honest clients of a room still exchange a write. */
async function stillSyncing(room: string, label: string): Promise<void> {
  const a = provider(server.url, room, owner.token);
  const b = provider(server.url, room, owner.token);
  await Promise.all([synced(a), synced(b)]);
  a.doc.getArray<string>('honest').push([label]);
  await waitFor(() => b.doc.getArray<string>('honest').toArray().includes(label), 5000, `${label} to reach the other client`);
}

describe('update cost checks on a live server', () => {
  it('refuses a crafted 300 KB update of origin-less map entries (4400); the room and the server carry on', async () => {
    const room = transcriptRoom(pid, await makeTranscript(owner, pid, 'P1: a short interview\n', 'Map flood'));
    const a = provider(server.url, room, owner.token);
    const b = provider(server.url, room, owner.token);
    await Promise.all([synced(a), synced(b)]);
    const closes: number[] = [];
    for (const p of [a, b]) p.on('connection-close', (e) => closes.push(e?.code ?? 0));

    const update = mapKeyFlood(20_000);
    expect(update.length).toBeGreaterThan(280_000);
    const { code, reason } = await (await send(room, [updateFrame(update)])).closed;
    expect(code).toBe(CloseCode.BadMessage);
    expect(reason).toMatch(/20000 items inserted at the same place/);

    expect(await healthy(server.url, 5000)).toBe(true);
    a.doc.getArray<string>('honest').push(['after the attack']);
    await waitFor(() => b.doc.getArray<string>('honest').length === 1, 5000, 'honest write after the attack');
    expect(closes).toEqual([]);
    // Nothing of the update reached the room.
    expect(roomDoc(room)?.share.get('m')?._map.size ?? 0).toBe(0);
  });

  it('closes a connection that streams costly updates, each within the limits, with 4429', async () => {
    const room = transcriptRoom(pid, await makeTranscript(owner, pid, 'P1: a long document follows\n', 'Slow stream'));
    // A long text of 50,000 separate items (written by two clients in turn, as a legitimate update).
    const items = 50_000;
    const writer = provider(server.url, room, owner.token, { doc: chain(items) });
    await synced(writer);
    await waitFor(() => (roomDoc(room)?.getText('body').length ?? 0) >= items, 20_000, 'the long text to reach the room');

    // Each frame: two items scanning ~49,000 items each (just under the per-update budget), from new clients.
    const frames = Array.from({ length: 400 }, (_, f) => updateFrame(scanToEnd([1000 + 2 * f, 1001 + 2 * f], FORGED_CLIENT + 2 * f)));
    expect(stepsFor(scanToEnd([1000, 1001]), roomDoc(room)!)).toBeLessThanOrEqual(LIMITS.maxUpdateScanSteps);
    const { closed } = await send(room, frames);
    // Asked while the stream is being handled: answered once the connection is cut off.
    const health = healthy(server.url, 5000);
    const { code, reason } = await closed;
    expect(code).toBe(CloseCode.RateLimited);
    expect(reason).toMatch(/too much time/);
    // The server stopped applying the stream well before its end, and kept answering.
    const sv = Y.decodeStateVector(Y.encodeStateVector(roomDoc(room)!));
    const applied = [...sv.keys()].filter((c) => c >= FORGED_CLIENT && c < FORGED_CLIENT + 2 * frames.length).length / 2;
    console.log(JSON.stringify({ suite: 'update-cost-stream', framesSent: frames.length, framesApplied: applied }));
    expect(applied).toBeGreaterThan(0);
    expect(applied).toBeLessThan(frames.length);
    expect(await health).toBe(true);
    expect(await healthy(server.url, 5000)).toBe(true);
    await stillSyncing(room, 'after the stream');
  }, 60_000);

  it('accepts a whole transcript (20,000 characters, 2,000 codings) sent as sync step 2 by a fresh client', async () => {
    const room = transcriptRoom(pid, await makeTranscript(owner, pid, 'P1: imported on the server\n', 'Restored'));
    const doc = collaborativeTranscript({ chars: 20_000, codings: 2000, seed: 11, coderId: owner.id });
    const full = Y.encodeStateAsUpdate(doc);
    expect(full.length).toBeLessThan(LIMITS.maxFrameBytes);
    const fresh = provider(server.url, room, owner.token, { doc });
    const closes: number[] = [];
    fresh.on('connection-close', (e) => closes.push(e?.code ?? 0));
    await synced(fresh);
    await waitFor(() => roomDoc(room)?.getMap('codings').size === 2000, 20_000, 'the codings to reach the room');
    const reader = provider(server.url, room, owner.token);
    await synced(reader);
    await waitFor(() => new TranscriptDoc(reader.doc).codings.size === 2000, 10_000, 'a new client to receive the codings');
    expect(reader.doc.getText('body').toString()).toBe(doc.getText('body').toString());
    expect(closes).toEqual([]);
    expect(fresh.wsconnected).toBe(true);
  }, 60_000);

  it("accepts an offline client's merged state while another client edited the same transcript", async () => {
    const text = transcriptText(20_000, createRng(21)).text;
    const room = transcriptRoom(pid, await makeTranscript(owner, pid, text, 'Offline'));
    const offline = provider(server.url, room, owner.token);
    const online = provider(server.url, room, owner.token);
    await Promise.all([synced(offline), synced(online)]);
    const closes: number[] = [];
    for (const p of [offline, online]) p.on('connection-close', (e) => closes.push(e?.code ?? 0));
    offline.disconnect();
    editTranscript(offline.doc, createRng(22), { edits: 1500, codings: 2000, coderId: owner.id });
    online.doc.transact(() => editTranscript(online.doc, createRng(23), { edits: 300, codings: 100, coderId: owner.id }));
    await waitFor(() => roomDoc(room)?.getMap('codings').size === 100, 10_000, 'the online edits to reach the room');
    closes.length = 0;
    offline.connect();
    await synced(offline);
    await waitFor(() => online.doc.getMap('codings').size === 2100, 20_000, 'the offline codings to reach the online client');
    await waitFor(() => offline.doc.getText('body').toString() === online.doc.getText('body').toString(), 10_000, 'both to converge');
    expect(closes).toEqual([]);
  }, 60_000);
});
