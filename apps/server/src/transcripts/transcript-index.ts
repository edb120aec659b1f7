import { recordCount, TranscriptDoc } from '@concord/shared';
import type { Storage, TranscriptCounts } from '../storage/types.ts';
import type { Room } from '../sync/room.ts';
import { CommittedRooms } from './committed-rooms.ts';

/**
 * Keeps the transcript index (turn and coding counts shown in lists) in step with
 * the transcripts' documents: a committed transcript room is marked, and once a
 * second one timer writes every marked transcript's counts in a single storage
 * call. A busy node then spends one round trip a second on the index, however
 * many transcripts are being coded, instead of one per transcript that would
 * crowd the storage pool ahead of the updates themselves.
 */
export class TranscriptIndex {
  private readonly rooms: CommittedRooms<TranscriptCounts>;

  constructor(
    storage: Pick<Storage, 'updateTranscriptCounts'>,
    log: (l: 'warn', m: string, e?: Record<string, unknown>) => void,
    delayMs = 1000,
  ) {
    this.rooms = new CommittedRooms({
      read: (room, { projectId, transcriptId }) => {
        const doc = new TranscriptDoc(room.doc);
        return { projectId, id: transcriptId, turns: doc.turns.length, codings: recordCount(doc), name: doc.getMeta().name };
      },
      write: (items) => storage.updateTranscriptCounts(items),
      log, what: 'transcript index', delayMs,
    });
  }

  /** Called after a transcript room's updates are committed (the transcript rooms' policy). */
  committed(room: Room, where: { projectId: string; transcriptId: string }): void { this.rooms.committed(room, where); }

  /** Writes the counts of every marked transcript now (rooms read as they are at this moment). */
  flush(): Promise<void> { return this.rooms.flush(); }

  /** Writes what is marked and stops (server shutdown: before the rooms close). */
  close(): Promise<void> { return this.rooms.close(); }
}
