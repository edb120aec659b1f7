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

function build(state: EditorState, list: ViewCoding[], active: ReadonlySet<string>, hoverCode: string | null): DecorationSet {
  const len = state.doc.length;
  const ranges: Range<Decoration>[] = [];
  for (const c of list) {
    const from = Math.max(0, Math.min(c.start, len));
    const to = Math.max(0, Math.min(c.end, len));
    if (to <= from) continue;
    const lane = Math.min(c.lane, MAX_UNDERLINE_LANES - 1);
    const isActive = active.has(c.id);
    const dim = hoverCode !== null && hoverCode !== c.codeId;
    ranges.push(
      Decoration.mark({
        class: `cm-coding${isActive ? ' cm-coding-active' : ''}${dim ? ' cm-coding-dim' : ''}${hoverCode === c.codeId ? ' cm-coding-hover' : ''}`,
        attributes: {
          style: `--code-bg:${withAlpha(c.color, isActive ? 0.34 : 0.17)};--code-line:${darken(c.color, 0.12)};--lane:${lane}`,
          'data-coding': c.id,
        },
      }).range(from, to),
    );
  }
  return Decoration.set(ranges, true);
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
    for (const e of tr.effects) {
      if (e.is(setCodings)) {
        list = e.value;
        rebuild = true;
      } else if (e.is(setActiveCodings)) {
        active = new Set(e.value);
        rebuild = true;
      } else if (e.is(setHoverCode)) {
        hoverCode = e.value;
        rebuild = true;
      }
    }
    if (!rebuild && tr.docChanged) {
      return { list: mapList(list, tr.changes), active, hoverCode, decos: value.decos.map(tr.changes) };
    }
    if (rebuild) {
      if (tr.docChanged && !tr.effects.some((e) => e.is(setCodings))) list = mapList(list, tr.changes);
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
