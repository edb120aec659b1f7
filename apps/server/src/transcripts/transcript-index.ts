import { parseRoom, TranscriptDoc } from '@concord/shared';
import type { Storage } from '../storage/types.ts';
import type { Room } from '../sync/room.ts';

const pending = new Map<string, NodeJS.Timeout>();

/**
 * Keeps the transcript index (turn and coding counts shown in lists) in step with
 * the transcript's document, at most once a second per transcript.
 */
export function onTranscriptCommitted(storage: Storage, room: Room, log: (l: 'warn', m: string, e?: Record<string, unknown>) => void): void {
  const r = parseRoom(room.name);
  if (!r || r.kind !== 'transcript' || pending.has(room.name)) return;
  const t = setTimeout(() => {
    pending.delete(room.name);
    if (room.state !== 'ready') return;
    const doc = new TranscriptDoc(room.doc);
    const turns = doc.turns.length;
    const codings = doc.codings.size;
    const name = doc.getMeta().name;
    storage.updateTranscript(r.projectId, r.transcriptId, { turns, codings, name }).catch((err: unknown) =>
      log('warn', 'transcript index update failed', { room: room.name, err: String(err) }));
  }, 1000);
  t.unref();
  pending.set(room.name, t);
}
