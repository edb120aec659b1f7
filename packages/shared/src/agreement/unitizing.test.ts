import { describe, expect, it } from 'vitest';
import { krippendorffAlpha } from './alpha.ts';
import { unitizingAlphaFamily, type ContinuumSection } from './unitizing.ts';

/**
 * The 2016 family (Krippendorff, Mathet, Bouvry & Widlöcher, Quality & Quantity 50) reduces to
 * Krippendorff's α for predefined units when every section is one position long: then
 * S_c = n_c, l.. = n and e_cc = n_c(n_c − 1)/(n − 1), the coincidence matrices of the 2011
 * "Computing Krippendorff's Alpha-Reliability" paper. With two coders cuα is α over the
 * positions both coders valued (gaps as missing values). The published worked examples below
 * are reproduced through that reduction, to 3 decimals.
 */
const sections = (coder: string, labels: readonly (string | null)[], offset = 0): ContinuumSection[] =>
  labels.flatMap((v, i) => (v === null ? [] : [{ coder, start: offset + i, end: offset + i + 1, value: v }]));

describe('α family on unit-length sections = published α examples', () => {
  it('Krippendorff (2011), example A, binary data, two observers: α = .095 (_uα and |uα, the 1s as sections, the 0s as gaps)', () => {
    const A = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0];
    const B = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0];
    expect(krippendorffAlpha([A, B]).alpha).toBeCloseTo(0.095, 3);
    const r = unitizingAlphaFamily(10, [
      ...sections('A', A.map((x) => (x ? 'relevant' : null))),
      ...sections('B', B.map((x) => (x ? 'relevant' : null))),
    ]);
    expect(r.uAlpha).toBeCloseTo(0.095, 3);
    expect(r.binaryAlpha).toBeCloseTo(0.095, 3);
    expect(r.cuAlpha).toBeNaN(); // one value only: nothing to code apart
  });

  // Gwet (2014), Handbook of Inter-Rater Reliability, two abstractors × 100 units (the
  // irrCAC README's cont3x3abstractors): Krippendorff's α = .7972585.
  const TABLE = [[13, 0, 0], [0, 20, 7], [0, 4, 56]];
  const NAMES = ['Ectopic', 'AIU', 'NIU'];
  const a: string[] = [];
  const b: string[] = [];
  TABLE.forEach((row, k) => row.forEach((c, l) => { for (let i = 0; i < c; i++) { a.push(NAMES[k]!); b.push(NAMES[l]!); } }));

  it('Gwet (2014) abstractors, 3 values, no gaps: _uα = cuα = α = .797, coverage 100 %', () => {
    const r = unitizingAlphaFamily(100, [...sections('A', a), ...sections('B', b)]);
    expect(r.uAlpha).toBeCloseTo(0.7972585, 3);
    expect(r.cuAlpha).toBeCloseTo(0.7972585, 3);
    expect(r.cuCoverage).toBeCloseTo(1, 12);
    expect(r.binaryAlpha).toBeNaN(); // no gaps: relevant vs irrelevant does not vary
  });

  it('the same units between long uncoded stretches: cuα stays .797 (gaps left out), _uα and |uα see the gaps', () => {
    const r = unitizingAlphaFamily(400, [...sections('A', a, 150), ...sections('B', b, 150)]);
    expect(r.cuAlpha).toBeCloseTo(0.7972585, 3);
    expect(r.cuCoverage).toBeCloseTo(0.25, 12);
    expect(r.binaryAlpha).toBe(1); // both set apart exactly the same matter
    expect(r.uAlpha).toBeGreaterThan(0.7972585);
    // (k)cuα per value equals α of that value against the others (Krippendorff 2019, per-value α)
    const ectopic = r.perValue.find((v) => v.value === 'Ectopic')!;
    expect(ectopic.alpha).toBeCloseTo(1, 12);
    const binaryAIU = krippendorffAlpha([a.map((x) => x === 'AIU'), b.map((x) => x === 'AIU')].map((r2) => r2.map((x) => (x ? 1 : 0)))).alpha;
    expect(r.perValue.find((v) => v.value === 'AIU')!.alpha).toBeCloseTo(binaryAIU, 3);
  });

  it('two coders with gaps inside: cuα equals α with each gap as a missing value', () => {
    const A = ['x', 'y', null, 'x', 'y', 'y', null, 'x'];
    const B = ['x', 'x', 'y', null, 'y', 'y', 'x', 'x'];
    const r = unitizingAlphaFamily(8, [...sections('A', A), ...sections('B', B)]);
    expect(r.cuAlpha).toBeCloseTo(krippendorffAlpha([A, B]).alpha, 12);
    // and _uα is α with the gap as a value of its own
    expect(r.uAlpha).toBeCloseTo(krippendorffAlpha([A.map((x) => x ?? '∅'), B.map((x) => x ?? '∅')]).alpha, 12);
  });
});

describe('sections longer than one position', () => {
  it('identical sections agree perfectly; shifted ones less; a coder who coded nothing is all gap', () => {
    const same = unitizingAlphaFamily(100, [
      { coder: 'A', start: 10, end: 30, value: 'X' }, { coder: 'B', start: 10, end: 30, value: 'X' },
      { coder: 'A', start: 50, end: 70, value: 'Y' }, { coder: 'B', start: 50, end: 70, value: 'Y' },
    ]);
    expect(same.uAlpha).toBeCloseTo(1, 12);
    expect(same.binaryAlpha).toBeCloseTo(1, 12);
    expect(same.cuAlpha).toBeCloseTo(1, 12);
    const shifted = unitizingAlphaFamily(100, [
      { coder: 'A', start: 10, end: 30, value: 'X' }, { coder: 'B', start: 14, end: 34, value: 'X' },
      { coder: 'A', start: 50, end: 70, value: 'Y' }, { coder: 'B', start: 50, end: 70, value: 'Y' },
    ]);
    expect(shifted.binaryAlpha).toBeLessThan(1);
    expect(shifted.cuAlpha).toBeCloseTo(1, 12); // where they overlap, the values agree
    const silent = unitizingAlphaFamily(100, [{ coder: 'A', start: 10, end: 30, value: 'X' }], ['A', 'B']);
    expect(silent.binaryAlpha).toBeLessThan(0);
  });

  it('refuses overlapping sections of one coder and sections outside the continuum', () => {
    expect(() => unitizingAlphaFamily(10, [{ coder: 'A', start: 0, end: 5, value: 'X' }, { coder: 'A', start: 4, end: 6, value: 'Y' }], ['A', 'B'])).toThrow(/overlapping/);
    expect(() => unitizingAlphaFamily(10, [{ coder: 'A', start: 8, end: 12, value: 'X' }], ['A', 'B'])).toThrow(RangeError);
    expect(() => unitizingAlphaFamily(10, [], ['A'])).toThrow(/two coders/);
  });
});
