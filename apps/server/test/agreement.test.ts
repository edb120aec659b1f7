import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  applyDecision, CodebookDoc, codebookRoom, findDisagreements, layerCodings, layerRoom, pendingDisagreements, TranscriptDoc,
  transcriptRoom,
} from '@concord/shared';
import { addMember, connect, destroyProviders, makeProject, makeTranscript, makeUser, startTestServer, synced, waitFor, type TestUser } from './helpers.ts';
import type { ConcordServer } from '../src/server.ts';

let server: ConcordServer;
let owner: TestUser;
let a: TestUser;
let b: TestUser;
let pid: string;
let tid: string;
const TEXT = 'Interviewer: What went wrong?\n\nP1: The metrics were a poor proxy of quality. Data was also scarce.\n\nInterviewer: Anything else?\n\nP1: Privacy rules blocked us from sharing data.';

beforeAll(async () => {
  server = await startTestServer();
  owner = await makeUser(server.url, 'Owner');
  a = await makeUser(server.url, 'Alice');
  b = await makeUser(server.url, 'Bob');
  pid = await makeProject(owner);
  await addMember(owner, pid, a, 'coder');
  await addMember(owner, pid, b, 'coder');
  tid = await makeTranscript(owner, pid, TEXT, 'Blind one');
});
afterEach(() => destroyProviders());
afterAll(async () => { await server.close(); });

