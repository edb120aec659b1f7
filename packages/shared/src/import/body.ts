import type { BodyCoding, InlineCoding, ParsedTranscript, ParsedTurn, TranscriptBody, TurnRange } from './types.ts';

/** Separator between turns in the body text. */
export const TURN_SEPARATOR = '\n\n';

/**
 * The body text the app stores in its Y.Text: turn texts (no labels) joined by
 * one blank line, and each turn's range in it. Every turn given gets a range,
 * in order, so `turnRanges[i]` belongs to `turns[i]`.
 */
export function transcriptBody(turns: readonly ParsedTurn[]): TranscriptBody {
  const parts: string[] = [];
  const turnRanges: TurnRange[] = [];
  let offset = 0;
  turns.forEach((t, i) => {
    if (i > 0) offset += TURN_SEPARATOR.length;
    const range: TurnRange = { speaker: t.speaker, start: offset, end: offset + t.text.length };
    if (t.startMs !== undefined) range.startMs = t.startMs;
    if (t.endMs !== undefined) range.endMs = t.endMs;
    turnRanges.push(range);
    parts.push(t.text);
    offset += t.text.length;
  });
  return { text: parts.join(TURN_SEPARATOR), turnRanges };
}

/**
 * Maps an inline coding (offsets into one turn's text) to offsets into the
 * body text. Null when the coding does not fit its turn (stale input).
 */
export function inlineCodingToBodyRange(
  coding: InlineCoding,
  turnRanges: readonly TurnRange[],
): { start: number; end: number } | null {
  const r = turnRanges[coding.turnIndex];
  if (!r) return null;
  if (coding.start < 0 || coding.end < coding.start || r.start + coding.end > r.end) return null;
  return { start: r.start + coding.start, end: r.start + coding.end };
}

/** All inline codings of a parsed transcript in body offsets, with their text. */
export function bodyCodings(parsed: ParsedTranscript, body: TranscriptBody = transcriptBody(parsed.turns)): BodyCoding[] {
  const out: BodyCoding[] = [];
  for (const c of parsed.codings) {
    const r = inlineCodingToBodyRange(c, body.turnRanges);
    if (r) out.push({ ...r, codeNames: [...c.codeNames], text: body.text.slice(r.start, r.end) });
  }
  return out;
}

/** Distinct speaker names in order of first appearance (turns without a speaker are ignored). */
export function listSpeakers(turns: readonly ParsedTurn[]): string[] {
  const seen = new Set<string>();
  for (const t of turns) if (t.speaker !== null) seen.add(t.speaker);
  return [...seen];
}
