import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { WebsocketProvider } from 'y-websocket';
import {
  CloseCode, CodebookDoc, codebookRoom, layerRoom, TranscriptDoc, transcriptRoom,
} from '@concord/shared';
import type { ConcordServer } from '../src/server.ts';
import { RoomManager } from '../src/sync/room-manager.ts';
import { closeCode, openSocket, updateFrame } from './cluster.ts';
import {
  addMember, codingValue, connect, destroyProviders, makeCodes, makeProject, makeTranscript, makeUser, startTestServer, synced, waitFor,
  type TestUser,
} from './helpers.ts';

/**
 * Room policies (docs/sync-protocol.md, "Room kinds"): every client write is checked
 * against what its kind of room may hold; a refused one changes nothing and closes
 * that connection with 4422.
 */
let server: ConcordServer;
let owner: TestUser;
let coder: TestUser;
let pid: string;
let tid: string;

beforeAll(async () => {
  server = await startTestServer();
  owner = await makeUser(server.url, 'Olga');
  coder = await makeUser(server.url, 'Carl');
  pid = await makeProject(owner);
  await addMember(owner, pid, coder, 'coder');
  tid = await makeTranscript(owner, pid, 'Interviewer: Why?\n\nP1: Because the metrics are a poor proxy.\n');
  await makeCodes(server, pid, ['quality']);
});
afterEach(() => destroyProviders());
afterAll(async () => { await server.close(); });

/** A provider and the close code the server ends it with (0 while open). */
async function join(room: string, user: TestUser): Promise<{ p: WebsocketProvider; closed: Promise<number> }> {
  const p = connect(server.url, room, user.token);
  const closed = new Promise<number>((resolve) => p.on('connection-close', (e) => resolve(e?.code ?? 0)));
  await synced(p);
  return { p, closed };
}

const serverDoc = (room: string): Y.Doc | undefined => server.deps.rooms.rooms.get(room)?.doc;