describe('independent coding, agreement and reconciliation through the server', () => {
  it('keeps layers private until the reveal, then reports agreement and records decisions', async () => {
    expect((await owner.client.req('PUT', `/api/projects/${pid}/transcripts/${tid}/mode`, { mode: 'independent' })).status).toBe(200);
    // Codebook with two codes.
    const cbp = connect(server.url, codebookRoom(pid), owner.token);
    await synced(cbp);
    const cb = new CodebookDoc(cbp.doc);
    const ME = cb.createCode({ name: 'Model-Evaluation-issues', abbreviation: 'ME' });
    const DATA = cb.createCode({ name: 'Data-low-quantity' });
    // Each coder codes in their own layer, anchored in the shared transcript body.
    const tp = connect(server.url, transcriptRoom(pid, tid), a.token);
    await synced(tp);
    const t = new TranscriptDoc(tp.doc);
    const body = t.body.toString();
    const at = (s: string) => [body.indexOf(s), body.indexOf(s) + s.length] as const;
    const la = connect(server.url, layerRoom(pid, tid, a.id), a.token);
    const lb = connect(server.url, layerRoom(pid, tid, b.id), b.token);
    await Promise.all([synced(la), synced(lb)]);
    const [m0, m1] = at('The metrics were a poor proxy of quality.');
    t.addCoding(layerCodings(la.doc), { codeId: ME, coderId: a.id, start: m0, end: m1 });
    t.addCoding(layerCodings(lb.doc), { codeId: ME, coderId: b.id, start: m0, end: m1 });
    const [d0, d1] = at('Data was also scarce.');
    t.addCoding(layerCodings(la.doc), { codeId: DATA, coderId: a.id, start: d0, end: d1 });
    const [p0, p1] = at('Privacy rules blocked us');
    t.addCoding(layerCodings(lb.doc), { codeId: DATA, coderId: b.id, start: p0, end: p1 });
    await waitFor(() => server.deps.rooms.rooms.get(layerRoom(pid, tid, b.id))?.doc.getMap('codings').size === 2);
    await waitFor(() => server.deps.rooms.rooms.get(layerRoom(pid, tid, a.id))?.doc.getMap('codings').size === 2);

    // Before the reveal: figures hidden, disagreements refused, layers unreadable to the other coder.
    const before = await owner.client.req('GET', `/api/projects/${pid}/agreement`);
    expect(before.json.hidden).toEqual([tid]);
    expect(before.json.pairs).toEqual([]);
    expect((await owner.client.req('GET', `/api/projects/${pid}/transcripts/${tid}/disagreements?coders=${a.id},${b.id}`)).status).toBe(400);

    expect((await owner.client.req('POST', `/api/projects/${pid}/transcripts/${tid}/reveal`)).status).toBe(200);
    const rep = (await owner.client.req('GET', `/api/projects/${pid}/agreement?coders=${a.id},${b.id}`)).json;
    expect(rep.unit).toBe('word');
    expect(rep.pairs).toHaveLength(1);
    const me = rep.pairs[0].perCode.find((x: { codeId: string }) => x.codeId === ME);
    const data = rep.pairs[0].perCode.find((x: { codeId: string }) => x.codeId === DATA);
    // ME: identical on 8 words, nothing else in those turns for ME → perfect agreement where it varies.
    expect(me).toMatchObject({ both: 8, onlyA: 0, onlyB: 0, percent: 1, kappa: 1 });
    // Data: A coded 4 words, B 4 other words in another turn; none shared → kappa below 0.
    expect(data).toMatchObject({ both: 0, onlyA: 4, onlyB: 4 });
    expect(data.kappa).toBeLessThan(0);
    expect(rep.pairs[0].overall.n).toBe(me.n + data.n);

    // Disagreements and a reconciliation decision written by a coder, seen by the other live.
    const dis = (await owner.client.req('GET', `/api/projects/${pid}/transcripts/${tid}/disagreements?coders=${a.id},${b.id}`)).json;
    expect(dis.map((d: { kind: string }) => d.kind)).toEqual(['only-a', 'only-b']);
    expect(dis[0].quote).toBe('Data was also scarce.');
    const ra = connect(server.url, layerRoom(pid, tid, a.id), b.token); // revealed: readable by members
    const rb = connect(server.url, layerRoom(pid, tid, b.id), a.token);
    await Promise.all([synced(ra), synced(rb)]);
    await waitFor(() => layerCodings(ra.doc).size === 2 && layerCodings(rb.doc).size === 2);
    const resolvedA = t.resolveCodings(layerCodings(ra.doc));
    const resolvedB = t.resolveCodings(layerCodings(rb.doc));
    const found = findDisagreements(resolvedA, resolvedB);
    expect(found.map((d) => d.key)).toEqual(dis.map((d: { key: string }) => d.key));
    const bobView = connect(server.url, transcriptRoom(pid, tid), b.token);
    await synced(bobView);
    applyDecision(t, { a: layerCodings(ra.doc), b: layerCodings(rb.doc) }, found[0]!, 'accept-a', a.id, 'scarce data is DATA');
    applyDecision(t, { a: layerCodings(ra.doc), b: layerCodings(rb.doc) }, found[1]!, 'reject', a.id, 'privacy is not quantity');
    const bobT = new TranscriptDoc(bobView.doc);
    await waitFor(() => bobT.decisions.length === 2, 5000, 'decisions reach Bob');
    // The consensus: the coding both agreed on (recorded at the reveal, with both coders) and the accepted one.
    await waitFor(() => bobT.codings.size === 2, 5000, 'consensus reaches Bob');
    expect(bobT.resolveCodings().map((c) => c.text).sort()).toEqual(['Data was also scarce.', 'The metrics were a poor proxy of quality.']);
    expect(pendingDisagreements(bobT, found)).toEqual([]);
    await waitFor(() => server.deps.rooms.rooms.get(transcriptRoom(pid, tid))?.doc.getArray('decisions').length === 2);
    const csv = await owner.client.req('GET', `/api/projects/${pid}/transcripts/${tid}/decisions?format=csv`);
    const lines = csv.text.trim().split('\r\n');
    // named by the transcript, with its name in every row (several logs can be joined)
    expect(csv.headers.get('content-disposition')).toMatch(/filename="decisions-[\w-]+\.csv"/);
    expect(csv.headers.get('content-disposition')).not.toContain(tid);
    expect(lines[0]).toBe('transcript,when,who,decision,why,what,disagreement');
    expect(csv.headers.get('content-disposition')).toContain('decisions-Blind-one.csv');
    expect(lines[1]!.startsWith('Blind one,')).toBe(true);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('Alice');
    expect(lines[1]).toContain('accept A');
    expect(lines[2]).toContain('privacy is not quantity');
  });
});
