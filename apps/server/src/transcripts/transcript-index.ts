import { parseRoom, recordCount, TranscriptDoc } from '@concord/shared';
import type { Storage, TranscriptCounts } from '../storage/types.ts';
import type { Room } from '../sync/room.ts';

/**
 * Keeps the transcript index (turn and coding counts shown in lists) in step with
 * the transcripts' documents: a committed transcript room is marked, and once a
 * second one timer writes every marked transcript's counts in a single storage
 * call. A busy node then spends one round trip a second on the index, however
 * many transcripts are being coded, instead of one per transcript that would
 * crowd the storage pool ahead of the updates themselves.
 */
export class TranscriptIndex {
  private readonly dirty = new Map<string, Room>();
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly storage: Pick<Storage, 'updateTranscriptCounts'>,
    private readonly log: (l: 'warn', m: string, e?: Record<string, unknown>) => void,
    private readonly delayMs = 1000,
  ) {}

  /** Called after a room's updates are committed. */
  committed(room: Room): void {
    if (this.closed || parseRoom(room.name)?.kind !== 'transcript') return;
    this.dirty.set(room.name, room);
    if (!this.timer) {
      this.timer = setTimeout(() => { this.timer = null; void this.flush(); }, this.delayMs);
      this.timer.unref();
    }
  }

  /** Writes the counts of every marked transcript now (rooms read as they are at this moment). */
  flush(): Promise<void> {
    const rooms = [...this.dirty.values()];
    this.dirty.clear();
    const items: TranscriptCounts[] = [];
    for (const room of rooms) {
      const r = parseRoom(room.name);
      if (r?.kind !== 'transcript' || room.state !== 'ready') continue;
      const doc = new TranscriptDoc(room.doc);
      items.push({ projectId: r.projectId, id: r.transcriptId, turns: doc.turns.length, codings: recordCount(doc), name: doc.getMeta().name });
    }
    if (items.length === 0) return this.writing;
    // One write at a time: a later one carries newer counts and must not be overtaken.
    this.writing = this.writing.then(() => this.storage.updateTranscriptCounts(items)).catch((err: unknown) => {
      this.log('warn', 'transcript index update failed', { transcripts: items.length, err: String(err) });
    });
    return this.writing;
  }

  /** Writes what is marked and stops (server shutdown: before the rooms close). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }
}
