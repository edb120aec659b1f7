import { describe, expect, it } from 'vitest';
import { krippendorffAlpha } from './alpha.ts';
import {
  agreementWeights, contingencyTable, multiRaterCoefficients, pairCoefficients, ratingDistribution, weightedKappa,
} from './coefficients.ts';
import { cohenKappa, fleissKappa } from './kappa.ts';
import { percentAgreement } from './percent.ts';

/**
 * Published worked examples, reproduced to 3 decimals (`toBeCloseTo(x, 3)`):
 * Gwet, K. L. (2014), Handbook of Inter-Rater Reliability, 4th ed. — the data sets and
 * figures as published in Gwet's own irrCAC package documentation (README.md and the
 * "Weighted Chance-corrected Agreement Coefficients" vignette, kgwet/irrCAC, 2019).
 */

// Gwet (2014), two abstractors classifying 100 pregnancies (irrCAC `cont3x3abstractors`).
const ABSTRACTORS = [
  [13, 0, 0],
  [0, 20, 7],
  [0, 4, 56],
];

// Fleiss (1971) psychiatric diagnoses, 15 subjects × 6 raters (irrCAC `distrib.6raters`).
const SIX_RATERS = [
  [0, 0, 0, 6, 0], [0, 3, 0, 0, 3], [0, 1, 4, 0, 1], [0, 0, 0, 0, 6], [0, 3, 0, 3, 0],
  [2, 0, 4, 0, 0], [0, 0, 4, 0, 2], [2, 0, 3, 1, 0], [2, 0, 0, 4, 0], [0, 0, 0, 0, 6],
  [1, 0, 0, 5, 0], [1, 1, 0, 4, 0], [0, 3, 3, 0, 0], [1, 0, 0, 5, 0], [0, 2, 0, 3, 1],
];

