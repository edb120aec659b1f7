import type { Storage } from '../storage/types.ts';

/** Bytes of updates written in one storage commit when a new document is stored. */
export const STORE_BATCH_BYTES = 512 * 1024;

/**
 * Stores an imported document (the import worker's updates) as a new room's log:
 * commits of at most `batchBytes` (or one update, if larger), yielding to the event
 * loop between them. SQLite commits synchronously; one 10 MB commit held the server
 * for about 200 ms, several 512 KB ones let live edits through in between.
 */
export async function storeNewDocument(storage: Storage, room: string, updates: readonly Uint8Array[], batchBytes = STORE_BATCH_BYTES): Promise<void> {
  let batch: Uint8Array[] = [];
  let bytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await storage.appendUpdates(room, batch);
    batch = [];
    bytes = 0;
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
  for (const u of updates) {
    if (bytes > 0 && bytes + u.byteLength > batchBytes) await flush();
    batch.push(u);
    bytes += u.byteLength;
  }
  await flush();
}
