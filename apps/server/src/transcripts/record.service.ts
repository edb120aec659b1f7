import type * as Y from 'yjs';
import { layerCodings, layerRoom, recordAgreements, TranscriptDoc, transcriptRoom } from '@concord/shared';
import type { AppDeps } from '../http/context.ts';

/**
 * At the reveal of an independent transcript the consensus starts with every
 * coding the two coders agree on (`recordAgreements`). With more than two coders
 * the pair is chosen in a reconciliation session, which records its agreements
 * when it opens. Returns how many agreed codings were added.
 */
export async function recordAgreementsAtReveal(deps: AppDeps, projectId: string, transcriptId: string): Promise<number> {
  const layers: { id: string; doc: Y.Doc }[] = [];
  try {
    for (const m of await deps.storage.listMembers(projectId)) {
      const doc = await deps.rooms.copyDoc(layerRoom(projectId, transcriptId, m.userId));
      layers.push({ id: m.userId, doc });
    }
    const coded = layers.filter((l) => layerCodings(l.doc).size > 0);
    if (coded.length !== 2) return 0;
    const [a, b] = coded as [typeof coded[0], typeof coded[0]];
    return await deps.rooms.withDoc(transcriptRoom(projectId, transcriptId), (doc) =>
      recordAgreements(new TranscriptDoc(doc), { a: a.id, b: b.id }, { a: layerCodings(a.doc), b: layerCodings(b.doc) }));
  } finally {
    for (const l of layers) l.doc.destroy();
  }
}
