/**
 * Types of the transcript import pipeline (pure data, no runtime code).
 *
 * Text model: `ParsedTurn.text` holds the turn's content lines, each trimmed,
 * joined by a single `"\n"`. Blank lines between paragraphs of one turn are
 * not kept, so a turn's text never contains `"\n\n"`; the body text built by
 * `transcriptBody` separates turns by exactly one blank line (`"\n\n"`), which
 * therefore marks turn boundaries unambiguously. Cue-based formats (WebVTT,
 * SRT) join the cues of a turn with a single space (captions are fragments of
 * one flow of speech, their line breaks are layout only).
 *
 * All offsets are JavaScript string offsets (UTF-16 code units), the unit
 * Y.Text and editors use.
 */

export type TranscriptFormat =
  /** `Speaker: text` on one line (also `**Speaker:** text`, `[00:01] Speaker: text`). */
  | 'labelled-lines'
  /** Markdown labels on their own line: `### Speaker`, `**Speaker**`. */
  | 'heading-labels'
  /** A plain speaker name alone on a line, the speech below it. */
  | 'standalone-labels'
  | 'webvtt'
  | 'srt'
  /** NVivo's transcript table: `Timespan<TAB>Speaker<TAB>Content` rows. */
  | 'nvivo-table'
  /** No speaker labels recognised: blank-line separated paragraphs, no speaker. */
  | 'paragraphs';

export interface ParsedTurn {
  /** Speaker label as written (markup and trailing colon removed), or null. */
  speaker: string | null;
  /** Content lines joined by "\n" (see the module comment); never empty in parser output. */
  text: string;
  /** Start time of the turn's first cue (WebVTT/SRT, or a timestamped label). */
  startMs?: number;
  /** End time of the turn's last cue (WebVTT/SRT) or row (NVivo table). */
  endMs?: number;
}

/** An existing coding found in the file: code-name lines after a paragraph. */
export interface InlineCoding {
  /** Index into `ParsedTranscript.turns`. */
  turnIndex: number;
  /** Offsets into that turn's `text`, covering exactly the coded paragraph. */
  start: number;
  end: number;
  /** Code names (without `[ABBR]`), in the order written, without duplicates. */
  codeNames: string[];
}

export interface InlineCode {
  name: string;
  /** `ABBR` when the file writes the code as `Name [ABBR]`. */
  abbreviation: string | null;
  /** The code whose abbreviation prefixes this name (`ABBR-…`), if any. */
  parentName: string | null;
}

export interface ParsedTranscript {
  title: string | null;
  format: TranscriptFormat;
  turns: ParsedTurn[];
  /** Codes in order of first appearance. */
  codes: InlineCode[];
  codings: InlineCoding[];
  /** Human-readable notes about what the parser skipped or guessed. */
  warnings: string[];
}

export interface TurnRange {
  speaker: string | null;
  /** Offsets of the turn's text inside the body text (end exclusive). */
  start: number;
  end: number;
  startMs?: number;
  endMs?: number;
}

export interface TranscriptBody {
  /** Turn texts joined by "\n\n" (no labels): what goes into the Y.Text. */
  text: string;
  /** One entry per turn, same order and index as the turns given. */
  turnRanges: TurnRange[];
}

export interface BodyCoding {
  /** Offsets into the body text (end exclusive). */
  start: number;
  end: number;
  codeNames: string[];
  /** The coded text, for display/verification. */
  text: string;
}
