import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { TranscriptDoc, transcriptRoom } from '@concord/shared';
import type { ConcordServer } from '../src/server.ts';
import { createPgSchema, TEST_REDIS_URL, type PgSchema } from './cluster.ts';
import { connect, destroyProviders, makeCodes, makeProject, makeTranscript, makeUser, startTestServer, synced, type TestUser } from './helpers.ts';

/**
 * Search on PostgreSQL with two nodes: text edited through one node is found by a
 * search on the other (the GIN/tsvector index, diacritic-insensitive), and "code
 * all hits" made on one node is undone from the other.
 */
let schema: PgSchema;
let a: ConcordServer;
let b: ConcordServer;
let owner: TestUser;

beforeAll(async () => {
  schema = await createPgSchema();
  a = await startTestServer({ databaseUrl: schema.url, redisUrl: TEST_REDIS_URL });
  b = await startTestServer({ databaseUrl: schema.url, redisUrl: TEST_REDIS_URL });
  owner = await makeUser(a.url, 'Owner');
}, 60_000);
afterAll(async () => {
  destroyProviders();
  await a?.close();
  await b?.close();
  await schema?.drop();
});

const hits = async (base: string, pid: string, q: string) => {
  const r = await fetch(`${base}/api/projects/${pid}/search?${q}`, { headers: { authorization: `Bearer ${owner.token}` } });
  expect(r.status).toBe(200);
  return ((await r.json()) as { hits: { text: string; transcriptId: string }[] }).hits;
};

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await fn();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition never held');
}

describe('search on PostgreSQL with several nodes', () => {
  it('finds on one node what was written on the other, and undoes there what was coded here', async () => {
    const pid = await makeProject(owner);
    const tid = await makeTranscript(owner, pid, 'Interviewer: Where did you meet?\n\nAna: At the Café Müller.\n\nInterviewer: And then?\n\nAna: We talked for hours.\n');
    await makeCodes(a, pid, ['place']);
    expect((await hits(b.url, pid, 'q=cafe%20muller')).map((h) => h.text)).toEqual(['Café', 'Müller']);
    expect((await hits(b.url, pid, `q=${encodeURIComponent('"cafe muller"')}`)).map((h) => h.text)).toEqual(['Café Müller']);

    const doc = new Y.Doc();
    const p = connect(a.url, transcriptRoom(pid, tid), owner.token, doc);
    await synced(p);
    const body = new TranscriptDoc(doc).body;
    body.insert(body.toString().indexOf('hours'), 'many ');
    await until(() => hits(b.url, pid, 'q=%22many%20hours%22'), (h) => h.length === 1);

    const coded = await fetch(`${b.url}/api/projects/${pid}/search/code`, {
      method: 'POST', headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ q: 'cafe', codeId: 'place', unit: 'sentence' }),
    });
    const done = (await coded.json()) as { batch: string; codings: number; transcripts: string[] };
    expect(done.codings).toBe(1);
    await until(async () => new TranscriptDoc(doc).codings.size, (n) => n === 1);
    const undo = await fetch(`${a.url}/api/projects/${pid}/search/code/undo`, {
      method: 'POST', headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ batch: done.batch, transcripts: done.transcripts }),
    });
    expect(await undo.json()).toEqual({ removed: 1 });
    await until(async () => new TranscriptDoc(doc).codings.size, (n) => n === 0);
    p.destroy();
  });
});
