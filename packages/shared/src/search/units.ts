/** What "code all hits" codes around each hit. */
export const CODING_UNITS = ['words', 'sentence', 'turn'] as const;
export type CodingUnit = (typeof CODING_UNITS)[number];

/**
 * The span to code for a hit (UTF-16 offsets into `text`): the hit's own words, the
 * sentence holding it (Intl.Segmenter's sentence boundaries, kept inside the turn,
 * without trailing white space) or the whole speaker turn (`turn`: its span).
 */
export function unitSpan(
  text: string, hit: { start: number; end: number }, unit: CodingUnit, turn: { start: number; end: number },
): { start: number; end: number } {
  if (unit === 'words') return { start: hit.start, end: hit.end };
  let start = turn.start;
  let end = turn.end;
  if (unit === 'sentence') {
    const seg = new Intl.Segmenter(undefined, { granularity: 'sentence' });
    const turnText = text.slice(turn.start, turn.end);
    let sStart: number | null = null;
    let sEnd = turnText.length;
    for (const s of seg.segment(turnText)) {
      const a = turn.start + s.index;
      const b = a + s.segment.length;
      if (sStart === null && b > hit.start) sStart = a;
      if (sStart !== null && b >= hit.end) { sEnd = b - turn.start; break; }
    }
    start = sStart ?? turn.start;
    end = turn.start + sEnd;
  }
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  while (start < end && /\s/.test(text[start]!)) start++;
  return { start, end: Math.max(end, hit.end) };
}
