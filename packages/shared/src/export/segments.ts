import type * as Y from 'yjs';
import { utf16ToCodePoints } from '../schema/anchors.ts';
import { CodebookDoc } from '../schema/codebook.ts';
import { TranscriptDoc, type Coding } from '../schema/transcript.ts';
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
  const name = t.getMeta().name;
  const out: Segment[] = [];
  for (const c of t.resolveCodings(codings)) {
    const codeId = cb.resolveId(c.codeId);
    if (filter.codeIds && !filter.codeIds.has(codeId)) continue;
    if (filter.coderId && c.coderId !== filter.coderId) continue;
    const speaker = t.speakerAt(c.start, turns);
    if (filter.speaker && speaker !== filter.speaker) continue;
    out.push({
      transcriptId, transcriptName: name, codeId, codeName: cb.get(codeId)?.name ?? '(deleted code)', coderId: c.coderId,
      speaker, start: utf16ToCodePoints(text, c.start), end: utf16ToCodePoints(text, c.end), text: c.text,
      ...(c.memo ? { memo: c.memo } : {}),
    });
  }
  return out;
}
