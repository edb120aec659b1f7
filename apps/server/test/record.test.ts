import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  applyDecision, CodebookDoc, codebookRoom, findDisagreements, layerCodings, layerRoom, readQdpx, TranscriptDoc, transcriptRoom, writeQdpx,
  type QdaProject,
} from '@concord/shared';
import { addMember, connect, destroyProviders, makeProject, makeTranscript, makeUser, startTestServer, synced, waitFor, type TestUser } from './helpers.ts';
import type { ConcordServer } from '../src/server.ts';

let server: ConcordServer;
let owner: TestUser;
let a: TestUser;
let b: TestUser;
let pid: string;
let tid: string;
const TEXT = [
  'Interviewer: What went wrong?',
  'P1: We never trusted the metrics. They were a poor proxy of quality.',
  'Interviewer: And the data?',
  'P1: The data was noisy and the labels were wrong.',
  'Interviewer: Anything else?',
  'P1: Deployment took months. Users complained a lot.',
].join('\n\n');

beforeAll(async () => {
  server = await startTestServer();
  owner = await makeUser(server.url, 'Olga');
  a = await makeUser(server.url, 'Alice');
  b = await makeUser(server.url, 'Bob');
  pid = await makeProject(owner, 'Record');
  await addMember(owner, pid, a, 'coder');
  await addMember(owner, pid, b, 'coder');
  tid = await makeTranscript(owner, pid, TEXT, 'Blind');
});
afterEach(() => destroyProviders());
afterAll(async () => { await server.close(); });

async function get(path: string): Promise<{ status: number; text: string; bytes: Uint8Array }> {
  const res = await fetch(`${server.url}/api/projects/${pid}${path}`, { headers: { authorization: `Bearer ${owner.token}` } });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, text: new TextDecoder().decode(bytes), bytes };
}

