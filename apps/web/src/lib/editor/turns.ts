import { StateEffect, StateField, type Range } from '@codemirror/state';
import { Decoration, EditorView, WidgetType, type DecorationSet } from '@codemirror/view';

export interface ViewTurn {
  id: string;
  start: number;
  speaker: string | null;
  color: string;
  /** 1-based turn number, for orientation ("¶ 12"). */
  index: number;
}

const SPEAKER_PALETTE = ['#224870', '#8a3b12', '#3d6b35', '#6b3d7a', '#7a5c00', '#0e6070'];

/** Turns as the editor draws them: each speaker keeps one colour, in order of appearance. */
export function viewTurns(turns: readonly { id: string; start: number; speaker: string | null }[]): ViewTurn[] {
  const speakerColors = new Map<string, string>();
  return turns.map((t, i) => {
    const key = t.speaker ?? '';
    if (!speakerColors.has(key)) speakerColors.set(key, SPEAKER_PALETTE[speakerColors.size % SPEAKER_PALETTE.length]!);
    return { id: t.id, start: t.start, speaker: t.speaker, color: speakerColors.get(key)!, index: i + 1 };
  });
}

export const setTurns = StateEffect.define<ViewTurn[]>();

/** The speaker's name above the first line of each turn, as a block widget. */
class SpeakerWidget extends WidgetType {
  constructor(readonly speaker: string, readonly color: string, readonly index: number) {
    super();
  }
  override eq(other: SpeakerWidget): boolean {
    return other.speaker === this.speaker && other.color === this.color && other.index === this.index;
  }
  toDOM(): HTMLElement {
    const el = document.createElement('div');
    el.className = 'cm-speaker';
    el.style.setProperty('--speaker', this.color);
    el.setAttribute('aria-hidden', 'true');
    const name = document.createElement('span');
    name.className = 'cm-speaker-name';
    name.textContent = this.speaker;
    const n = document.createElement('span');
    n.className = 'cm-speaker-index';
    n.textContent = `¶ ${this.index}`;
    el.append(name, n);
    return el;
  }
  override get estimatedHeight(): number {
    return 30;
  }
  override ignoreEvent(): boolean {
    return false;
  }
}

function build(turns: ViewTurn[], docLength: number, lineAt: (pos: number) => { from: number; length: number }): DecorationSet {
  const ranges: Range<Decoration>[] = [];
  let last = -1;
  for (const t of turns) {
    if (t.start > docLength) continue;
    const line = lineAt(t.start);
    if (line.from === last) continue;
    last = line.from;
    if (t.speaker) {
      ranges.push(Decoration.widget({ widget: new SpeakerWidget(t.speaker, t.color, t.index), block: true, side: -1 }).range(line.from));
    }
    ranges.push(Decoration.line({ class: t.speaker ? 'cm-turn-start' : 'cm-turn-start cm-turn-anon', attributes: { style: `--speaker:${t.color}` } }).range(line.from));
  }
  return Decoration.set(ranges, true);
}

export const turnsField = StateField.define<{ turns: ViewTurn[]; decos: DecorationSet }>({
  create: () => ({ turns: [], decos: Decoration.none }),
  update(value, tr) {
    for (const e of tr.effects) {
      if (e.is(setTurns)) {
        const doc = tr.state.doc;
        return { turns: e.value, decos: build(e.value, doc.length, (p) => doc.lineAt(p)) };
      }
    }
    if (tr.docChanged) return { turns: value.turns, decos: value.decos.map(tr.changes) };
    return value;
  },
  provide: (f) => EditorView.decorations.from(f, (v) => v.decos),
});

/** The turn containing `pos`. */
export function turnAt(turns: readonly ViewTurn[], pos: number): ViewTurn | null {
  let found: ViewTurn | null = null;
  for (const t of turns) {
    if (t.start <= pos) found = t;
    else break;
  }
  return found;
}
