import { describe, expect, it } from 'vitest';
import { krippendorffAlpha } from './alpha.ts';
import { cohenKappa } from './kappa.ts';

const _ = null;

describe('krippendorffAlpha', () => {
  // Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability" (Annenberg School for
  // Communication, Departmental Papers 43), §A: two observers, binary data, 10 units → α = 0.095.
  // By hand: coincidences o_00 = 10, o_11 = 2, o_01 = o_10 = 4; n_0 = 14, n_1 = 6, n = 20;
  // α = 1 − (n − 1)·o_01 / (n_0·n_1) = 1 − 19·4/84 = 0.0952.
  it('reproduces Krippendorff (2011) binary example: 0.095', () => {
    const r = krippendorffAlpha(
      [
        [0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
        [1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
      ],
      'nominal',
    );
    expect(r.alpha).toBeCloseTo(0.095, 3);
    expect(r.pairable).toBe(20);
    expect(r.units).toBe(10);
  });

  // Krippendorff (2011), §C: four observers × 12 units with missing values. Published:
  // nominal α = 0.743, interval α = 0.849, ratio α = 0.797; ordinal α = 0.815 (same data,
  // commonly cited; also what the ordinal δ² of §C gives). Unit 12 has a single value (B: 3)
  // and is not pairable, leaving n.. = 40 values in 11 units.
  // Nominal by hand: Σ_c o_cc = 32 of n = 40 → Do = 8/40 = .2; marginals n_c = 9, 13, 10, 5, 3 →
  // De = (40² − Σ n_c²)/(40·39) = (1600 − 384)/1560 = .7795; α = 1 − .2/.7795 = .7434.
  const reliability = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
    [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
  ];
  it('reproduces Krippendorff (2011) 4 coders × 12 units: nominal 0.743', () => {
    const r = krippendorffAlpha(reliability, 'nominal');
    expect(r.alpha).toBeCloseTo(0.743, 3);
    expect(r.observed).toBeCloseTo(0.2, 12);
    expect(r.expected).toBeCloseTo(1216 / 1560, 12);
    expect(r.pairable).toBe(40);
    expect(r.units).toBe(11);
  });
  it('reproduces Krippendorff (2011) 4 × 12: ordinal 0.815, interval 0.849, ratio 0.797', () => {
    expect(krippendorffAlpha(reliability, 'ordinal').alpha).toBeCloseTo(0.815, 3);
    expect(krippendorffAlpha(reliability, 'interval').alpha).toBeCloseTo(0.849, 3);
    expect(krippendorffAlpha(reliability, 'ratio').alpha).toBeCloseTo(0.797, 3);
  });

  // Hayes & Krippendorff (2007), "Answering the call for a standard reliability measure for
  // coding data", Communication Methods and Measures 1(1):77–89, p. 84: 5 observers × 40 units,
  // ordinal, α = 0.7598 (data as transcribed in DKPro Statistics' HayesKrippendorff2007Test).
  it('reproduces Hayes & Krippendorff (2007) ordinal example: 0.7598', () => {
    const units = [
      [1, 1, 2, _, 2], [1, 1, 0, 1, _], [2, 3, 3, 3, _], [_, 0, 0, _, 0], [0, 0, 0, _, 0],
      [0, 0, 0, _, 0], [1, 0, 2, _, 1], [1, _, 2, 0, _], [2, 2, 2, _, 2], [2, 1, 1, 1, _],
      [_, 1, 0, 0, _], [0, 0, 0, 0, _], [1, 2, 2, 2, _], [3, 3, 2, 2, 3], [1, 1, 1, _, 1],
      [1, 1, 1, _, 1], [2, 1, 2, _, 2], [1, 2, 3, 3, _], [1, 1, 0, 1, _], [0, 0, 0, _, 0],
      [0, 0, 1, 1, _], [0, 0, _, 0, 0], [2, 3, 3, 3, _], [0, 0, 0, 0, _], [1, 2, _, 2, 2],
      [0, 1, 1, 1, _], [0, 0, 0, 1, 0], [1, 2, 1, 2, _], [1, 1, 2, 2, _], [1, 1, 2, _, 2],
      [1, 1, 0, _, 0], [2, 1, 2, 1, _], [2, 2, _, 2, 2], [3, 2, 2, 2, _], [2, 2, 2, _, 2],
      [2, 2, 3, _, 2], [2, 2, 2, _, 2], [2, 2, _, 1, 2], [2, 2, 2, 2, _], [1, 1, 1, _, 1],
    ];
    const data = [0, 1, 2, 3, 4].map((coder) => units.map((u) => u[coder] ?? null));
    expect(krippendorffAlpha(data, 'ordinal').alpha).toBeCloseTo(0.7598, 4);
  });

  it('drops units with fewer than two values', () => {
    const withSingletons = krippendorffAlpha(
      [
        ['a', 'b', 'a', 'c', _],
        ['a', 'b', 'b', _, 'c'],
      ],
      'nominal',
    );
    const without = krippendorffAlpha(
      [
        ['a', 'b', 'a'],
        ['a', 'b', 'b'],
      ],
      'nominal',
    );
    expect(withSingletons).toEqual(without);
    expect(withSingletons.units).toBe(3);
  });

  it('is 1 for perfect agreement and NaN when undefined', () => {
    expect(krippendorffAlpha([[1, 2, 3], [1, 2, 3], [1, 2, _]], 'interval').alpha).toBe(1);
    expect(krippendorffAlpha([['x', 'x'], ['x', 'x']]).alpha).toBeNaN(); // no variation: 0/0
    expect(krippendorffAlpha([[1, _], [_, 2]]).alpha).toBeNaN(); // nothing pairable
    expect(krippendorffAlpha([]).alpha).toBeNaN();
  });

  it('approaches Cohen/Scott for two coders on large samples and is invariant to coder order', () => {
    const a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0];
    const b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0];
    expect(krippendorffAlpha([a, b]).alpha).toBeCloseTo(krippendorffAlpha([b, a]).alpha, 12);
    // α = 1 − (n−1)/n · (1 − π) for two coders without missing values (Scott's π uses pooled
    // marginals); here π = (.6 − .58)/(1 − .58) = 0.0476 → α = 1 − 19/20 · 0.9524 = 0.0952.
    const pi = (0.6 - 0.58) / (1 - 0.58);
    expect(krippendorffAlpha([a, b]).alpha).toBeCloseTo(1 - (19 / 20) * (1 - pi), 12);
    expect(cohenKappa(a, b).kappa).not.toBeCloseTo(krippendorffAlpha([a, b]).alpha, 3);
  });

  it('ranks ordinal string labels by options.order like the equivalent numbers', () => {
    const scale = ['low', 'mid', 'high', 'top', 'max'];
    const asText = reliability.map((row) => row.map((v) => (v === null ? null : scale[v - 1]!)));
    expect(krippendorffAlpha(asText, 'ordinal', { order: scale }).alpha).toBeCloseTo(
      krippendorffAlpha(reliability, 'ordinal').alpha,
      12,
    );
    // Nominal alpha does not care about the labels' spelling.
    expect(krippendorffAlpha(asText, 'nominal').alpha).toBeCloseTo(krippendorffAlpha(reliability).alpha, 12);
  });

  it('rejects malformed input', () => {
    expect(() => krippendorffAlpha([[1, 2], [1]])).toThrow(RangeError);
    expect(() => krippendorffAlpha([['a', 'b'], ['a', 'a']], 'interval')).toThrow(TypeError);
    expect(() => krippendorffAlpha([['a', 'b'], ['a', 'a']], 'ordinal')).toThrow(TypeError);
    expect(() => krippendorffAlpha([['a', 'b'], ['a', 'c']], 'ordinal', { order: ['a', 'b'] })).toThrow(RangeError);
  });
});
