import type { MaybeLabel } from './types.ts';

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

/** SameValueZero, the equality `Map` keys use (so NaN equals NaN, 0 equals -0). */
export function sameLabel(x: MaybeLabel, y: MaybeLabel): boolean {
  return x === y || (x !== x && y !== y);
}
