/**
 * Unicode helpers: REFI-QDA counts positions in code points, JavaScript strings
 * (and Yjs) in UTF-16 code units.
 */

function isHigh(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}
function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** Number of Unicode code points in `text` (a lone surrogate counts as one). */
export function codePointLength(text: string): number {
  let n = 0;
  const len = text.length;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    if (isHigh(c) && i + 1 < len && isLow(text.charCodeAt(i + 1))) i++;
    n++;
  }
  return n;
}

function checkIndex(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name} ${value} is outside 0..${max}`);
  }
}

/**
 * UTF-16 index of code point position `cp` in `text` (`cp` may equal the code
 * point length). Throws RangeError when out of range.
 */
export function codePointToUtf16(text: string, cp: number): number {
  if (!Number.isInteger(cp) || cp < 0) checkIndex('code point position', cp, codePointLength(text));
  const len = text.length;
  let n = 0;
  let i = 0;
  while (n < cp) {
    if (i >= len) throw new RangeError(`code point position ${cp} is outside 0..${n}`);
    const c = text.charCodeAt(i);
    i += isHigh(c) && i + 1 < len && isLow(text.charCodeAt(i + 1)) ? 2 : 1;
    n++;
  }
  return i;
}

/**
 * Code point position of UTF-16 index `u` in `text`. An index that falls
 * between the two halves of a surrogate pair rounds down to the start of the
 * pair. Throws RangeError when out of range.
 */
export function utf16ToCodePoint(text: string, u: number): number {
  checkIndex('UTF-16 position', u, text.length);
  let n = 0;
  let i = 0;
  while (i < u) {
    const c = text.charCodeAt(i);
    const pair = isHigh(c) && i + 1 < text.length && isLow(text.charCodeAt(i + 1));
    if (pair && i + 1 === u) break; // inside the pair: round down
    i += pair ? 2 : 1;
    n++;
  }
  return n;
}

/** Slice by code point positions (end exclusive). */
export function sliceCodePoints(text: string, start: number, end: number): string {
  return text.slice(codePointToUtf16(text, start), codePointToUtf16(text, end));
}

/** CRLF and lone CR to LF. */
export function normalizeNewlines(text: string): string {
  return text.indexOf('\r') < 0 ? text : text.replace(/\r\n?/g, '\n');
}

/**
 * How a tool counted positions in a source text.
 * - `codepoints`: the REFI-QDA standard (code points, CRLF = 2).
 * - `codepoints-crlf1`: code points, CRLF counted as one (ATLAS.ti).
 * - `utf16`: UTF-16 code units, CRLF = 2 (NVivo for Windows).
 * - `utf16-crlf1`: UTF-16 code units, CRLF counted as one.
 */
export type PositionConvention = 'codepoints' | 'codepoints-crlf1' | 'utf16' | 'utf16-crlf1';

export interface ResolvedPosition {
  /** Code point position in the newline-normalised text. */
  pos: number;
  /**
   * Where the original position fell inside one normalised character: between
   * CR and LF (harmless, rounded to after the line break) or between the two
   * halves of a surrogate pair (the tool cut a character: evidence against the
   * convention). Rounded up in both cases.
   */
  split: false | 'line-break' | 'surrogate';
}

/**
 * Maps positions counted by `convention` in the raw text to code point
 * positions in `normalizeNewlines(raw)`. One pass over the text; positions
 * beyond the end are missing from the result.
 */
export function resolvePositions(
  raw: string,
  convention: PositionConvention,
  positions: readonly number[],
): Map<number, ResolvedPosition> {
  const crlfWidth = convention === 'codepoints' || convention === 'utf16' ? 2 : 1;
  const astralWidth = convention === 'utf16' || convention === 'utf16-crlf1' ? 2 : 1;
  const targets = [...new Set(positions)].filter((p) => Number.isInteger(p) && p >= 0).sort((a, b) => a - b);
  const out = new Map<number, ResolvedPosition>();
  let t = 0;
  let counter = 0;
  let norm = 0;
  const len = raw.length;
  let i = 0;
  while (t < targets.length && i < len) {
    const c = raw.charCodeAt(i);
    let width = 1;
    let units = 1;
    let kind: 'line-break' | 'surrogate' = 'line-break';
    if (c === 0x0d && i + 1 < len && raw.charCodeAt(i + 1) === 0x0a) {
      width = crlfWidth;
      units = 2;
    } else if (isHigh(c) && i + 1 < len && isLow(raw.charCodeAt(i + 1))) {
      width = astralWidth;
      units = 2;
      kind = 'surrogate';
    }
    let target = targets[t];
    while (target !== undefined && target < counter + width) {
      out.set(target, target === counter ? { pos: norm, split: false } : { pos: norm + 1, split: kind });
      t++;
      target = targets[t];
    }
    counter += width;
    norm += 1;
    i += units;
  }
  const last = targets[t];
  if (last !== undefined && last === counter) out.set(last, { pos: norm, split: false });
  return out;
}

/** Whether the conventions can differ for this text at all. */
export function textStats(raw: string): { hasCrlf: boolean; hasAstral: boolean } {
  return { hasCrlf: raw.includes('\r\n'), hasAstral: /[\ud800-\udbff][\udc00-\udfff]/.test(raw) };
}

interface TextDecoderLike {
  decode(input: Uint8Array): string;
}
type TextDecoderCtor = new (label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean }) => TextDecoderLike;

function decoder(label: string, fatal: boolean): TextDecoderLike {
  const Ctor = (globalThis as unknown as { TextDecoder?: TextDecoderCtor }).TextDecoder;
  if (!Ctor) throw new Error('TextDecoder is not available in this environment');
  return new Ctor(label, { fatal, ignoreBOM: true });
}

/**
 * Decodes a text file: UTF-8 (with or without byte-order mark) or UTF-16 with
 * a byte-order mark. `lossy` is true when invalid bytes had to be replaced.
 */
export function decodeText(bytes: Uint8Array): { text: string; lossy: boolean } {
  let label = 'utf-8';
  let body = bytes;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) body = bytes.subarray(3);
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    label = 'utf-16le';
    body = bytes.subarray(2);
  } else if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    label = 'utf-16be';
    body = bytes.subarray(2);
  }
  try {
    return { text: decoder(label, true).decode(body), lossy: false };
  } catch {
    return { text: decoder(label, false).decode(body), lossy: true };
  }
}

interface TextEncoderLike {
  encode(input: string): Uint8Array;
}

export function encodeUtf8(text: string): Uint8Array {
  const Ctor = (globalThis as unknown as { TextEncoder?: new () => TextEncoderLike }).TextEncoder;
  if (!Ctor) throw new Error('TextEncoder is not available in this environment');
  return new Ctor().encode(text);
}
