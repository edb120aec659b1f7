import type * as Y from 'yjs';
import { TranscriptDoc, transcriptRoom, utf16ToCodePoints } from '@concord/shared';
import type { RoomManager } from '../sync/room-manager.ts';
import type { Room } from '../sync/room.ts';
import type { SearchDocText, SearchTurn, Storage } from '../storage/types.ts';
import { CommittedRooms } from '../transcripts/committed-rooms.ts';

/** A transcript document's speaker turns as the full-text index holds them (starts in code points). */
export function searchTurnsOf(doc: Y.Doc): SearchTurn[] {
  const t = new TranscriptDoc(doc);
  const text = t.body.toString();
  const out: SearchTurn[] = [];
  let cp = 0;
  let at = 0;
  for (const [i, turn] of t.resolveTurns().entries()) {
    cp += utf16ToCodePoints(text.slice(at, turn.start), turn.start - at);
    at = turn.start;
    out.push({ turn: i, speaker: turn.speaker, start: cp, text: text.slice(turn.start, turn.end) });
  }
  return out;
}

/**
 * Keeps the full-text index in step with the transcripts' text: committed
 * transcript rooms are marked and their turns written together a moment later
 * (`CommittedRooms`). Transcripts never indexed (imported before the index
 * existed, or listed only after their document was written) are indexed by
 * `catchUp` before a project is searched.
 */
export class SearchIndex {
  private readonly rooms: CommittedRooms<SearchDocText>;

  constructor(
    private readonly storage: Pick<Storage, 'writeSearchText' | 'unindexedTranscripts'>,
    log: (l: 'warn', m: string, e?: Record<string, unknown>) => void,
    delayMs = 250,
  ) {
    this.rooms = new CommittedRooms({
      read: (room, { projectId, transcriptId }) => ({ projectId, transcriptId, turns: searchTurnsOf(room.doc) }),
      write: (items) => storage.writeSearchText(items),
      log, what: 'search index', delayMs,
    });
  }

  /** Called after a transcript room's updates are committed. */
  committed(room: Room, where: { projectId: string; transcriptId: string }): void { this.rooms.committed(room, where); }

  private readonly catchingUp = new Map<string, Promise<void>>();

  /**
   * Indexes the project's transcripts that never were (resolves when written).
   * Concurrent calls for one project share the work.
   */
  catchUp(projectId: string, rooms: Pick<RoomManager, 'readDoc'>): Promise<void> {
    let running = this.catchingUp.get(projectId);
    if (!running) {
      running = (async () => {
        await this.rooms.write([]);
        const ids = await this.storage.unindexedTranscripts(projectId);
        for (const id of ids) {
          // Let timers, sockets and other requests in between transcripts (SQLite answers synchronously).
          await new Promise<void>((resolve) => setImmediate(resolve));
          const turns = await rooms.readDoc(transcriptRoom(projectId, id), searchTurnsOf);
          await this.rooms.write([{ projectId, transcriptId: id, turns }]);
        }
      })().finally(() => this.catchingUp.delete(projectId));
      this.catchingUp.set(projectId, running);
    }
    return running;
  }

  /** Writes what is marked now. */
  flush(): Promise<void> { return this.rooms.flush(); }

  /** Writes what is marked and stops (server shutdown: before the rooms close). */
  close(): Promise<void> { return this.rooms.close(); }
}
