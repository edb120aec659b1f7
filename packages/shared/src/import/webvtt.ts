import type { ParsedTranscript } from './types.ts';
import { CUE_TIMING_RE, cuesFromBlocks, cuesToTurns, splitCueBlocks } from './cues.ts';

/**
 * WebVTT (Zoom, Teams, Otter, YouTube exports). Speakers come from voice tags
 * (`<v Jane Doe>text</v>`, Teams) or `Name: text` cue text (Zoom); cue ids,
 * cue settings, NOTE/STYLE/REGION blocks and inline markup are dropped.
 * Consecutive cues of one speaker form one turn with the first cue's `startMs`.
 */

/** `text` must be normalised (no BOM, `\n` line endings). */
export function looksLikeWebVtt(text: string, fileName?: string): boolean {
  if (/^WEBVTT(?:[ \t]|\n|$)/.test(text)) return true;
  return /\.vtt$/i.test(fileName ?? '') && text.split('\n').some((l) => CUE_TIMING_RE.test(l));
}

export function parseWebVtt(text: string): ParsedTranscript {
  const warnings: string[] = [];
  if (!/^WEBVTT/.test(text)) warnings.push('The file has no WEBVTT header; it was read as WebVTT because of its name.');
  const turns = cuesToTurns(cuesFromBlocks(splitCueBlocks(text, warnings)));
  if (turns.length > 0 && turns.every((t) => t.speaker === null)) {
    warnings.push('The captions name no speakers; turns were split at pauses.');
  }
  if (turns.length === 0) warnings.push('The WebVTT file contains no cues with text.');
  return { title: null, format: 'webvtt', turns, codes: [], codings: [], warnings };
}
