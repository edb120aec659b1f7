/**
 * Krippendorff's α family for unitized continua (Krippendorff, Mathet, Bouvry & Widlöcher
 * 2016, "On the reliability of unitizing textual continua: Further developments", Quality &
 * Quantity 50: 2347–2364; Krippendorff, Content Analysis, 4th ed., 2019, ch. 12) — the
 * coefficients ATLAS.ti reports. Pure functions.
 *
 * Each coder partitions the continuum [0, L) (here: a transcript's characters) into the
 * sections they identified, each with a value, and the gaps between them (value ∅). With m
 * coders, for every ordered pair of coders i ≠ j the lengths of the intersections of i's
 * sections with j's give the observed coincidences
 *
 *   l_ck = Σ_i Σ_{j≠i} Σ_g Σ_h |g_ic ∩ h_jk| / (m − 1),       l.. = m L          (2016 eq. 1)
 *
 * and the expected ones, where a valued section of length ℓ counts ℓ² and a gap ℓ (gaps are
 * not units: each of their positions pairs on its own),
 *
 *   S_c  = Σ_i Σ_{g of value c} ℓ_g² (ℓ_g for ∅),  S = Σ_c S_c
 *   e_ck = l.. (l_c. l_.k − [c = k] S_c) / (l..² − S)                               (eq. 4)
 *
 * - _uα  = 1 − (l.. − Σ_c l_cc) / (l.. − Σ_c e_cc): sections and values together (eq. 5).
 * - |uα  = the same with all values merged into one "relevant" value against ∅: whether the
 *          coders set apart the same matter, whatever code they gave it (eq. 6).
 * - cuα  = agreement on the values where the coders' valued sections intersect, gaps left
 *          out: l*_c = Σ_{k≠∅} l_ck, S*_c = Σ_i Σ_g Σ_{j≠i} |g ∩ valued(j)|² / (m − 1),
 *          e*_ck = (l*_c l*_k − [c = k] S*_c) / (l*.. − S* ÷ l*..),
 *          cuα = 1 − (l*.. − Σ l_cc) / (l*.. − Σ e*_cc) (eqs. 10–11).
 * - (k)cuα = 1 − (e*_k / l*_k) (l*_k − l_kk) / (e*_k − e*_kk): the same for one value k
 *          against the others (eq. 13); its coverage is l*_k / l_k.
 *
 * Values are compared nominally. A coefficient without variation (0/0) is `NaN`.
 */

/** A section one coder identified: `[start, end)` with a value (e.g. a code id). */
export interface ContinuumSection {
  coder: string;
  start: number;
  end: number;
  value: string;
}

export interface UnitizingValue {
  value: string;
  /** (k)cuα for this value against the others. */
  alpha: number;
  /** Share of this value's coincidences that fall on other coders' valued sections (l*_k / l_k). */
  coverage: number;
}

export interface UnitizingFamily {
  /** _uα: sections and their values. */
  uAlpha: number;
  /** |uα: relevant (any value) vs. irrelevant (gap) matter. */
  binaryAlpha: number;
  /** cuα: values where valued sections intersect. `NaN` with fewer than two values. */
  cuAlpha: number;
  /** Share of the continuum's coincidences on which cuα rests (l*.. / l..). */
  cuCoverage: number;
  perValue: UnitizingValue[];
  /** Continuum length L and number of coders m. */
  length: number;
  coders: number;
}

const GAP = -1;

interface Part { start: number; end: number; v: number }

/**
 * The α family for `sections` on a continuum of `length`. `coders` lists every coder compared
 * (a coder with no section left is all gap); by default the coders named in `sections`. One
 * coder's sections must not overlap each other (merge them, or split the continuum, first).
 */
