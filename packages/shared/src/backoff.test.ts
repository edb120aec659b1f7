import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';

describe('backoffDelay', () => {
  it('grows exponentially up to the cap, scaled by the random draw', () => {
    expect(backoffDelay(0, { random: () => 1 })).toBe(250);
    expect(backoffDelay(3, { random: () => 1 })).toBe(2000);
    expect(backoffDelay(20, { random: () => 1 })).toBe(10_000);
    expect(backoffDelay(3, { random: () => 0.5 })).toBe(1000);
    expect(backoffDelay(3, { random: () => 0 })).toBe(0);
  });
  it('spreads clients out: 1000 draws at attempt 4 cover the range', () => {
    const d = Array.from({ length: 1000 }, () => backoffDelay(4));
    expect(Math.min(...d)).toBeLessThan(400);
    expect(Math.max(...d)).toBeGreaterThan(3600);
    expect(new Set(d).size).toBeGreaterThan(500);
  });
});
