import { describe, expect, it } from 'vitest';
import { cohenKappa, fleissKappa } from './kappa.ts';
import { percentAgreement } from './percent.ts';
import type { MaybeLabel } from './types.ts';

/** Expands a contingency table (rows = coder A's category, columns = coder B's) to label arrays. */
function fromTable(table: number[][], labels?: MaybeLabel[]): [MaybeLabel[], MaybeLabel[]] {
  const a: MaybeLabel[] = [];
  const b: MaybeLabel[] = [];
  table.forEach((row, i) =>
    row.forEach((count, j) => {
      for (let c = 0; c < count; c++) {
        a.push(labels ? labels[i]! : i);
        b.push(labels ? labels[j]! : j);
      }
    }),
  );
  return [a, b];
}

const repeat = (value: number, times: number): number[] => new Array<number>(times).fill(value);

describe('percentAgreement', () => {
  it('is the proportion of identical pairs, skipping pairs with a null', () => {
    expect(percentAgreement(['a', 'b', 'c', 'a'], ['a', 'b', 'a', 'a'])).toBe(0.75);
    expect(percentAgreement(['a', null, 'c', 'a'], ['a', 'b', null, 'b'])).toBe(0.5);
    expect(percentAgreement([1, 2], ['1', 2])).toBe(1); // 1 and '1' are one value (issue #19)
  });
  it('is NaN without usable pairs and throws on unequal lengths', () => {
    expect(percentAgreement([], [])).toBeNaN();
    expect(percentAgreement([null, 'a'], ['a', null])).toBeNaN();
    expect(() => percentAgreement(['a'], ['a', 'b'])).toThrow(RangeError);
  });
});

describe('cohenKappa', () => {
  // scikit-learn, sklearn/metrics/tests/test_classification.py::test_cohen_kappa:
  // "These label vectors reproduce the contingency matrix from Artstein and Poesio (2008),
  // Table 1: [[20, 20], [10, 50]]" → kappa 0.348 (decimal=3), symmetric in its arguments.
  // By hand: p_o = 70/100, p_e = .4·.3 + .6·.7 = .54, κ = .16/.46 = 0.3478.
  it('reproduces Artstein & Poesio (2008) Table 1 (scikit-learn test): 0.348', () => {
    const y1 = [...repeat(0, 40), ...repeat(1, 60)];
    const y2 = [...repeat(0, 20), ...repeat(1, 20), ...repeat(0, 10), ...repeat(1, 50)];
    const r = cohenKappa(y1, y2);
    expect(r.kappa).toBeCloseTo(0.348, 3);
    expect(r.observed).toBeCloseTo(0.7, 12);
    expect(r.expected).toBeCloseTo(0.54, 12);
    expect(r.n).toBe(100);
    expect(cohenKappa(y2, y1).kappa).toBe(r.kappa);
    expect(cohenKappa(y1, y1).kappa).toBe(1);
  });

  // scikit-learn test_cohen_kappa, "Multiclass example: Artstein and Poesio, Table 4" → 0.8013
  // (decimal=4), and the unweighted part of its weighting example → 0.9315 (decimal=4).
  it('reproduces the scikit-learn multiclass cases: 0.8013 and 0.9315', () => {
    const y1 = [...repeat(0, 46), ...repeat(1, 44), ...repeat(2, 10)];
    expect(cohenKappa(y1, [...repeat(0, 52), ...repeat(1, 32), ...repeat(2, 16)]).kappa).toBeCloseTo(0.8013, 4);
    expect(cohenKappa(y1, [...repeat(0, 50), ...repeat(1, 40), ...repeat(2, 10)]).kappa).toBeCloseTo(0.9315, 4);
  });

  // Cohen (1960), "A coefficient of agreement for nominal scales", Educ. Psych. Meas. 20:37–46,
  // p. 45 example (200 subjects, 3 categories): p_o = .70, p_c = .41, κ = .492.
  // By hand: diagonal 88+40+12 = 140 → .70; rows 120/60/20, columns 100/60/40 →
  // p_c = (12000 + 3600 + 800)/40000 = .41; κ = .29/.59 = .4915.
  it('reproduces Cohen (1960) p. 45: p_o .70, p_c .41, kappa .492', () => {
    const [a, b] = fromTable([
      [88, 14, 18],
      [10, 40, 10],
      [2, 6, 12],
    ]);
    const r = cohenKappa(a, b);
    expect(r.observed).toBeCloseTo(0.7, 12);
    expect(r.expected).toBeCloseTo(0.41, 12);
    expect(r.kappa).toBeCloseTo(0.492, 3);
    expect(r.n).toBe(200);
  });

  // statsmodels, statsmodels/stats/tests/test_inter_rater.py::UnweightedCohens — a SAS example
  // table [[0, 4, 1], [0, 8, 0], [0, 1, 5]], simple kappa 0.4842.
  it('reproduces the statsmodels/SAS simple kappa example: 0.4842', () => {
    const [a, b] = fromTable(
      [
        [0, 4, 1],
        [0, 8, 0],
        [0, 1, 5],
      ],
      ['x', 'y', 'z'],
    );
    expect(cohenKappa(a, b).kappa).toBeCloseTo(0.4842, 4);
  });

  // statsmodels test_cohens_kappa_irr: R irr::kappa2(anxiety[, 2:3]) (unweighted) = -0.006289308,
  // with the `anxiety` data of the irr package (20 subjects, 3 raters).
  it('reproduces R irr::kappa2 on the anxiety data (statsmodels test): -0.006289', () => {
    const rater2 = [3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4];
    const rater3 = [2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2];
    expect(cohenKappa(rater2, rater3).kappa).toBeCloseTo(-0.006289308, 8);
  });

  // Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", binary example
  // (coders A/B, 10 units). By hand: p_o = 6/10, p_e = .2·.4 + .8·.6 = .56, κ = .04/.44 = .0909.
  it('gives 0.091 on the Krippendorff (2011) binary example', () => {
    const r = cohenKappa([0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]);
    expect(r.kappa).toBeCloseTo(0.0909, 4);
  });

  it('skips pairs with a missing value', () => {
    const r = cohenKappa(['a', 'b', null, 'a', 'b'], ['a', 'b', 'a', null, 'a']);
    expect(r.n).toBe(3);
    expect(r).toEqual(cohenKappa(['a', 'b', 'b'], ['a', 'b', 'a']));
  });

  it('is NaN (not 1) when both coders used one identical category everywhere', () => {
    const r = cohenKappa(['x', 'x', 'x'], ['x', 'x', 'x']);
    expect(r.kappa).toBeNaN();
    expect(r.observed).toBe(1);
    expect(r.expected).toBe(1);
  });

  it('handles other degenerate cases', () => {
    expect(cohenKappa([], [])).toEqual({ kappa: NaN, observed: NaN, expected: NaN, n: 0 });
    // Each coder constant but different: p_o = p_e = 0 → κ = 0.
    expect(cohenKappa(['x', 'x'], ['y', 'y']).kappa).toBe(0);
    // Perfect but not constant: 1. Systematic swap: -1.
    expect(cohenKappa([1, 2, 1, 2], [1, 2, 1, 2]).kappa).toBe(1);
    expect(cohenKappa([1, 2, 1, 2], [2, 1, 2, 1]).kappa).toBe(-1);
    expect(() => cohenKappa([1], [])).toThrow(RangeError);
  });
});

