import { labelKey } from './percent.ts';
import type { AlphaLevel, Label, MaybeLabel } from './types.ts';

export interface AlphaOptions {
  /**
   * For `'ordinal'` data with non-numeric labels: the labels from lowest to highest rank.
   * Without it, ordinal values must be numbers and are ranked numerically.
   */
  order?: readonly Label[];
}

export interface AlphaResult {
  /** Krippendorff's alpha, 1 − Do/De. `NaN` when undefined (no pairable values, or De = 0). */
  alpha: number;
  /** Observed disagreement Do. */
  observed: number;
  /** Expected disagreement De. */
  expected: number;
  /** n.. — the number of pairable values (values in units with at least two values). */
  pairable: number;
  /** Number of units with at least two values (the others are dropped). */
  units: number;
}

/**
 * Krippendorff's alpha, coincidence-matrix formulation (Krippendorff 2011, "Computing
 * Krippendorff's Alpha-Reliability", §C; 2019 book §12).
 *
 * `data[i][u]` is coder i's value for unit u (rows = coders, columns = units), `null` when
 * missing. All rows must have the same length. Units with fewer than two values are not
 * pairable and are dropped.
 *
 * With m_u the number of values in unit u and n_uc the number of them equal to c:
 *
 *   o_ck = Σ_u  n_uc · (n_uk − [c = k]) / (m_u − 1)     (coincidences, symmetric)
 *   n_c  = Σ_k o_ck,   n = Σ_c n_c
 *   Do   = (1/n)        Σ_c Σ_k o_ck      · δ²(c, k)
 *   De   = 1/(n(n − 1)) Σ_c Σ_k n_c · n_k · δ²(c, k)
 *   α    = 1 − Do / De
 *
 * Difference functions δ²: nominal [c ≠ k]; ordinal (Σ_{g=c..k} n_g − (n_c + n_k)/2)²;
 * interval (c − k)²; ratio ((c − k)/(c + k))². Interval and ratio need numeric values,
 * ordinal needs numbers or `options.order`. When all pairable values are identical De = 0
 * and alpha is 0/0, returned as `NaN`.
 */
export function krippendorffAlpha(
  data: readonly (readonly MaybeLabel[])[],
  level: AlphaLevel = 'nominal',
  options: AlphaOptions = {},
): AlphaResult {
  const m = data.length;
  const nUnits = data[0]?.length ?? 0;
  for (let i = 0; i < m; i++) {
    if (data[i]!.length !== nUnits) {
      throw new RangeError(`coder ${i} has ${data[i]!.length} units, expected ${nUnits}`);
    }
  }

  // Index the distinct values (by `labelKey`: 1 and '1' are one value).
  const index = new Map<string, number>();
  const values: Label[] = [];
  const keyOf = (v: Label): string => labelKey(v);
  for (const row of data) {
    for (const raw of row) {
      if (raw === null || raw === undefined) continue;
      const key = keyOf(raw);
      if (index.has(key)) continue;
      let v: Label = raw;
      if (level !== 'nominal' && typeof v === 'string' && !(level === 'ordinal' && options.order)) {
        const num = Number(key);
        if (key !== '' && Number.isFinite(num)) v = num;
      }
      if (level !== 'nominal' && typeof v !== 'number' && !(level === 'ordinal' && options.order)) {
        throw new TypeError(`${level} alpha needs numeric values (got ${JSON.stringify(v)})`);
      }
      if (typeof v === 'number' && !Number.isFinite(v) && level !== 'nominal') {
        throw new TypeError(`${level} alpha needs finite values (got ${v})`);
      }
      index.set(key, values.length);
      values.push(v);
    }
  }
  const V = values.length;

  // Coincidence matrix.
  const o: number[][] = Array.from({ length: V }, () => new Array<number>(V).fill(0));
  let units = 0;
  let pairable = 0;
  const unitCounts = new Map<number, number>();
  for (let u = 0; u < nUnits; u++) {
    unitCounts.clear();
    let mu = 0;
    for (let i = 0; i < m; i++) {
      const v = data[i]![u] ?? null;
      if (v === null) continue;
      const c = index.get(keyOf(v))!;
      unitCounts.set(c, (unitCounts.get(c) ?? 0) + 1);
      mu++;
    }
    if (mu < 2) continue;
    units++;
    pairable += mu;
    for (const [c, nc] of unitCounts) {
      const oc = o[c]!;
      for (const [k, nk] of unitCounts) {
        oc[k]! += (nc * (c === k ? nk - 1 : nk)) / (mu - 1);
      }
    }
  }
  const nc = o.map((row) => row.reduce((s, x) => s + x, 0));
  const n = pairable; // = Σ_c n_c, kept exact
  if (units === 0) return { alpha: NaN, observed: NaN, expected: NaN, pairable: 0, units: 0 };

  const delta2 = differenceFunction(level, values, nc, options);
  let dO = 0;
  let dE = 0;
  for (let c = 0; c < V; c++) {
    for (let k = 0; k < V; k++) {
      if (c === k) continue; // δ²(c, c) = 0 for every level
      const d = delta2(c, k);
      dO += o[c]![k]! * d;
      dE += nc[c]! * nc[k]! * d;
    }
  }
  const observed = dO / n;
  const expected = dE / (n * (n - 1));
  const alpha = expected === 0 ? NaN : 1 - observed / expected;
  return { alpha, observed, expected, pairable, units };
}

/** δ²(c, k) over value indices, for the given level (Krippendorff 2011, §C). */
function differenceFunction(
  level: AlphaLevel,
  values: readonly Label[],
  nc: readonly number[],
  options: AlphaOptions,
): (c: number, k: number) => number {
  switch (level) {
    case 'nominal':
      return () => 1;
    case 'interval':
      return (c, k) => ((values[c] as number) - (values[k] as number)) ** 2;
    case 'ratio':
      return (c, k) => {
        const x = values[c] as number;
        const y = values[k] as number;
        return x + y === 0 ? 0 : ((x - y) / (x + y)) ** 2;
      };
    case 'ordinal': {
      // Rank the values, then δ²(c, k) = (Σ_{g between c and k, inclusive} n_g − (n_c + n_k)/2)².
      const order = options.order;
      let rankOf: (v: Label) => number;
      if (order) {
        const rank = new Map<string, number>();
        order.forEach((v, i) => rank.set(labelKey(v), i));
        rankOf = (v) => {
          const r = rank.get(labelKey(v));
          if (r === undefined) throw new RangeError(`value ${JSON.stringify(v)} is missing from options.order`);
          return r;
        };
      } else {
        rankOf = (v) => v as number;
      }
      const sorted = values.map((_, i) => i).sort((x, y) => rankOf(values[x]!) - rankOf(values[y]!));
      const pos = new Array<number>(values.length);
      const cum: number[] = [0]; // cum[p] = Σ of n over the p lowest-ranked values
      sorted.forEach((vi, p) => {
        pos[vi] = p;
        cum.push(cum[p]! + nc[vi]!);
      });
      return (c, k) => {
        const lo = Math.min(pos[c]!, pos[k]!);
        const hi = Math.max(pos[c]!, pos[k]!);
        const between = cum[hi + 1]! - cum[lo]!;
        return (between - (nc[c]! + nc[k]!) / 2) ** 2;
      };
    }
  }
}
