import fs from 'node:fs';
import path from 'node:path';
import * as Y from 'yjs';
import { afterAll, describe, expect, it } from 'vitest';
import { TranscriptDoc } from '@concord/shared';
import { REPO_ROOT } from '../env.ts';
import { HttpError } from '../errors.ts';
import { ImportPool } from './import-pool.ts';
import { prepareTranscript, readRefi } from './import-tasks.ts';

const SEED_003 = fs.readdirSync(path.join(REPO_ROOT, 'seeds')).find((f) => f.startsWith('003'))!;
const seed003 = new Uint8Array(fs.readFileSync(path.join(REPO_ROOT, 'seeds', SEED_003)));

function turnsOf(updates: Uint8Array[]) {
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, u);
  const t = new TranscriptDoc(doc);
  return { text: t.body.toString(), turns: t.resolveTurns().map((r) => [r.speaker, r.start, r.end]), codings: t.resolveCodings().map((c) => [c.codeId, c.text]) };
}

const pools: ImportPool[] = [];
afterAll(async () => { await Promise.all(pools.map((p) => p.close())); });

describe('import tasks', () => {
  it('asks for the codebook ids of inline codes first, then builds the codings with them', async () => {
    const first = await prepareTranscript({ kind: 'transcript', source: { bytes: seed003, fileName: SEED_003 }, coderId: 'u1' });
    if (!first.ok || first.stage !== 'codes') throw new Error('expected the codes stage');
    const codeIds = Object.fromEntries(first.codes.map((c, i) => [c.name, `code-${i}`]));
    const built = await prepareTranscript({ kind: 'transcript', source: { bytes: seed003, fileName: SEED_003 }, coderId: 'u1', codeIds });
    if (!built.ok || built.stage !== 'built') throw new Error('expected a document');
    const doc = turnsOf(built.updates);
    expect(doc.turns).toHaveLength(built.turns);
    expect(doc.codings.length).toBe(built.codings);
    expect(built.codings).toBeGreaterThan(10);
    for (const [id] of doc.codings) expect(Object.values(codeIds)).toContain(id);
  });

  it('keeps subtitle start times on the turns, in seconds', async () => {
    const vtt = 'WEBVTT\n\n00:00:01.500 --> 00:00:04.000\n<v Ana>Hello there.\n\n00:00:04.250 --> 00:00:06.000\n<v Ben>Hi.\n';
    const r = await prepareTranscript({ kind: 'transcript', source: { bytes: new TextEncoder().encode(vtt), fileName: 'call.vtt' }, coderId: 'u1' });
    if (!r.ok || r.stage !== 'built') throw new Error('expected a document');
    const doc = new Y.Doc();
    for (const u of r.updates) Y.applyUpdate(doc, u);
    expect(new TranscriptDoc(doc).resolveTurns().map((t) => [t.speaker, t.startTime])).toEqual([['Ana', 1.5], ['Ben', 4.25]]);
  });

  it('refuses a REFI-QDA text over the transcript limits before anything is created', async () => {
    const qdpx = new Uint8Array(fs.readFileSync(path.join(REPO_ROOT, 'seeds/refi-samples/qc-demo.qdpx')));
    const ok = await readRefi({ kind: 'refi-read', bytes: qdpx, fileName: 'qc-demo.qdpx' });
    expect(ok.ok).toBe(true);
    const tiny = await readRefi({ kind: 'refi-read', bytes: qdpx, fileName: 'qc-demo.qdpx', limits: { maxBytes: 100, maxTurns: 50_000 } });
    expect(tiny).toMatchObject({ ok: false, code: 'too_large' });
    const few = await readRefi({ kind: 'refi-read', bytes: qdpx, fileName: 'qc-demo.qdpx', limits: { maxBytes: 5_000_000, maxTurns: 1 } });
    expect(few).toMatchObject({ ok: false, code: 'too_many_turns' });
  });
});

describe('the import pool', () => {
  it('runs tasks in a worker thread with the same result as on this thread', async () => {
    const pool = new ImportPool({ threads: 1 });
    pools.push(pool);
    const text = 'Interviewer: How do you test models?\n\nP1: Mostly by hand, sadly.\n';
    const inWorker = await pool.transcript({ source: { text }, name: 'T', coderId: 'u1' });
    expect(pool.threads).toBe(1);
    const here = await prepareTranscript({ kind: 'transcript', source: { text }, name: 'T', coderId: 'u1' });
    if (!inWorker.ok || inWorker.stage !== 'built' || !here.ok || here.stage !== 'built') throw new Error('expected documents');
    expect(turnsOf(inWorker.updates)).toEqual(turnsOf(here.updates));
    expect(inWorker).toMatchObject({ name: 'T', turns: 2, speakers: ['Interviewer', 'P1'] });
  });

  it('answers "busy" (503) when its queue is full, and finishes the tasks it accepted', async () => {
    const pool = new ImportPool({ threads: 1, maxQueue: 1 });
    pools.push(pool);
    const runs = Array.from({ length: 6 }, (_, i) => pool.transcript({ source: { bytes: seed003, fileName: `copy-${i}.txt` }, coderId: 'u1' })
      .then(() => 'done', (err: unknown) => err));
    const outcomes = await Promise.all(runs);
    const refused = outcomes.filter((o): o is HttpError => o instanceof HttpError);
    expect(refused.length).toBeGreaterThan(0);
    for (const e of refused) expect([e.status, e.code]).toEqual([503, 'busy']);
    expect(outcomes.filter((o) => o === 'done').length).toBeGreaterThanOrEqual(2);
  });
});
