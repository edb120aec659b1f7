import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codePointsToUtf16, parseTranscript, transcriptRoom, TranscriptDoc } from '@concord/shared';
import { REPO_ROOT } from '../src/env.ts';
import { ensureDemoProject } from '../src/transcripts/demo.ts';
import { addMember, makeProject, makeUser, startTestServer, tempDir, type TestUser } from './helpers.ts';
import type { ConcordServer } from '../src/server.ts';

const SEEDS = path.join(REPO_ROOT, 'seeds');
const seedFiles = fs.readdirSync(SEEDS).filter((f) => f.endsWith('.txt')).sort();
const SEED_003 = seedFiles.find((f) => f.startsWith('003'))!;

let server: ConcordServer;
let owner: TestUser;
let pid: string;
let imported: { id: string; name: string; turns: number; codings: number }[];
let errors: { file: string; code: string; message: string }[];
let status: number;

beforeAll(async () => {
  server = await startTestServer();
  owner = await makeUser(server.url, 'Importer');
  pid = await makeProject(owner);
  const form = new FormData();
  for (const f of seedFiles) form.append('file', new Blob([fs.readFileSync(path.join(SEEDS, f))]), f);
  form.append('file', new Blob([]), 'empty.txt');
  form.append('file', new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])]), 'photo.txt');
  form.append('file', new Blob([new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3])]), 'broken.docx');
  const r = await owner.client.req('POST', `/api/projects/${pid}/transcripts`, form);
  status = r.status;
  imported = r.json.transcripts;
  errors = r.json.errors;
});
afterAll(async () => { await server.close(); });

