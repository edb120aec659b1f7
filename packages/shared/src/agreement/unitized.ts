import { labelKey } from './percent.ts';
import type { Label } from './types.ts';

/** A unit identified by one coder on the continuum: `[start, end)` with a value (code). */
export interface UnitSegment {
  start: number;
  end: number;
  value: Label;
}

export interface UnitizedValueAlpha {
  value: Label;
  /** c_uα for this value alone, 1 − Do/De. `NaN` when De = 0. */
  alpha: number;
  /** c_uDo */
  observed: number;
  /** c_uDe */
  expected: number;
  /** N_c: number of units with this value, summed over all coders (after merging overlaps). */
  units: number;
}

export interface UnitizedAlphaResult {
  /** u_α = 1 − Σ_c c_uDo / Σ_c c_uDe. `NaN` when nobody identified any unit. */
  alpha: number;
  /** Σ_c c_uDo */
  observed: number;
  /** Σ_c c_uDe */
  expected: number;
  /** Per-value breakdown, in order of first appearance in the input. */
  values: UnitizedValueAlpha[];
}

/** One section of a coder's partition of the continuum: a unit (w = 1) or a gap (w = 0). */
interface Section {
  begin: number;
  length: number;
  unit: boolean;
}

/**
 * Krippendorff's alpha for unitizing a continuum, u_α (Krippendorff 1995, "On the
 * reliability of unitizing continuous data", Sociological Methodology 25; Krippendorff 2004,
 * "Measuring the reliability of qualitative text analysis data", Quality & Quantity 38; and
 * Content Analysis, 2nd ed., 2004, whose worked example on p. 254 is in the tests). This is the binary-per-value ("c_uα") family: for each
 * value c separately, every coder's continuum [0, L) is partitioned into sections — the units
 * that coder identified with value c (w = 1) and the gaps between them (w = 0; stretches left
 * uncoded or coded with another value count as gaps for c).
 *
 * Let m be the number of coders, L the continuum length, b/l a section's begin/length, and
 * N_c the number of c-units over all coders. The difference between section g of coder i and
 * section h of coder j is
 *
 *   δ²(ig, jh) = (b_ig − b_jh)² + (b_ig + l_ig − b_jh − l_jh)²
 *                                  if both are units and they overlap (−l_ig < b_ig − b_jh < l_jh),
 *              = l_ig²              if ig is a unit lying wholly inside the gap jh,
 *              = l_jh²              if jh is a unit lying wholly inside the gap ig,
 *              = 0                  otherwise (gap vs gap, or no overlap).
 *
 *   c_uDo = Σ_i Σ_{j≠i} Σ_g Σ_h δ²(ig, jh) / (m (m − 1) L²)
 *
 *   c_uDe = (2/L) · Σ_{c-units u} [ (N_c − 1)(2 l_u³ − 3 l_u² + l_u)/3
 *                                   + l_u² · Σ_{gaps h of all coders} max(0, l_h − l_u + 1) ]
 *           / [ m L (m L − 1) − Σ_{c-units u} l_u (l_u − 1) ]
 *
 *   c_uα = 1 − c_uDo / c_uDe,      u_α = 1 − Σ_c c_uDo / Σ_c c_uDe.
 *
 * The expected-disagreement terms count positions on a discrete continuum, so offsets must be
 * integers (e.g. string indices). Requirements: m ≥ 2 coders; 0 ≤ start ≤ end ≤ L; zero-length
 * segments are ignored; a coder's overlapping segments with the same value are merged into one
 * unit (u_α requires a coder's units of one value not to overlap — adjacent, touching units stay
 * separate, as in Krippendorff's examples).
 *
 * This is not the later `_uα` / `|_uα` / `_cuα` family of Krippendorff, Mathet, Bouvry &
 * Widlöcher (2016) and the 2019 book, which is built on a coincidence matrix of overlap lengths.
 */
