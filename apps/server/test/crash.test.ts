import { createRng } from '@concord/shared';
import fs from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { codebookRoom } from '@concord/shared';
import { makeProject, makeUser, ServerProcess, synced, tempDir, waitFor } from './helpers.ts';
import { destroyTracked, killNode, provider, sleep } from './cluster.ts';
import { SqliteStorage } from '../src/storage/sqlite.ts';

/**
 * Durability on one node (SQLite): the server is killed with SIGKILL twenty times
 * at random moments while two clients write steadily. "Received" is defined by a
 * reader client that never writes: everything in its document came from the
 * server, which broadcasts only what it has committed. After every restart a
 * fresh client — connected before any writer is back, so nothing can be re-sent
 * first — must hold everything any reader had received.
 */
const procs: ServerProcess[] = [];
afterEach(() => destroyTracked());
afterAll(async () => {
  await Promise.all(procs.map(killNode));
  for (const p of procs) fs.rmSync(p.dataDir, { recursive: true, force: true });
});

/** Seeded PRNG (mulberry32, shared with the bootstrap) so a failing run can be replayed. */
const rng = createRng;

const KILLS = 20;

describe('crash durability', () => {
  it(`loses nothing any client had received across ${KILLS} kill -9 during steady writes`, async () => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
    const random = rng(seed);
    const dataDir = tempDir();
    const proc = new ServerProcess(dataDir);
    procs.push(proc);
    let url = await proc.start();
    const owner = await makeUser(url, 'Owner');
    const pid = await makeProject(owner);
    const room = codebookRoom(pid);

    // The writers' documents live across restarts, as a browser tab's would: what
    // the server lost before committing is re-sent when they reconnect.
    const writerDocs = [new Y.Doc(), new Y.Doc()];
    const received = new Set<string>();
    let seq = 0;
    const log: { cycle: number; killAfterMs: number; received: number; present: number; written: number }[] = [];

    let afterLastKill: { snapshot: boolean; loggedUpdates: number } | null = null;
    for (let cycle = 0; cycle <= KILLS; cycle++) {
      if (cycle === KILLS) {
        // The log was compacted while the server was being killed (crashes around compaction are covered).
        const storage = new SqliteStorage(`${dataDir}/concord.sqlite`);
        const stored = await storage.loadDoc(room);
        await storage.close();
        afterLastKill = { snapshot: stored.snapshot !== null, loggedUpdates: stored.updates.length };
        expect(afterLastKill.snapshot).toBe(true);
      }
      if (cycle > 0) url = await proc.start();
      // 1. Nothing received before the last kill is missing.
      const fresh = provider(url, room, owner.token);
      await synced(fresh, 15_000);
      const present = new Set(fresh.doc.getArray<string>('n').toArray());
      const missing = [...received].filter((x) => !present.has(x));
      expect(missing, `cycle ${cycle} (seed ${seed}): received before the kill, missing after the restart`).toEqual([]);
      if (cycle > 0) log[cycle - 1]!.present = present.size;
      fresh.destroy();
      if (cycle === KILLS) break;

      // 2. Steady writes, then kill -9 at a random moment.
      const writers = writerDocs.map((doc) => provider(url, room, owner.token, { doc }));
      const reader = provider(url, room, owner.token);
      await Promise.all([...writers, reader].map((p) => synced(p, 15_000)));
      const timer = setInterval(() => {
        writers.forEach((w, i) => w.doc.getArray<string>('n').push([`w${i}:${seq++}`]));
      }, 8);
      const killAfterMs = Math.floor(random() * 700);
      await sleep(killAfterMs);
      await proc.kill9();
      clearInterval(timer);
      await waitFor(() => !reader.wsconnected, 5000, 'reader to notice the crash');
      for (const x of reader.doc.getArray<string>('n').toArray()) received.add(x);
      log.push({ cycle, killAfterMs, received: received.size, present: 0, written: seq });
      for (const p of [...writers, reader]) p.destroy();
    }

    // 3. Once the writers are back, everything they ever wrote is there too.
    const writers = writerDocs.map((doc) => provider(url, room, owner.token, { doc }));
    await Promise.all(writers.map((p) => synced(p, 15_000)));
    const fresh = provider(url, room, owner.token);
    await synced(fresh);
    await waitFor(() => fresh.doc.getArray('n').length === seq, 15_000, 'every write after the writers reconnect');
    expect(new Set(fresh.doc.getArray<string>('n').toArray()).size).toBe(seq);
    destroyTracked();
    await proc.stop();

    console.log(JSON.stringify({
      suite: 'crash', seed, kills: KILLS, written: seq, receivedByReaders: received.size,
      minReceivedPerCycle: Math.min(...log.map((l, i) => l.received - (log[i - 1]?.received ?? 0))),
      killAfterMs: log.map((l) => l.killAfterMs), afterLastKill,
    }));
  }, 120_000);
});