describe('fleissKappa', () => {
  // Fleiss' kappa worked example on Wikipedia ("Fleiss' kappa", 10 subjects × 5 categories,
  // 14 raters): P̄ = 0.378, P̄e = 0.213, κ = 0.210; statsmodels test_fleiss_kappa asserts 0.210.
  const wikipedia = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
  ];
  it('reproduces the Wikipedia / statsmodels example: 0.210', () => {
    const r = fleissKappa(wikipedia);
    expect(r.kappa).toBeCloseTo(0.21, 3);
    expect(r.observed).toBeCloseTo(0.378, 3);
    expect(r.expected).toBeCloseTo(0.213, 3);
    expect(r.subjects).toBe(10);
    expect(r.raters).toBe(14);
  });

  // Fleiss (1971) psychiatric diagnoses data (30 subjects, 6 raters, 5 diagnoses), as the
  // `diagnoses` data set of R irr; statsmodels test_fleiss_kappa_irr:
  // irr::kappam.fleiss(diagnoses) = 0.4302445 (decimal=7).
  it('reproduces R irr::kappam.fleiss on the Fleiss (1971) diagnoses (statsmodels test): 0.4302445', () => {
    const diagnoses = [
      [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5], [2, 2, 2, 4, 4, 4],
      [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4], [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5],
      [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4], [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5],
      [3, 3, 3, 3, 3, 5], [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
      [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4], [1, 4, 4, 4, 4, 5],
      [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4], [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
    ];
    const counts = diagnoses.map((ratings) => [1, 2, 3, 4, 5].map((d) => ratings.filter((r) => r === d).length));
    // statsmodels test_aggregate_raters: column sums 26, 26, 30, 55, 43.
    expect([0, 1, 2, 3, 4].map((j) => counts.reduce((s, row) => s + row[j]!, 0))).toEqual([26, 26, 30, 55, 43]);
    expect(fleissKappa(counts).kappa).toBeCloseTo(0.4302445, 7);
  });

  it('is 1 for unanimous subjects and NaN when every rating is in one category', () => {
    expect(fleissKappa([[3, 0], [0, 3], [3, 0]]).kappa).toBe(1);
    expect(fleissKappa([[3, 0], [3, 0]]).kappa).toBeNaN();
    expect(fleissKappa([]).kappa).toBeNaN();
  });

  it('rejects malformed tables', () => {
    expect(() => fleissKappa([[1, 0], [1, 0]])).toThrow(RangeError);
    expect(() => fleissKappa([[2, 1], [3]])).toThrow(RangeError);
    expect(() => fleissKappa([[4, -1], [3, 0]])).toThrow(RangeError);
  });
});