// Gwet (2014), 4 raters, 12 subjects, 5 categories, many ratings missing — no rater rated
// every subject, so the number of raters varies by subject (irrCAC `cac.raw4raters`).
const N = null;
const RAW_4_RATERS = [
  [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
  [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, N],
  [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 3],
  [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
];

describe('two coders: Gwet (2014) Handbook, abstractors table (irrCAC README)', () => {
  const r = pairCoefficients(ABSTRACTORS);
  it('percent agreement .890, Cohen κ .796, Scott π .796, AC1 .849, Brennan–Prediger .835, Krippendorff α .797', () => {
    expect(r.n).toBe(100);
    expect(r.percent).toBeCloseTo(0.89, 3);
    expect(r.cohen).toBeCloseTo(0.7964094, 3);
    expect(r.scott).toBeCloseTo(0.7962397, 3);
    expect(r.gwet).toBeCloseTo(0.8493305, 3);
    expect(r.brennanPrediger).toBeCloseTo(0.835, 3);
    expect(r.alpha).toBeCloseTo(0.7972585, 3);
  });

  it('quadratic weights (irrCAC weighting vignette): Cohen κw .892, Scott π .892, AC2 .940, BP .918, α .893, pa .973', () => {
    const w = pairCoefficients(ABSTRACTORS, agreementWeights(3, 'quadratic'));
    expect(w.cohen).toBeCloseTo(0.8921569, 3);
    expect(w.scott).toBeCloseTo(0.8921093, 3);
    expect(w.gwet).toBeCloseTo(0.9402369, 3);
    expect(w.brennanPrediger).toBeCloseTo(0.9175, 3);
    expect(w.alpha).toBeCloseTo(0.8926487, 3);
    expect(w.percent).toBeCloseTo(0.9725, 3);
  });

  it('weightedKappa from raw labels gives the same quadratic κw (.892); linear weights lie between', () => {
    const a: number[] = [];
    const b: number[] = [];
    ABSTRACTORS.forEach((row, k) => row.forEach((c, l) => { for (let i = 0; i < c; i++) { a.push(k + 1); b.push(l + 1); } }));
    expect(weightedKappa(a, b, 'quadratic')).toBeCloseTo(0.8921569, 3);
    const linear = weightedKappa(a, b, 'linear');
    // No published linear-weight figure for this table: linear weights give adjacent categories
    // half credit, so κw lies between the unweighted κ and the quadratic κw.
    expect(linear).toBeGreaterThan(cohenKappa(a, b).kappa);
    expect(linear).toBeLessThan(0.8921569);
    // the same value as the unweighted coefficient when q = 2 (linear and quadratic weights coincide with identity)
    expect(weightedKappa([1, 2, 1, 2], [1, 2, 2, 2], 'linear')).toBeCloseTo(cohenKappa([1, 2, 1, 2], [1, 2, 2, 2]).kappa, 12);
  });
});

describe('many raters: Fleiss (1971) diagnoses as distributed with Gwet\'s irrCAC (distrib.6raters)', () => {
  const r = multiRaterCoefficients(SIX_RATERS);
  it('Fleiss κ .414, AC1 .445, Brennan–Prediger .439, Krippendorff α .420, p_a .551', () => {
    expect(r.subjects).toBe(15);
    expect(r.percent).toBeCloseTo(0.5511111, 3);
    expect(r.fleiss).toBeCloseTo(0.4139265, 3);
    expect(r.gwet).toBeCloseTo(0.4448007, 3);
    expect(r.brennanPrediger).toBeCloseTo(0.4388889, 3);
    expect(r.alpha).toBeCloseTo(0.4204384, 3);
    expect(fleissKappa(SIX_RATERS).kappa).toBeCloseTo(0.4139265, 3);
  });

  it('quadratic weights: AC2 .484, Fleiss .251, α .260, BP .418', () => {
    const w = multiRaterCoefficients(SIX_RATERS, agreementWeights(5, 'quadratic'));
    expect(w.gwet).toBeCloseTo(0.4837438, 3);
    expect(w.fleiss).toBeCloseTo(0.2511909, 3);
    expect(w.alpha).toBeCloseTo(0.259511, 3);
    expect(w.brennanPrediger).toBeCloseTo(0.4177778, 3);
  });
});

describe('varying numbers of raters: Gwet (2014) 4 raters with missing ratings (irrCAC cac.raw4raters)', () => {
  const { counts } = ratingDistribution(RAW_4_RATERS, [1, 2, 3, 4, 5]);
  const r = multiRaterCoefficients(counts);
  it('p_a .818, Fleiss κ .761, AC1 .775, Brennan–Prediger .773, Krippendorff α .743', () => {
    expect(r.subjects).toBe(11);
    expect(r.percent).toBeCloseTo(0.8181818, 3);
    expect(r.fleiss).toBeCloseTo(0.76117, 3);
    expect(r.gwet).toBeCloseTo(0.77544, 3);
    expect(r.brennanPrediger).toBeCloseTo(0.77273, 3);
    expect(r.alpha).toBeCloseTo(0.74342, 3);
  });

  it('fleissKappa takes the varying rows too (P̄e .2387 as published), and α agrees with krippendorffAlpha', () => {
    const f = fleissKappa(counts);
    expect(f.expected).toBeCloseTo(0.2387153, 3);
    expect(f.kappa).toBeCloseTo(0.76117, 3);
    expect(krippendorffAlpha(RAW_4_RATERS).alpha).toBeCloseTo(0.74342, 3);
  });

  it('quadratic weights: AC2 .914, Fleiss .865, α .849, BP .902', () => {
    const w = multiRaterCoefficients(counts, agreementWeights(5, 'quadratic'));
    expect(w.gwet).toBeCloseTo(0.914, 3);
    expect(w.fleiss).toBeCloseTo(0.86494, 3);
    expect(w.alpha).toBeCloseTo(0.84911, 3);
    expect(w.brennanPrediger).toBeCloseTo(0.90152, 3);
  });
});

describe('labels 1 and "1" are one value', () => {
  it('in percent agreement, κ, α, tables and distributions', () => {
    const a = [1, 2, 2, 1, '3'];
    const b = ['1', '2', 2, ' 1', 3];
    expect(percentAgreement(a, b)).toBe(1);
    expect(cohenKappa(a, b).kappa).toBe(1);
    expect(krippendorffAlpha([a, b]).alpha).toBe(1);
    expect(krippendorffAlpha([a, b], 'interval').alpha).toBe(1);
    expect(contingencyTable(a, b).categories).toEqual(['1', '2', '3']);
    expect(ratingDistribution([a, b]).counts[0]).toEqual([2, 0, 0]);
  });
});

describe('bad input', () => {
  it('refuses ragged tables and negative counts, and gives NaN for no units', () => {
    expect(() => pairCoefficients([[1, 2], [3]])).toThrow(RangeError);
    expect(() => multiRaterCoefficients([[1, -1]])).toThrow(RangeError);
    expect(pairCoefficients([[0, 0], [0, 0]]).cohen).toBeNaN();
    expect(multiRaterCoefficients([[1, 0], [0, 1]]).fleiss).toBeNaN();
    expect(() => weightedKappa(['low', 'high'], ['low', 'low'], 'linear')).toThrow(TypeError);
    expect(weightedKappa(['low', 'high'], ['low', 'high'], 'linear', ['low', 'high'])).toBe(1);
  });
});
