import { labelKey } from './percent.ts';
import type { Label, MaybeLabel } from './types.ts';

/**
 * Chance-corrected agreement coefficients in Gwet's common frame (Gwet, Handbook of
 * Inter-Rater Reliability, 4th ed., 2014, ch. 2–3): every coefficient is
 * (p_a − p_e) / (1 − p_e) with the same observed agreement p_a and its own chance agreement
 * p_e. Agreement weights w_kl (1 on the diagonal) give the weighted forms; identity weights
 * give the usual unweighted ones. `NaN` when p_e = 1 or there are no units.
 */
export type Weighting = 'identity' | 'linear' | 'quadratic';

/** Agreement weights for q ordered categories: identity, 1 − |k−l|/(q−1), or 1 − (k−l)²/(q−1)². */
export function agreementWeights(q: number, weighting: Weighting = 'identity'): number[][] {
  return Array.from({ length: q }, (_, k) => Array.from({ length: q }, (_, l) => {
    if (k === l) return 1;
    if (weighting === 'identity' || q < 2) return 0;
    const d = Math.abs(k - l) / (q - 1);
    return weighting === 'linear' ? 1 - d : 1 - d * d;
  }));
}

export interface PairCoefficients {
  /** Units rated by both coders. */
  n: number;
  /** Observed (weighted) agreement p_a. */
  percent: number;
  /** Cohen's (1960) κ; with weights Cohen's (1968) weighted κ. */
  cohen: number;
  /** Scott's (1955) π. */
  scott: number;
  /** Gwet's AC1 (AC2 with weights). */
  gwet: number;
  /** Brennan & Prediger's (1981) κ_n: chance agreement 1/q. */
  brennanPrediger: number;
  /** Krippendorff's α (nominal with identity weights). */
  alpha: number;
}

const ratio = (pa: number, pe: number): number => (pe === 1 || !Number.isFinite(pe) ? NaN : (pa - pe) / (1 - pe));

function checkSquare(table: readonly (readonly number[])[], weights: readonly (readonly number[])[]): number {
  const q = table.length;
  for (const [i, row] of table.entries()) {
    if (row.length !== q) throw new RangeError(`row ${i} of the table has ${row.length} cells, expected ${q}`);
    for (const c of row) if (!Number.isFinite(c) || c < 0) throw new RangeError(`invalid count ${c} in the table`);
  }
  if (weights.length !== q || weights.some((r) => r.length !== q)) throw new RangeError(`weights must be ${q} × ${q}`);
  return q;
}

/**
 * All two-coder coefficients from a q × q contingency table (`table[k][l]`: units coder A put
 * in category k and coder B in l). q is the number of categories the coders could use — it
 * sets Brennan–Prediger's and Gwet's chance agreement, so pass every category, used or not.
 */
export function pairCoefficients(
  table: readonly (readonly number[])[],
  weights: readonly (readonly number[])[] = agreementWeights(table.length),
): PairCoefficients {
  const q = checkSquare(table, weights);
  let n = 0;
  const rows = new Array<number>(q).fill(0);
  const cols = new Array<number>(q).fill(0);
  for (let k = 0; k < q; k++) for (let l = 0; l < q; l++) {
    const c = table[k]![l]!;
    n += c; rows[k]! += c; cols[l]! += c;
  }
  if (n === 0) return { n: 0, percent: NaN, cohen: NaN, scott: NaN, gwet: NaN, brennanPrediger: NaN, alpha: NaN };
  let pa = 0;
  let peCohen = 0;
  let peScott = 0;
  let tw = 0;
  const pi = rows.map((r, k) => (r + cols[k]!) / (2 * n));
  for (let k = 0; k < q; k++) for (let l = 0; l < q; l++) {
    const w = weights[k]![l]!;
    tw += w;
    pa += (w * table[k]![l]!) / n;
    peCohen += (w * rows[k]! * cols[l]!) / (n * n);
    peScott += w * pi[k]! * pi[l]!;
  }
  const peGwet = q < 2 ? NaN : (tw / (q * (q - 1))) * pi.reduce((s, p) => s + p * (1 - p), 0);
  // Krippendorff's α for two coders: p_a corrected for the finite number of pairable values
  // (ε = 1/2n), chance as in Scott's π (Gwet 2014, §2.4).
  const eps = 1 / (2 * n);
  return {
    n,
    percent: pa,
    cohen: ratio(pa, peCohen),
    scott: ratio(pa, peScott),
    gwet: ratio(pa, peGwet),
    brennanPrediger: ratio(pa, tw / (q * q)),
    alpha: ratio((1 - eps) * pa + eps, peScott),
  };
}

