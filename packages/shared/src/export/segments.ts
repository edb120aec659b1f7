import type * as Y from 'yjs';
import { utf16ToCodePoints } from '../schema/anchors.ts';
import { CodebookDoc } from '../schema/codebook.ts';
import { TranscriptDoc, turnAt } from '../schema/transcript.ts';
import { formatTimecode } from '../media/timecode.ts';
import { transcriptRecord, type RecordCoding } from '../record/record.ts';
import type { Segment } from '../api.ts';
import { importedCoderName } from './coder-names.ts';

export interface SegmentFilter {
  codeIds?: ReadonlySet<string> | null;
  /** A coder: rows they coded (an agreed consensus coding counts for both coders). */
  coderId?: string | null;
  speaker?: string | null;
}

/**
 * The coded segments of one transcript document: quote, speaker, code (merges
 * followed through the codebook's aliases), code-point offsets and where each
 * row comes from. Lists the transcript's record unless `codings` (e.g. a coder's
 * layer, from `codingsInScope`) is given.
 */
export function transcriptSegments(
  transcriptId: string, transcriptDoc: Y.Doc, codebookDoc: Y.Doc, filter: SegmentFilter = {}, codings?: readonly RecordCoding[],
): Segment[] {
  const t = new TranscriptDoc(transcriptDoc);
  const cb = new CodebookDoc(codebookDoc);
  const text = t.body.toString();
  const turns = t.resolveTurns();
  const { name, sourceFile } = t.getMeta();
  const out: Segment[] = [];
  for (const c of codings ?? transcriptRecord(t)) {
    const codeId = cb.resolveId(c.codeId);
    if (filter.codeIds && !filter.codeIds.has(codeId)) continue;
    if (filter.coderId && !c.coders.includes(filter.coderId)) continue;
    const turn = turnAt(c.start, turns);
    const speaker = turn?.speaker ?? null;
    if (filter.speaker && speaker !== filter.speaker) continue;
    const named = c.coders.flatMap((id) => { const n = importedCoderName(transcriptDoc, id); return n ? [[id, n] as const] : []; });
    out.push({
      transcriptId, transcriptName: name, codeId, codeName: cb.get(codeId)?.name ?? '(deleted code)', coderId: c.coderId,
      speaker, start: utf16ToCodePoints(text, c.start), end: utf16ToCodePoints(text, c.end), text: c.text,
      ...(c.memo ? { memo: c.memo } : {}), source: c.source, basis: c.basis, coders: c.coders,
      ...(named.length > 0 ? { coderNames: Object.fromEntries(named) } : {}),
      ...(turn?.startTime != null ? { startTime: turn.startTime } : {}),
      ...(sourceFile ? { sourceFile } : {}),
    });
  }
  return out;
}

/** Columns of the segments CSV, in order (new ones appended, so scripts reading by position keep working); `time` is the coded turn's start in the recording (`h:mm:ss`). */
export const SEGMENT_CSV_COLUMNS = [
  'transcriptId', 'transcriptName', 'codeId', 'codeName', 'coderId', 'speaker', 'start', 'end', 'text', 'memo', 'source', 'basis', 'coders',
  'time', 'sourceFile',
] as const;

/** A segment as a CSV row (see `SEGMENT_CSV_COLUMNS`). */
export function segmentCsvRow(s: Segment): Record<(typeof SEGMENT_CSV_COLUMNS)[number], unknown> {
  return {
    ...s, memo: s.memo ?? '', source: s.source ?? '', basis: s.basis ?? '', coders: s.coders?.join(' ') ?? s.coderId,
    time: s.startTime !== undefined ? formatTimecode(s.startTime) : '', sourceFile: s.sourceFile ?? '',
  };
}
