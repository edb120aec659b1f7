import fs from 'node:fs';
import path from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommentsDoc, commentsRoom, readQdpx, readQdc, TranscriptDoc, transcriptRoom } from '@concord/shared';
import { REPO_ROOT } from '../src/env.ts';
import { makeProject, makeUser, startTestServer, type TestUser } from './helpers.ts';
import type { ConcordServer } from '../src/server.ts';

const SAMPLES = path.join(REPO_ROOT, 'seeds/refi-samples');

let server: ConcordServer;
let owner: TestUser;
beforeAll(async () => {
  server = await startTestServer();
  owner = await makeUser(server.url, 'Exporter');
});
afterAll(async () => { await server.close(); });

async function upload(pid: string, name: string, bytes: Uint8Array) {
  const form = new FormData();
  form.append('file', new Blob([bytes]), name);
  return owner.client.req('POST', `/api/projects/${pid}/import`, form);
}

async function download(pid: string, q: string): Promise<Uint8Array> {
  const res = await fetch(`${server.url}/api/projects/${pid}/export?${q}`, { headers: { authorization: `Bearer ${owner.token}` } });
  expect(res.status).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}

describe('REFI-QDA import of real tools\' files over HTTP', () => {
  // Counts as pinned by packages/shared/src/refi/samples.test.ts (taken from the archives themselves).
  const cases: [string, { codes: number; transcripts: number; codings: number }][] = [
    ['atlasti-23.qdpx', { codes: 3, transcripts: 0, codings: 0 }],
    ['maxqda-24.qdpx', { codes: 307, transcripts: 10, codings: 0 }],
    ['nvivo-mac-15.qdpx', { codes: 262, transcripts: 2, codings: 0 }],
    ['qc-demo.qdpx', { codes: 262, transcripts: 2, codings: 205 }],
  ];
  for (const [file, want] of cases) {
    it(`imports ${file}`, async () => {
      const pid = await makeProject(owner, file);
      const r = await upload(pid, file, fs.readFileSync(path.join(SAMPLES, file)));
      expect(r.status).toBe(201);
      expect(r.json.codesCreated).toBe(want.codes);
      expect(r.json.transcripts).toHaveLength(want.transcripts);
      expect(r.json.transcripts.reduce((n: number, t: { codings: number }) => n + t.codings, 0)).toBe(want.codings);
      const cb = (await owner.client.req('GET', `/api/projects/${pid}/codebook`)).json.codes;
      expect(cb).toHaveLength(want.codes);
      if (file.startsWith('maxqda')) {
        expect(r.json.warnings.join('\n')).toMatch(/sets/);
        expect(cb.every((c: { color: string }) => /^#[0-9a-f]{6}$/i.test(c.color))).toBe(true);
        expect(cb.filter((c: { description: string }) => c.description.length > 0).length).toBe(307);
      }
      if (file.startsWith('atlasti')) expect(cb.filter((c: { parentId: string | null }) => c.parentId).length).toBe(2);
      if (file.startsWith('qc')) {
        const segs = (await owner.client.req('GET', `/api/projects/${pid}/segments`)).json as { text: string }[];
        expect(segs).toHaveLength(205);
        expect(segs.every((s) => s.text.length > 0)).toBe(true);
      }
    });
  }
});

describe('exports and round trip', () => {
  it('export → import → export gives the same project, codings, coders and comments included', async () => {
    const pid = await makeProject(owner, 'Round trip');
    const text = 'Interviewer: What is quality? 🙂\n\nP1: Qualité means the model works on real data.';
    const t = await owner.client.req('POST', `/api/projects/${pid}/transcripts`, { name: 'Interview 1', text });
    const tid = t.json.transcripts[0].id;
    const { CodebookDoc, codebookRoom } = await import('@concord/shared');
    const codeId = await server.deps.rooms.withDoc(codebookRoom(pid), (d) => {
      const cb = new CodebookDoc(d);
      const parent = cb.createCode({ name: 'Quality', description: 'What people mean by quality.' });
      return cb.createCode({ name: 'Data quality', parentId: parent, color: '#56b4e9' });
    });
    await server.deps.rooms.withDoc(transcriptRoom(pid, tid), (d) => {
      const td = new TranscriptDoc(d);
      const body = td.body.toString();
      const s = body.indexOf('the model works on real data');
      td.addCoding(td.codings, { codeId, coderId: owner.id, start: s, end: s + 'the model works on real data'.length, memo: 'core definition' });
    });
    const tdoc = await server.deps.rooms.copyDoc(transcriptRoom(pid, tid));
    await server.deps.rooms.withDoc(commentsRoom(pid, tid), (d) => {
      new CommentsDoc(d).createThread(tdoc, { start: 0, end: 5, authorId: owner.id, body: 'Check the emoji survives' });
    });
    tdoc.destroy();
    const first = await download(pid, 'format=qdpx');
    const p2 = await makeProject(owner, 'Round trip');
    const imp = await upload(p2, 'rt.qdpx', first);
    expect(imp.status).toBe(201);
    expect(imp.json.warnings).toEqual([]);
    const second = await download(p2, 'format=qdpx');
    const a = (await readQdpx(first)).project;
    const b = (await readQdpx(second)).project;
    // The comment thread became a note on import and comes back as one.
    expect(b.notes.map((n) => n.text)).toEqual(['Check the emoji survives']);
    // Thread and note ids are new on import; everything else is the same project.
    const strip = (p: typeof a) => ({
      ...p,
      notes: p.notes.map((n) => ({ ...n, guid: '', targetGuid: '', createdAt: '' })),
      sources: p.sources.map((s) => ({ ...s, selections: s.selections.map((x) => (x.codes.length > 0 ? x : { ...x, guid: '', createdAt: '' })) })),
    });
    expect(strip(b)).toEqual(strip(a));
    const sel = a.sources[0]!.selections.find((s) => s.codes.length > 0)!;
    expect([...a.sources[0]!.text].slice(sel.start, sel.end).join('')).toBe('the model works on real data');
    expect(sel.memo).toBe('core definition');
  });

  it('re-importing a project\'s own export duplicates neither codes nor transcripts', async () => {
    const pid = await makeProject(owner, 'Again');
    await owner.client.req('POST', `/api/projects/${pid}/transcripts`, {
      name: 'Interview 12', text: fs.readFileSync(path.join(REPO_ROOT, 'seeds', fs.readdirSync(path.join(REPO_ROOT, 'seeds')).find((f) => f.startsWith('003'))!), 'utf8'),
    });
    const before = (await owner.client.req('GET', `/api/projects/${pid}/codebook`)).json.codes.length;
    const r = await upload(pid, 'again.qdpx', await download(pid, 'format=qdpx'));
    expect(r.status).toBe(201);
    expect(r.json.codesCreated).toBe(0);
    expect(r.json.transcripts).toEqual([]);
    expect(r.json.warnings).toEqual(['"Interview 12" is already in this project and was not imported again.']);
    expect((await owner.client.req('GET', `/api/projects/${pid}/codebook`)).json.codes).toHaveLength(before);
    expect((await owner.client.req('GET', `/api/projects/${pid}`)).json.transcripts).toHaveLength(1);
  });

  it('exports a codebook (.qdc), coded segments and the codebook as CSV and Markdown for papers', async () => {
    const pid = await makeProject(owner, 'Papers');
    const t = await owner.client.req('POST', `/api/projects/${pid}/transcripts`, {
      name: 'Interview 12', text: fs.readFileSync(path.join(REPO_ROOT, 'seeds', fs.readdirSync(path.join(REPO_ROOT, 'seeds')).find((f) => f.startsWith('003'))!), 'utf8'),
    });
    expect(t.json.transcripts[0].codings).toBeGreaterThan(0);
    const qdc = readQdc(await download(pid, 'format=qdc'));
    expect(qdc.codes.find((c) => c.name === 'ME-metrics-a-are-poor-proxy-of-quality')?.parentGuid)
      .toBe(qdc.codes.find((c) => c.name === 'Model-Evaluation-issues')?.guid);
    const csv = new TextDecoder().decode(await download(pid, 'format=csv'));
    expect(csv.split('\r\n')[0]).toBe('code,transcript,speaker,coder,source,basis,quote,memo,start,end');
    expect(csv).toContain(',open coding,');
    expect(csv).toContain('Data-low-quality,Interview 12');
    const md = new TextDecoder().decode(await download(pid, 'format=md'));
    expect(md).toMatch(/^# Papers — coded segments/);
    expect(md).toContain('## Data-low-quality');
    const cbMd = new TextDecoder().decode(await download(pid, 'format=md&what=codebook'));
    expect(cbMd).toMatch(/## Model-Evaluation-issues \[ME\]\n\nCodings: 4/);
    expect(cbMd).toContain('### ME-metrics-a-are-poor-proxy-of-quality');
    const cbCsv = new TextDecoder().decode(await download(pid, 'format=csv&what=codebook'));
    expect(cbCsv.split('\r\n')[0]).toBe('code,abbreviation,parent,color,definition,codings');
  });

  it('refuses hostile archives with a clear error and imports nothing', async () => {
    const pid = await makeProject(owner, 'Hostile');
    const traversal = zipSync({ 'project.qde': strToU8('<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>'), '../evil.txt': strToU8('x') });
    const r1 = await upload(pid, 'evil.qdpx', traversal);
    expect(r1.status).toBe(400);
    expect(r1.json.error.code).toBe('refi_path_traversal');
    const lol = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><Project xmlns="urn:QDA-XML:project:1.0" name="&lol2;"/>';
    const r2 = await upload(pid, 'lol.qdpx', zipSync({ 'project.qde': strToU8(lol) }));
    expect(r2.status).toBe(400);
    expect(r2.json.error.code).toBe('refi_xml_entities');
    const r3 = await upload(pid, 'garbage.qdpx', new Uint8Array([1, 2, 3, 4, 5]));
    expect(r3.status).toBe(400);
    expect(r3.json.error.message).toContain('garbage.qdpx');
    expect((await owner.client.req('GET', `/api/projects/${pid}/codebook`)).json.codes).toEqual([]);
    expect((await owner.client.req('GET', `/api/projects/${pid}`)).json.transcripts).toEqual([]);
  });
});
