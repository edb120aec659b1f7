import { describe, expect, it } from 'vitest';
import { backoffDelay, RateLimiter } from './rate-limit.ts';

describe('growing delays instead of a lock-out', () => {
  const policy = { free: 3, baseDelayMs: 1000, maxDelayMs: 8000, windowMs: 60_000 };

  it('lets the free attempts through, then doubles the wait up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((n) => backoffDelay(policy, n))).toEqual([0, 0, 1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('counts per key, waits only as long as the last delay, and forgets after the window', () => {
    let now = 0;
    const l = new RateLimiter(policy, () => now);
    for (let i = 0; i < 3; i++) l.count('a');
    expect(l.wait('a')).toBe(1000);
    expect(l.wait('b')).toBe(0);
    now += 1000;
    expect(l.wait('a')).toBe(0); // may try again: one more failure waits twice as long
    l.count('a');
    expect(l.wait('a')).toBe(2000);
    now += 61_000;
    l.count('a'); // a new window: free again
    expect(l.wait('a')).toBe(0);
    l.forget('a');
    expect(l.wait('a')).toBe(0);
  });
});
