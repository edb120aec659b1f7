import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { TranscriptDoc, transcriptRoom } from '@concord/shared';
import type { ConcordServer } from '../src/server.ts';
import { addMember, connect, destroyProviders, makeCodes, makeProject, makeTranscript, makeUser, synced, waitFor, startTestServer, type TestUser } from './helpers.ts';

const A = 'Interviewer: How was the café? 😀\n\nAna: I felt left out at the Cafe, honestly. Then it closed.\n\nInterviewer: And later?\n\nAna: Later I found a new cafe. It felt like home.\n';
const B = 'Interviewer: Tell me about work.\n\nBen: Work made me feel left out. Nothing about cafés.\n\nInterviewer: Thank you.\n\nBen: Bye.\n';

/** Polls a search until `ok` holds for its answer (the index follows edits a moment after their commit). */
async function searchUntil(u: TestUser, pid: string, query: string, ok: (hits: Hit[]) => boolean): Promise<Hit[]> {
  for (let i = 0; i < 200; i++) {
    const r = await u.client.req('GET', `/api/projects/${pid}/search?${query}`);
    if (r.status === 200 && ok(r.json.hits)) return r.json.hits;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`search ${query} never satisfied the condition`);
}
interface Hit { transcriptId: string; transcriptName: string; speaker: string | null; start: number; end: number; text: string; before: string; after: string }

