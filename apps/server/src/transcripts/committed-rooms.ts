import type { Room } from '../sync/room.ts';

export interface RoomWhere { projectId: string; transcriptId: string }

/**
 * Coalesces work done after transcript rooms commit: a committed room is marked,
 * and once a short timer fires every marked room is read and the results written
 * in a single storage call. Writes run one at a time, so a later one (carrying
 * newer content) is never overtaken. A busy node thus spends one round trip per
 * interval however many transcripts are being edited.
 */
export class CommittedRooms<T> {
  private readonly dirty = new Map<string, { room: Room; where: RoomWhere }>();
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly opts: {
      /** What to write for a room (read as it is when the timer fires). */
      read: (room: Room, where: RoomWhere) => T;
      write: (items: T[]) => Promise<void>;
      log: (l: 'warn', m: string, e?: Record<string, unknown>) => void;
      /** Named in the warning when a write fails. */
      what: string;
      delayMs: number;
    },
  ) {}

  committed(room: Room, where: RoomWhere): void {
    if (this.closed) return;
    this.dirty.set(room.name, { room, where });
    if (!this.timer) {
      this.timer = setTimeout(() => { this.timer = null; void this.flush(); }, this.opts.delayMs);
      this.timer.unref();
    }
  }

  /** Writes every marked room now (rooms read as they are at this moment). */
  flush(): Promise<void> {
    const rooms = [...this.dirty.values()];
    this.dirty.clear();
    const items: T[] = [];
    for (const { room, where } of rooms) if (room.state === 'ready') items.push(this.opts.read(room, where));
    return this.write(items);
  }

  /** Queues a write behind the ones under way. */
  write(items: T[]): Promise<void> {
    if (items.length === 0) return this.writing;
    this.writing = this.writing.then(() => this.opts.write(items)).catch((err: unknown) => {
      this.opts.log('warn', `${this.opts.what} update failed`, { transcripts: items.length, err: String(err) });
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
