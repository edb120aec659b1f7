import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { krippendorffAlpha, cohenKappa } from '../agreement/index.ts';
import { layerCodings, TranscriptDoc } from '../schema/transcript.ts';
import { applyDecision, pendingDisagreements } from './decisions.ts';
import { findDisagreements, type CoderCoding } from './disagreements.ts';
import { figuresFromCounts, transcriptAgreement } from './report.ts';

const c = (id: string, codeId: string, coderId: string, start: number, end: number): CoderCoding => ({ id, codeId, coderId, start, end });

describe('pooled figures from a 2×2 table', () => {
  it('match cohenKappa and krippendorffAlpha on the expanded data', () => {
    const counts = { both: 7, onlyA: 3, onlyB: 2, neither: 18 };
    const a: number[] = [];
    const b: number[] = [];
    const push = (x: number, y: number, n: number) => { for (let i = 0; i < n; i++) { a.push(x); b.push(y); } };
    push(1, 1, counts.both); push(1, 0, counts.onlyA); push(0, 1, counts.onlyB); push(0, 0, counts.neither);
    const f = figuresFromCounts(counts);
    expect(f.kappa).toBeCloseTo(cohenKappa(a, b).kappa, 10);
    expect(f.alpha).toBeCloseTo(krippendorffAlpha([a, b], 'nominal').alpha, 10);
    expect(f.percent).toBeCloseTo(25 / 30, 10);
  });
});

describe('transcript agreement', () => {
  it('counts words, only in turns someone coded', () => {
    const text = 'one two three four\n\nfive six seven eight\n\nnine ten';
    const turns: [number, number][] = [[0, 18], [20, 40], [42, 50]];
    // A codes "two three" with X; B codes "three four" with X; nobody codes turns 2 and 3.
    const r = transcriptAgreement(text, turns, [{ codeId: 'X', start: 4, end: 13 }], [{ codeId: 'X', start: 8, end: 18 }], ['X']);
    expect(r.perCode[0]).toMatchObject({ n: 4, both: 1, onlyA: 1, onlyB: 1, neither: 1 });
    expect(r.overall.n).toBe(4);
  });
});

describe('disagreements', () => {
  it('finds only-A, only-B, different codes and boundary differences, with stable keys', () => {
    const a = [c('a1', 'X', 'A', 0, 50), c('a2', 'Y', 'A', 100, 150), c('a3', 'Z', 'A', 200, 240), c('a4', 'X', 'A', 300, 340)];
    const b = [c('b1', 'X', 'B', 2, 48), c('b2', 'W', 'B', 105, 150), c('b3', 'X', 'B', 300, 380), c('b4', 'Q', 'B', 500, 520)];
    const d = findDisagreements(a, b);
    expect(d.map((x) => x.key)).toEqual(['different-codes:a2:b2', 'only-a:a3:-', 'boundary:a4:b3', 'only-b:-:b4']);
    expect(d[2]).toMatchObject({ start: 300, end: 380 });
    expect(findDisagreements(a, b).map((x) => x.key)).toEqual(d.map((x) => x.key));
  });
});

describe('applying decisions', () => {
  function setup() {
    const doc = new Y.Doc();
    const t = new TranscriptDoc(doc);
    t.initialise('The model metrics are a poor proxy of quality, we found.', [{ speaker: 'P1', start: 0 }], { name: 't' });
    const la = layerCodings(new Y.Doc());
    const lb = layerCodings(new Y.Doc());
    const ca = t.addCoding(la, { codeId: 'ME', coderId: 'A', start: 4, end: 17 });
    const cb = t.addCoding(lb, { codeId: 'ME', coderId: 'B', start: 10, end: 45 });
    const d = findDisagreements(
      [{ id: ca.id, codeId: 'ME', coderId: 'A', start: 4, end: 17 }],
      [{ id: cb.id, codeId: 'ME', coderId: 'B', start: 10, end: 45 }],
    );
    return { t, la, lb, d };
  }

  it('merge boundaries writes the union into the consensus layer and logs who, what and why', () => {
    const { t, la, lb, d } = setup();
    expect(d).toHaveLength(1);
    const dec = applyDecision(t, { a: la, b: lb }, d[0]!, 'merge', 'u1', 'both right', (id) => `code ${id}`);
    expect(t.resolveCodings().map((x) => x.text)).toEqual(['model metrics are a poor proxy of quality']);
    expect(t.decisions.toArray()).toEqual([dec]);
    expect(dec).toMatchObject({ action: 'merge', userId: 'u1', comment: 'both right' });
    expect(dec.summary).toContain('code ME');
    expect(pendingDisagreements(t, d)).toEqual([]);
  });

  it('a later decision replaces the earlier one; defer keeps it pending and needs a reason', () => {
    const { t, la, lb, d } = setup();
    applyDecision(t, { a: la, b: lb }, d[0]!, 'accept-a', 'u1', '');
    expect(t.resolveCodings().map((x) => x.text)).toEqual(['model metrics']);
    applyDecision(t, { a: la, b: lb }, d[0]!, 'accept-b', 'u2', 'B had the whole idea');
    expect(t.resolveCodings().map((x) => x.text)).toEqual(['metrics are a poor proxy of quality']);
    expect(() => applyDecision(t, { a: la, b: lb }, d[0]!, 'defer', 'u1', '  ')).toThrow(/why/);
    applyDecision(t, { a: la, b: lb }, d[0]!, 'defer', 'u1', 'ask the PI');
    expect(pendingDisagreements(t, d)).toHaveLength(1);
    applyDecision(t, { a: la, b: lb }, d[0]!, 'reject', 'u1', 'not ME');
    expect(t.resolveCodings()).toEqual([]);
    expect(t.decisions.length).toBe(4);
  });
});
