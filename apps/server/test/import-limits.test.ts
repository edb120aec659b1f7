import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS, transcriptRoom, TranscriptDoc } from '@concord/shared';
import type { ConcordServer } from '../src/server.ts';
import { makeProject, makeUser, startTestServer, type TestUser } from './helpers.ts';
import { largeTranscript } from './large-transcript.ts';

/**
 * Imports run in worker threads: the largest allowed transcript is imported while
 * the server keeps answering, and every path (JSON, files) enforces the limits on
 * bytes and turns with a clear error, creating nothing.
 */
let server: ConcordServer;
let owner: TestUser;
let pid: string;

beforeAll(async () => {
  server = await startTestServer();
  owner = await makeUser(server.url, 'Bulk');
  pid = await makeProject(owner);
});
afterAll(async () => { await server.close(); });

/** Polls /api/health one request at a time until stopped; records every answer. */
function pollHealth(base: string): { stop: () => Promise<{ answered: number; failed: string[]; answeredWhile: (from: number, to: number) => number }> } {
  let running = true;
  const times: number[] = [];
  const failed: string[] = [];
  const loop = (async () => {
    while (running) {
      try {
        // Generous liveness only: an answer within 5 s (a stalled event loop took minutes).
        const r = await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(5_000) });
        if (r.status === 200) times.push(Date.now());
        else failed.push(`status ${r.status}`);
        await r.arrayBuffer();
      } catch (err) {
        failed.push(String(err));
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { answered: times.length, failed, answeredWhile: (from, to) => times.filter((t) => t > from && t < to).length };
    },
  };
}

async function transcriptCount(): Promise<number> {
  return (await owner.client.req('GET', `/api/projects/${pid}`)).json.transcripts.length;
}

describe('imports off the event loop', () => {
  it('health answers throughout the import of the largest allowed transcript, and ten at once', async () => {
    const text = largeTranscript(LIMITS.maxTranscriptBytes, LIMITS.maxTranscriptTurns);
    const health = pollHealth(server.url);
    await new Promise((resolve) => setTimeout(resolve, 200));

    const t0 = Date.now();
    const one = await owner.client.req('POST', `/api/projects/${pid}/transcripts`, { name: 'Largest', text });
    const t1 = Date.now();
    expect(one.status).toBe(201);
    expect(one.json.transcripts[0]).toMatchObject({ name: 'Largest', turns: LIMITS.maxTranscriptTurns, speakers: ['Interviewer', 'Participant'] });
    // The parsing and building happened in a worker thread.
    expect(server.deps.imports.threads).toBeGreaterThan(0);

    const form = new FormData();
    const file = new TextEncoder().encode(largeTranscript(LIMITS.maxTranscriptBytes / 10, LIMITS.maxTranscriptTurns / 10));
    for (let i = 0; i < 10; i++) form.append('file', new Blob([file]), `bulk-${i}.txt`);
    const t2 = Date.now();
    const ten = await owner.client.req('POST', `/api/projects/${pid}/transcripts`, form);
    const t3 = Date.now();
    expect(ten.status).toBe(201);
    expect(ten.json.transcripts).toHaveLength(10);

    const h = await health.stop();
    expect(h.failed).toEqual([]);
    // The server kept answering while each import ran (an import on the event loop
    // answers none in between: it is one synchronous stretch of work).
    expect(h.answeredWhile(t0, t1)).toBeGreaterThanOrEqual(5);
    expect(h.answeredWhile(t2, t3)).toBeGreaterThanOrEqual(5);

    // The stored document is the whole transcript.
    const id = one.json.transcripts[0].id as string;
    const turns = await server.deps.rooms.readDoc(transcriptRoom(pid, id), (doc) => {
      const t = new TranscriptDoc(doc);
      return { turns: t.resolveTurns().length, text: t.body.toString(), name: t.getMeta().name };
    });
    expect(turns.turns).toBe(LIMITS.maxTranscriptTurns);
    expect(turns.name).toBe('Largest');
    expect(turns.text.startsWith('Turn 0 the model')).toBe(true);
  }, 240_000); // a shared CI machine can take minutes; nothing here is timed

  it('refuses JSON text over the byte limit (also when only its UTF-8 encoding is too large), creating nothing', async () => {
    const before = await transcriptCount();
    const chars = await owner.client.req('POST', `/api/projects/${pid}/transcripts`, { name: 'Huge', text: 'a'.repeat(LIMITS.maxTranscriptBytes + 1) });
    expect(chars.status).toBe(400);
    expect(chars.json.error.message).toMatch(/at most 5 MB/);
    // Under the limit in characters, over it in bytes: é is two bytes in UTF-8.
    const bytes = await owner.client.req('POST', `/api/projects/${pid}/transcripts`, { name: 'Accents', text: 'é'.repeat(LIMITS.maxTranscriptBytes / 2 + 10) });
    expect(bytes.status).toBe(413);
    expect(bytes.json.error).toMatchObject({ code: 'too_large' });
    expect(bytes.json.error.message).toMatch(/Accents is 5\.0 MB; transcripts can be at most 5\.0 MB/);
    expect(await transcriptCount()).toBe(before);
  });

  it('refuses a transcript with more turns than allowed, as JSON and as a file, creating nothing', async () => {
    const before = await transcriptCount();
    const text = largeTranscript(LIMITS.maxTranscriptBytes - 1024, LIMITS.maxTranscriptTurns + 1);
    const json = await owner.client.req('POST', `/api/projects/${pid}/transcripts`, { name: 'Chatty', text });
    expect(json.status).toBe(422);
    expect(json.json.error.code).toBe('too_many_turns');
    expect(json.json.error.message).toContain('Chatty has 50,001 speaker turns or paragraphs; a transcript can have at most 50,000');

    const form = new FormData();
    form.append('file', new Blob([text]), 'chatty.txt');
    form.append('file', new Blob(['Interviewer: Hello.\n\nP1: Hi.\n']), 'ok.txt');
    const files = await owner.client.req('POST', `/api/projects/${pid}/transcripts`, form);
    expect(files.status).toBe(207);
    expect(files.json.errors).toEqual([{ file: 'chatty.txt', code: 'too-many-turns', message: expect.stringContaining('chatty.txt has 50,001 speaker turns') }]);
    expect(files.json.transcripts.map((t: { name: string }) => t.name)).toEqual(['ok']);
    expect(await transcriptCount()).toBe(before + 1);
  }, 120_000);

  it('refuses binary text sent as JSON like a binary file', async () => {
    const r = await owner.client.req('POST', `/api/projects/${pid}/transcripts`, { name: 'Bin', text: 'ok\u0001\u0002\u0003\u0004' });
    expect(r.status).toBe(422);
    expect(r.json.error.code).toBe('binary');
  });
});
