import { describe, expect, it } from 'vitest';
import { krippendorffAlpha } from './alpha.ts';
import { conventionAgreement, CONVENTIONS, type Convention, type ConventionResult } from './conventions.ts';
import { fleissKappa } from './kappa.ts';
import type { ComparedTranscript } from './pooled.ts';
import { FIXTURE, TEXT, TURNS as turns } from './test-fixture.ts';
import { transcriptAgreement } from '../reconcile/report.ts';
import { unitizingAlphaFamily } from './unitizing.ts';

const NO_BOOT = { bootstrap: { samples: 0 } };
const v = (r: ConventionResult, coef: string, code?: string) =>
  (code ? r.perCode.find((c) => c.codeId === code)! : r.overall).figures[coef as 'percent']!.value;

describe('conventions on one transcript', () => {
  it('words (Concord) for two coders gives the figures of the word-level report', () => {
    const r = conventionAgreement([FIXTURE], ['A', 'B'], 'words', NO_BOOT);
    const old = transcriptAgreement(TEXT, turns, FIXTURE.coders.get('A')!, FIXTURE.coders.get('B')!, ['data', 'metrics', 'ownership']);
    for (const c of old.perCode) {
      expect(v(r, 'percent', c.codeId)).toBeCloseTo(c.percent, 12);
      expect(v(r, 'cohen', c.codeId)).toBeCloseTo(c.kappa, 12);
      expect(v(r, 'alpha', c.codeId)).toBeCloseTo(c.alpha, 12);
      expect(r.perCode.find((x) => x.codeId === c.codeId)!.counts).toEqual({ both: c.both, onlyA: c.onlyA, onlyB: c.onlyB, neither: c.neither });
    }
    expect(r.overall.n).toBe(old.overall.n);
    // Brennan–Prediger with two categories is 2·p_o − 1
    expect(v(r, 'brennanPrediger')).toBeCloseTo(2 * v(r, 'percent') - 1, 12);
  });

  it('characters (NVivo) counts every character of the transcript, coded or not', () => {
    const r = conventionAgreement([FIXTURE], ['A', 'B'], 'characters', NO_BOOT);
    const metrics = r.perCode.find((c) => c.codeId === 'metrics')!;
    expect(metrics.n).toBe(TEXT.length);
    expect(metrics.counts).toEqual({ both: 37, onlyA: 4, onlyB: 0, neither: TEXT.length - 41 });
    expect(v(r, 'percent', 'metrics')).toBeCloseTo((TEXT.length - 4) / TEXT.length, 12);
  });

  it('presence and frequency (MAXQDA) compare transcript × code units', () => {
    const p = conventionAgreement([FIXTURE], ['A', 'B'], 'presence', NO_BOOT);
    expect(p.overall.n).toBe(3);
    expect(v(p, 'percent')).toBe(1); // both applied every code in the transcript
    const f = conventionAgreement([FIXTURE], ['A', 'B'], 'frequency', NO_BOOT);
    expect(v(f, 'percent')).toBe(1); // once each
  });

  it('overlap (MAXQDA) depends on the chosen percentage', () => {
    const at90 = conventionAgreement([FIXTURE], ['A', 'B'], 'overlap', { ...NO_BOOT, overlap: 90 });
    const at40 = conventionAgreement([FIXTURE], ['A', 'B'], 'overlap', { ...NO_BOOT, overlap: 40 });
    // metrics overlap 37/41 = 90.2 %; data 20/43 = 46.5 %; ownership none
    expect(at90.overall.n).toBe(6);
    expect(v(at90, 'percent')).toBeCloseTo(2 / 6, 12);
    expect(v(at40, 'percent')).toBeCloseTo(4 / 6, 12);
    // κ as MAXQDA reports it: Brennan & Prediger with chance 1 / number of codes (3)
    expect(v(at40, 'brennanPrediger')).toBeCloseTo((4 / 6 - 1 / 3) / (1 - 1 / 3), 12);
  });

  it('α family (ATLAS.ti): per code |uα is the binary unitizing α of that code', () => {
    const r = conventionAgreement([FIXTURE], ['A', 'B'], 'alpha-family', NO_BOOT);
    const sections = ['A', 'B'].flatMap((coder) => FIXTURE.coders.get(coder)!.filter((c) => c.codeId === 'metrics').map((c) => ({ coder, start: c.start, end: c.end, value: 'metrics' })));
    expect(v(r, 'binaryAlpha', 'metrics')).toBeCloseTo(unitizingAlphaFamily(TEXT.length, sections, ['A', 'B']).binaryAlpha, 12);
    expect(Number.isFinite(v(r, 'uAlpha'))).toBe(true);
    expect(Number.isFinite(v(r, 'cuAlpha'))).toBe(true);
  });

  it('three coders: Fleiss κ and α over the same units as the two-coder figures', () => {
    const r = conventionAgreement([FIXTURE], ['A', 'B', 'C'], 'words', NO_BOOT);
    expect(Object.keys(r.overall.figures)).toEqual(['percent', 'fleiss', 'brennanPrediger', 'gwet', 'alpha']);
    // Rebuild the word × coder ratings for one code and check against the general functions.
    const pair = conventionAgreement([FIXTURE], ['A', 'B', 'C'], 'characters', NO_BOOT);
    const code = 'metrics';
    const rows = ['A', 'B', 'C'].map((c) => Array.from(TEXT, (_, i) => (FIXTURE.coders.get(c)!.some((x) => x.codeId === code && x.start <= i && i < x.end) ? 1 : 0)));
    const counts = rows[0]!.map((_, i) => { const k = rows[0]![i]! + rows[1]![i]! + rows[2]![i]!; return [k, 3 - k]; });
    expect(v(pair, 'fleiss', code)).toBeCloseTo(fleissKappa(counts).kappa, 12);
    expect(v(pair, 'alpha', code)).toBeCloseTo(krippendorffAlpha(rows).alpha, 12);
  });
});

describe('bootstrap intervals and order', () => {
  it('every coefficient has an interval around its value, and figures do not depend on transcript order', () => {
    const second: ComparedTranscript = { ...FIXTURE, id: 't2' };
    for (const convention of Object.keys(CONVENTIONS) as Convention[]) {
      const r = conventionAgreement([FIXTURE, second], ['A', 'B'], convention, { bootstrap: { samples: 200 } });
      const back = conventionAgreement([second, FIXTURE], ['A', 'B'], convention, { bootstrap: { samples: 200 } });
      for (const [name, f] of Object.entries(r.overall.figures)) {
        const other = back.overall.figures[name as 'percent']!.value;
        if (Number.isNaN(f.value)) expect(other).toBeNaN(); else expect(other).toBeCloseTo(f.value, 12);
        if (Number.isNaN(f.lower)) continue;
        expect(f.lower, `${convention} ${name}`).toBeLessThanOrEqual(f.value + 1e-9);
        expect(f.upper, `${convention} ${name}`).toBeGreaterThanOrEqual(f.value - 1e-9);
      }
      expect(Object.values(r.overall.figures).some((f) => Number.isFinite(f.lower)), convention).toBe(true);
    }
  });

  it('refuses bad input', () => {
    expect(() => conventionAgreement([FIXTURE], ['A'], 'words')).toThrow(/two coders/);
    expect(() => conventionAgreement([FIXTURE], ['A', 'B'], 'overlap', { overlap: 0 })).toThrow(/overlap/);
  });
});
