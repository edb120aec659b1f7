import { z } from 'zod';
import { CODING_UNITS } from './units.ts';

/** One hit of `GET /api/projects/:pid/search`, keyword in context. */
export interface SearchHit {
  transcriptId: string;
  transcriptName: string;
  speaker: string | null;
  /** Code points into the transcript's text, like `/segments`. */
  start: number;
  end: number;
  text: string;
  /** The turn's text just before and after the hit. */
  before: string;
  after: string;
}

export interface SearchResponse {
  hits: SearchHit[];
  /** More hits exist than were returned. */
  truncated: boolean;
  /** Some transcripts are still being indexed for the first time: the hits may be incomplete. */
  indexing?: boolean;
}

const optionalText = z.string().max(1_000).nullish();

/** `POST /api/projects/:pid/search/code`: the search (as `GET /search` takes it) and what to code its hits with. */
export const CodeHitsBody = z.object({
  q: optionalText,
  regex: optionalText,
  speaker: optionalText,
  code: optionalText,
  children: z.boolean().optional(),
  coder: optionalText,
  codeId: z.string().min(1).max(100),
  unit: z.enum(CODING_UNITS),
});

export interface CodeHitsResponse {
  /** Pass to `POST /search/code/undo` with the transcripts to take the whole action back. */
  batch: string;
  codings: number;
  transcripts: string[];
  skipped: { transcriptId: string; reason: string }[];
}

export const UndoCodeHitsBody = z.object({
  batch: z.string().min(1).max(100),
  transcripts: z.array(z.string().min(1).max(100)).max(100_000),
});