describe('transcript and layer rooms: codings', () => {
  it('refuses a new coding whose coderId is not the writer (4422); nothing of it is stored or listed', async () => {
    const room = transcriptRoom(pid, tid);
    const { p, closed } = await join(room, coder);
    const td = new TranscriptDoc(p.doc);
    td.addCoding(td.codings, { id: 'forged', codeId: 'quality', coderId: owner.id, start: 0, end: 5 });
    expect(await closed).toBe(CloseCode.RefusedChange);
    expect(serverDoc(room)?.getMap('codings').has('forged') ?? false).toBe(false);
    const segs = await owner.client.req('GET', `/api/projects/${pid}/segments?coder=${owner.id}`);
    expect(segs.status).toBe(200);
    expect(segs.json).toEqual([]);
  });

  it('accepts the writer\'s own coding of a known code', async () => {
    const room = transcriptRoom(pid, tid);
    const { p } = await join(room, coder);
    const td = new TranscriptDoc(p.doc);
    td.addCoding(td.codings, { id: 'mine', codeId: 'quality', coderId: coder.id, start: 0, end: 5 });
    await waitFor(() => serverDoc(room)?.getMap('codings').has('mine') === true, 5000, 'own coding stored');
  });

  it('lets a deleted coding of someone else be put back as it was (undo), not as the writer\'s', async () => {
    const room = transcriptRoom(pid, tid);
    await server.deps.rooms.withDoc(room, (doc) => { doc.getMap('codings').set('theirs', codingValue('theirs', 'quality', owner.id)); });
    const { p, closed } = await join(room, coder);
    const codings = p.doc.getMap<Record<string, unknown>>('codings');
    await waitFor(() => codings.has('theirs'), 5000, 'the owner\'s coding');
    const value = codings.get('theirs')!;
    codings.delete('theirs');
    await waitFor(() => serverDoc(room)?.getMap('codings').has('theirs') === false, 5000, 'deleted');
    codings.set('theirs', value);
    await waitFor(() => serverDoc(room)?.getMap('codings').has('theirs') === true, 5000, 'restored');
    let code = 0;
    void closed.then((c) => { code = c; });
    await new Promise((r) => setTimeout(r, 100));
    expect(code).toBe(0);
  });

  it('accepts a client resending what the room already holds (others\' codings, mode and reveal included)', async () => {
    const room = transcriptRoom(pid, tid);
    await server.deps.rooms.withDoc(room, (doc) => { doc.getMap('codings').set('owners', codingValue('owners', 'quality', owner.id)); });
    const ws = await openSocket(server.url, room, coder.token);
    const closed = closeCode(ws);
    let code = 0;
    void closed.then((c) => { code = c; });
    ws.send(updateFrame(Y.encodeStateAsUpdate(serverDoc(room)!)));
    await new Promise((r) => setTimeout(r, 300));
    expect(code).toBe(0);
    ws.close();
  });

  it('refuses a coding of a code id the codebook never had, after waiting for the codebook', async () => {
    const room = transcriptRoom(pid, tid);
    const { p, closed } = await join(room, coder);
    const td = new TranscriptDoc(p.doc);
    td.addCoding(td.codings, { id: 'ghost', codeId: 'no-such-code', coderId: coder.id, start: 0, end: 5 });
    expect(await closed).toBe(CloseCode.RefusedChange);
    expect(serverDoc(room)?.getMap('codings').has('ghost') ?? false).toBe(false);
  }, 20_000);

  it('accepts a coding of a code created a moment before in the codebook room', async () => {
    const cb = await join(codebookRoom(pid), coder);
    const tr = await join(transcriptRoom(pid, tid), coder);
    const codeId = new CodebookDoc(cb.p.doc).createCode({ name: 'Fresh code', createdBy: coder.id });
    const td = new TranscriptDoc(tr.p.doc);
    td.addCoding(td.codings, { id: 'fresh', codeId, coderId: coder.id, start: 0, end: 5 });
    await waitFor(() => serverDoc(transcriptRoom(pid, tid))?.getMap('codings').has('fresh') === true, 8000, 'coding of the new code stored');
  });

  it('refuses a coding that is not in the schema\'s shape', async () => {
    const room = transcriptRoom(pid, tid);
    const { p, closed } = await join(room, coder);
    p.doc.getMap('codings').set('odd', { id: 'odd', codeId: 'quality', coderId: coder.id });
    expect(await closed).toBe(CloseCode.RefusedChange);
  });

  it('refuses a change of the coding mode or the reveal by a client', async () => {
    const room = transcriptRoom(pid, tid);
    const { p, closed } = await join(room, owner);
    p.doc.getMap('meta').set('mode', 'independent');
    expect(await closed).toBe(CloseCode.RefusedChange);
    expect(new TranscriptDoc(serverDoc(room) ?? new Y.Doc()).getMeta().mode).toBe('open');
  });

  it('a layer holds only its coder\'s codings; after the reveal reconciliation results may carry either coder', async () => {
    const t2 = await makeTranscript(owner, pid, 'P1: one two three\n\nP2: four five six\n', 'Blind');
    expect((await owner.client.req('PUT', `/api/projects/${pid}/transcripts/${t2}/mode`, { mode: 'independent' })).status).toBe(200);
    const layer = await join(layerRoom(pid, t2, coder.id), coder);
    layer.p.doc.getMap('codings').set('c1', codingValue('c1', 'quality', coder.id));
    await waitFor(() => serverDoc(layerRoom(pid, t2, coder.id))?.getMap('codings').has('c1') === true, 5000, 'own layer coding');
    layer.p.doc.getMap('codings').set('c2', codingValue('c2', 'quality', owner.id));
    expect(await layer.closed).toBe(CloseCode.RefusedChange);
    expect(serverDoc(layerRoom(pid, t2, coder.id))?.getMap('codings').has('c2')).toBe(false);

    expect((await owner.client.req('POST', `/api/projects/${pid}/transcripts/${t2}/reveal`)).status).toBe(200);
    const tr = await join(transcriptRoom(pid, t2), coder);
    tr.p.doc.getMap('codings').set('d1', codingValue('d1', 'quality', owner.id, { decision: 'k1' }));
    await waitFor(() => serverDoc(transcriptRoom(pid, t2))?.getMap('codings').has('d1') === true, 5000, 'reconciliation result');
    tr.p.doc.getMap('codings').set('d2', codingValue('d2', 'quality', owner.id));
    expect(await tr.closed).toBe(CloseCode.RefusedChange);
  });
});

describe('transcript rooms: the decision log', () => {
  it('takes only the writer\'s decisions and never loses one', async () => {
    const room = transcriptRoom(pid, tid);
    const decision = (userId: string) => ({ id: `d-${userId}-${Date.now()}`, disagreementKey: 'k', action: 'reject', userId, at: 1, comment: '', summary: 's' });
    const first = await join(room, coder);
    first.p.doc.getArray('decisions').push([decision(coder.id)]);
    await waitFor(() => (serverDoc(room)?.getArray('decisions').length ?? 0) === 1, 5000, 'own decision');
    first.p.doc.getArray('decisions').push([decision(owner.id)]);
    expect(await first.closed).toBe(CloseCode.RefusedChange);
    const second = await join(room, coder);
    await waitFor(() => second.p.doc.getArray('decisions').length === 1, 5000, 'log synced');
    second.p.doc.getArray('decisions').delete(0, 1);
    expect(await second.closed).toBe(CloseCode.RefusedChange);
    expect(serverDoc(room)?.getArray('decisions').length).toBe(1);
  });
});