describe('one research record through the server', () => {
  it('after reveal and "all decided": the agreed coding once, the decided ones as decided, nothing rejected — in every view', async () => {
    expect((await owner.client.req('PUT', `/api/projects/${pid}/transcripts/${tid}/mode`, { mode: 'independent' })).status).toBe(200);
    const cbp = connect(server.url, codebookRoom(pid), owner.token);
    await synced(cbp);
    const cb = new CodebookDoc(cbp.doc);
    const TRUST = cb.createCode({ name: 'Trust' });
    const DATA = cb.createCode({ name: 'Data quality' });
    const LABELS = cb.createCode({ name: 'Labels' });
    const TIME = cb.createCode({ name: 'Time' });
    const tp = connect(server.url, transcriptRoom(pid, tid), owner.token);
    await synced(tp);
    const t = new TranscriptDoc(tp.doc);
    const body = t.body.toString();
    const at = (s: string, from = 0, to = 0) => ({ start: body.indexOf(s) + from, end: body.indexOf(s) + s.length - to });
    const la = connect(server.url, layerRoom(pid, tid, a.id), a.token);
    const lb = connect(server.url, layerRoom(pid, tid, b.id), b.token);
    await Promise.all([synced(la), synced(lb)]);
    // One agreement (same code, boundaries 3 characters apart) and three disagreements.
    t.addCoding(layerCodings(la.doc), { codeId: TRUST, coderId: a.id, ...at('We never trusted the metrics.') });
    t.addCoding(layerCodings(lb.doc), { codeId: TRUST, coderId: b.id, ...at('We never trusted the metrics.', 3) });
    t.addCoding(layerCodings(la.doc), { codeId: DATA, coderId: a.id, ...at('The data was noisy') });
    t.addCoding(layerCodings(lb.doc), { codeId: LABELS, coderId: b.id, ...at('The data was noisy') });
    t.addCoding(layerCodings(la.doc), { codeId: TIME, coderId: a.id, ...at('Deployment took months.') });
    t.addCoding(layerCodings(lb.doc), { codeId: TIME, coderId: b.id, ...at('Users complained a lot.') });
    await waitFor(() => server.deps.rooms.rooms.get(layerRoom(pid, tid, a.id))?.doc.getMap('codings').size === 3);
    await waitFor(() => server.deps.rooms.rooms.get(layerRoom(pid, tid, b.id))?.doc.getMap('codings').size === 3);

    // Before the reveal the record is empty everywhere.
    expect((await owner.client.req('GET', `/api/projects/${pid}/segments`)).json).toEqual([]);

    const revealed = await owner.client.req('POST', `/api/projects/${pid}/transcripts/${tid}/reveal`);
    expect(revealed.json.agreed).toBe(1);
    await waitFor(() => t.codings.size === 1, 5000, 'agreed coding reaches the client');
    const ra = connect(server.url, layerRoom(pid, tid, a.id), owner.token);
    const rb = connect(server.url, layerRoom(pid, tid, b.id), owner.token);
    await Promise.all([synced(ra), synced(rb)]);
    await waitFor(() => layerCodings(ra.doc).size === 3 && layerCodings(rb.doc).size === 3);
    const layers = { a: layerCodings(ra.doc), b: layerCodings(rb.doc) };
    const resolve = (m: typeof layers.a, who: string) => t.resolveCodings(m).map((c) => ({ ...c, coderId: who }));
    const dis = findDisagreements(resolve(layers.a, a.id), resolve(layers.b, b.id));
    expect(dis.map((d) => d.kind)).toEqual(['different-codes', 'only-a', 'only-b']);
    applyDecision(t, layers, dis[0]!, 'keep-both', owner.id, '');
    applyDecision(t, layers, dis[1]!, 'reject', owner.id, 'not about time');
    applyDecision(t, layers, dis[2]!, 'accept-b', owner.id, '');
    await waitFor(() => server.deps.rooms.rooms.get(transcriptRoom(pid, tid))?.doc.getArray('decisions').length === 3);

    // Segments API: 4 rows (agreed once, with both coders; 2 kept; 1 accepted), each with its source.
    const seg = (await owner.client.req('GET', `/api/projects/${pid}/segments`)).json as { codeName: string; source: string; basis: string; coders: string[] }[];
    expect(seg.map((s) => `${s.codeName}|${s.source}|${s.basis}`).sort()).toEqual([
      'Data quality|consensus|keep-both', 'Labels|consensus|keep-both', 'Time|consensus|accept-b', 'Trust|consensus|agreed',
    ]);
    expect(seg[0]!.coders.sort()).toEqual([a.id, b.id].sort());
    // The agreed coding counts for either coder.
    expect((await owner.client.req('GET', `/api/projects/${pid}/segments?coder=${b.id}`)).json).toHaveLength(3);
    expect((await owner.client.req('GET', `/api/projects/${pid}/segments?coder=${a.id}`)).json).toHaveLength(2);

    const csv = (await get('/export?format=csv')).text.trim().split('\r\n');
    expect(csv[0]).toBe('code,transcript,speaker,coder,source,basis,quote,memo,start,end');
    expect(csv.slice(1)).toHaveLength(4);
    expect(csv.slice(1).every((l) => l.includes(',consensus,'))).toBe(true);
    expect(csv[1]).toMatch(/(Alice & Bob|Bob & Alice),consensus,agreed by both coders/);
    expect(csv.join('\n')).not.toContain('Deployment took months');

    const md = (await get('/export?format=md')).text;
    expect(md.match(/^> — /gm)).toHaveLength(4);
    expect(md).toMatch(/coded by (Alice & Bob|Bob & Alice); consensus, agreed by both coders/);
    expect(md).toContain('consensus, decided: accept B');

    const qdpx = (await readQdpx((await get('/export?format=qdpx')).bytes)).project;
    const sels = qdpx.sources[0]!.selections.filter((s) => s.codes.length > 0);
    expect(sels).toHaveLength(4);
    const consensus = qdpx.users.find((u) => u.name === 'Consensus')!;
    expect(sels.every((s) => s.creatorGuid === consensus.guid)).toBe(true);

    const usage = (await owner.client.req('GET', `/api/projects/${pid}/codebook?usage=1`)).json.codes as { usage: { codings: number } }[];
    expect(usage.reduce((n, c) => n + c.usage.codings, 0)).toBe(4);
    const cbCsv = (await get('/export?format=csv&what=codebook')).text;
    expect(cbCsv).toContain('Trust,,,'); // one row per code …
    expect(cbCsv.split('\r\n').slice(1).filter(Boolean).map((l) => Number(l.split(',').at(-1))).reduce((x, y) => x + y, 0)).toBe(4);

    // The transcript list's count (the index is written about a second after a change).
    let listed = -1;
    for (let i = 0; i < 100 && listed !== 4; i++) {
      const list = (await owner.client.req('GET', `/api/projects/${pid}`)).json.transcripts as { id: string; codings: number }[];
      listed = list.find((x) => x.id === tid)!.codings;
      if (listed !== 4) await new Promise((r) => setTimeout(r, 100));
    }
    expect(listed).toBe(4);

    // "Every coder's codings": the layers as what they are, each as its coder's.
    const own = (await owner.client.req('GET', `/api/projects/${pid}/segments?scope=coders`)).json as { source: string; coderId: string }[];
    expect(own).toHaveLength(6);
    expect(own.every((s) => s.source === 'layer')).toBe(true);
    const ownCsv = (await get('/export?format=csv&scope=coders')).text;
    expect(ownCsv).toContain("coder's layer: Alice");
    expect(ownCsv).toContain("coder's layer: Bob");
    const ownQdpx = (await readQdpx((await get('/export?format=qdpx&scope=coders')).bytes)).project;
    const names = new Map(ownQdpx.users.map((u) => [u.guid, u.name]));
    expect(ownQdpx.sources[0]!.selections.filter((s) => s.codes.length > 0).map((s) => names.get(s.creatorGuid!)).sort())
      .toEqual(['Alice', 'Alice', 'Alice', 'Bob', 'Bob', 'Bob']);
    expect((await owner.client.req('GET', `/api/projects/${pid}/segments?scope=everything`)).status).toBe(400);
  });

  it('REFI import keeps users\' names and export writes them', async () => {
    const p2 = await makeProject(owner, 'Imported');
    const G = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
    const project: QdaProject = {
      name: 'Other tool', origin: 'QualCoder', notes: [],
      users: [{ guid: G(1), name: 'Grace Hopper' }, { guid: G(2), name: 'Katherine Johnson' }],
      codes: [{ guid: G(3), name: 'Theme', color: null, description: '', parentGuid: null, isCodable: true }],
      sources: [{
        guid: G(4), name: 'Interview', text: 'First paragraph here.\n\nSecond paragraph there.',
        selections: [
          { guid: G(5), start: 0, end: 5, creatorGuid: G(1), createdAt: null, codes: [{ guid: G(6), codeGuid: G(3), creatorGuid: G(1) }] },
          { guid: G(7), start: 23, end: 29, creatorGuid: G(2), createdAt: null, codes: [{ guid: G(8), codeGuid: G(3), creatorGuid: G(2) }] },
        ],
      }],
    };
    const form = new FormData();
    form.append('file', new Blob([writeQdpx(project) as Uint8Array<ArrayBuffer>]), 'other.qdpx');
    expect((await owner.client.req('POST', `/api/projects/${p2}/import`, form)).status).toBe(201);
    const res = await fetch(`${server.url}/api/projects/${p2}/export?format=qdpx`, { headers: { authorization: `Bearer ${owner.token}` } });
    const back = (await readQdpx(new Uint8Array(await res.arrayBuffer()))).project;
    expect(back.users.map((u) => u.name).sort()).toEqual(['Grace Hopper', 'Katherine Johnson', 'Olga']);
    const names = new Map(back.users.map((u) => [u.guid, u.name]));
    expect(back.sources[0]!.selections.map((s) => names.get(s.creatorGuid!))).toEqual(['Grace Hopper', 'Katherine Johnson']);
    const csv = await fetch(`${server.url}/api/projects/${p2}/export?format=csv`, { headers: { authorization: `Bearer ${owner.token}` } });
    expect(await csv.text()).toContain('Grace Hopper,open coding');
    // the segments API names them too (Analysis shows these names)
    const segs = (await owner.client.req('GET', `/api/projects/${p2}/segments`)).json as { coderId: string; coderNames: Record<string, string> }[];
    expect(segs.map((s) => s.coderNames[s.coderId])).toEqual(['Grace Hopper', 'Katherine Johnson']);
  });
});
