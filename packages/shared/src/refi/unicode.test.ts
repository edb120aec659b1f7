import { describe, expect, test } from 'vitest';
import { codePointLength, codePointToUtf16, utf16ToCodePoint } from './index.ts';
import { resolvePositions, sliceCodePoints } from './unicode.ts';

describe('code point helpers', () => {
  const s = 'a😀b\u{1F3FD}é'; // a, emoji (2 units), b, skin tone (2 units), é
  test('codePointLength counts code points, not UTF-16 units', () => {
    expect(s.length).toBe(7);
    expect(codePointLength(s)).toBe(5);
    expect(codePointLength('')).toBe(0);
    expect(codePointLength('\ud800x')).toBe(2); // lone surrogate counts as one
  });
  test('codePointToUtf16 / utf16ToCodePoint are inverse on boundaries', () => {
    const pairs = [
      [0, 0],
      [1, 1],
      [2, 3],
      [3, 4],
      [4, 6],
      [5, 7],
    ] as const;
    for (const [cp, u] of pairs) {
      expect(codePointToUtf16(s, cp)).toBe(u);
      expect(utf16ToCodePoint(s, u)).toBe(cp);
    }
    // inside a surrogate pair rounds down
    expect(utf16ToCodePoint(s, 2)).toBe(1);
  });
  test('out of range throws RangeError', () => {
    expect(() => codePointToUtf16(s, 6)).toThrow(RangeError);
    expect(() => codePointToUtf16(s, -1)).toThrow(RangeError);
    expect(() => utf16ToCodePoint(s, 8)).toThrow(RangeError);
    expect(() => utf16ToCodePoint(s, 1.5)).toThrow(RangeError);
  });
  test('sliceCodePoints', () => {
    expect(sliceCodePoints(s, 1, 3)).toBe('😀b');
  });
});

describe('resolvePositions (tool position conventions → code points in LF text)', () => {
  const raw = 'x\r\n😀y'; // normalised: "x\n😀y" = 4 code points
  test('standard: code points, CRLF = 2', () => {
    const m = resolvePositions(raw, 'codepoints', [0, 1, 2, 3, 4, 5, 6]);
    expect([...m.entries()].map(([k, v]) => [k, v.pos, v.split])).toEqual([
      [0, 0, false],
      [1, 1, false],
      [2, 2, 'line-break'], // between CR and LF
      [3, 2, false],
      [4, 3, false],
      [5, 4, false],
    ]);
    expect(m.has(6)).toBe(false);
  });
  test('ATLAS.ti style: CRLF = 1', () => {
    const m = resolvePositions(raw, 'codepoints-crlf1', [2, 3, 4]);
    expect(m.get(2)?.pos).toBe(2);
    expect(m.get(3)?.pos).toBe(3);
    expect(m.get(4)?.pos).toBe(4);
  });
  test('UTF-16 units', () => {
    const m = resolvePositions(raw, 'utf16', [3, 4, 5, 6]);
    expect(m.get(3)).toEqual({ pos: 2, split: false });
    expect(m.get(4)).toEqual({ pos: 3, split: 'surrogate' }); // inside the emoji
    expect(m.get(5)).toEqual({ pos: 3, split: false });
    expect(m.get(6)).toEqual({ pos: 4, split: false });
  });
});
