import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodebookDoc, codebookRoom, transcriptRoom, TranscriptDoc } from '@concord/shared';
import { makeWav } from '../../../packages/shared/src/media/fixtures/wav.ts';
import { ZOOM_VTT } from '../../../packages/shared/src/import/fixtures/formats.ts';
import { addMember, makeProject, makeUser, startTestServer, type TestUser } from './helpers.ts';
import type { ConcordServer } from '../src/server.ts';

let server: ConcordServer;
let owner: TestUser;
let coder: TestUser;
let viewer: TestUser;
let stranger: TestUser;
let pid: string;
let tid: string;
const wav = makeWav(2); // 32,044 bytes
const LIMIT = 100_000;

const mediaPath = () => `/api/projects/${pid}/transcripts/${tid}/media`;

/** A raw request with a user's token (the Client of helpers.ts only sends JSON and forms). */
function send(user: TestUser, method: string, body?: RequestInit['body'], headers: Record<string, string> = {}, path = mediaPath()): Promise<Response> {
  return fetch(server.url + path, { method, body: body ?? null, headers: { authorization: `Bearer ${user.token}`, ...headers } });
}

beforeAll(async () => {
  server = await startTestServer({ maxMediaBytes: LIMIT });
  owner = await makeUser(server.url, 'Owner');
  coder = await makeUser(server.url, 'Coder');
  viewer = await makeUser(server.url, 'Viewer');
  stranger = await makeUser(server.url, 'Stranger');
  pid = await makeProject(owner);
  await addMember(owner, pid, coder, 'coder');
  await addMember(owner, pid, viewer, 'viewer');
  const form = new FormData();
  form.append('file', new Blob([ZOOM_VTT]), 'GMT20240105-140312_Recording.transcript.vtt');
  const r = await owner.client.req('POST', `/api/projects/${pid}/transcripts`, form);
  expect(r.status).toBe(201);
  tid = r.json.transcripts[0].id;
});
afterAll(async () => { await server.close(); });

describe('timestamps and the original file name', () => {
  it('keeps each turn\'s start and end, and the file name beside the title', async () => {
    const r = await owner.client.req('GET', `/api/projects/${pid}/transcripts/${tid}`);
    expect(r.json.sourceFile).toBe('GMT20240105-140312_Recording.transcript.vtt');
    const turns = await server.deps.rooms.readDoc(transcriptRoom(pid, tid), (doc) => new TranscriptDoc(doc).resolveTurns());
    expect(turns.map((t) => [t.speaker, t.startTime, t.endTime])).toEqual([
      ['Interviewer', 1.04, 4.32], ['Amélie Dubois', 5.1, 12], ['Interviewer', 13.25, 15],
    ]);
  });

  it('exports the coded turn\'s time and the file name in the segments CSV', async () => {
    const codeId = await server.deps.rooms.withDoc(codebookRoom(pid), (doc) => new CodebookDoc(doc).createCode({ name: 'Models', createdBy: owner.id }));
    await server.deps.rooms.withDoc(transcriptRoom(pid, tid), (doc) => {
      const t = new TranscriptDoc(doc);
      const start = t.body.toString().indexOf('We build');
      t.addCoding(t.codings, { codeId, coderId: owner.id, start, end: start + 8 });
    });
    const json = await owner.client.req('GET', `/api/projects/${pid}/segments`);
    expect(json.json[0]).toMatchObject({ speaker: 'Amélie Dubois', startTime: 5.1, sourceFile: 'GMT20240105-140312_Recording.transcript.vtt' });
    const csv = await owner.client.req('GET', `/api/projects/${pid}/segments?format=csv`);
    const [header, row] = csv.text.split('\r\n');
    expect(header).toBe('transcriptId,transcriptName,codeId,codeName,coderId,speaker,start,end,text,memo,source,basis,coders,time,sourceFile');
    expect(row).toMatch(/,Amélie Dubois,\d+,\d+,We build,,open,,[\w-]+,0:05,GMT20240105-140312_Recording\.transcript\.vtt$/);
  });
});

