import { describe, expect, it } from 'vitest';
import { alignCards, layoutBottom } from './layout.ts';

const slot = (id: string, top: number, height = 50) => ({ id, top, height });

describe('alignCards', () => {
  it('puts each card level with its quote when there is room', () => {
    const tops = alignCards([slot('a', 0), slot('b', 100), slot('c', 300)], { gap: 10 });
    expect([...tops.values()]).toEqual([0, 100, 300]);
  });

  it('pushes cards down so they never overlap, in the order of their quotes', () => {
    const tops = alignCards([slot('b', 20), slot('a', 0), slot('c', 40), slot('d', 400)], { gap: 10 });
    expect(tops.get('a')).toBe(0);
    expect(tops.get('b')).toBe(60);
    expect(tops.get('c')).toBe(120);
    expect(tops.get('d')).toBe(400);
  });

  it('keeps the input order for quotes on the same line', () => {
    const tops = alignCards([slot('x', 10), slot('y', 10)], { gap: 0 });
    expect(tops.get('x')).toBe(10);
    expect(tops.get('y')).toBe(60);
  });

  it('aligns the active card exactly and pushes earlier cards up, later ones down', () => {
    const slots = [slot('a', 0), slot('b', 20), slot('c', 40), slot('d', 60)];
    const tops = alignCards(slots, { activeId: 'c', gap: 10 });
    expect(tops.get('c')).toBe(40);
    expect(tops.get('d')).toBe(100);
    expect(tops.get('b')).toBe(-20);
    expect(tops.get('a')).toBe(-80);
    // no overlaps
    const sorted = slots.map((s) => [tops.get(s.id)!, tops.get(s.id)! + s.height]).sort((p, q) => p[0]! - q[0]!);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]![0]).toBeGreaterThanOrEqual(sorted[i - 1]![1]! + 10);
  });

  it('leaves earlier cards where they are when there is room above the active one', () => {
    const tops = alignCards([slot('a', 0), slot('b', 300)], { activeId: 'b', gap: 10 });
    expect(tops.get('a')).toBe(0);
    expect(tops.get('b')).toBe(300);
  });

  it('keeps cards below minTop without an active card, and an unknown active id changes nothing', () => {
    expect(alignCards([slot('a', -30)], { minTop: 0 }).get('a')).toBe(0);
    const tops = alignCards([slot('a', 0), slot('b', 10)], { activeId: 'zzz', gap: 0 });
    expect(tops.get('b')).toBe(50);
    expect(layoutBottom([slot('a', 0), slot('b', 10)], tops)).toBe(100);
  });
});
