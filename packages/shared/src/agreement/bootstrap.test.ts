import { describe, expect, it } from 'vitest';
import { krippendorffAlpha } from './alpha.ts';
import { bootstrapAlpha, bootstrapCI, bootstrapKappa, createRng } from './bootstrap.ts';
import { cohenKappa } from './kappa.ts';
import type { MaybeLabel } from './types.ts';

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

/** Two coders who agree on ~80% of `n` units over 3 categories (deterministic). */
function coders(n: number, seed = 7): [MaybeLabel[], MaybeLabel[]] {
  const rng = createRng(seed);
  const a: MaybeLabel[] = [];
  const b: MaybeLabel[] = [];
  for (let i = 0; i < n; i++) {
    const x = Math.floor(rng() * 3);
    a.push(x);
    b.push(rng() < 0.8 ? x : Math.floor(rng() * 3));
  }
  return [a, b];
}

describe('createRng', () => {
  it('is deterministic per seed and uniform-ish in [0, 1)', () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 1000 }, () => rng());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    const xs = draw(1);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(mean(xs)).toBeGreaterThan(0.45);
    expect(mean(xs)).toBeLessThan(0.55);
  });
});

describe('bootstrapCI', () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);

  it('is deterministic given the seed', () => {
    const opts = { samples: 500, seed: 123 };
    expect(bootstrapCI(mean, values, opts)).toEqual(bootstrapCI(mean, values, opts));
    expect(bootstrapCI(mean, values, { ...opts, seed: 124 })).not.toEqual(bootstrapCI(mean, values, opts));
  });

  it('brackets the estimate and matches the normal approximation for a mean', () => {
    const r = bootstrapCI(mean, values, { samples: 4000, seed: 5 });
    expect(r.estimate).toBe(50.5);
    expect(r.valid).toBe(4000);
    expect(r.lower).toBeLessThan(r.estimate);
    expect(r.upper).toBeGreaterThan(r.estimate);
    // SE of the mean of 1..100 (population sd 28.87) ≈ 2.887 → half-width ≈ 1.96·2.887 ≈ 5.66.
    expect((r.upper - r.lower) / 2).toBeGreaterThan(5);
    expect((r.upper - r.lower) / 2).toBeLessThan(6.3);
  });

  it('gets narrower with more units and wider with higher confidence', () => {
    const small = bootstrapCI(mean, values, { samples: 2000, seed: 9 });
    const large = bootstrapCI(mean, [...values, ...values, ...values, ...values], { samples: 2000, seed: 9 });
    expect(large.upper - large.lower).toBeLessThan(small.upper - small.lower);
    const c99 = bootstrapCI(mean, values, { samples: 2000, seed: 9, confidence: 0.99 });
    expect(c99.upper - c99.lower).toBeGreaterThan(small.upper - small.lower);
  });

  it('skips undefined resamples and handles empty input', () => {
    const r = bootstrapCI(() => NaN, [1, 2, 3], { samples: 10 });
    expect(r.valid).toBe(0);
    expect(r.lower).toBeNaN();
    expect(bootstrapCI(mean, [], { samples: 10 }).valid).toBe(0);
    expect(() => bootstrapCI(mean, values, { samples: 0 })).toThrow(RangeError);
    expect(() => bootstrapCI(mean, values, { confidence: 1 })).toThrow(RangeError);
  });
});

describe('bootstrapKappa / bootstrapAlpha', () => {
  it('bootstrapKappa: estimate is Cohen\'s kappa, deterministic, CI contains it, narrower with n', () => {
    const [a, b] = coders(200);
    const r = bootstrapKappa(a, b, { samples: 1000, seed: 3 });
    expect(r.estimate).toBe(cohenKappa(a, b).kappa);
    expect(r).toEqual(bootstrapKappa(a, b, { samples: 1000, seed: 3 }));
    expect(r.lower).toBeLessThanOrEqual(r.estimate);
    expect(r.upper).toBeGreaterThanOrEqual(r.estimate);
    const [a2, b2] = coders(1600);
    const big = bootstrapKappa(a2, b2, { samples: 1000, seed: 3 });
    expect(big.upper - big.lower).toBeLessThan(r.upper - r.lower);
  });

  it('bootstrapKappa ignores pairs with a missing value', () => {
    const [a, b] = coders(100);
    const withMissing = [...a, null, 1];
    const other = [...b, 2, null];
    expect(bootstrapKappa(withMissing, other, { samples: 200, seed: 1 })).toEqual(
      bootstrapKappa(a, b, { samples: 200, seed: 1 }),
    );
  });

  it('bootstrapAlpha: estimate is alpha, deterministic, CI contains it, narrower with n', () => {
    const [a, b] = coders(200, 11);
    const data = [a, b];
    const r = bootstrapAlpha(data, 'nominal', { samples: 1000, seed: 4 });
    expect(r.estimate).toBeCloseTo(krippendorffAlpha(data, 'nominal').alpha, 12);
    expect(r).toEqual(bootstrapAlpha(data, 'nominal', { samples: 1000, seed: 4 }));
    expect(r.lower).toBeLessThanOrEqual(r.estimate);
    expect(r.upper).toBeGreaterThanOrEqual(r.estimate);
    const big = bootstrapAlpha(coders(1600, 11), 'nominal', { samples: 1000, seed: 4 });
    expect(big.upper - big.lower).toBeLessThan(r.upper - r.lower);
  });

  it('bootstrapAlpha resamples pairable units only and passes the ordinal order through', () => {
    const data: MaybeLabel[][] = [
      ['lo', 'hi', 'mid', 'lo', null, 'hi', 'mid', 'mid'],
      ['lo', 'hi', 'hi', 'lo', 'lo', 'mid', 'mid', null],
      [null, 'hi', 'mid', 'mid', null, 'hi', 'mid', 'lo'],
    ];
    const r = bootstrapAlpha(data, 'ordinal', { order: ['lo', 'mid', 'hi'], samples: 300, seed: 2 });
    expect(r.estimate).toBeCloseTo(krippendorffAlpha(data, 'ordinal', { order: ['lo', 'mid', 'hi'] }).alpha, 12);
    expect(r.valid).toBeGreaterThan(250);
    expect(() => bootstrapAlpha([[1, 2], [1]], 'nominal')).toThrow(RangeError);
  });
});