describe('recordings: PUT, GET with ranges, DELETE', () => {
  it('refuses viewers and non-members', async () => {
    expect((await send(viewer, 'PUT', wav, {}, `${mediaPath()}?name=a.wav`)).status).toBe(403);
    expect((await send(stranger, 'GET')).status).toBe(404);
    expect((await send(viewer, 'GET')).status).toBe(404); // nothing attached yet
  });

  it('a coder attaches a WAV sent as the body; everyone in the transcript hears of it', async () => {
    const r = await send(coder, 'PUT', wav, { 'content-type': 'application/octet-stream' }, `${mediaPath()}?name=interview%204.wav`);
    expect(r.status).toBe(201);
    expect(await r.json()).toMatchObject({ contentType: 'audio/wav', size: wav.length, fileName: 'interview 4.wav' });
    const t = await owner.client.req('GET', `/api/projects/${pid}/transcripts/${tid}`);
    expect(t.json.media).toMatchObject({ contentType: 'audio/wav', size: wav.length, fileName: 'interview 4.wav' });
  });

  it('serves the whole file, and ranges as 206 partial content', async () => {
    const full = await send(viewer, 'GET');
    expect(full.status).toBe(200);
    expect(full.headers.get('accept-ranges')).toBe('bytes');
    expect(full.headers.get('content-type')).toBe('audio/wav');
    expect(new Uint8Array(await full.arrayBuffer())).toEqual(wav);

    const part = await send(viewer, 'GET', undefined, { range: 'bytes=100-199' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${wav.length}`);
    expect(part.headers.get('content-length')).toBe('100');
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(wav.slice(100, 200));

    const open = await send(viewer, 'GET', undefined, { range: `bytes=${wav.length - 10}-` });
    expect(open.status).toBe(206);
    expect(new Uint8Array(await open.arrayBuffer())).toEqual(wav.slice(wav.length - 10));
    const suffix = await send(viewer, 'GET', undefined, { range: 'bytes=-4' });
    expect(suffix.headers.get('content-range')).toBe(`bytes ${wav.length - 4}-${wav.length - 1}/${wav.length}`);

    const beyond = await send(viewer, 'GET', undefined, { range: `bytes=${wav.length + 5}-` });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${wav.length}`);
  });

  it('refuses a file that is not media by its bytes, whatever its name, and keeps the recording it had', async () => {
    const pdf = new TextEncoder().encode('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');
    const r = await send(coder, 'PUT', pdf, { 'content-type': 'audio/wav' }, `${mediaPath()}?name=fake.wav`);
    expect(r.status).toBe(415);
    const body = (await r.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('not_media');
    expect(body.error.message).toMatch(/fake\.wav is not an audio or video recording \(by its contents it is a \.pdf file/);
    const text = await send(coder, 'PUT', 'Interviewer: hello, this is text', {}, `${mediaPath()}?name=notes.mp3`);
    expect(text.status).toBe(415);
    const still = await send(viewer, 'GET');
    expect(new Uint8Array(await still.arrayBuffer())).toEqual(wav);
  });

  it('refuses a recording over the size limit and an empty one', async () => {
    const big = makeWav(7); // 112,044 bytes > 100,000
    const r = await send(coder, 'PUT', big, {}, `${mediaPath()}?name=long.wav`);
    expect(r.status).toBe(413);
    expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/limited to/);
    expect((await send(coder, 'PUT', new Uint8Array(0), {}, `${mediaPath()}?name=empty.wav`)).status).toBe(400);
    expect((await send(viewer, 'GET')).headers.get('content-length')).toBe(String(wav.length));
  });

  it('takes a multipart upload (field "file") too', async () => {
    const form = new FormData();
    const other = makeWav(1);
    form.append('file', new Blob([other]), 'second take.wav');
    const r = await send(coder, 'PUT', form);
    expect(r.status).toBe(201);
    expect(await r.json()).toMatchObject({ fileName: 'second take.wav', size: other.length });
    expect(new Uint8Array(await (await send(viewer, 'GET')).arrayBuffer())).toEqual(other);
  });

  it('DELETE removes it (coders and owners only)', async () => {
    expect((await send(viewer, 'DELETE')).status).toBe(403);
    expect((await send(coder, 'DELETE')).status).toBe(204);
    expect((await send(viewer, 'GET')).status).toBe(404);
    expect((await send(coder, 'DELETE')).status).toBe(404);
    const t = await owner.client.req('GET', `/api/projects/${pid}/transcripts/${tid}`);
    expect(t.json.media).toBeNull();
  });
});

describe('REFI-QDA round trip of a transcript with its recording and sync points', () => {
  it('exports the recording and times in the .qdpx, and a new project imported from it has both', async () => {
    const take = makeWav(3);
    expect((await send(coder, 'PUT', take, {}, `${mediaPath()}?name=final take.wav`)).status).toBe(201);
    const exported = await send(owner, 'GET', undefined, {}, `/api/projects/${pid}/export?format=qdpx`);
    expect(exported.status).toBe(200);
    const qdpx = new Uint8Array(await exported.arrayBuffer());

    const pid2 = await makeProject(owner, 'Copy');
    const form = new FormData();
    form.append('file', new Blob([qdpx]), 'study.qdpx');
    const r = await owner.client.req('POST', `/api/projects/${pid2}/import`, form);
    expect(r.status).toBe(201);
    expect(r.json.warnings).toEqual([]);
    expect(r.json.transcripts).toHaveLength(1);
    const tid2 = r.json.transcripts[0].id as string;

    const media = await send(owner, 'GET', undefined, {}, `/api/projects/${pid2}/transcripts/${tid2}/media`);
    expect(media.status).toBe(200);
    expect(media.headers.get('content-type')).toBe('audio/wav');
    expect(new Uint8Array(await media.arrayBuffer())).toEqual(take);
    const t2 = await owner.client.req('GET', `/api/projects/${pid2}/transcripts/${tid2}`);
    expect(t2.json.media).toMatchObject({ fileName: 'final take.wav', size: take.length });

    const turns = await server.deps.rooms.readDoc(transcriptRoom(pid2, tid2), (doc) => new TranscriptDoc(doc).resolveTurns());
    expect(turns.map((t) => [t.startTime, t.endTime])).toEqual([[1.04, 4.32], [5.1, 12], [13.25, 15]]);
    const segments = await owner.client.req('GET', `/api/projects/${pid2}/segments`);
    expect(segments.json).toMatchObject([{ codeName: 'Models', text: 'We build', startTime: 5.1 }]);
  });
});