describe('codebook room: entries', () => {
  it('refuses a non-map value in the codes map (4422); /codebook keeps answering', async () => {
    const room = codebookRoom(pid);
    const { p, closed } = await join(room, coder);
    p.doc.getMap('codes').set('broken', 'not a code');
    expect(await closed).toBe(CloseCode.RefusedChange);
    expect(serverDoc(room)?.getMap('codes').has('broken') ?? false).toBe(false);
    const res = await owner.client.req('GET', `/api/projects/${pid}/codebook`);
    expect(res.status).toBe(200);
    expect(res.json.codes.map((c: { id: string }) => c.id)).toContain('quality');
  });

  it('refuses a code whose colour is not a colour', async () => {
    const { p, closed } = await join(codebookRoom(pid), coder);
    const cb = new CodebookDoc(p.doc);
    cb.createCode({ name: 'Sneaky', color: 'red;background:url(https://evil.example/x)' });
    expect(await closed).toBe(CloseCode.RefusedChange);
  });

  it('lets codes be created, renamed and their definitions written', async () => {
    const room = codebookRoom(pid);
    const { p } = await join(room, coder);
    const cb = new CodebookDoc(p.doc);
    const id = cb.createCode({ name: 'Metrics', color: '#56B4E9' });
    cb.update(id, { name: 'Metrics (proxy)' });
    cb.text(id, 'definition')!.insert(0, 'When a measure stands in for quality.');
    await waitFor(() => {
      const code = serverDoc(room) ? new CodebookDoc(serverDoc(room)!).get(id) : null;
      return code?.name === 'Metrics (proxy)' && code.description.startsWith('When a measure');
    }, 5000, 'codebook edits stored');
  });
});

describe('data stored in a bad shape', () => {
  it('does not break /codebook, the segments or any export: malformed entries are skipped', async () => {
    const p2 = await makeProject(owner, 'Damaged');
    const t2 = await makeTranscript(owner, p2, 'Interviewer: Why?\n\nP1: Because.\n');
    await makeCodes(server, p2, ['good']);
    const transcript = transcriptRoom(p2, t2);
    await server.deps.rooms.withDoc(transcript, (doc) => {
      const td = new TranscriptDoc(doc);
      td.addCoding(td.codings, { id: 'ok', codeId: 'good', coderId: owner.id, start: 0, end: 11 });
    });
    // Written straight into storage, as data from before the checks (or edited by hand) could be.
    const bad = (room: string, write: (doc: Y.Doc) => void): Promise<void> => {
      const doc = new Y.Doc();
      write(doc);
      return server.deps.storage.appendUpdates(room, [Y.encodeStateAsUpdate(doc)]);
    };
    await bad(codebookRoom(p2), (doc) => {
      doc.getMap('codes').set('string-code', 'not a code');
      doc.getMap('codes').set('null-code', null);
      const noName = new Y.Map<unknown>();
      doc.getMap('codes').set('nameless', noName);
      noName.set('id', 'nameless');
    });
    await bad(transcript, (doc) => {
      doc.getMap('codings').set('junk', 'not a coding');
      doc.getMap('codings').set('nul', null);
      doc.getMap('codings').set('half', { id: 'half', codeId: 'good' });
      doc.getArray('turns').push(['not a turn']);
      doc.getMap('speakers').set('s-bad', 42);
      doc.getArray('decisions').push([null]);
    });
    const api = (path: string) => owner.client.req('GET', `/api/projects/${p2}${path}`);
    const codebook = await api('/codebook');
    expect(codebook.status).toBe(200);
    expect(codebook.json.codes.map((c: { id: string }) => c.id)).toEqual(['good']);
    expect((await api('/codebook?usage=1')).status).toBe(200);
    const segments = await api('/segments');
    expect(segments.status).toBe(200);
    expect(segments.json.map((s: { codeId: string }) => s.codeId)).toEqual(['good']);
    for (const q of ['format=csv', 'format=md', 'format=qdpx', 'format=qdc', 'format=csv&what=codebook', 'format=md&what=codebook']) {
      const res = await api(`/export?${q}`);
      expect(res.status, q).toBe(200);
    }
    const csv = (await api('/export?format=csv')).text;
    expect(csv).toContain('Interviewer');
    expect(csv).not.toContain('not a coding');
    const detail = await api(`/transcripts/${t2}`);
    expect([200, 404]).toContain(detail.status);
    // The accessors report what they skipped.
    const report = await server.deps.rooms.readDoc(transcript, (doc) => new TranscriptDoc(doc).malformed().map((m) => (m.part === 'turns' ? 'turns' : `${m.part}:${m.key}`)));
    expect(report.sort()).toEqual(['codings:half', 'codings:junk', 'codings:nul', 'decisions:0', 'speakers:s-bad', 'turns']);
    const codeReport = await server.deps.rooms.readDoc(codebookRoom(p2), (doc) => new CodebookDoc(doc).malformed().map((m) => m.key).sort());
    expect(codeReport).toEqual(['nameless', 'null-code', 'string-code']);
    // A room that loads such data says so in the log, once.
    const logged: { msg: string; extra?: Record<string, unknown> }[] = [];
    const rooms = new RoomManager(server.deps.storage, { log: (_level, msg, extra) => { logged.push({ msg, ...(extra ? { extra } : {}) }); } });
    await rooms.withDoc(codebookRoom(p2), () => undefined);
    await rooms.closeAll(CloseCode.ServerShutdown, 'done');
    const warned = logged.filter((l) => l.msg === 'entries stored in a bad shape are skipped');
    expect(warned.map((l) => l.extra?.count)).toEqual([3]);
  });
});
