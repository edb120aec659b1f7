import type * as Y from 'yjs';
import { utf16ToCodePoints } from '../schema/anchors.ts';
import { CodebookDoc } from '../schema/codebook.ts';
import { TranscriptDoc } from '../schema/transcript.ts';
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
  const name = t.getMeta().name;
  const out: Segment[] = [];
  for (const c of codings ?? transcriptRecord(t)) {
    const codeId = cb.resolveId(c.codeId);
    if (filter.codeIds && !filter.codeIds.has(codeId)) continue;
    if (filter.coderId && !c.coders.includes(filter.coderId)) continue;
    const speaker = t.speakerAt(c.start, turns);
    if (filter.speaker && speaker !== filter.speaker) continue;
    const named = c.coders.flatMap((id) => { const n = importedCoderName(transcriptDoc, id); return n ? [[id, n] as const] : []; });
    out.push({
      transcriptId, transcriptName: name, codeId, codeName: cb.get(codeId)?.name ?? '(deleted code)', coderId: c.coderId,
      speaker, start: utf16ToCodePoints(text, c.start), end: utf16ToCodePoints(text, c.end), text: c.text,
      ...(c.memo ? { memo: c.memo } : {}), source: c.source, basis: c.basis, coders: c.coders,
      ...(named.length > 0 ? { coderNames: Object.fromEntries(named) } : {}),
    });
  }
  return out;
}
