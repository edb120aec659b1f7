import { describe, expect, it } from 'vitest';
import { EditorState } from '@codemirror/state';
import type { Decoration } from '@codemirror/view';
import { codingsField, setActiveCodings, setCodings, type ViewCoding } from './codings.ts';

const vc = (id: string, start: number, end: number, color = '#E69F00'): ViewCoding => ({
  id, codeId: 'c', coderId: 'u', coderName: 'U', coderColor: '#333333', start, end, color, name: 'Code', path: '', short: 'C', createdAt: 0, lane: 0, mine: true,
});

function drawn(state: EditorState): { id: string; from: number; to: number; deco: Decoration }[] {
  const out: { id: string; from: number; to: number; deco: Decoration }[] = [];
  state.field(codingsField).decos.between(0, state.doc.length, (from, to, deco) => {
    out.push({ id: (deco.spec as { id: string }).id, from, to, deco });
  });
  return out;
}

describe('coding highlights in the editor', () => {
  it('a new list redraws only the codings whose object changed', () => {
    let state = EditorState.create({ doc: 'one two three four five six seven eight', extensions: [codingsField] });
    const a = vc('a', 0, 3);
    const b = vc('b', 4, 7);
    const c = vc('c', 8, 13);
    state = state.update({ effects: setCodings.of([a, b, c]) }).state;
    const first = drawn(state);
    expect(first.map((d) => [d.id, d.from, d.to])).toEqual([['a', 0, 3], ['b', 4, 7], ['c', 8, 13]]);

    // b changes colour, c is removed, d is added; a is the same object
    const b2 = vc('b', 4, 7, '#56B4E9');
    const d = vc('d', 14, 18);
    state = state.update({ effects: setCodings.of([a, b2, d]) }).state;
    const second = drawn(state);
    expect(second.map((x) => [x.id, x.from, x.to])).toEqual([['a', 0, 3], ['b', 4, 7], ['d', 14, 18]]);
    expect(second[0]!.deco).toBe(first[0]!.deco);
    expect(second[1]!.deco).not.toBe(first[1]!.deco);
    expect(String(second[1]!.deco.spec.attributes.style)).toContain('86, 180, 233');
  });

  it('follows typing by mapping, and the next list puts moved codings where they are', () => {
    let state = EditorState.create({ doc: 'one two three', extensions: [codingsField] });
    const b = vc('b', 4, 7);
    state = state.update({ effects: setCodings.of([b]) }).state;
    state = state.update({ changes: { from: 0, insert: '>> ' } }).state;
    expect(drawn(state).map((x) => [x.from, x.to])).toEqual([[7, 10]]);
    state = state.update({ effects: setCodings.of([vc('b', 7, 10)]) }).state;
    expect(drawn(state).map((x) => [x.id, x.from, x.to])).toEqual([['b', 7, 10]]);
    // marking one active draws all again, with the same ranges
    state = state.update({ effects: setActiveCodings.of(['b']) }).state;
    expect(drawn(state)[0]!.deco.spec.class).toContain('cm-coding-active');
  });
});
