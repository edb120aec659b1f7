import { assertSameLength, labelKey, sameLabel } from './percent.ts';
import type { MaybeLabel } from './types.ts';

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
  const countA = new Map<string, number>();
  const countB = new Map<string, number>();
  let n = 0;
  let agree = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === null || y === null) continue;
    n++;
    if (sameLabel(x, y)) agree++;
    const kx = labelKey(x);
    const ky = labelKey(y);
    countA.set(kx, (countA.get(kx) ?? 0) + 1);
    countB.set(ky, (countB.get(ky) ?? 0) + 1);
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
  /** P̄: mean over subjects rated at least twice of the proportion of agreeing rater pairs. */
  observed: number;
  /** P̄e = Σ_j p_j², p_j being the mean over subjects of the share of their ratings in category j. */
  expected: number;
  /** Number of subjects (rows) with at least one rating. */
  subjects: number;
  /** Ratings per subject: the constant row sum, or the mean when it varies. */
  raters: number;
}

/**
 * Fleiss' (1971) kappa, for any number of raters per subject.
 *
 * `counts[i][j]` is how many raters put subject i in category j (subjects × categories).
 * Every row must have the same length; counts must be non-negative finite numbers, and at
 * least one subject needs two ratings. Rows may have different sums (raters who skipped a
 * subject): then, as in Gwet (2014, Handbook of Inter-Rater Reliability, §2.5),
 *
 *   P_i = Σ_j n_ij (n_ij − 1) / (n_i (n_i − 1)) for subjects with n_i ≥ 2,  P̄ = mean of P_i,
 *   p_j = mean over subjects with n_i ≥ 1 of n_ij / n_i,                      P̄e = Σ_j p_j²,
 *   κ = (P̄ − P̄e) / (1 − P̄e),
 *
 * which is Fleiss' formula when every n_i is the same. Throws `RangeError` on malformed
 * input; an empty table gives `NaN` everywhere.
 */
export function fleissKappa(counts: readonly (readonly number[])[]): FleissKappaResult {
  const first = counts[0];
  if (first === undefined) return { kappa: NaN, observed: NaN, expected: NaN, subjects: 0, raters: 0 };
  const k = first.length;
  const shares = new Array<number>(k).fill(0);
  let rated = 0;
  let paired = 0;
  let sumP = 0;
  let sumRatings = 0;
  for (let i = 0; i < counts.length; i++) {
    const row = counts[i]!;
    if (row.length !== k) throw new RangeError(`row ${i} has ${row.length} categories, expected ${k}`);
    let n = 0;
    let pairs = 0;
    for (let j = 0; j < k; j++) {
      const c = row[j]!;
      if (!Number.isFinite(c) || c < 0) throw new RangeError(`invalid count ${c} at [${i}][${j}]`);
      n += c;
      pairs += c * (c - 1);
    }
    if (n === 0) continue;
    rated++;
    sumRatings += n;
    for (let j = 0; j < k; j++) shares[j]! += row[j]! / n;
    if (n < 2) continue;
    paired++;
    sumP += pairs / (n * (n - 1));
  }
  if (paired === 0) throw new RangeError('at least one subject needs two or more ratings');
  let expected = 0;
  for (const s of shares) expected += (s / rated) ** 2;
  const observed = sumP / paired;
  // P̄e = 1 iff all ratings fall in one category (then P̄ = 1 too): 0/0.
  const single = shares.filter((s) => s > 0).length <= 1;
  const kappa = single ? NaN : (observed - expected) / (1 - expected);
  return { kappa, observed, expected, subjects: rated, raters: sumRatings / rated };
}
