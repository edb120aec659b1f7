import { krippendorffAlpha, type AlphaOptions } from './alpha.ts';
import { cohenKappa } from './kappa.ts';
import { assertSameLength } from './percent.ts';
import type { AlphaLevel, MaybeLabel } from './types.ts';

export interface BootstrapOptions {
  /** Number of bootstrap resamples (default 1000). */
  samples?: number;
  /** Two-sided confidence level in (0, 1) (default 0.95). */
  confidence?: number;
  /** PRNG seed; the same seed and input give the same interval (default 1). */
  seed?: number;
}

export interface BootstrapResult {
  /** The statistic on the original (not resampled) units. */
  estimate: number;
  /** Lower percentile bound; `NaN` when no resample gave a defined statistic. */
  lower: number;
  /** Upper percentile bound. */
  upper: number;
  /** Resamples whose statistic was defined (non-NaN) and entered the percentiles. */
  valid: number;
}

/**
 * mulberry32: a small, fast, seedable 32-bit PRNG returning floats in [0, 1). Not
 * cryptographic; used so that bootstrap intervals are reproducible.
 */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Nonparametric percentile bootstrap: draws `samples` resamples of `units` with replacement
 * (same size as the input) using a seeded PRNG, applies `statFn` to each and returns the
 * (1 − confidence)/2 and (1 + confidence)/2 quantiles (linear interpolation between order
 * statistics, R's type 7). Resamples whose statistic is `NaN` (e.g. kappa undefined because
 * a resample happened to contain a single category) are skipped and counted out of `valid`.
 */
export function bootstrapCI<U>(
  statFn: (units: readonly U[]) => number,
  units: readonly U[],
  options: BootstrapOptions = {},
): BootstrapResult {
  return bootstrapIntervals((sample) => [statFn(sample)], units, options)[0]!;
}

/**
 * `bootstrapCI` for several statistics of the same resamples at once (`statFn` returns one
 * number per statistic, always as many): each resample is drawn once, so k coefficients
 * cost one pass instead of k. Returns one result per statistic, in order.
 */
export function bootstrapIntervals<U>(
  statFn: (units: readonly U[]) => readonly number[],
  units: readonly U[],
  options: BootstrapOptions = {},
): BootstrapResult[] {
  const samples = options.samples ?? 1000;
  const confidence = options.confidence ?? 0.95;
  if (!Number.isInteger(samples) || samples < 1) throw new RangeError(`samples must be a positive integer (got ${samples})`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1) (got ${confidence})`);
  const rng = createRng(options.seed ?? 1);
  const estimates = statFn(units);
  const k = estimates.length;
  const n = units.length;
  const empty = () => estimates.map((estimate) => ({ estimate, lower: NaN, upper: NaN, valid: 0 }));
  if (n === 0) return empty();

  const stats: number[][] = Array.from({ length: k }, () => []);
  const resample = new Array<U>(n);
  for (let s = 0; s < samples; s++) {
    for (let i = 0; i < n; i++) resample[i] = units[Math.floor(rng() * n)]!;
    const v = statFn(resample);
    for (let j = 0; j < k; j++) if (!Number.isNaN(v[j]!)) stats[j]!.push(v[j]!);
  }
  const tail = (1 - confidence) / 2;
  return estimates.map((estimate, j) => {
    const list = stats[j]!;
    if (list.length === 0) return { estimate, lower: NaN, upper: NaN, valid: 0 };
    list.sort((x, y) => x - y);
    return { estimate, lower: quantile(list, tail), upper: quantile(list, 1 - tail), valid: list.length };
  });
}

/** Type-7 quantile of an ascending, non-empty array. */
function quantile(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Bootstrap CI for Cohen's kappa, resampling the units on which both coders gave a value. */
export function bootstrapKappa(
  a: readonly MaybeLabel[],
  b: readonly MaybeLabel[],
  options: BootstrapOptions = {},
): BootstrapResult {
  assertSameLength(a, b);
  const pairs: [MaybeLabel, MaybeLabel][] = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x !== null && y !== null) pairs.push([x, y]);
  }
  return bootstrapCI(
    (sample) => cohenKappa(sample.map((p) => p[0]), sample.map((p) => p[1])).kappa,
    pairs,
    options,
  );
}

/**
 * Bootstrap CI for Krippendorff's alpha, resampling the pairable units (columns of `data`
 * with at least two values) — a plain unit-level bootstrap, not the value-level resampling
 * of Krippendorff's own macro.
 */
export function bootstrapAlpha(
  data: readonly (readonly MaybeLabel[])[],
  level: AlphaLevel = 'nominal',
  options: BootstrapOptions & AlphaOptions = {},
): BootstrapResult {
  const nUnits = data[0]?.length ?? 0;
  data.forEach((row, i) => {
    if (row.length !== nUnits) throw new RangeError(`coder ${i} has ${row.length} units, expected ${nUnits}`);
  });
  const columns: MaybeLabel[][] = [];
  for (let u = 0; u < nUnits; u++) {
    const column = data.map((row) => row[u] ?? null);
    if (column.filter((v) => v !== null).length >= 2) columns.push(column);
  }
  const alphaOptions: AlphaOptions = options.order ? { order: options.order } : {};
  const m = data.length;
  return bootstrapCI(
    (sample) => {
      const rows = Array.from({ length: m }, (_, i) => sample.map((column) => column[i] ?? null));
      return krippendorffAlpha(rows, level, alphaOptions).alpha;
    },
    columns,
    options,
  );
}