describe('search', () => {
  let server: ConcordServer;
  let owner: TestUser;
  let coder: TestUser;
  let pid: string;
  let ta: string;
  let tb: string;

  beforeAll(async () => {
    server = await startTestServer();
    owner = await makeUser(server.url, 'Owner');
    coder = await makeUser(server.url, 'Coder');
    pid = await makeProject(owner);
    await addMember(owner, pid, coder, 'coder');
    ta = await makeTranscript(owner, pid, A, 'Ana');
    tb = await makeTranscript(owner, pid, B, 'Ben');
    await makeCodes(server, pid, ['cafe', 'other']);
  });
  afterAll(async () => { destroyProviders(); await server.close(); });

  const search = async (u: TestUser, query: string) => u.client.req('GET', `/api/projects/${pid}/search?${query}`);

  it('finds words diacritic-insensitively as keyword in context, with code-point offsets like /segments', async () => {
    const r = await search(owner, 'q=cafe');
    expect(r.status).toBe(200);
    const hits = r.json.hits as Hit[];
    expect(hits.map((h) => `${h.transcriptName}|${h.speaker}|${h.text}`)).toEqual([
      'Ana|Interviewer|café', 'Ana|Ana|Cafe', 'Ana|Ana|cafe',
    ]);
    // Offsets are code points of the transcript's text: the emoji before the second hit counts once.
    const text = await server.deps.rooms.readDoc(transcriptRoom(pid, ta), (d) => new TranscriptDoc(d).body.toString());
    const cps = [...text];
    for (const h of hits) expect(cps.slice(h.start, h.end).join('')).toBe(h.text);
    expect(hits[1]).toMatchObject({ before: 'I felt left out at the ', after: ', honestly. Then it closed.' });
  });

  it('finds phrases and prefixes, filters by speaker, applies regular expressions, and refuses bad input clearly', async () => {
    expect(((await search(owner, `q=${encodeURIComponent('"left out"')}`)).json.hits as Hit[]).map((h) => h.transcriptName)).toEqual(['Ana', 'Ben']);
    expect(((await search(owner, 'q=caf*')).json.hits as Hit[]).map((h) => h.text)).toEqual(['café', 'Cafe', 'cafe', 'cafés']);
    expect(((await search(owner, 'q=cafe&speaker=Ana')).json.hits as Hit[]).map((h) => h.text)).toEqual(['Cafe', 'cafe']);
    expect(((await search(owner, `regex=${encodeURIComponent('felt (left|like)')}`)).json.hits as Hit[]).map((h) => h.text))
      .toEqual(['felt left', 'felt like']);
    expect(((await search(owner, `q=later&regex=${encodeURIComponent('new \\w+')}`)).json.hits as Hit[]).map((h) => h.text)).toEqual(['new cafe']);
    const bad = await search(owner, `regex=${encodeURIComponent('(')}`);
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/not a valid regular expression/);
    expect((await search(owner, 'q=')).status).toBe(400);
  });

  it('follows inserts and deletions in the text', async () => {
    const doc = new Y.Doc();
    const p = connect(server.url, transcriptRoom(pid, tb), coder.token, doc);
    await synced(p);
    const body = new TranscriptDoc(doc).body;
    const at = body.toString().indexOf('Nothing about');
    body.insert(at, 'Wonderful espresso. ');
    await searchUntil(owner, pid, 'q=espresso', (h) => h.length === 1 && h[0]!.transcriptId === tb && h[0]!.speaker === 'Ben');
    const cafes = body.toString().indexOf('cafés');
    body.delete(cafes, 'cafés'.length);
    await searchUntil(owner, pid, 'q=caf*', (h) => !h.some((x) => x.transcriptId === tb));
    body.delete(body.toString().indexOf('Wonderful espresso. '), 'Wonderful espresso. '.length);
    await searchUntil(owner, pid, 'q=espresso', (h) => h.length === 0);
    p.destroy();
  });

  it('codes all hits by sentence as one action that one undo takes back, live for everyone', async () => {
    const live = new Y.Doc();
    const p = connect(server.url, transcriptRoom(pid, ta), owner.token, live);
    await synced(p);
    const r = await coder.client.req('POST', `/api/projects/${pid}/search/code`, { q: 'cafe', speaker: 'Ana', codeId: 'cafe', unit: 'sentence' });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ codings: 2, transcripts: [ta], skipped: [] });
    const seg = (await owner.client.req('GET', `/api/projects/${pid}/segments?code=cafe`)).json as { text: string; coders: string[] }[];
    expect(seg.map((s) => s.text)).toEqual(['I felt left out at the Cafe, honestly.', 'Later I found a new cafe.']);
    expect(seg.every((s) => s.coders[0] === coder.id)).toBe(true);
    await waitFor(() => new TranscriptDoc(live).codings.size === 2, 10_000, 'codings to arrive live');

    // The search filtered by the code now finds only hits inside its codings.
    expect(((await search(owner, 'q=cafe&code=cafe')).json.hits as Hit[]).map((h) => h.text)).toEqual(['Cafe', 'cafe']);
    expect(((await search(owner, `q=cafe&coder=${owner.id}`)).json.hits as Hit[])).toEqual([]);

    // Coding again adds nothing twice.
    const again = await coder.client.req('POST', `/api/projects/${pid}/search/code`, { q: 'cafe', speaker: 'Ana', codeId: 'cafe', unit: 'sentence' });
    expect(again.json.codings).toBe(0);

    const u = await coder.client.req('POST', `/api/projects/${pid}/search/code/undo`, { batch: r.json.batch, transcripts: r.json.transcripts });
    expect(u.json).toEqual({ removed: 2 });
    expect((await owner.client.req('GET', `/api/projects/${pid}/segments?code=cafe`)).json).toEqual([]);
    await waitFor(() => new TranscriptDoc(live).codings.size === 0, 10_000, 'undo to arrive live');

    // Word and turn units; viewers may search but not code; unknown codes are refused.
    const words = await coder.client.req('POST', `/api/projects/${pid}/search/code`, { q: '"left out"', codeId: 'other', unit: 'words' });
    expect(words.json.codings).toBe(2);
    const turn = await coder.client.req('POST', `/api/projects/${pid}/search/code`, { q: 'work', codeId: 'cafe', unit: 'turn' });
    const turns = (await owner.client.req('GET', `/api/projects/${pid}/segments?code=cafe`)).json as { text: string }[];
    expect(turn.json.codings).toBe(2);
    expect(turns.map((s) => s.text)).toEqual(['Tell me about work.', 'Work made me feel left out. Nothing about .']);
    expect((await coder.client.req('POST', `/api/projects/${pid}/search/code`, { q: 'cafe', codeId: 'nope', unit: 'words' })).status).toBe(404);
    p.destroy();
  });
});
