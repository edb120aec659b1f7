// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import type { ResolvedThread } from '@concord/shared';
import { ThreadsModel, type ChipCoding } from './threads.svelte.ts';

const thread = (id: string, o: Partial<ResolvedThread> = {}): ResolvedThread => ({
  id, quote: id, start: 0, end: 1, detached: false, authorId: 'ana', createdAt: 0, resolved: false, resolvedBy: null, codingId: null, comments: [], ...o,
});

function setup() {
  const s = $state({ ready: false, codings: [] as ChipCoding[] });
  let model!: ThreadsModel;
  const stop = $effect.root(() => {
    model = new ThreadsModel({ me: () => 'me', ready: () => s.ready, codings: () => s.codings });
  });
  model.threads = [
    thread('t1'),
    thread('t2', { resolved: true, resolvedBy: 'me' }),
    thread('t3', { authorId: 'me', detached: true, start: null, end: null }),
    thread('t4', { codingId: 'k1', comments: [{ id: 'c', authorId: 'bo', body: '@me', createdAt: 0, editedAt: null, deleted: false, mentions: ['me'] }] }),
  ];
  return { s, model, stop };
}

describe('ThreadsModel (the comments column’s model)', () => {
  it('lists nothing until the transcript is there, then filters and counts', () => {
    const { s, model, stop } = setup();
    expect(model.listed).toEqual([]);
    s.ready = true;
    flushSync();
    expect(model.counts).toEqual({ open: 3, resolved: 1, mine: 1, mentions: 1 });
    expect(model.attached.map((t) => t.id)).toEqual(['t1', 't4']);
    expect(model.detached.map((t) => t.id)).toEqual(['t3']);
    model.filter = 'resolved';
    expect(model.listed.map((t) => t.id)).toEqual(['t2']);
    stop();
  });

  it('a thread leaving the list stops being active, unless it is held while the list catches up', () => {
    const { s, model, stop } = setup();
    s.ready = true;
    model.activeId = 't1';
    model.settleActive();
    expect(model.active?.id).toBe('t1');
    // resolved elsewhere: no longer listed under "open"
    model.threads = model.threads.map((t) => (t.id === 't1' ? { ...t, resolved: true } : t));
    model.hold('t1');
    model.settleActive();
    expect(model.activeId).toBe('t1');
    model.filter = 'resolved';
    model.settleActive();
    model.filter = 'open';
    model.settleActive();
    expect(model.activeId).toBe(null);
    stop();
  });

  it('shows a thread’s coding when that coding is shown', () => {
    const { s, model, stop } = setup();
    const t4 = model.threads[3]!;
    expect(model.chipOf(t4)).toBeUndefined();
    s.codings = [{ id: 'k1', name: 'Data quality', color: '#E69F00', coderName: 'Bo' }];
    flushSync();
    expect(model.chipOf(t4)).toEqual({ name: 'Data quality', color: '#E69F00', coderName: 'Bo' });
    expect(model.chipOf(model.threads[0]!)).toBeUndefined();
    stop();
  });
});
