import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CodebookDoc, codebookRoom, TranscriptDoc, transcriptRoom } from '@concord/shared';
import { addMember, connect, destroyProviders, makeProject, makeTranscript, makeUser, startTestServer, synced, waitFor, type TestUser } from './helpers.ts';
import type { ConcordServer } from '../src/server.ts';

/**
 * Issue #13: pooled agreement must use the pair's own codes (those either coder of the
 * pair applied in the compared transcripts), whatever the order of the transcripts and
 * whatever codes other coders used.
 */
let server: ConcordServer;
let owner: TestUser;
let a: TestUser;
let b: TestUser;
let c: TestUser;

const ONE = 'Interviewer: What went wrong?\n\nP1: The metrics were a poor proxy of quality. Data was also scarce.\n\nInterviewer: Anything else?\n\nP1: Labels were noisy and late.';
const TWO = 'Interviewer: And the team?\n\nP2: Nobody owned the pipeline. Reviews were rare.\n\nInterviewer: Why?\n\nP2: Deadlines came first, quality came later.';

beforeAll(async () => {
  server = await startTestServer();
  owner = await makeUser(server.url, 'Owner');
  a = await makeUser(server.url, 'Ann');
  b = await makeUser(server.url, 'Ben');
  c = await makeUser(server.url, 'Cleo');
});
afterEach(() => destroyProviders());
afterAll(async () => { await server.close(); });

type Plan = { coder: TestUser; code: string; quote: string }[];

/** A project with the two transcripts created in the given order, coded by `plan` (per text). */
async function project(order: 'one-two' | 'two-one'): Promise<{ pid: string; ids: Record<'X' | 'Y' | 'Z' | 'W', string>; code: (text: string, plan: Plan) => Promise<void> }> {
  const pid = await makeProject(owner, `Pooling ${order}`);
  for (const u of [a, b, c]) await addMember(owner, pid, u, 'coder');
  const texts = order === 'one-two' ? [ONE, TWO] : [TWO, ONE];
  const tids = new Map<string, string>();
  tids.set(texts[0]!, await makeTranscript(owner, pid, texts[0], 'First'));
  tids.set(texts[1]!, await makeTranscript(owner, pid, texts[1], 'Second'));
  const cbp = connect(server.url, codebookRoom(pid), owner.token);
  await synced(cbp);
  const cb = new CodebookDoc(cbp.doc);
  const ids = { X: cb.createCode({ name: 'X' }), Y: cb.createCode({ name: 'Y' }), Z: cb.createCode({ name: 'Z' }), W: cb.createCode({ name: 'W' }) };
  await waitFor(() => server.deps.rooms.rooms.get(codebookRoom(pid))?.doc.getMap('codes').size === 4);
  const code = async (text: string, plan: Plan): Promise<void> => {
    const tid = tids.get(text)!;
    const size = () => server.deps.rooms.rooms.get(transcriptRoom(pid, tid))?.doc.getMap('codings').size ?? 0;
    const want = size() + plan.length;
    for (const step of plan) {
      const p = connect(server.url, transcriptRoom(pid, tid), step.coder.token);
      await synced(p);
      const t = new TranscriptDoc(p.doc);
      const start = t.body.toString().indexOf(step.quote);
      t.addCoding(t.codings, { codeId: ids[step.code as 'X'], coderId: step.coder.id, start, end: start + step.quote.length });
    }
    await waitFor(() => size() >= want);
  };
  return { pid, ids, code };
}

const PLAN_ONE = (): Plan => [
  { coder: a, code: 'X', quote: 'The metrics were a poor proxy of quality.' },
  { coder: b, code: 'X', quote: 'The metrics were a poor proxy of quality.' },
  { coder: b, code: 'Y', quote: 'Data was also scarce.' },
  { coder: a, code: 'Y', quote: 'Labels were noisy' },
];
const PLAN_TWO = (): Plan => [
  { coder: a, code: 'Z', quote: 'Nobody owned the pipeline.' },
  { coder: b, code: 'Z', quote: 'Nobody owned the pipeline. Reviews were rare.' },
  { coder: b, code: 'X', quote: 'Deadlines came first' },
];

interface Pair { a: string; b: string; perCode: { codeId: string; n: number; percent: number; kappa: number }[]; overall: { n: number; percent: number; kappa: number; alpha: number } }
async function pairOf(pid: string, x: TestUser, y: TestUser): Promise<Pair> {
  const r = await owner.client.req('GET', `/api/projects/${pid}/agreement`);
  expect(r.status).toBe(200);
  const p = (r.json.pairs as Pair[]).find((q) => [q.a, q.b].sort().join() === [x.id, y.id].sort().join());
  if (!p) throw new Error('pair missing');
  return p;
}

