import type { TextCoding } from './text.ts';
import type { Span } from './types.ts';

/** One transcript as compared for agreement: its text, speaker turns and each coder's codings. */
export interface ComparedTranscript {
  id: string;
  text: string;
  /** Speaker turns (or paragraphs) as `[start, end)` offsets into `text`. */
  turns: readonly Span[];
  /** Coder id → that coder's codings on this transcript (code ids already resolved). */
  coders: ReadonlyMap<string, readonly TextCoding[]>;
}

/**
 * Every pair of coders who both coded at least one of the transcripts, each pair as
 * `[a, b]` with `a < b`, sorted — the same list whatever the order of the transcripts.
 */
export function coderPairs(transcripts: readonly ComparedTranscript[]): [string, string][] {
  const keys = new Set<string>();
  for (const t of transcripts) {
    const ids = [...t.coders.keys()].sort();
    for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) keys.add(`${ids[i]}\u0000${ids[j]}`);
  }
  return [...keys].sort().map((k) => k.split('\u0000') as [string, string]);
}

/**
 * The codes a pair is compared on: those either coder of the pair applied in any of the
 * transcripts both coded, sorted. Codes only a third coder used are not the pair's, and the
 * order of the transcripts does not matter.
 */
export function pairCodes(transcripts: readonly ComparedTranscript[], a: string, b: string): string[] {
  const codes = new Set<string>();
  for (const t of transcripts) {
    const ca = t.coders.get(a);
    const cb = t.coders.get(b);
    if (!ca || !cb) continue;
    for (const c of ca) codes.add(c.codeId);
    for (const c of cb) codes.add(c.codeId);
  }
  return [...codes].sort();
}