/**
 * Two coders' labels as a contingency table over `categories` (default: every label either
 * used, in order of first appearance; labels compared by `labelKey`). Units with a missing
 * label on either side are left out.
 */
export function contingencyTable(
  a: readonly MaybeLabel[], b: readonly MaybeLabel[], categories?: readonly Label[],
): { categories: string[]; table: number[][] } {
  if (a.length !== b.length) throw new RangeError(`label arrays differ in length (${a.length} vs ${b.length})`);
  const cats = categoryIndex(categories, [a, b]);
  const q = cats.list.length;
  const table = Array.from({ length: q }, () => new Array<number>(q).fill(0));
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === null || y === null) continue;
    table[cats.of(x)]![cats.of(y)]! += 1;
  }
  return { categories: cats.list, table };
}

/** Cohen's (1968) weighted κ of two coders over ordered categories (default: numeric labels in ascending order). */
export function weightedKappa(
  a: readonly MaybeLabel[], b: readonly MaybeLabel[], weighting: Exclude<Weighting, 'identity'>, categories?: readonly Label[],
): number {
  const order = categories ?? numericCategories([a, b]);
  const { table } = contingencyTable(a, b, order);
  return pairCoefficients(table, agreementWeights(table.length, weighting)).cohen;
}

export interface MultiRaterCoefficients {
  /** Subjects with at least two ratings (the others only inform the category shares). */
  subjects: number;
  /** Observed agreement p_a: mean over subjects of the share of agreeing rater pairs. */
  percent: number;
  /** Fleiss' (1971) κ, generalised to varying numbers of raters per subject. */
  fleiss: number;
  /** Gwet's AC1 (AC2 with weights). */
  gwet: number;
  /** Brennan & Prediger's κ for many raters (von Eye 2006). */
  brennanPrediger: number;
  /** Krippendorff's α. */
  alpha: number;
}

/**
 * Coefficients for any number of raters from the distribution of ratings
 * (`counts[i][k]`: how many raters put subject i in category k; rows may have different
 * sums, as when raters skipped subjects). Following Gwet (2014, §2.5, eqs. 2.5.2–2.5.6):
 *
 *   p_a  = (1/n′) Σ_{i: r_i ≥ 2} Σ_k r_ik (r*_ik − 1) / (r_i (r_i − 1)),  r*_ik = Σ_l w_kl r_il
 *   π_k  = (1/n) Σ_{i: r_i ≥ 1} r_ik / r_i
 *   Fleiss: p_e = Σ_kl w_kl π_k π_l;  AC1: p_e = T_w/(q(q−1)) Σ_k π_k(1 − π_k);  BP: p_e = T_w/q²
 *
 * Krippendorff's α uses the subjects with two or more ratings only, with the average number
 * of raters r̄ and ε = 1/(n′ r̄) (Gwet 2014, §2.4) — the same value as `krippendorffAlpha`.
 */
