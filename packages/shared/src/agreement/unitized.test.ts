import { describe, expect, it } from 'vitest';
import { unitizedAlpha, unitizingDistance, type UnitSegment } from './unitized.ts';

const seg = (start: number, end: number, value: string | number = 'x'): UnitSegment => ({ start, end, value });
const unit = (begin: number, length: number) => ({ begin, length, unit: true });
const gap = (begin: number, length: number) => ({ begin, length, unit: false });

describe('unitizingDistance (δ² of Krippendorff 1995/2004)', () => {
  // Krippendorff (2004), Content Analysis 2nd ed., example on p. 254 (continuum 150–450):
  // overlapping c-units 225+70 vs 220+80 → 5² + 5² = 50; 370+30 vs 355+20 → 15² + 25² = 850;
  // the unit 400+20 inside the gap 400+50 → 20² = 400.
  it('reproduces the distances of the Krippendorff (2004) example', () => {
    expect(unitizingDistance(unit(225, 70), unit(220, 80))).toBe(50);
    expect(unitizingDistance(unit(370, 30), unit(355, 20))).toBe(850);
    expect(unitizingDistance(gap(400, 50), unit(400, 20))).toBe(400);
    expect(unitizingDistance(unit(400, 20), gap(400, 50))).toBe(400);
  });
  it('is 0 for gaps, non-overlapping units and gaps inside units; symmetric', () => {
    expect(unitizingDistance(gap(0, 10), gap(5, 10))).toBe(0);
    expect(unitizingDistance(unit(0, 5), unit(5, 5))).toBe(0);
    expect(unitizingDistance(unit(0, 10), gap(2, 3))).toBe(0); // gap inside a unit: not "unit in gap"
    expect(unitizingDistance(unit(5, 6), unit(4, 2))).toBe(26); // 1² + 5²
    expect(unitizingDistance(unit(4, 2), unit(5, 6))).toBe(26);
    expect(unitizingDistance(unit(5, 6), unit(6, 4))).toBe(2);
    expect(unitizingDistance(unit(5, 6), unit(5, 6))).toBe(0);
  });
});

