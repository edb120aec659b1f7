import { Compartment, EditorState, Prec, type Extension } from '@codemirror/state';
import {
  EditorView,
  ViewPlugin,
  drawSelection,
  highlightSpecialChars,
  hoverTooltip,
  keymap,
  type Command,
  type KeyBinding,
  type ViewUpdate,
} from '@codemirror/view';
import { defaultKeymap } from '@codemirror/commands';
import { yCollab } from 'y-codemirror.next';
import type * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import { codingsAt, codingsField } from './codings.ts';
import { turnsField } from './turns.ts';
import { codingMargin } from './margin.ts';
import { editorTheme } from './theme.ts';

export interface EditorCallbacks {
  /** Open the code picker at the current selection. */
  openPicker: () => void;
  /** Apply recent code number n (1–9) to the selection. */
  applyRecent: (n: number) => void;
  /** Open the coding card for these codings. */
  openCodings: (ids: string[], anchor: DOMRect) => void;
  /** Hover over a coding in the margin. */
  hoverCoding: (id: string | null) => void;
  undo: () => boolean;
  redo: () => boolean;
  /** Switch between coding (keys are shortcuts) and editing the text. */
  setEditing: (editing: boolean) => void;
  /** The first visible position changed (for followers). */
  viewportChanged: (topPos: number, topLine: number) => void;
  /** The user scrolled by themselves (stops following). */
  userScrolled: () => void;
  selectionChanged: (from: number, to: number) => void;
  escape: () => boolean;
  /** Enter in coding mode (confirms adjusting a coding's boundaries). */
  enter: () => boolean;
  /** `?` while not typing text: the list of shortcuts. */
  showHelp: () => void;
}

export interface EditorModes {
  /** May change codings (owner, coder). */
  canCode: boolean;
  /** Text accepts typing (edit mode of owners and coders). */
  editing: boolean;
}

export const modeCompartment = new Compartment();
export const keysCompartment = new Compartment();

export function modeExtension(m: EditorModes): Extension {
  return [
    EditorState.readOnly.of(!(m.canCode && m.editing)),
    EditorView.contentAttributes.of({
      'aria-readonly': String(!(m.canCode && m.editing)),
      'data-mode': m.canCode ? (m.editing ? 'editing' : 'coding') : 'reading',
    }),
    EditorView.editorAttributes.of({ class: m.canCode ? (m.editing ? 'mode-editing' : 'mode-coding') : 'mode-reading' }),
  ];
}

/** Shortcut keys: coding mode turns plain keys into commands; editing keeps them as text. */
export function keysExtension(m: EditorModes, cb: EditorCallbacks): Extension {
  const run = (fn: () => void): Command => () => {
    fn();
    return true;
  };
  const bindings: KeyBinding[] = [
    { key: 'Mod-z', run: () => cb.undo() || true, preventDefault: true },
    { key: 'Mod-y', run: () => cb.redo() || true, preventDefault: true },
    { key: 'Mod-Shift-z', run: () => cb.redo() || true, preventDefault: true },
    { key: 'Escape', run: () => cb.escape() },
  ];
  // `?` is text while editing; otherwise it opens the shortcut list, also from the transcript
  if (!(m.canCode && m.editing)) bindings.push({ key: '?', run: run(cb.showHelp), preventDefault: true });
  if (m.canCode) {
    bindings.push({ key: 'Mod-k', run: run(cb.openPicker), preventDefault: true });
    bindings.push({ key: 'Mod-Enter', run: run(cb.openPicker), preventDefault: true });
    if (!m.editing) {
      bindings.push({ key: 'c', run: run(cb.openPicker), preventDefault: true });
      bindings.push({ key: 'e', run: run(() => cb.setEditing(true)), preventDefault: true });
      for (let n = 1; n <= 9; n++) bindings.push({ key: String(n), run: run(() => cb.applyRecent(n)), preventDefault: true });
    } else {
      bindings.push({ key: 'Escape', run: () => cb.escape() || (cb.setEditing(false), true) });
    }
  }
  if (!(m.canCode && m.editing)) bindings.push({ key: 'Enter', run: () => cb.enter() });
  return Prec.highest(keymap.of(bindings));
}

function codingTooltip(): Extension {
  return hoverTooltip(
    (view, pos, side) => {
      const codings = codingsAt(view.state, pos, side < 0 ? -1 : 1);
      if (!codings.length) return null;
      return {
        pos,
        above: true,
        create() {
          const dom = document.createElement('div');
          dom.className = 'cm-coding-tip';
          for (const c of codings) {
            const row = document.createElement('div');
            row.className = 'tip-row';
            const sw = document.createElement('span');
            sw.className = 'tip-swatch';
            sw.style.background = c.color;
            const name = document.createElement('span');
            name.className = 'tip-name';
            name.textContent = c.path ? `${c.path} › ${c.name}` : c.name;
            const who = document.createElement('span');
            who.className = 'tip-who';
            who.textContent = c.mine ? 'you' : c.coderName;
            who.style.color = c.coderColor;
            row.append(sw, name, who);
            dom.append(row);
            if (c.memo) {
              const memo = document.createElement('div');
              memo.className = 'tip-memo';
              memo.textContent = c.memo;
              dom.append(memo);
            }
          }
          const hint = document.createElement('div');
          hint.className = 'tip-hint';
          hint.textContent = 'Click to open';
          dom.append(hint);
          return { dom };
        },
      };
    },
    { hoverTime: 250 },
  );
}