export function multiRaterCoefficients(
  counts: readonly (readonly number[])[],
  weights: readonly (readonly number[])[] = agreementWeights(counts[0]?.length ?? 0),
): MultiRaterCoefficients {
  const q = counts[0]?.length ?? 0;
  const none = { subjects: 0, percent: NaN, fleiss: NaN, gwet: NaN, brennanPrediger: NaN, alpha: NaN };
  if (q === 0) return none;
  if (weights.length !== q || weights.some((r) => r.length !== q)) throw new RangeError(`weights must be ${q} × ${q}`);
  const pi = new Array<number>(q).fill(0);
  const piAlpha = new Array<number>(q).fill(0);
  let rated = 0;
  let paired = 0;
  let sumPa = 0;
  let sumR = 0;
  for (const [i, row] of counts.entries()) {
    if (row.length !== q) throw new RangeError(`row ${i} has ${row.length} categories, expected ${q}`);
    let r = 0;
    for (const c of row) {
      if (!Number.isFinite(c) || c < 0) throw new RangeError(`invalid count ${c} in row ${i}`);
      r += c;
    }
    if (r === 0) continue;
    rated++;
    for (let k = 0; k < q; k++) pi[k]! += row[k]! / r;
    if (r < 2) continue;
    paired++;
    sumR += r;
    for (let k = 0; k < q; k++) {
      let star = 0;
      for (let l = 0; l < q; l++) star += weights[k]![l]! * row[l]!;
      sumPa += (row[k]! * (star - 1)) / (r * (r - 1));
    }
  }
  if (paired === 0) return none;
  for (let k = 0; k < q; k++) pi[k]! /= rated;
  const pa = sumPa / paired;
  const rBar = sumR / paired;
  // α: shares over the paired subjects, observed agreement rescaled to r̄.
  let paAlphaRaw = 0;
  for (const row of counts) {
    const r = row.reduce((s, c) => s + c, 0);
    if (r < 2) continue;
    for (let k = 0; k < q; k++) {
      piAlpha[k]! += row[k]! / (paired * rBar);
      let star = 0;
      for (let l = 0; l < q; l++) star += weights[k]![l]! * row[l]!;
      paAlphaRaw += (row[k]! * (star - 1)) / (rBar * (r - 1));
    }
  }
  const eps = 1 / (paired * rBar);
  const paAlpha = (1 - eps) * (paAlphaRaw / paired) + eps;
  let tw = 0;
  let peFleiss = 0;
  let peAlpha = 0;
  for (let k = 0; k < q; k++) for (let l = 0; l < q; l++) {
    const w = weights[k]![l]!;
    tw += w;
    peFleiss += w * pi[k]! * pi[l]!;
    peAlpha += w * piAlpha[k]! * piAlpha[l]!;
  }
  const peGwet = q < 2 ? NaN : (tw / (q * (q - 1))) * pi.reduce((s, p) => s + p * (1 - p), 0);
  return {
    subjects: paired,
    percent: pa,
    fleiss: ratio(pa, peFleiss),
    gwet: ratio(pa, peGwet),
    brennanPrediger: ratio(pa, tw / (q * q)),
    alpha: ratio(paAlpha, peAlpha),
  };
}

/**
 * Raw ratings (`data[coder][unit]`, `null` = not rated) as the distribution of ratings per
 * unit over `categories` (default: every label used, in order of first appearance).
 */
export function ratingDistribution(
  data: readonly (readonly MaybeLabel[])[], categories?: readonly Label[],
): { categories: string[]; counts: number[][] } {
  const units = data[0]?.length ?? 0;
  data.forEach((row, i) => { if (row.length !== units) throw new RangeError(`coder ${i} has ${row.length} units, expected ${units}`); });
  const cats = categoryIndex(categories, data);
  const counts = Array.from({ length: units }, () => new Array<number>(cats.list.length).fill(0));
  for (const row of data) row.forEach((v, u) => { if (v !== null && v !== undefined) counts[u]![cats.of(v)]! += 1; });
  return { categories: cats.list, counts };
}

function categoryIndex(
  given: readonly Label[] | undefined, rows: readonly (readonly MaybeLabel[])[],
): { list: string[]; of: (v: Label) => number } {
  const map = new Map<string, number>();
  const list: string[] = [];
  const add = (v: Label) => {
    const k = labelKey(v);
    if (!map.has(k)) { map.set(k, list.length); list.push(k); }
  };
  if (given) given.forEach(add);
  else for (const row of rows) for (const v of row) if (v !== null && v !== undefined) add(v);
  return {
    list,
    of: (v) => {
      const i = map.get(labelKey(v));
      if (i === undefined) throw new RangeError(`label ${JSON.stringify(v)} is not one of the categories`);
      return i;
    },
  };
}

function numericCategories(rows: readonly (readonly MaybeLabel[])[]): number[] {
  const seen = new Set<number>();
  for (const row of rows) for (const v of row) {
    if (v === null || v === undefined) continue;
    const n = Number(labelKey(v));
    if (!Number.isFinite(n)) throw new TypeError(`weighted κ needs ordered categories: pass them, or use numbers (got ${JSON.stringify(v)})`);
    seen.add(n);
  }
  return [...seen].sort((x, y) => x - y);
}
