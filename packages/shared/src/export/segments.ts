import type * as Y from 'yjs';
import { utf16ToCodePoints } from '../schema/anchors.ts';
import { CodebookDoc } from '../schema/codebook.ts';
import { TranscriptDoc, turnAt, type Coding } from '../schema/transcript.ts';
import { formatTimecode } from '../media/timecode.ts';
import type { Segment } from '../api.ts';

export interface SegmentFilter {
  codeIds?: ReadonlySet<string> | null;
  coderId?: string | null;
  speaker?: string | null;
}

/**
 * The coded segments of one transcript document: quote, speaker, code (merges
 * followed through the codebook's aliases) and code-point offsets.
 */
export function transcriptSegments(
  transcriptId: string, transcriptDoc: Y.Doc, codebookDoc: Y.Doc, filter: SegmentFilter = {}, codings?: Y.Map<Coding>,
): Segment[] {
  const t = new TranscriptDoc(transcriptDoc);
  const cb = new CodebookDoc(codebookDoc);
  const text = t.body.toString();
  const turns = t.resolveTurns();
  const { name, sourceFile } = t.getMeta();
  const out: Segment[] = [];
  for (const c of t.resolveCodings(codings)) {
    const codeId = cb.resolveId(c.codeId);
    if (filter.codeIds && !filter.codeIds.has(codeId)) continue;
    if (filter.coderId && c.coderId !== filter.coderId) continue;
    const turn = turnAt(c.start, turns);
    const speaker = turn?.speaker ?? null;
    if (filter.speaker && speaker !== filter.speaker) continue;
    out.push({
      transcriptId, transcriptName: name, codeId, codeName: cb.get(codeId)?.name ?? '(deleted code)', coderId: c.coderId,
      speaker, start: utf16ToCodePoints(text, c.start), end: utf16ToCodePoints(text, c.end), text: c.text,
      ...(c.memo ? { memo: c.memo } : {}),
      ...(turn?.startTime != null ? { startTime: turn.startTime } : {}),
      ...(sourceFile ? { sourceFile } : {}),
    });
  }
  return out;
}

/** Columns of the segments CSV, in order (new ones appended, so scripts reading by position keep working); `time` is the coded turn's start in the recording (`h:mm:ss`). */
export const SEGMENT_CSV_COLUMNS = [
  'transcriptId', 'transcriptName', 'codeId', 'codeName', 'coderId', 'speaker', 'start', 'end', 'text', 'memo', 'time', 'sourceFile',
] as const;

/** A segment as a CSV row (see `SEGMENT_CSV_COLUMNS`). */
export function segmentCsvRow(s: Segment): Record<(typeof SEGMENT_CSV_COLUMNS)[number], unknown> {
  return { ...s, sourceFile: s.sourceFile ?? '', time: s.startTime !== undefined ? formatTimecode(s.startTime) : '', memo: s.memo ?? '' };
}