/** Publishes the first visible line (throttled) and notices scrolling the user did. */
function viewportReporter(cb: EditorCallbacks): Extension {
  return ViewPlugin.fromClass(
    class {
      timer = 0;
      lastTop = -1;
      programmatic = 0;
      constructor(readonly view: EditorView) {
        view.scrollDOM.addEventListener('scroll', this.onScroll, { passive: true });
        view.scrollDOM.addEventListener('wheel', this.onUser, { passive: true });
        view.scrollDOM.addEventListener('touchmove', this.onUser, { passive: true });
        view.scrollDOM.addEventListener('keydown', this.onKey);
        this.report();
      }
      onUser = (): void => cb.userScrolled();
      onKey = (e: KeyboardEvent): void => {
        if (['PageUp', 'PageDown', 'ArrowUp', 'ArrowDown', 'Home', 'End'].includes(e.key)) cb.userScrolled();
      };
      onScroll = (): void => {
        if (this.timer) return;
        this.timer = window.setTimeout(() => {
          this.timer = 0;
          this.report();
        }, 120);
      };
      report(): void {
        this.view.requestMeasure({
          key: this,
          read: (view) => {
            const rect = view.scrollDOM.getBoundingClientRect();
            return view.lineBlockAtHeight(rect.top - view.documentTop + 4).from;
          },
          write: (from, view) => {
            if (from === this.lastTop) return;
            this.lastTop = from;
            const line = view.state.doc.lineAt(from).number;
            // outside the measure cycle: awareness listeners may dispatch to editors
            queueMicrotask(() => cb.viewportChanged(from, line));
          },
        });
      }
      update(u: ViewUpdate): void {
        if (u.selectionSet) {
          const s = u.state.selection.main;
          cb.selectionChanged(s.from, s.to);
        }
        if (u.geometryChanged || u.docChanged) this.onScroll();
      }
      destroy(): void {
        clearTimeout(this.timer);
        this.view.scrollDOM.removeEventListener('scroll', this.onScroll);
        this.view.scrollDOM.removeEventListener('wheel', this.onUser);
        this.view.scrollDOM.removeEventListener('touchmove', this.onUser);
        this.view.scrollDOM.removeEventListener('keydown', this.onKey);
      }
    },
  );
}

/** Click on coded words (without dragging a selection) opens their coding card. */
function clickToOpen(cb: EditorCallbacks): Extension {
  let down: { x: number; y: number } | null = null;
  return EditorView.domEventHandlers({
    mousedown(e, view) {
      down = { x: e.clientX, y: e.clientY };
      // Coding and reading: text is never dragged around, so pressing inside the
      // current selection starts a new selection instead of a drag.
      if (view.state.readOnly && e.button === 0 && !e.shiftKey && !view.state.selection.main.empty) {
        const pos = view.posAtCoords({ x: e.clientX, y: e.clientY });
        const sel = view.state.selection.main;
        if (pos !== null && pos >= sel.from && pos <= sel.to) view.dispatch({ selection: { anchor: pos } });
      }
      return false;
    },
    click(e, view) {
      // editing the text: a click places the caret, it never opens a card (typing goes on)
      if (!view.state.readOnly) return false;
      if (!down || Math.abs(e.clientX - down.x) > 3 || Math.abs(e.clientY - down.y) > 3) return false;
      if (e.shiftKey || e.detail > 1) return false;
      const pos = view.posAtCoords({ x: e.clientX, y: e.clientY }, false);
      const el = (e.target as HTMLElement).closest('.cm-coding');
      if (!el) return false;
      const codings = codingsAt(view.state, pos);
      if (!codings.length) return false;
      const rect = el.getBoundingClientRect();
      const r = new DOMRect(e.clientX, rect.top, 1, rect.height);
      cb.openCodings(codings.map((c) => c.id), r);
      return false;
    },
  });
}

export function createExtensions(opts: {
  ytext: Y.Text;
  awareness: Awareness;
  undoManager: Y.UndoManager;
  modes: EditorModes;
  callbacks: EditorCallbacks;
}): Extension {
  const { callbacks: cb } = opts;
  return [
    keysCompartment.of(keysExtension(opts.modes, cb)),
    modeCompartment.of(modeExtension(opts.modes)),
    EditorView.lineWrapping,
    highlightSpecialChars(),
    drawSelection(),
    EditorState.allowMultipleSelections.of(false),
    keymap.of(defaultKeymap),
    yCollab(opts.ytext, opts.awareness, { undoManager: opts.undoManager }),
    turnsField,
    codingsField,
    codingMargin({ onOpen: cb.openCodings, onHover: cb.hoverCoding }),
    codingTooltip(),
    clickToOpen(cb),
    viewportReporter(cb),
    editorTheme,
    EditorView.contentAttributes.of({ 'aria-label': 'Transcript', spellcheck: 'false' }),
  ];
}
