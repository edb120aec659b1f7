import { StateEffect, StateField, type Extension, type Range } from '@codemirror/state';
import { Decoration, EditorView, WidgetType, type DecorationSet } from '@codemirror/view';
import { formatTimecode } from '@concord/shared';

/**
 * The recording in the text: each timed turn shows its start time in the left
 * margin (a button that plays from there) and the turn being played is
 * highlighted. Added to a running editor with `StateEffect.appendConfig`, so
 * the editor's own setup does not change.
 */

export interface PlaybackTurn {
  /** UTF-16 offsets of the turn in the text. */
  start: number;
  end: number;
  startTime: number | null;
}

export const setPlayback = StateEffect.define<{ turns: readonly PlaybackTurn[]; current: number }>();

class TimeWidget extends WidgetType {
  constructor(
    readonly seconds: number,
    readonly playing: boolean,
    readonly onSeek: (seconds: number) => void,
  ) {
    super();
  }
  override eq(other: TimeWidget): boolean {
    return other.seconds === this.seconds && other.playing === this.playing;
  }
  toDOM(): HTMLElement {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = this.playing ? 'cm-turn-time cm-turn-time-playing' : 'cm-turn-time';
    b.textContent = formatTimecode(this.seconds);
    b.title = `Play the recording from ${formatTimecode(this.seconds)}`;
    b.dataset.seconds = String(this.seconds);
    b.addEventListener('mousedown', (e) => e.preventDefault());
    b.addEventListener('click', (e) => {
      e.preventDefault();
      this.onSeek(this.seconds);
    });
    return b;
  }
  override ignoreEvent(): boolean {
    return true;
  }
}

function build(turns: readonly PlaybackTurn[], current: number, view: { doc: { length: number; lineAt(p: number): { from: number; to: number } } }, onSeek: (s: number) => void): DecorationSet {
  const ranges: Range<Decoration>[] = [];
  const len = view.doc.length;
  turns.forEach((t, i) => {
    if (t.start > len) return;
    if (t.startTime !== null) {
      ranges.push(Decoration.widget({ widget: new TimeWidget(t.startTime, i === current, onSeek), side: -1 }).range(t.start));
    }
    if (i === current) {
      // the turn's lines up to (not including) the next turn's first line; blank separators stay plain
      for (let pos = t.start; ; ) {
        const line = view.doc.lineAt(pos);
        if (line.from >= t.end && line.from > t.start) break;
        if (line.to > line.from) ranges.push(Decoration.line({ class: 'cm-turn-playing' }).range(line.from));
        if (line.to >= len) break;
        pos = line.to + 1;
      }
    }
  });
  return Decoration.set(ranges, true);
}

const playbackTheme = EditorView.theme({
  // room in the left margin for the times
  '&.cm-has-times .cm-content': { marginLeft: 'max(68px, calc((100% - 44rem - 220px) / 2))' },
  '.cm-turn-time': {
    position: 'absolute',
    transform: 'translateX(calc(-100% - 12px))',
    marginTop: '0.3em',
    font: '11px/1.5 var(--font-ui)',
    fontVariantNumeric: 'tabular-nums',
    color: 'var(--muted)',
    background: 'white',
    border: '1px solid var(--line-2)',
    borderRadius: '9px',
    padding: '0 6px',
    cursor: 'pointer',
  },
  '.cm-turn-time:hover, .cm-turn-time-playing': { color: 'white', background: 'var(--accent-2)', borderColor: 'var(--accent-2)' },
  '.cm-turn-playing': { backgroundColor: 'color-mix(in srgb, var(--accent-2) 9%, transparent)' },
});

/** The extension: times in the margin, the playing turn lit; `onSeek` plays from a clicked time. */
export function playbackExtension(onSeek: (seconds: number) => void): Extension {
  const field = StateField.define<{ turns: readonly PlaybackTurn[]; current: number; decos: DecorationSet }>({
    create: () => ({ turns: [], current: -1, decos: Decoration.none }),
    update(value, tr) {
      for (const e of tr.effects) {
        if (e.is(setPlayback)) {
          return { ...e.value, decos: build(e.value.turns, e.value.current, tr.state, onSeek) };
        }
      }
      return tr.docChanged ? { ...value, decos: value.decos.map(tr.changes) } : value;
    },
    provide: (f) => [
      EditorView.decorations.from(f, (v) => v.decos),
      EditorView.editorAttributes.from(f, (v): Record<string, string> => (v.turns.some((t) => t.startTime !== null) ? { class: 'cm-has-times' } : {})),
    ],
  });
  return [field, playbackTheme];
}
