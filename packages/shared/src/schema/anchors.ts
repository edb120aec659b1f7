import * as Y from 'yjs';

/**
 * Anchors: a span of a transcript body kept as two encoded Yjs relative positions,
 * so it follows its words through concurrent edits.
 *
 * The start sticks to the first character of the span (assoc 0: the item to the
 * right), the end to the last character (assoc -1: the item to the left), so text
 * typed at either boundary stays outside and text typed inside stays inside.
 */
export interface EncodedSpan {
  start: Uint8Array;
  end: Uint8Array;
}

export function anchorSpan(body: Y.Text, start: number, end: number): EncodedSpan {
  if (start < 0 || end > body.length || start > end) {
    throw new RangeError(`span ${start}..${end} is outside the text (length ${body.length})`);
  }
  return {
    start: Y.encodeRelativePosition(Y.createRelativePositionFromTypeIndex(body, start, 0)),
    end: Y.encodeRelativePosition(Y.createRelativePositionFromTypeIndex(body, end, -1)),
  };
}

/**
 * Resolves an anchored span against the document that holds `body`. Returns
 * `null` when the words were deleted (an empty or inverted span).
 */
export function resolveSpan(doc: Y.Doc, span: EncodedSpan): { start: number; end: number } | null {
  const s = resolvePosition(doc, span.start);
  const e = resolvePosition(doc, span.end);
  if (s === null || e === null || e <= s) return null;
  return { start: s, end: e };
}

export function resolvePosition(doc: Y.Doc, encoded: Uint8Array): number | null {
  try {
    const abs = Y.createAbsolutePositionFromRelativePosition(Y.decodeRelativePosition(encoded), doc);
    return abs ? abs.index : null;
  } catch {
    return null;
  }
}

/** Converts a JS string (UTF-16) offset to a Unicode code point offset. */
export function utf16ToCodePoints(text: string, offset: number): number {
  let cp = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    cp++;
  }
  return cp;
}

/** Converts a Unicode code point offset to a JS string (UTF-16) offset. */
export function codePointsToUtf16(text: string, cps: number): number {
  let i = 0;
  for (let n = 0; n < cps && i < text.length; n++) {
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
  }
  return i;
}