export function unitizingAlphaFamily(
  length: number, sections: readonly ContinuumSection[], coders?: readonly string[],
): UnitizingFamily {
  if (!Number.isInteger(length) || length <= 0) throw new RangeError(`continuum length must be a positive integer (got ${length})`);
  const ids = coders ? [...coders] : [...new Set(sections.map((s) => s.coder))].sort();
  const m = ids.length;
  if (m < 2) throw new RangeError('the α family needs at least two coders');
  const values: string[] = [];
  const vIndex = new Map<string, number>();
  const byCoder = new Map<string, ContinuumSection[]>(ids.map((id) => [id, []]));
  for (const s of sections) {
    if (!(Number.isInteger(s.start) && Number.isInteger(s.end) && s.start >= 0 && s.start < s.end && s.end <= length)) {
      throw new RangeError(`section [${s.start}, ${s.end}) lies outside [0, ${length}) or is empty`);
    }
    const list = byCoder.get(s.coder);
    if (!list) throw new RangeError(`section of coder ${JSON.stringify(s.coder)}, who is not among the coders compared`);
    list.push(s);
    if (!vIndex.has(s.value)) { vIndex.set(s.value, values.length); values.push(s.value); }
  }
  const partitions = ids.map((id) => partition(byCoder.get(id)!, length, vIndex, id));
  const V = values.length;
  // Index 0 of the matrices is the gap, value i is index i + 1.
  const at = (v: number) => (v === GAP ? 0 : v + 1);
  const size = V + 1;
  const l = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  const S = new Array<number>(size).fill(0);
  const sStar = new Array<number>(size).fill(0);
  for (let i = 0; i < m; i++) {
    for (const g of partitions[i]!) S[at(g.v)]! += g.v === GAP ? g.end - g.start : (g.end - g.start) ** 2;
    for (let j = 0; j < m; j++) {
      if (i === j) continue;
      const pi = partitions[i]!;
      const pj = partitions[j]!;
      let h = 0;
      for (const g of pi) {
        let valuedOverlap = 0;
        while (h < pj.length && pj[h]!.end <= g.start) h++;
        for (let x = h; x < pj.length && pj[x]!.start < g.end; x++) {
          const o = Math.min(g.end, pj[x]!.end) - Math.max(g.start, pj[x]!.start);
          if (o <= 0) continue;
          l[at(g.v)]![at(pj[x]!.v)]! += o / (m - 1);
          if (pj[x]!.v !== GAP) valuedOverlap += o;
        }
        if (g.v !== GAP) sStar[at(g.v)]! += valuedOverlap ** 2 / (m - 1);
      }
    }
  }
  const total = m * length;
  const margin = l.map((row) => row.reduce((s, x) => s + x, 0));
  const sAll = S.reduce((s, x) => s + x, 0);
  const e = (c: number, k: number) => (total * (margin[c]! * margin[k]! - (c === k ? S[c]! : 0))) / (total * total - sAll);

  let diagL = 0;
  let diagE = 0;
  for (let c = 0; c < size; c++) { diagL += l[c]![c]!; diagE += e(c, c); }
  const uAlpha = alphaOf(total - diagL, total - diagE);

  // |uα: gap against all values merged.
  let lVV = 0;
  let eVV = 0;
  for (let c = 1; c < size; c++) for (let k = 1; k < size; k++) { lVV += l[c]![k]!; eVV += e(c, k); }
  const binaryAlpha = alphaOf(total - l[0]![0]! - lVV, total - e(0, 0) - eVV);

  // cuα on the intersections of valued sections.
  const lStar = new Array<number>(size).fill(0);
  for (let c = 1; c < size; c++) for (let k = 1; k < size; k++) lStar[c]! += l[c]![k]!;
  const lStarAll = lStar.reduce((s, x) => s + x, 0);
  const sStarAll = sStar.reduce((s, x) => s + x, 0);
  const denomStar = lStarAll - (lStarAll === 0 ? 0 : sStarAll / lStarAll);
  const eStar = (c: number, k: number) => (lStar[c]! * lStar[k]! - (c === k ? sStar[c]! : 0)) / denomStar;
  let cuAlpha = NaN;
  const perValue: UnitizingValue[] = [];
  if (V >= 2 && lStarAll > 0) {
    let dl = 0;
    let de = 0;
    for (let c = 1; c < size; c++) { dl += l[c]![c]!; de += eStar(c, c); }
    cuAlpha = alphaOf(lStarAll - dl, lStarAll - de);
  }
  for (let k = 1; k < size; k++) {
    let eK = 0;
    for (let c = 1; c < size; c++) eK += eStar(k, c);
    const lK = lStar[k]!;
    const alpha = V < 2 || lK === 0 ? NaN : 1 - (eK / lK) * ((lK - l[k]![k]!) / (eK - eStar(k, k)));
    perValue.push({ value: values[k - 1]!, alpha: Number.isFinite(alpha) ? alpha : NaN, coverage: margin[k]! === 0 ? NaN : lK / margin[k]! });
  }
  return { uAlpha, binaryAlpha, cuAlpha, cuCoverage: lStarAll / total, perValue, length, coders: m };
}

function alphaOf(observed: number, expected: number): number {
  if (!(expected > 0)) return NaN;
  return 1 - observed / expected;
}

/** One coder's sections and the gaps between them, in order, covering [0, length). */
function partition(list: ContinuumSection[], length: number, vIndex: ReadonlyMap<string, number>, coder: string): Part[] {
  const sorted = [...list].sort((a, b) => a.start - b.start);
  const out: Part[] = [];
  let at = 0;
  for (const s of sorted) {
    if (s.start < at) throw new RangeError(`coder ${JSON.stringify(coder)} has overlapping sections at ${s.start}; merge them or split the continuum first`);
    if (s.start > at) out.push({ start: at, end: s.start, v: GAP });
    out.push({ start: s.start, end: s.end, v: vIndex.get(s.value)! });
    at = s.end;
  }
  if (at < length) out.push({ start: at, end: length, v: GAP });
  return out;
}
