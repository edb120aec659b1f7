import { describe, expect, it } from 'vitest';
import type { Storage } from '../storage/types.ts';
import { storeNewDocument } from './store-document.ts';

describe('storeNewDocument', () => {
  it('stores every update in order, in commits of at most the batch size (a larger update alone)', async () => {
    const commits: number[][] = [];
    const storage = { appendUpdates: async (_room: string, updates: Uint8Array[]) => { commits.push(updates.map((u) => u.byteLength)); } } as unknown as Storage;
    const sizes = [100, 300, 200, 50, 900, 10, 10];
    await storeNewDocument(storage, 'p/transcripts/t', sizes.map((n) => new Uint8Array(n)), 500);
    expect(commits).toEqual([[100, 300], [200, 50], [900], [10, 10]]);
    expect(commits.flat()).toEqual(sizes);
  });
});
