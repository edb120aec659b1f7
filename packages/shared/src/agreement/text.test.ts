import { describe, expect, it } from 'vitest';
import { createRng } from './bootstrap.ts';
import { textAgreement, wordSpans, type TextCoding } from './text.ts';
import type { Span } from './types.ts';

const words = (text: string) => wordSpans(text).map(([s, e]) => text.slice(s, e));

describe('wordSpans', () => {
  it('returns word-like segments as [start, end) JS string offsets', () => {
    const text = "R: Well — I didn't plan it, honestly.";
    expect(words(text)).toEqual(['R', 'Well', 'I', "didn't", 'plan', 'it', 'honestly']);
    const spans = wordSpans(text);
    expect(spans[0]).toEqual([0, 1]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
  });

  it('is Unicode-aware: accents, combining marks, digits, scripts without spaces; no emoji or punctuation', () => {
    expect(words('naïve café, e\u0301te\u0301 2.5 years 😀 …')).toEqual(['naïve', 'café', 'e\u0301te\u0301', '2.5', 'years']);
    const ja = words('東京に住んでいます');
    expect(ja.length).toBeGreaterThan(1);
    expect(ja.join('')).toBe('東京に住んでいます');
    expect(wordSpans('')).toEqual([]);
    expect(wordSpans(' … — !')).toEqual([]);
  });
});

describe('textAgreement', () => {
  const paragraphs = [
    'I: How did you start the business?',
    'R: My uncle lent me money and I started small.',
    'I: Was that hard?',
    'R: Very hard, the bank refused twice.',
  ];
  const text = paragraphs.join('\n');
  const segments: Span[] = [];
  let offset = 0;
  for (const p of paragraphs) {
    segments.push([offset, offset + p.length]);
    offset += p.length + 1;
  }
  /** The [start, end) of `phrase` (its first occurrence at or after `from`). */
  const at = (phrase: string, from = 0): [number, number] => {
    const start = text.indexOf(phrase, from);
    if (start < 0) throw new Error(`no "${phrase}"`);
    return [start, start + phrase.length];
  };
  const code = (codeId: string, phrase: string, from = 0): TextCoding => {
    const [start, end] = at(phrase, from);
    return { start, end, codeId };
  };
  const p3 = segments[3]![0];
  const codingsA = [
    code('funding', 'My uncle lent me money'),
    code('funding', 'the bank refused twice', p3),
    code('emotion', 'Very hard', p3),
  ];
  const codingsB = [
    // Starts mid-word ("ncle") and ends after a trailing space: same words as "uncle … and".
    code('funding', 'ncle lent me money and '),
    code('emotion', 'Very hard, the bank', p3),
  ];
  const boundaries = wordSpans(text);

  // Units = words of paragraphs 1 and 3 (the only ones either coder coded): 10 + 7 = 17.
  //   Paragraph 1: A funding = My uncle lent me money; B funding = uncle lent me money and
  //     → both 4 (uncle lent me money), onlyA 1 (My), onlyB 1 (and), neither 4 (R I started small).
  //   Paragraph 3: A funding = the bank refused twice, B none → onlyA 4, neither 3 (R Very hard).
  // Totals both 4, onlyA 5, onlyB 1, neither 7; percent = 11/17.
  // κ: A present 9/17, B present 5/17; p_e = (9·5 + 8·12)/17² = 141/289; κ = (187 − 141)/(289 − 141) = 46/148.
  // α (nominal, 34 values): o_11 = 8, o_00 = 14, o_01 = o_10 = 6; n_1 = 14, n_0 = 20;
  //   α = 1 − 33·6/(14·20) = 1 − 198/280.
  it('computes word-level agreement restricted to paragraphs either coder coded', () => {
    const r = textAgreement(text.length, boundaries, codingsA, codingsB, 'funding', segments);
    expect(r).toMatchObject({ n: 17, both: 4, onlyA: 5, onlyB: 1, neither: 7 });
    expect(r.percent).toBeCloseTo(11 / 17, 12);
    expect(r.kappa).toBeCloseTo(46 / 148, 12);
    expect(r.alpha).toBeCloseTo(1 - 198 / 280, 12);
  });

  it('gives the same result when the caller passes only the coded regions', () => {
    const coded = [segments[1]!, segments[3]!];
    expect(textAgreement(text.length, boundaries, codingsA, codingsB, 'funding', coded)).toEqual(
      textAgreement(text.length, boundaries, codingsA, codingsB, 'funding', segments),
    );
  });

  it('uses every word without segments (uncoded stretches inflate percent agreement)', () => {
    const all = textAgreement(text.length, boundaries, codingsA, codingsB, 'funding');
    expect(all).toMatchObject({ n: 28, both: 4, onlyA: 5, onlyB: 1, neither: 18 });
    expect(all.percent).toBeGreaterThan(textAgreement(text.length, boundaries, codingsA, codingsB, 'funding', segments).percent);
  });

  it('evaluates each code separately', () => {
    // emotion: A = Very hard, B = Very hard the bank (comma is not a word).
    const r = textAgreement(text.length, boundaries, codingsA, codingsB, 'emotion', segments);
    expect(r).toMatchObject({ n: 17, both: 2, onlyA: 0, onlyB: 2, neither: 13 });
  });

  it('returns NaN coefficients when undefined', () => {
    // Nobody coded anything: no unit words.
    const none = textAgreement(text.length, boundaries, [], [], 'funding', segments);
    expect(none.n).toBe(0);
    expect(none.percent).toBeNaN();
    expect(none.kappa).toBeNaN();
    expect(none.alpha).toBeNaN();
    // Units exist but neither coder used this code there: percent 1, kappa/alpha undefined.
    const unused = textAgreement(text.length, boundaries, codingsA, codingsB, 'other', segments);
    expect(unused).toMatchObject({ n: 17, neither: 17, percent: 1 });
    expect(unused.kappa).toBeNaN();
    expect(unused.alpha).toBeNaN();
  });

  it('rejects boundaries outside the text', () => {
    expect(() => textAgreement(5, [[0, 6]], [], [], 'x')).toThrow(RangeError);
    expect(() => textAgreement(5, [[3, 3]], [], [], 'x')).toThrow(RangeError);
    expect(() => textAgreement(-1, [], [], [], 'x')).toThrow(RangeError);
  });

  it('agrees with a naive computation on random codings', () => {
    const rng = createRng(99);
    const vocabulary = ['alpha', 'beta', 'gamma', 'δέλτα', 'epsilon', 'zeta'];
    let t = '';
    const segs: Span[] = [];
    for (let p = 0; p < 30; p++) {
      const start = t.length;
      const n = 3 + Math.floor(rng() * 15);
      t += Array.from({ length: n }, () => vocabulary[Math.floor(rng() * vocabulary.length)]!).join(' ') + '.';
      segs.push([start, t.length]);
      t += '\n';
    }
    const randomCodings = (count: number): TextCoding[] =>
      Array.from({ length: count }, () => {
        const start = Math.floor(rng() * t.length);
        const end = Math.min(t.length, start + 1 + Math.floor(rng() * 40));
        return { start, end, codeId: rng() < 0.5 ? 'x' : 'y' };
      });
    const A = randomCodings(25);
    const B = randomCodings(25);
    const bounds = wordSpans(t);
    const overlaps = (s: number, e: number, c: { start: number; end: number }) => c.start < e && c.end > s;
    const active = segs.filter(([s, e]) => [...A, ...B].some((c) => overlaps(s, e, c)));
    const expected = { both: 0, onlyA: 0, onlyB: 0, neither: 0 };
    for (const [s, e] of bounds) {
      if (!active.some(([as, ae]) => as < e && ae > s)) continue;
      const a = A.some((c) => c.codeId === 'x' && overlaps(s, e, c));
      const b = B.some((c) => c.codeId === 'x' && overlaps(s, e, c));
      if (a && b) expected.both++;
      else if (a) expected.onlyA++;
      else if (b) expected.onlyB++;
      else expected.neither++;
    }
    const r = textAgreement(t.length, bounds, A, B, 'x', segs);
    expect(r).toMatchObject(expected);
    expect(r.n).toBe(expected.both + expected.onlyA + expected.onlyB + expected.neither);
    expect(r.n).toBeGreaterThan(50);
  });
});