describe('pooled agreement (issue #13)', () => {
  it('gives the same figures for the same data in either transcript order', async () => {
    const forward = await project('one-two');
    await forward.code(ONE, PLAN_ONE());
    await forward.code(TWO, PLAN_TWO());
    const backward = await project('two-one');
    await backward.code(ONE, PLAN_ONE());
    await backward.code(TWO, PLAN_TWO());
    const f = await pairOf(forward.pid, a, b);
    const r = await pairOf(backward.pid, a, b);
    const byName = (p: Pair, ids: Record<string, string>) =>
      Object.fromEntries(Object.entries(ids).map(([name, id]) => [name, p.perCode.find((x) => x.codeId === id) ?? null]).map(([k, v]) => [k, v && { n: (v as Pair['perCode'][0]).n, percent: (v as Pair['perCode'][0]).percent, kappa: (v as Pair['perCode'][0]).kappa }]));
    expect(byName(r, backward.ids)).toEqual(byName(f, forward.ids));
    expect(r.overall).toEqual(f.overall);
    // X was applied in both transcripts: its pooled units cover both (not only the later one)
    const x = f.perCode.find((p) => p.codeId === forward.ids.X)!;
    const z = f.perCode.find((p) => p.codeId === forward.ids.Z)!;
    expect(x.n).toBe(z.n);
  });

  it('leaves a pair unchanged by codes only a third coder used', async () => {
    const p = await project('one-two');
    await p.code(ONE, PLAN_ONE());
    await p.code(TWO, PLAN_TWO());
    const before = await pairOf(p.pid, a, b);
    await p.code(ONE, [{ coder: c, code: 'W', quote: 'Anything else?' }]);
    const after = await pairOf(p.pid, a, b);
    expect(after.perCode.map((x) => x.codeId)).not.toContain(p.ids.W);
    expect(after.overall).toEqual(before.overall);
    expect(after.perCode).toEqual(before.perCode);
  });
});

describe('agreement conventions and the report file (issue #19)', () => {
  it('answers each convention with figures and intervals, all coders at once, and the report as Markdown and CSV', async () => {
    const p = await project('one-two');
    await p.code(ONE, [...PLAN_ONE(), { coder: c, code: 'X', quote: 'The metrics were a poor proxy' }]);
    await p.code(TWO, [...PLAN_TWO(), { coder: c, code: 'Z', quote: 'Nobody owned the pipeline.' }]);
    const get = (q: string) => owner.client.req('GET', `/api/projects/${p.pid}/agreement?${q}`);
    const words = (await get(`convention=words&group=${a.id},${b.id}&samples=200`)).json.analysis;
    const chars = (await get(`convention=characters&group=${a.id},${b.id}&samples=200`)).json.analysis;
    expect(words.coders).toEqual([a.id, b.id]);
    expect(Object.keys(words.overall.figures)).toEqual(['percent', 'cohen', 'brennanPrediger', 'scott', 'gwet', 'alpha']);
    expect(chars.overall.n).toBeGreaterThan(words.overall.n); // every character of both transcripts
    expect(chars.overall.figures.cohen.value).not.toBe(words.overall.figures.cohen.value);
    const k = words.overall.figures.cohen;
    expect(k.lower).toBeLessThanOrEqual(k.value);
    expect(k.upper).toBeGreaterThanOrEqual(k.value);
    const all = (await get('convention=words&group=all&samples=100')).json.analysis;
    expect(all.coders).toHaveLength(3);
    expect(Object.keys(all.overall.figures)).toContain('fleiss');
    const overlap = (await get(`convention=overlap&overlap=50&group=${a.id},${b.id}&samples=100`)).json.analysis;
    expect(overlap.overlap).toBe(50);
    const family = (await get(`convention=alpha-family&group=${a.id},${b.id}&samples=100`)).json.analysis;
    expect(Object.keys(family.overall.figures)).toEqual(['uAlpha', 'binaryAlpha', 'cuAlpha']);

    expect((await get('convention=kappa-of-doom')).status).toBe(400);
    expect((await get('convention=overlap&overlap=0')).status).toBe(400);
    expect((await get(`convention=words&group=${a.id}`)).status).toBe(400);

    const md = await owner.client.req('GET', `/api/projects/${p.pid}/agreement/report?format=md&convention=characters&group=${a.id},${b.id}&samples=100`);
    expect(md.status).toBe(200);
    expect(md.text).toContain('## Method');
    expect(md.text).toContain('Following the convention of NVivo');
    expect(md.text).toContain('Ann and Ben');
    const csv = await owner.client.req('GET', `/api/projects/${p.pid}/agreement/report?format=csv&convention=words&group=all&samples=100`);
    expect(csv.text.split('\r\n')[0]).toBe('convention,tool,overlap,coders,scope,name,n,coefficient,value,ci_lower,ci_upper,confidence');
    expect(csv.text).toContain('Fleiss’ κ');
    expect((await owner.client.req('GET', `/api/projects/${p.pid}/agreement/report?format=pdf`)).status).toBe(400);
  });
});