export function unitizedAlpha(
  continuumLength: number,
  coders: readonly (readonly UnitSegment[])[],
): UnitizedAlphaResult {
  const L = continuumLength;
  if (!Number.isInteger(L) || L <= 0) throw new RangeError(`continuum length must be a positive integer (got ${L})`);
  const m = coders.length;
  if (m < 2) throw new RangeError(`unitized alpha needs at least 2 coders (got ${m})`);

  // Group each coder's segments by value, keeping first-appearance order of values.
  const valueOrder: Label[] = [];
  const byValue = new Map<string, [number, number][][]>(); // by labelKey: 1 and '1' are one value
  coders.forEach((segments, i) => {
    for (const s of segments) {
      if (!Number.isInteger(s.start) || !Number.isInteger(s.end) || s.start < 0 || s.end > L || s.end < s.start) {
        throw new RangeError(`coder ${i}: invalid segment [${s.start}, ${s.end}) on a continuum of length ${L}`);
      }
      if (s.end === s.start) continue;
      let perCoder = byValue.get(labelKey(s.value));
      if (!perCoder) {
        perCoder = Array.from({ length: m }, () => []);
        byValue.set(labelKey(s.value), perCoder);
        valueOrder.push(s.value);
      }
      perCoder[i]!.push([s.start, s.end]);
    }
  });

  const values: UnitizedValueAlpha[] = [];
  let sumDo = 0;
  let sumDe = 0;
  for (const value of valueOrder) {
    const partitions = byValue.get(labelKey(value))!.map((units) => partition(L, mergeOverlaps(units)));
    const { observed, expected, units } = valueDisagreements(L, partitions);
    values.push({ value, alpha: expected === 0 ? NaN : 1 - observed / expected, observed, expected, units });
    sumDo += observed;
    sumDe += expected;
  }
  return { alpha: sumDe === 0 ? NaN : 1 - sumDo / sumDe, observed: sumDo, expected: sumDe, values };
}

/** Sorts and merges strictly overlapping ranges; touching ranges stay separate. */
function mergeOverlaps(ranges: [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const out: [number, number][] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s < last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** The coder's partition of [0, L) into units and gaps (gaps of length 0 are omitted). */
function partition(L: number, units: readonly [number, number][]): Section[] {
  const sections: Section[] = [];
  let pos = 0;
  for (const [s, e] of units) {
    if (s > pos) sections.push({ begin: pos, length: s - pos, unit: false });
    sections.push({ begin: s, length: e - s, unit: true });
    pos = e;
  }
  if (pos < L) sections.push({ begin: pos, length: L - pos, unit: false });
  return sections;
}

/** δ²(ig, jh) of Krippendorff (1995/2004); see `unitizedAlpha`. */
export function unitizingDistance(
  ig: { begin: number; length: number; unit: boolean },
  jh: { begin: number; length: number; unit: boolean },
): number {
  const d = ig.begin - jh.begin;
  if (ig.unit && jh.unit) {
    if (-ig.length < d && d < jh.length) return d * d + (d + ig.length - jh.length) ** 2;
    return 0;
  }
  if (ig.unit && !jh.unit) return jh.length - ig.length >= d && d >= 0 ? ig.length ** 2 : 0;
  if (!ig.unit && jh.unit) return ig.length - jh.length >= -d && -d >= 0 ? jh.length ** 2 : 0;
  return 0;
}

function valueDisagreements(
  L: number,
  partitions: readonly Section[][],
): { observed: number; expected: number; units: number } {
  const m = partitions.length;

  // Observed: δ² vanishes for non-overlapping sections, and both partitions are sorted tilings
  // of [0, L), so a merge-like sweep visits every overlapping pair exactly once. δ² is
  // symmetric, so each unordered coder pair is counted twice.
  let pairSum = 0;
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      const A = partitions[i]!;
      const B = partitions[j]!;
      let p = 0;
      let q = 0;
      while (p < A.length && q < B.length) {
        const x = A[p]!;
        const y = B[q]!;
        pairSum += unitizingDistance(x, y);
        const xEnd = x.begin + x.length;
        const yEnd = y.begin + y.length;
        if (xEnd <= yEnd) p++;
        if (yEnd <= xEnd) q++;
      }
    }
  }
  const observed = (2 * pairSum) / (m * (m - 1) * L * L);

  // Expected.
  const unitLengths: number[] = [];
  const gapLengths: number[] = [];
  for (const sections of partitions) {
    for (const s of sections) (s.unit ? unitLengths : gapLengths).push(s.length);
  }
  const Nc = unitLengths.length;
  if (Nc === 0) return { observed, expected: 0, units: 0 };
  // Σ over gaps g with g ≥ l of (g − l + 1), via gaps sorted descending and prefix sums.
  gapLengths.sort((x, y) => y - x);
  const prefix: number[] = [0];
  for (const g of gapLengths) prefix.push(prefix[prefix.length - 1]! + g);
  const gapTerm = (l: number): number => {
    let lo = 0; // number of gaps with length ≥ l (binary search on the descending list)
    let hi = gapLengths.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (gapLengths[mid]! >= l) lo = mid + 1;
      else hi = mid;
    }
    return prefix[lo]! - lo * (l - 1);
  };
  let numerator = 0;
  let selfPairs = 0;
  for (const l of unitLengths) {
    numerator += ((Nc - 1) * (2 * l ** 3 - 3 * l ** 2 + l)) / 3 + l * l * gapTerm(l);
    selfPairs += l * (l - 1);
  }
  const expected = ((2 / L) * numerator) / (m * L * (m * L - 1) - selfPairs);
  return { observed, expected, units: Nc };
}