describe('unitizedAlpha', () => {
  // Krippendorff (2004), Content Analysis 2nd ed., p. 254: two observers, continuum 150–450
  // (shifted here to 0–300), categories c and k. Values as published / asserted by DKPro
  // Statistics' Krippendorff2004Test: c: Do = .0144, De = .0532, α_c = .7286; k: Do = 0,
  // De = .0490, α_k = 1; overall α = .8591 in the book, computed there from the rounded
  // intermediates 1 − .0144/(.0532 + .0490); unrounded it is .8587, i.e. 0.859 to 3 decimals.
  //
  // Hand check for c (L = 300, m = 2):
  //   Do: overlapping pairs give δ² = 50 + 850 + 400 = 1300; Do = 2·1300 / (2·1·300²) = .014444.
  //   De: c-units 70, 30 (i) and 80, 20, 20 (j), N_c = 5; gaps 75, 75, 50 (i) and 70, 55, 25, 30 (j).
  //     l=70: 4·(2·70³ − 3·70² + 70)/3 = 895160, + 70²·(6 + 6 + 1) = 63700          → 958860
  //     l=30: 4·51330/3 = 68440, + 30²·(46+46+21+41+26+1 = 181) = 162900            → 231340
  //     l=80: 4·1004880/3 = 1339840, no gap ≥ 80                                     → 1339840
  //     l=20 (×2): 4·14820/3 = 19760, + 20²·247 = 98800                             → 2·118560
  //   Σ = 2767160; De = (2/300)·2767160 / (600·599 − (4830 + 870 + 6320 + 380 + 380)) = .053222;
  //   α_c = 1 − .014444/.053222 = .7286.
  const example2004 = (): UnitSegment[][] => [
    [seg(75, 145, 'c'), seg(220, 250, 'c'), seg(30, 90, 'k'), seg(150, 200, 'k')],
    [seg(70, 150, 'c'), seg(205, 225, 'c'), seg(250, 270, 'c'), seg(30, 90, 'k'), seg(150, 200, 'k')],
  ];
  it('reproduces Krippendorff (2004) p. 254: α_c = .7286, α_k = 1, α = .859', () => {
    const r = unitizedAlpha(300, example2004());
    const [c, k] = r.values;
    expect(c!.value).toBe('c');
    expect(c!.observed).toBeCloseTo(0.0144, 4);
    expect(c!.expected).toBeCloseTo(0.0532, 4);
    expect(c!.alpha).toBeCloseTo(0.7286, 4);
    expect(c!.units).toBe(5);
    expect(k!.observed).toBe(0);
    expect(k!.expected).toBeCloseTo(0.049, 4);
    expect(k!.alpha).toBe(1);
    expect(r.alpha).toBeCloseTo(0.859, 3);
    expect(r.alpha).toBeCloseTo(1 - (c!.observed + k!.observed) / (c!.expected + k!.expected), 12);
  });

  // Krippendorff (1995), "On the reliability of unitizing continuous data", Sociological
  // Methodology 25:47–76, p. 57: four pairs of coders (A–D) on a 24-position continuum. Layout
  // and reported values as transcribed in DKPro Statistics' Krippendorff1995Test. Observed
  // disagreements do not depend on the scale of the continuum: A .03125 (by hand: δ² = 8 + 10,
  // 2·18/(2·24²)), B 2.26736, C .02777, D .38715. The paper's α values are for the continuous
  // limit (we stretch the continuum ×50000): A .553 and D .066 match to 3 decimals; for B
  // (−.926) and C (.679) DKPro notes a small error in the paper's De, and its implementation
  // (like ours, −.928 and .693) agrees only to within .02.
  const example1995 = (stretch: number): [number, UnitSegment[][]] => {
    const s = (x: number) => Math.trunc(x * stretch);
    const u = (start: number, length: number, value: string) => seg(s(start), s(start) + s(length), value);
    return [
      s(24),
      [
        [
          u(2, 8, 'A'), u(14, 6, 'A'),
          u(0, 18, 'B'),
          u(2, 6, 'C'), u(10, 2, 'C'), u(14, 4, 'C'), u(20, 2, 'C'),
          u(0, 2, 'D'), u(2, 8, 'D'), u(10, 4, 'D'), u(14, 6, 'D'), u(20, 4, 'D'),
        ],
        [
          u(4, 4, 'A'), u(15, 2, 'A'),
          u(0, 2, 'B'), u(2, 1, 'B'), u(3, 1, 'B'), u(4, 1, 'B'), u(5, 1, 'B'), u(6, 3, 'B'), u(9, 1, 'B'),
          u(0, 2, 'C'), u(4, 4, 'C'), u(10, 4, 'C'), u(16, 2, 'C'), u(20, 2, 'C'),
          u(0, 4, 'D'), u(4, 4, 'D'), u(8, 7, 'D'), u(15, 2, 'D'), u(17, 7, 'D'),
        ],
      ],
    ];
  };
  it('reproduces the Krippendorff (1995) observed disagreements and the A/D alphas', () => {
    for (const stretch of [1, 50000]) {
      const [L, coders] = example1995(stretch);
      const byValue = new Map(unitizedAlpha(L, coders).values.map((v) => [v.value, v]));
      expect(byValue.get('A')!.observed).toBeCloseTo(0.03125, 5);
      expect(byValue.get('B')!.observed).toBeCloseTo(2.26736, 5);
      expect(byValue.get('C')!.observed).toBeCloseTo(0.02777, 4);
      expect(byValue.get('D')!.observed).toBeCloseTo(0.38715, 5);
    }
    const [L, coders] = example1995(50000);
    const byValue = new Map(unitizedAlpha(L, coders).values.map((v) => [v.value, v]));
    expect(byValue.get('A')!.alpha).toBeCloseTo(0.553, 3);
    expect(byValue.get('D')!.alpha).toBeCloseTo(0.066, 3);
    expect(Math.abs(byValue.get('B')!.alpha - -0.926)).toBeLessThan(0.02);
    expect(Math.abs(byValue.get('C')!.alpha - 0.679)).toBeLessThan(0.02);
    // DKPro Krippendorff1995Test at stretch 0.5 (L = 12): C has De = .05494 and α = .494.
    const [L2, coders2] = example1995(0.5);
    const c = unitizedAlpha(L2, coders2).values.find((v) => v.value === 'C')!;
    expect(c.expected).toBeCloseTo(0.05494, 5);
    expect(c.alpha).toBeCloseTo(0.494, 3);
  });

  // Hand-computed: L = 10, coder 1 unit [2,6), coder 2 unit [3,6).
  //   Sections: 1: gap 2, unit [2,6) 4, gap 4;  2: gap 3, unit [3,6) 3, gap 4.
  //   Do: only the two units interact, δ² = (2−3)² + (6−6)² = 1 → Do = 2·1/(2·1·10²) = .01.
  //   De: N = 2; l=4: (2·64 − 48 + 4)/3 = 28, + 16·((4−4+1) + (4−4+1)) = 32 → 60;
  //       l=3: (54 − 27 + 3)/3 = 10, + 9·(2 + 1 + 2) = 45 → 55;
  //       De = (2/10)·115 / (2·10·19 − (12 + 6)) = 23/362 = .063536;  α = 1 − .01/.063536 = .84261.
  it('matches a hand-computed small case', () => {
    const r = unitizedAlpha(10, [[seg(2, 6)], [seg(3, 6)]]);
    expect(r.observed).toBeCloseTo(0.01, 12);
    expect(r.expected).toBeCloseTo(23 / 362, 12);
    expect(r.alpha).toBeCloseTo(0.84261, 5);
  });

  it('is 1 for identical segmentations, whatever the values and coder count', () => {
    const coder = [seg(0, 5, 'a'), seg(5, 9, 'b'), seg(3, 7, 'c'), seg(12, 20, 'a')];
    expect(unitizedAlpha(30, [coder, coder]).alpha).toBe(1);
    expect(unitizedAlpha(30, [coder, [...coder].reverse(), coder]).alpha).toBe(1);
  });

  it('is symmetric in the coders and decreases as boundaries drift apart', () => {
    const a = [seg(10, 30), seg(50, 70)];
    const b = [seg(12, 29), seg(48, 75)];
    expect(unitizedAlpha(100, [a, b]).alpha).toBeCloseTo(unitizedAlpha(100, [b, a]).alpha, 12);
    let previous = 1;
    for (const shift of [1, 2, 4, 8]) {
      const alpha = unitizedAlpha(100, [a, [seg(10 + shift, 30 + shift), seg(50 - shift, 70 - shift)]]).alpha;
      expect(alpha).toBeLessThan(previous);
      previous = alpha;
    }
  });

  it('penalises a unit the other coder missed by its squared length', () => {
    // Only coder 1 identified [2,6): it lies inside coder 2's single gap → δ² = 16, twice.
    const r = unitizedAlpha(10, [[seg(2, 6)], []]);
    expect(r.observed).toBeCloseTo((2 * 16) / (2 * 100), 12);
    expect(r.alpha).toBeLessThan(0);
  });

  it('merges a coder\'s overlapping same-value segments but keeps touching ones apart', () => {
    const merged = unitizedAlpha(20, [[seg(2, 8), seg(5, 12)], [seg(2, 12)]]);
    expect(merged.alpha).toBe(1);
    const touching = unitizedAlpha(20, [[seg(2, 8), seg(8, 12)], [seg(2, 12)]]);
    expect(touching.alpha).toBeLessThan(1);
  });

  it('is NaN when nobody identified a unit, and rejects malformed input', () => {
    expect(unitizedAlpha(10, [[], []]).alpha).toBeNaN();
    expect(unitizedAlpha(10, [[seg(3, 3)], []]).alpha).toBeNaN(); // empty segments are ignored
    expect(() => unitizedAlpha(10, [[seg(0, 5)]])).toThrow(RangeError);
    expect(() => unitizedAlpha(10, [[seg(0, 11)], []])).toThrow(RangeError);
    expect(() => unitizedAlpha(10, [[seg(5, 4)], []])).toThrow(RangeError);
    expect(() => unitizedAlpha(10, [[seg(0.5, 4)], []])).toThrow(RangeError);
    expect(() => unitizedAlpha(0, [[], []])).toThrow(RangeError);
  });
});

describe('labels', () => {
  it('counts 1 and "1" as one value', () => {
    const a = unitizedAlpha(20, [[{ start: 0, end: 5, value: 1 }], [{ start: 0, end: 5, value: '1' }]]);
    expect(a.values).toHaveLength(1);
    expect(a.alpha).toBe(1);
  });
});
