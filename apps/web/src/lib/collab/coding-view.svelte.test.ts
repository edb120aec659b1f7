// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import type { ResolvedCoding } from '@concord/shared';
import { CodingView, type CodeLook, type CodeLookup, type Person } from './coding-view.svelte.ts';
import { assignStableLanes } from '../view/lanes.ts';

const coding = (id: string, codeId: string, coderId: string, start: number, end: number, createdAt = 1): ResolvedCoding =>
  ({ id, codeId, coderId, start, end, text: '', createdAt });

/** A codebook with merges (aliases), as rune state the view reads. */
function codebook(codes: CodeLook[]): CodeLookup & { codes: CodeLook[]; aliases: Map<string, string> } {
  const state = $state({ codes, aliases: new Map<string, string>() });
  return {
    get codes() { return state.codes; },
    set codes(v) { state.codes = v; },
    get aliases() { return state.aliases; },
    set aliases(v) { state.aliases = v; },
    resolveId(id) {
      let cur = id;
      for (let i = 0; i < 10 && state.aliases.has(cur); i++) cur = state.aliases.get(cur)!;
      return cur;
    },
    resolve(id) {
      const r = this.resolveId(id);
      return state.codes.find((c) => c.id === r) ?? null;
    },
  };
}

function setup() {
  const s = $state({
    codings: [coding('k1', 'A', 'me', 0, 10, 1), coding('k2', 'B', 'ana', 5, 15, 2), coding('k3', 'A', 'bo', 20, 30, 3)] as ResolvedCoding[],
    people: new Map<string, Person>([['me', { name: 'Me', color: '#111111' }], ['ana', { name: 'Ana', color: '#222222' }]]),
  });
  const cb = codebook([
    { id: 'A', name: 'Data quality', color: '#E69F00', path: '', abbreviation: 'DQ' },
    { id: 'B', name: 'Metrics', color: '#56B4E9', path: 'Evaluation', abbreviation: null },
  ]);
  let view!: CodingView;
  const stop = $effect.root(() => {
    view = new CodingView({ codings: () => s.codings, codebook: () => cb, people: () => s.people, me: 'me' });
  });
  return { s, cb, view, stop };
}

describe('CodingView (the coding view model)', () => {
  it('joins codings with the codebook and the people, with lanes for overlapping codings', () => {
    const { view, stop } = setup();
    expect(view.items.map((c) => [c.id, c.name, c.short, c.color, c.coderName, c.lane, c.mine])).toEqual([
      ['k1', 'Data quality', 'DQ', '#E69F00', 'Me', 0, true],
      ['k2', 'Metrics', 'Metrics', '#56B4E9', 'Ana', 1, false],
      // not a member (any more): still shown, as a former member
      ['k3', 'Data quality', 'DQ', '#E69F00', 'Former member', 0, false],
    ]);
    expect(view.items[1]!.path).toBe('Evaluation');
    stop();
  });

  it('counts codings per code, following merges, and lists the other coders', () => {
    const { view, cb, stop } = setup();
    expect([...view.counts]).toEqual([['A', 2], ['B', 1]]);
    cb.aliases = new Map([['B', 'A']]);
    cb.codes = cb.codes.filter((c) => c.id !== 'B');
    flushSync();
    expect([...view.counts]).toEqual([['A', 3]]);
    expect(view.items.find((c) => c.id === 'k2')?.name).toBe('Data quality');
    expect(view.otherCoders).toEqual([{ id: 'ana', name: 'Ana' }, { id: 'bo', name: 'Former member' }]);
    stop();
  });

  it('shows everyone’s, only mine or one person’s codings', () => {
    const { view, stop } = setup();
    view.show = 'mine';
    expect(view.items.map((c) => c.id)).toEqual(['k1']);
    view.show = 'ana';
    expect(view.items.map((c) => c.id)).toEqual(['k2']);
    view.show = 'all';
    expect(view.items).toHaveLength(3);
    stop();
  });

  it('keeps the object of a coding that did not change, so the editor redraws only what changed', () => {
    const { view, s, stop } = setup();
    const before = view.items;
    s.codings = [...s.codings.slice(0, 2), coding('k3', 'A', 'bo', 22, 30, 3), coding('k4', 'B', 'me', 40, 45, 4)];
    flushSync();
    const after = view.items;
    expect(after[0]).toBe(before[0]);
    expect(after[1]).toBe(before[1]);
    expect(after[2]).not.toBe(before[2]);
    expect(after[2]!.start).toBe(22);
    expect(after[3]!.id).toBe('k4');
    // a person's new colour redraws their codings
    s.people = new Map([...s.people, ['ana', { name: 'Ana', color: '#333333' }]]);
    flushSync();
    expect(view.items[1]).not.toBe(before[1]);
    expect(view.items[1]!.coderColor).toBe('#333333');
    expect(view.pick(['k4', 'k1']).map((c) => c.id)).toEqual(['k1', 'k4']);
    stop();
  });

  it('places a new coding without placing the others again, with the lanes a full placement gives', () => {
    const { view, s, stop } = setup();
    void view.items;
    s.codings = [...s.codings, coding('k4', 'B', 'me', 2, 25, 9), coding('k5', 'A', 'ana', 3, 8, 10)];
    flushSync();
    const lanes = new Map(view.items.map((c) => [c.id, c.lane]));
    expect(lanes).toEqual(assignStableLanes(s.codings));
    expect(lanes.get('k4')).toBe(2);
    // an older coding arriving late (from another device) places everything again, the same way
    s.codings = [...s.codings, coding('k0', 'A', 'bo', 0, 30, 0)];
    flushSync();
    expect(new Map(view.items.map((c) => [c.id, c.lane]))).toEqual(assignStableLanes(s.codings));
    stop();
  });
});
