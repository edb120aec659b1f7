import { StateEffect, StateField, type ChangeDesc, type EditorState, type Range } from '@codemirror/state';
import { Decoration, EditorView, type DecorationSet } from '@codemirror/view';
import { withAlpha, darken } from '../view/colors.ts';

/** A coding as the editor draws it: resolved offsets plus what to show. */
export interface ViewCoding {
  id: string;
  codeId: string;
  coderId: string;
  coderName: string;
  coderColor: string;
  start: number;
  end: number;
  color: string;
  /** Code name (with parents for the tooltip). */
  name: string;
  path: string;
  /** Abbreviation if the code has one, else the name: what the margin shows. */
  short: string;
  memo?: string;
  createdAt: number;
  /** Lane in the margin (0 = nearest the text). */
  lane: number;
  mine: boolean;
}

export const setCodings = StateEffect.define<ViewCoding[]>();
export const setActiveCodings = StateEffect.define<string[]>();
export const setHoverCode = StateEffect.define<string | null>();

export interface CodingsState {
  list: ViewCoding[];
  active: ReadonlySet<string>;
  hoverCode: string | null;
  decos: DecorationSet;
}

const MAX_UNDERLINE_LANES = 4;

/** The highlight of one coding (null when it does not fit the text). */
function decoration(len: number, c: ViewCoding, active: ReadonlySet<string>, hoverCode: string | null): Range<Decoration> | null {
  const from = Math.max(0, Math.min(c.start, len));
  const to = Math.max(0, Math.min(c.end, len));
  if (to <= from) return null;
  const lane = Math.min(c.lane, MAX_UNDERLINE_LANES - 1);
  const isActive = active.has(c.id);
  const dim = hoverCode !== null && hoverCode !== c.codeId;
  return Decoration.mark({
    id: c.id,
    class: `cm-coding${isActive ? ' cm-coding-active' : ''}${dim ? ' cm-coding-dim' : ''}${hoverCode === c.codeId ? ' cm-coding-hover' : ''}`,
    attributes: {
      style: `--code-bg:${withAlpha(c.color, isActive ? 0.34 : 0.17)};--code-line:${darken(c.color, 0.12)};--lane:${lane}`,
      'data-coding': c.id,
    },
  }).range(from, to);
}

function build(state: EditorState, list: ViewCoding[], active: ReadonlySet<string>, hoverCode: string | null): DecorationSet {
  const len = state.doc.length;
  const ranges: Range<Decoration>[] = [];
  for (const c of list) {
    const r = decoration(len, c, active, hoverCode);
    if (r) ranges.push(r);
  }
  return Decoration.set(ranges, true);
}

/**
 * A new list of codings: only the codings whose object changed (the view model
 * keeps unchanged ones) are taken out and drawn again; the rest of the set stays.
 */
export function redraw(
  state: EditorState, decos: DecorationSet, before: readonly ViewCoding[], after: readonly ViewCoding[],
  active: ReadonlySet<string>, hoverCode: string | null,
): DecorationSet {
  const old = new Map(before.map((c) => [c.id, c]));
  const drop = new Set<string>();
  let lo = Infinity;
  let hi = -Infinity;
  const add: Range<Decoration>[] = [];
  const len = state.doc.length;
  for (const c of after) {
    const was = old.get(c.id);
    old.delete(c.id);
    if (was === c) continue;
    if (was) {
      drop.add(c.id);
      lo = Math.min(lo, was.start);
      hi = Math.max(hi, was.end);
    }
    const r = decoration(len, c, active, hoverCode);
    if (r) add.push(r);
  }
  for (const gone of old.values()) {
    drop.add(gone.id);
    lo = Math.min(lo, gone.start);
    hi = Math.max(hi, gone.end);
  }
  // many changes at once (a first load, a filter): drawing all again is as quick
  if (drop.size + add.length > 200) return build(state, [...after], active, hoverCode);
  if (!drop.size && !add.length) return decos;
  return decos.update({
    add,
    sort: true,
    ...(drop.size ? { filter: (_f: number, _t: number, v: Decoration) => !drop.has((v.spec as { id?: string }).id ?? ''), filterFrom: Math.max(0, lo), filterTo: Math.min(len, hi) } : {}),
  });
}

/** Maps codings through a text change until the next exact resolution arrives. */
function mapList(list: ViewCoding[], changes: ChangeDesc): ViewCoding[] {
  const out: ViewCoding[] = [];
  for (const c of list) {
    const start = changes.mapPos(c.start, 1);
    const end = changes.mapPos(c.end, -1);
    if (end > start) out.push(start === c.start && end === c.end ? c : { ...c, start, end });
  }
  return out;
}

export const codingsField = StateField.define<CodingsState>({
  create: () => ({ list: [], active: new Set(), hoverCode: null, decos: Decoration.none }),
  update(value, tr) {
    let { list, active, hoverCode } = value;
    let rebuild = false;
    let newList: ViewCoding[] | null = null;
    for (const e of tr.effects) {
      if (e.is(setCodings)) {
        newList = e.value;
      } else if (e.is(setActiveCodings)) {
        active = new Set(e.value);
        rebuild = true;
      } else if (e.is(setHoverCode)) {
        hoverCode = e.value;
        rebuild = true;
      }
    }
    if (newList && !rebuild) {
      // only the list changed: redraw the codings that changed
      const mapped = tr.docChanged ? value.decos.map(tr.changes) : value.decos;
      const before = tr.docChanged ? mapList(list, tr.changes) : list;
      return { list: newList, active, hoverCode, decos: redraw(tr.state, mapped, before, newList, active, hoverCode) };
    }
    if (newList) {
      list = newList;
      return { list, active, hoverCode, decos: build(tr.state, list, active, hoverCode) };
    }
    if (!rebuild && tr.docChanged) {
      return { list: mapList(list, tr.changes), active, hoverCode, decos: value.decos.map(tr.changes) };
    }
    if (rebuild) {
      if (tr.docChanged) list = mapList(list, tr.changes);
      return { list, active, hoverCode, decos: build(tr.state, list, active, hoverCode) };
    }
    return value;
  },
  provide: (f) => EditorView.decorations.from(f, (v) => v.decos),
});

/** Codings covering `pos` (innermost first). */
export function codingsAt(state: EditorState, pos: number, side: -1 | 1 = 1): ViewCoding[] {
  const { list } = state.field(codingsField);
  const out = list.filter((c) => (side > 0 ? c.start <= pos && pos < c.end : c.start < pos && pos <= c.end));
  return out.sort((a, b) => a.end - a.start - (b.end - b.start));
}
