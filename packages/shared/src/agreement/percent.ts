import type { Label, MaybeLabel } from './types.ts';

/** Throws unless `a` and `b` have the same length. */
export function assertSameLength(a: readonly unknown[], b: readonly unknown[]): void {
  if (a.length !== b.length) {
    throw new RangeError(`label arrays differ in length (${a.length} vs ${b.length})`);
  }
}

/**
 * Raw percent agreement of two coders: the proportion (0..1) of units on which both gave
 * the same label. Pairs where either value is `null` are skipped. `NaN` when no pair is left.
 */
export function percentAgreement(a: readonly MaybeLabel[], b: readonly MaybeLabel[]): number {
  assertSameLength(a, b);
  let n = 0;
  let agree = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === null || y === null) continue;
    n++;
    if (sameLabel(x, y)) agree++;
  }
  return n === 0 ? NaN : agree / n;
}

/**
 * The key a label is compared by: `1`, `'1'` and `' 1 '` are the same value (a spreadsheet
 * column of codes or ratings mixes numbers and text), and so are differently composed forms
 * of the same Unicode text (NFC). Numbers keep their shortest form (`1.0` → `'1'`); NaN is
 * `'NaN'`, and 0 and −0 are both `'0'`.
 */
export function labelKey(x: Label): string {
  if (typeof x === 'number') return Object.is(x, -0) ? '0' : String(x);
  const t = x.trim().normalize('NFC');
  const asNumber = t === '' ? NaN : Number(t);
  return Number.isFinite(asNumber) ? String(asNumber) : t;
}

/** Whether two labels are the same value (see `labelKey`). */
export function sameLabel(x: MaybeLabel, y: MaybeLabel): boolean {
  if (x === null || y === null) return x === y;
  return labelKey(x) === labelKey(y);
}
