import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { applyDecision } from '../reconcile/decisions.ts';
import { findDisagreements } from '../reconcile/disagreements.ts';
import { layerCodings, TranscriptDoc, type Coding } from '../schema/transcript.ts';
import { recordAgreements } from './agreements.ts';
import { codingsInScope, recordCount, transcriptRecord } from './record.ts';

const TEXT = 'We never trusted the metrics. The data was noisy and labels were wrong. Deployment took months. Users complained a lot.';
const at = (words: string): [number, number] => { const s = TEXT.indexOf(words); return [s, s + words.length]; };

/** Two coders, independent mode: one agreement (same code, boundaries 2 characters apart) and three disagreements. */
function independent() {
  const doc = new Y.Doc();
  const t = new TranscriptDoc(doc);
  t.initialise(TEXT, [{ speaker: 'P1', start: 0 }], { name: 't', mode: 'independent' });
  const la = new Y.Doc();
  const lb = new Y.Doc();
  const a = layerCodings(la);
  const b = layerCodings(lb);
  const add = (m: Y.Map<Coding>, coderId: string, codeId: string, [s, e]: [number, number]) => t.addCoding(m, { codeId, coderId, start: s, end: e });
  const agreedA = add(a, 'A', 'TRUST', at('We never trusted the metrics.'));
  const agreedB = add(b, 'B', 'TRUST', [at('We never trusted the metrics.')[0] + 3, at('We never trusted the metrics.')[1]]);
  add(a, 'A', 'DATA', at('The data was noisy'));
  add(b, 'B', 'LABELS', at('The data was noisy'));
  add(a, 'A', 'TIME', at('Deployment took months.'));
  add(b, 'B', 'USERS', at('Users complained a lot.'));
  const resolve = (m: Y.Map<Coding>, coderId: string) => t.resolveCodings(m).map((c) => ({ ...c, coderId }));
  const disagreements = () => findDisagreements(resolve(a, 'A'), resolve(b, 'B'));
  return { t, a, b, agreedA, agreedB, disagreements, layers: new Map([['A', la], ['B', lb]]) };
}

const reveal = (t: TranscriptDoc) => t.meta.set('revealed', true);

describe('the research record', () => {
  it('is every shared coding of an open transcript, each marked as an open coding', () => {
    const t = new TranscriptDoc(new Y.Doc());
    t.initialise(TEXT, [{ speaker: 'P1', start: 0 }], { name: 't' });
    t.addCoding(t.codings, { codeId: 'X', coderId: 'A', start: 0, end: 10 });
    t.addCoding(t.codings, { codeId: 'Y', coderId: 'B', start: 30, end: 40 });
    expect(transcriptRecord(t).map((c) => [c.codeId, c.source, c.coders])).toEqual([['X', 'open', ['A']], ['Y', 'open', ['B']]]);
    expect(recordCount(t)).toBe(2);
  });

  it('holds nothing of an independent transcript before the reveal, even what its shared layer holds', () => {
    const { t } = independent();
    t.addCoding(t.codings, { codeId: 'OLD', coderId: 'A', start: 0, end: 5 });
    expect(transcriptRecord(t)).toEqual([]);
    expect(recordCount(t)).toBe(0);
  });

  it('from the reveal on holds the agreed coding once, with both coders, and never a coder\'s layer', () => {
    const { t, a, b, layers } = independent();
    reveal(t);
    expect(recordAgreements(t, { a: 'A', b: 'B' }, { a, b })).toBe(1);
    // Running it again (a reconciliation session, the other coder, the reversed pair) adds nothing.
    expect(recordAgreements(t, { a: 'B', b: 'A' }, { a: b, b: a })).toBe(0);
    expect(recordAgreements(t, { a: 'A', b: 'B' }, { a, b })).toBe(0);
    const rec = transcriptRecord(t);
    expect(rec).toHaveLength(1);
    expect(rec[0]).toMatchObject({ codeId: 'TRUST', source: 'consensus', basis: 'agreed', coders: ['A', 'B'], text: 'We never trusted the metrics.' });
    // The coders' layers stay what they are: listed only when asked for.
    const own = codingsInScope(t, 'coders', layers);
    expect(own.map((c) => `${c.coderId}:${c.codeId}:${c.source}`).sort()).toEqual([
      'A:DATA:layer', 'A:TIME:layer', 'A:TRUST:layer', 'B:LABELS:layer', 'B:TRUST:layer', 'B:USERS:layer',
    ]);
  });

  it('after every disagreement is decided: the agreed coding plus what was decided, nothing rejected or overruled', () => {
    const { t, a, b, disagreements } = independent();
    reveal(t);
    recordAgreements(t, { a: 'A', b: 'B' }, { a, b });
    const d = disagreements();
    expect(d.map((x) => x.kind)).toEqual(['different-codes', 'only-a', 'only-b']);
    applyDecision(t, { a, b }, d[0]!, 'accept-b', 'owner', '');
    applyDecision(t, { a, b }, d[1]!, 'reject', 'owner', 'not about time');
    applyDecision(t, { a, b }, d[2]!, 'accept-b', 'owner', '');
    const rec = transcriptRecord(t);
    expect(rec.map((c) => [c.codeId, c.basis, c.coders])).toEqual([
      ['TRUST', 'agreed', ['A', 'B']],
      ['LABELS', 'accept-b', ['B']],
      ['USERS', 'accept-b', ['B']],
    ]);
    expect(rec.every((c) => c.source === 'consensus')).toBe(true);
    expect(recordCount(t)).toBe(3);
    // A later decision replaces the earlier one's coding; the agreed coding stays.
    applyDecision(t, { a, b }, d[0]!, 'reject', 'owner', 'neither');
    expect(transcriptRecord(t).map((c) => c.codeId)).toEqual(['TRUST', 'USERS']);
  });

  it('a merge is recorded with both coders', () => {
    const { t, a, b, disagreements } = independent();
    reveal(t);
    applyDecision(t, { a, b }, disagreements()[0]!, 'merge', 'owner', '');
    expect(transcriptRecord(t).map((c) => [c.basis, c.coders])).toEqual([['merge', ['A', 'B']], ['merge', ['A', 'B']]]);
  });

  it('skips stored entries of another shape instead of failing', () => {
    const { t, a, b } = independent();
    reveal(t);
    recordAgreements(t, { a: 'A', b: 'B' }, { a, b });
    t.doc.transact(() => {
      (t.codings as Y.Map<unknown>).set('junk', 'not a coding');
      (t.codings as Y.Map<unknown>).set('half', { id: 'half', codeId: 'X' });
      (t.decisions as Y.Array<unknown>).push([null, 42, { disagreementKey: 'k', action: 'explode' }]);
    });
    expect(transcriptRecord(t).map((c) => c.codeId)).toEqual(['TRUST']);
  });

  it('boundaries further apart than the tolerance are a disagreement, not an agreement', () => {
    const { t, a, b } = independent();
    reveal(t);
    expect(recordAgreements(t, { a: 'A', b: 'B' }, { a, b }, { tolerance: 2 })).toBe(0);
    expect(transcriptRecord(t)).toEqual([]);
  });
});
