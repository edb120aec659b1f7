import { describe, expect, it } from 'vitest';
import { CommitBatcher, type RoomAppend } from './commit-batcher.ts';

const u = (...bytes: number[]) => new Uint8Array(bytes);

/** A store whose commits the test completes by hand. */
class ManualStore {
  readonly calls: { batch: RoomAppend[]; resolve: () => void; reject: (e: unknown) => void }[] = [];
  appendBatch(batch: RoomAppend[]): Promise<void> {
    return new Promise((resolve, reject) => { this.calls.push({ batch, resolve, reject }); });
  }
}

const tick = () => new Promise((r) => setImmediate(r));
const summary = (batch: RoomAppend[]) => batch.map((b) => `${b.room}:${b.updates.map((x) => x[0]).join(',')}`);

describe('CommitBatcher', () => {
  it('commits the updates of every room received in one tick in one batch, each room in order', async () => {
    const store = new ManualStore();
    const b = new CommitBatcher(store);
    const done: string[] = [];
    void b.append('a', [u(1)]).then(() => done.push('a1'));
    void b.append('b', [u(2)]).then(() => done.push('b2'));
    void b.append('a', [u(3), u(4)]).then(() => done.push('a34'));
    await tick();
    expect(store.calls).toHaveLength(1);
    expect(summary(store.calls[0]!.batch)).toEqual(['a:1,3,4', 'b:2']);
    expect(done).toEqual([]);
    store.calls[0]!.resolve();
    await tick();
    // Room by room, each room's in the order received.
    expect(done).toEqual(['a1', 'a34', 'b2']);
    expect(b.batches).toBe(1);
  });

  it('keeps one batch in flight and gathers what arrives meanwhile into the next', async () => {
    const store = new ManualStore();
    const b = new CommitBatcher(store);
    void b.append('a', [u(1)]);
    await tick();
    void b.append('a', [u(2)]);
    void b.append('b', [u(3)]);
    await tick();
    void b.append('c', [u(4)]);
    await tick();
    expect(store.calls).toHaveLength(1); // the second waits for the first
    store.calls[0]!.resolve();
    await tick();
    await tick();
    expect(store.calls).toHaveLength(2);
    expect(summary(store.calls[1]!.batch)).toEqual(['a:2', 'b:3', 'c:4']);
    store.calls[1]!.resolve();
    await b.drain();
  });

  it('rejects every room of a failed batch and goes on with the next', async () => {
    const store = new ManualStore();
    const b = new CommitBatcher(store);
    const first = Promise.allSettled([b.append('a', [u(1)]), b.append('b', [u(2)])]);
    await tick();
    const second = b.append('a', [u(3)]);
    store.calls[0]!.reject(new Error('disk full'));
    const results = await first;
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await tick();
    await tick();
    expect(summary(store.calls[1]!.batch)).toEqual(['a:3']);
    store.calls[1]!.resolve();
    await expect(second).resolves.toBeUndefined();
  });

  it('splits a batch past the byte limit, keeping each room whole', async () => {
    const store = new ManualStore();
    const b = new CommitBatcher(store, 4);
    void b.append('a', [u(1, 1, 1)]);
    void b.append('b', [u(2, 2, 2)]);
    void b.append('c', [u(3)]);
    await tick();
    expect(summary(store.calls[0]!.batch)).toEqual(['a:1']);
    expect(b.backlogBytes).toBe(4);
    store.calls[0]!.resolve();
    await tick();
    await tick();
    expect(summary(store.calls[1]!.batch)).toEqual(['b:2', 'c:3']);
    store.calls[1]!.resolve();
    await b.drain();
    expect(b.backlogBytes).toBe(0);
  });

  it('answers at once for nothing to append', async () => {
    const store = new ManualStore();
    await new CommitBatcher(store).append('a', []);
    expect(store.calls).toHaveLength(0);
  });
});
