export type {
  BodyCoding,
  InlineCode,
  InlineCoding,
  ParsedTranscript,
  ParsedTurn,
  TranscriptBody,
  TranscriptFormat,
  TurnRange,
} from './types.ts';
export {
  MAX_TRANSCRIPT_BYTES,
  TRANSCRIPT_FILE_EXTENSIONS,
  checkTranscriptInput,
  type TranscriptInputCheck,
  type TranscriptInputErrorCode,
} from './input.ts';
export { normalizeTranscriptText, parseTranscript, type ParseTranscriptOptions } from './transcript.ts';
export { TURN_SEPARATOR, bodyCodings, inlineCodingToBodyRange, listSpeakers, transcriptBody } from './body.ts';
export { looksLikeWebVtt, parseWebVtt } from './webvtt.ts';
export { looksLikeSrt, parseSrt } from './srt.ts';
export { looksLikeNvivoTable, parseNvivoTable } from './nvivo-table.ts';