describe('importing transcripts over HTTP', () => {
  it('imports the five seeds and reports each bad file by name, creating nothing for it', async () => {
    expect(status).toBe(207);
    expect(imported).toHaveLength(5);
    expect(errors.map((e) => [e.file, e.code])).toEqual([['empty.txt', 'empty'], ['photo.txt', 'binary'], ['broken.docx', 'unreadable']]);
    for (const e of errors) expect(e.message).toContain(e.file);
    const list = await owner.client.req('GET', `/api/projects/${pid}`);
    expect(list.json.transcripts).toHaveLength(5);
  });

  it('imports 003 with every inline coding as a coding, and the code hierarchy in the codebook', async () => {
    const parsed = parseTranscript(fs.readFileSync(path.join(SEEDS, SEED_003), 'utf8'), SEED_003);
    const expected = parsed.codings.reduce((n, c) => n + c.codeNames.length, 0);
    const t003 = imported.find((t) => t.codings > 0)!;
    expect(t003.codings).toBe(expected);
    expect(imported.filter((t) => t.codings > 0)).toHaveLength(1);
    const cb = (await owner.client.req('GET', `/api/projects/${pid}/codebook`)).json.codes as { id: string; name: string; parentId: string | null; abbreviation: string | null }[];
    expect(cb.map((c) => c.name).sort()).toEqual(parsed.codes.map((c) => c.name).sort());
    const byName = new Map(cb.map((c) => [c.name, c]));
    expect(byName.get('Model-Evaluation-issues')?.abbreviation).toBe('ME');
    expect(byName.get('ME-metrics-a-are-poor-proxy-of-quality')?.parentId).toBe(byName.get('Model-Evaluation-issues')?.id);
    expect(byName.get('MLP-unstable-external-dependency')?.parentId).toBe(byName.get('ML-pipeline-issues')?.id);
    // Usage counts per code, from the documents, add up to the codings imported.
    const withUsage = (await owner.client.req('GET', `/api/projects/${pid}/codebook?usage=1`)).json.codes as { name: string; usage: { codings: number; transcripts: number } }[];
    expect(withUsage.reduce((n, c) => n + c.usage.codings, 0)).toBe(expected);
    const dlq = parsed.codings.filter((c) => c.codeNames.includes('Data-low-quality')).length;
    expect(withUsage.find((c) => c.name === 'Data-low-quality')?.usage).toEqual({ codings: dlq, transcripts: 1 });
  });

  it('the segments API returns each coding\'s exact quoted text, in code points', async () => {
    const t003 = imported.find((t) => t.codings > 0)!;
    const segs = (await owner.client.req('GET', `/api/projects/${pid}/segments?transcript=${t003.id}`)).json as
      { text: string; start: number; end: number; codeName: string; speaker: string | null; transcriptName: string }[];
    expect(segs).toHaveLength(t003.codings);
    const body = await server.deps.rooms.readDoc(transcriptRoom(pid, t003.id), (d) => new TranscriptDoc(d).body.toString());
    for (const s of segs) {
      expect(body.slice(codePointsToUtf16(body, s.start), codePointsToUtf16(body, s.end))).toBe(s.text);
      expect(s.text.trim().length).toBeGreaterThan(0);
      expect(s.text).not.toMatch(/^#|Data-low-quality$/m);
    }
    // Each quote is a paragraph the parser attributed to that code.
    const parsed = parseTranscript(fs.readFileSync(path.join(SEEDS, SEED_003), 'utf8'), SEED_003);
    const quotes = new Set(parsed.codings.map((c) => parsed.turns[c.turnIndex]!.text.slice(c.start, c.end)));
    for (const s of segs) expect(quotes.has(s.text)).toBe(true);
    const dlq = segs.filter((s) => s.codeName === 'Data-low-quality');
    expect(dlq.length).toBeGreaterThan(0);
    // Filtering by code, and CSV output.
    const cb = (await owner.client.req('GET', `/api/projects/${pid}/codebook`)).json.codes as { id: string; name: string }[];
    const me = cb.find((c) => c.name === 'Model-Evaluation-issues')!;
    const only = (await owner.client.req('GET', `/api/projects/${pid}/segments?code=${me.id}`)).json as { codeName: string }[];
    expect(new Set(only.map((s) => s.codeName))).toEqual(new Set(['Model-Evaluation-issues']));
    const withChildren = (await owner.client.req('GET', `/api/projects/${pid}/segments?code=${me.id}&children=1`)).json as { codeName: string }[];
    expect(new Set(withChildren.map((s) => s.codeName))).toEqual(new Set(['Model-Evaluation-issues', 'ME-metrics-a-are-poor-proxy-of-quality']));
    const csv = await owner.client.req('GET', `/api/projects/${pid}/segments?format=csv&transcript=${t003.id}`);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect(csv.text.split('\r\n')[0]).toBe('transcriptId,transcriptName,codeId,codeName,coderId,speaker,start,end,text,memo,source,basis,coders');
  });

  it('renames a speaker across a transcript in one step', async () => {
    const t = imported[0]!;
    const info = (await owner.client.req('GET', `/api/projects/${pid}/transcripts/${t.id}`)).json;
    const interviewee = info.speakers.find((s: { name: string }) => s.name === 'Interviewee');
    expect(interviewee).toBeTruthy();
    const r = await owner.client.req('PUT', `/api/projects/${pid}/transcripts/${t.id}/speakers/${interviewee.id}`, { name: 'P9' });
    expect(r.status).toBe(200);
    const turns = await server.deps.rooms.readDoc(transcriptRoom(pid, t.id), (d) => new TranscriptDoc(d).resolveTurns());
    expect(turns.some((x) => x.speaker === 'Interviewee')).toBe(false);
    expect(turns.filter((x) => x.speaker === 'P9').length).toBeGreaterThan(3);
  });

  it('refuses imports from viewers and JSON without text', async () => {
    const viewer = await makeUser(server.url, 'V');
    await addMember(owner, pid, viewer, 'viewer');
    expect((await viewer.client.req('POST', `/api/projects/${pid}/transcripts`, { name: 'x', text: 'P1: hi' })).status).toBe(403);
    expect((await owner.client.req('POST', `/api/projects/${pid}/transcripts`, { name: 'x', text: '' })).status).toBe(400);
  });
});

describe('demo project and CLI import', () => {
  it('the first start creates a demo project with the five seeds and 003 coded, once', async () => {
    const s = await startTestServer({ demo: true });
    const demo = await ensureDemoProject(s.deps);
    expect(demo?.transcripts).toBe(5);
    expect(await ensureDemoProject(s.deps)).toBeNull();
    const list = await s.deps.storage.listTranscripts(demo!.projectId);
    expect(list.filter((t) => t.codings > 0)).toHaveLength(1);
    await s.close();
  });

  it('npm run concord -- import shows progress and per-file errors', async () => {
    const dataDir = tempDir();
    const run = promisify(execFile);
    const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'apps/server/src/cli/main.ts'), ...args], {
      cwd: REPO_ROOT, env: { ...process.env, CONCORD_DATA: dataDir },
    });
    await cli('user', 'add', 'cli@example.org', 'Cli', 'User', '--password', 'long enough pw');
    const pidOut = (await cli('project', 'create', 'CLI study', '--owner', 'cli@example.org')).stdout.trim();
    const bad = path.join(dataDir, 'empty.txt');
    fs.writeFileSync(bad, '');
    const files = [path.join(SEEDS, seedFiles[0]!), path.join(SEEDS, SEED_003), bad];
    const res = await cli('import', '--project', pidOut, ...files).catch((e: { stdout: string; code: number }) => e);
    expect(res.stdout).toMatch(/\[1\/3\] ✓ .*turns/);
    expect(res.stdout).toMatch(/\[3\/3\] ✗ empty\.txt: .*empty/i);
    expect(res.stdout).toContain('Imported 2 of 3 files.');
  }, 60_000);
});
