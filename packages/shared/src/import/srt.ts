import type { ParsedTranscript } from './types.ts';
import { CUE_TIMING_RE, cuesFromBlocks, cuesToTurns, splitCueBlocks } from './cues.ts';

/**
 * SubRip (.srt): numbered cues, `00:00:01,000 --> 00:00:04,000`, text lines
 * optionally starting with `Speaker: `. Formatting tags (`<i>`, `<font>`,
 * `{\an8}`) are dropped; consecutive cues of one speaker form one turn.
 */

/** `text` must be normalised. True when a timing line appears among the first non-blank lines. */
export function looksLikeSrt(text: string, fileName?: string): boolean {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (/\.srt$/i.test(fileName ?? '') && lines.some((l) => CUE_TIMING_RE.test(l))) return true;
  const head = lines.slice(0, 6);
  const t = head.findIndex((l) => CUE_TIMING_RE.test(l));
  // A cue starts the file: the timing line is first, or follows a cue number.
  return t === 0 || (t === 1 && /^\s*\d+\s*$/.test(head[0]!));
}

export function parseSrt(text: string): ParsedTranscript {
  const warnings: string[] = [];
  const turns = cuesToTurns(cuesFromBlocks(splitCueBlocks(text, warnings)));
  if (turns.length > 0 && turns.every((t) => t.speaker === null)) {
    warnings.push('The subtitles name no speakers; turns were split at pauses.');
  }
  if (turns.length === 0) warnings.push('The SRT file contains no cues with text.');
  return { title: null, format: 'srt', turns, codes: [], codings: [], warnings };
}
