import { assertSameLength, sameLabel } from './percent.ts';
import type { Label, MaybeLabel } from './types.ts';

export interface CohenKappaResult {
  /** Cohen's kappa, (observed − expected) / (1 − expected). `NaN` when undefined (see below). */
  kappa: number;
  /** Observed agreement p_o (proportion of pairs with identical labels). */
  observed: number;
  /** Chance agreement p_e = Σ_c p_A(c) · p_B(c), from each coder's own marginals. */
  expected: number;
  /** Number of pairs used (pairs with a `null` on either side are skipped). */
  n: number;
}

/**
 * Cohen's (1960) kappa for two coders over the same units.
 *
 * `a[i]` and `b[i]` are the two coders' labels for unit i; `null` = missing, and such
 * pairs are skipped. The arrays must have equal length.
 *
 * Undefined cases (returned as `kappa: NaN`, callers should show "n/a"):
 * - no usable pair (`n === 0`; `observed` and `expected` are `NaN` too);
 * - expected agreement is exactly 1, which happens iff both coders used one and the same
 *   category for every unit: kappa is 0/0 there. We deliberately do not return 1, because
 *   the data carry no evidence that the coders can discriminate categories.
 */
export function cohenKappa(a: readonly MaybeLabel[], b: readonly MaybeLabel[]): CohenKappaResult {
  assertSameLength(a, b);
  const countA = new Map<Label, number>();
  const countB = new Map<Label, number>();
  let n = 0;
  let agree = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === null || y === null) continue;
    n++;
    if (sameLabel(x, y)) agree++;
    countA.set(x, (countA.get(x) ?? 0) + 1);
    countB.set(y, (countB.get(y) ?? 0) + 1);
  }
  if (n === 0) return { kappa: NaN, observed: NaN, expected: NaN, n: 0 };
  // Integer arithmetic so that "expected agreement is exactly 1" is an exact test.
  let sumProducts = 0;
  for (const [label, ca] of countA) sumProducts += ca * (countB.get(label) ?? 0);
  const observed = agree / n;
  const expected = sumProducts / (n * n);
  const kappa = sumProducts === n * n ? NaN : (observed - expected) / (1 - expected);
  return { kappa, observed, expected, n };
}

export interface FleissKappaResult {
  /** Fleiss' kappa, (P̄ − P̄e) / (1 − P̄e). `NaN` when P̄e = 1 (every rating in one category). */
  kappa: number;
  /** P̄: mean over subjects of the proportion of agreeing rater pairs. */
  observed: number;
  /** P̄e = Σ_j p_j², p_j being the overall proportion of ratings in category j. */
  expected: number;
  /** Number of subjects (rows). */
  subjects: number;
  /** Number of ratings per subject (the constant row sum). */
  raters: number;
}

/**
 * Fleiss' (1971) kappa for a fixed number of raters per subject.
 *
 * `counts[i][j]` is how many raters put subject i in category j (subjects × categories).
 * Every row must have the same length and the same sum n ≥ 2 (the raters need not be the
 * same people across subjects, but their number must be constant). Counts must be
 * non-negative finite numbers. Throws `RangeError` on malformed input; an empty table gives
 * `NaN` everywhere.
 *
 *   P_i = (Σ_j n_ij² − n) / (n(n − 1)),  P̄ = mean_i P_i,
 *   p_j = Σ_i n_ij / (N n),               P̄e = Σ_j p_j²,
 *   κ = (P̄ − P̄e) / (1 − P̄e).
 */
export function fleissKappa(counts: readonly (readonly number[])[]): FleissKappaResult {
  const subjects = counts.length;
  const first = counts[0];
  if (first === undefined) return { kappa: NaN, observed: NaN, expected: NaN, subjects: 0, raters: 0 };
  const k = first.length;
  let raters = -1;
  const colSums = new Array<number>(k).fill(0);
  let sumP = 0;
  for (let i = 0; i < subjects; i++) {
    const row = counts[i]!;
    if (row.length !== k) throw new RangeError(`row ${i} has ${row.length} categories, expected ${k}`);
    let rowSum = 0;
    let sumSq = 0;
    for (let j = 0; j < k; j++) {
      const c = row[j]!;
      if (!Number.isFinite(c) || c < 0) throw new RangeError(`invalid count ${c} at [${i}][${j}]`);
      rowSum += c;
      sumSq += c * c;
      colSums[j]! += c;
    }
    if (raters === -1) {
      raters = rowSum;
      if (raters < 2) throw new RangeError(`each subject needs at least 2 ratings (row 0 has ${raters})`);
    } else if (rowSum !== raters) {
      throw new RangeError(`row ${i} has ${rowSum} ratings, expected ${raters} (Fleiss' kappa needs a constant number)`);
    }
    sumP += (sumSq - raters) / (raters * (raters - 1));
  }
  const total = subjects * raters;
  let expected = 0;
  for (const s of colSums) expected += (s / total) ** 2;
  const observed = sumP / subjects;
  // P̄e = 1 iff all ratings fall in one category (then P̄ = 1 too): 0/0.
  const single = colSums.filter((s) => s > 0).length <= 1;
  const kappa = single ? NaN : (observed - expected) / (1 - expected);
  return { kappa, observed, expected, subjects, raters };
}
