import { Compartment, Prec, StateEffect, StateField, type EditorState, type Extension, type Range } from '@codemirror/state';
import { Decoration, EditorView, ViewPlugin, keymap, type DecorationSet, type ViewUpdate } from '@codemirror/view';
import type * as Y from 'yjs';
import { LiveSpans, followSpans, threadAnchors, type CommentsDoc, type ResolvedThread } from '@concord/shared';

/**
 * Comment anchors in the transcript editor: the words each thread is about,
 * highlighted from `CommentsDoc.resolve(transcript)` and resolved again whenever
 * either document changes (once per animation frame). Between two resolutions the
 * highlights follow local edits through CodeMirror's change mapping.
 *
 * The extension also measures where each anchor sits vertically (for the threads
 * column beside the editor), opens threads when highlighted words are clicked,
 * and binds the "new comment" keys (Ctrl/Cmd-Alt-M anywhere, M when the text is
 * not being edited).
 */

/** A thread as the editor draws it. */
export interface ThreadMark {
  id: string;
  start: number;
  end: number;
  resolved: boolean;
}

/** Id under which the span of a comment being written is measured. */
export const DRAFT_ID = '__draft';

/** The threads whose words are highlighted (null: every open thread). */
export const setShownThreads = StateEffect.define<ReadonlySet<string> | null>();
/** The thread whose words are emphasised (the one open in the panel). */
export const setActiveThread = StateEffect.define<string | null>();
/** The span of a new comment being written, highlighted until it is posted or dropped. */
export const setDraftSpan = StateEffect.define<{ from: number; to: number } | null>();
const setMarks = StateEffect.define<ThreadMark[]>();

export interface ThreadsState {
  marks: ThreadMark[];
  shown: ReadonlySet<string> | null;
  active: string | null;
  draft: { from: number; to: number } | null;
  decos: DecorationSet;
}

function isShown(s: Pick<ThreadsState, 'shown' | 'active'>, m: ThreadMark): boolean {
  return m.id === s.active || (s.shown ? s.shown.has(m.id) : !m.resolved);
}

function build(state: EditorState, s: Omit<ThreadsState, 'decos'>): DecorationSet {
  const len = state.doc.length;
  const ranges: Range<Decoration>[] = [];
  for (const m of s.marks) {
    if (!isShown(s, m)) continue;
    const from = Math.max(0, Math.min(m.start, len));
    const to = Math.max(0, Math.min(m.end, len));
    if (to <= from) continue;
    const active = m.id === s.active;
    ranges.push(
      Decoration.mark({
        class: `cm-thread${active ? ' cm-thread-active' : ''}${m.resolved ? ' cm-thread-resolved' : ''}`,
        attributes: { 'data-thread': m.id },
      }).range(from, to),
    );
  }
  if (s.draft) {
    const from = Math.min(s.draft.from, len);
    const to = Math.min(s.draft.to, len);
    if (to > from) ranges.push(Decoration.mark({ class: 'cm-thread-draft' }).range(from, to));
  }
  return Decoration.set(ranges, true);
}

export const threadsField = StateField.define<ThreadsState>({
  create: () => ({ marks: [], shown: null, active: null, draft: null, decos: Decoration.none }),
  update(value, tr) {
    let { marks, shown, active, draft } = value;
    let rebuild = false;
    if (tr.docChanged) {
      const mapped: ThreadMark[] = [];
      for (const m of marks) {
        const start = tr.changes.mapPos(m.start, 1);
        const end = tr.changes.mapPos(m.end, -1);
        if (end > start) mapped.push(start === m.start && end === m.end ? m : { ...m, start, end });
      }
      marks = mapped;
      if (draft) {
        const from = tr.changes.mapPos(draft.from, 1);
        const to = tr.changes.mapPos(draft.to, -1);
        draft = to > from ? { from, to } : null;
      }
    }
    for (const e of tr.effects) {
      if (e.is(setMarks)) marks = e.value;
      else if (e.is(setShownThreads)) shown = e.value;
      else if (e.is(setActiveThread)) active = e.value;
      else if (e.is(setDraftSpan)) draft = e.value;
      else continue;
      rebuild = true;
    }
    if (rebuild) return { marks, shown, active, draft, decos: build(tr.state, { marks, shown, active, draft }) };
    if (tr.docChanged) return { marks, shown, active, draft, decos: value.decos.map(tr.changes) };
    return value;
  },
  provide: (f) => EditorView.decorations.from(f, (v) => v.decos),
});

/** Highlighted threads covering `pos`, innermost first. */
export function threadsAt(state: EditorState, pos: number): ThreadMark[] {
  const s = state.field(threadsField, false);
  if (!s) return [];
  return s.marks
    .filter((m) => isShown(s, m) && m.start <= pos && pos < m.end)
    .sort((a, b) => a.end - a.start - (b.end - b.start));
}

/** The span of the comment being written, mapped through every edit since it was started. */
export function draftSpan(state: EditorState): { from: number; to: number } | null {
  return state.field(threadsField, false)?.draft ?? null;
}

/** Vertical position of `pos` in document coordinates (px below the top of the first line). */
export function anchorTop(view: EditorView, pos: number): number {
  const p = Math.max(0, Math.min(pos, view.state.doc.length));
  const { from, to } = view.viewport;
  if (p >= from && p <= to) {
    const c = view.coordsAtPos(p, 1);
    if (c) return c.top - view.documentTop;
  }
  return view.lineBlockAt(p).top;
}

export interface AnchorLayout {
  /** Thread id (and DRAFT_ID) → top of its first word, in document coordinates. */
  tops: Map<string, number>;
  /** Screen y of the document's top (changes as the editor scrolls). */
  documentTop: number;
  /** Height of the document. */
  height: number;
}

export interface CommentsExtensionOptions {
  comments: CommentsDoc;
  /** The Y.Doc holding the transcript's `body`. */
  transcript: Y.Doc;
  /** Every thread, resolved again after each change of either document. */
  onThreads: (threads: ResolvedThread[]) => void;
  /** Where the anchors are (after changes of text, layout or the threads). */
  onLayout: (layout: AnchorLayout) => void;
  /** The editor scrolled: the new screen y of the document's top. */
  onScroll: (documentTop: number) => void;
  /** Highlighted words were clicked: the threads there, innermost first. */
  onOpen: (threadIds: string[]) => void;
  /** The "new comment" key was pressed; returns whether it was handled. */
  onNewComment: () => boolean;
}

function syncPlugin(opts: CommentsExtensionOptions) {
  return ViewPlugin.fromClass(
    class {
      frame = 0;
      scrollFrame = 0;
      destroyed = false;

      /** The anchors' offsets, kept like the codings' (one pipeline: LiveSpans). */
      readonly spans = new LiveSpans(opts.transcript);
      readonly stopSpans: () => void;

      constructor(readonly view: EditorView) {
        // thread content (comments, resolved) → list again; text edits → anchors mapped, then list again
        opts.comments.doc.on('update', this.schedule);
        this.stopSpans = followSpans(opts.transcript.getText('body'), opts.comments.threads, threadAnchors, this.spans, this.schedule);
        view.scrollDOM.addEventListener('scroll', this.onScroll, { passive: true });
        this.schedule();
      }

      /** Resolve the threads again on the next frame (never inside an editor update). */
      schedule = (): void => {
        if (this.frame || this.destroyed) return;
        this.frame = requestAnimationFrame(() => {
          this.frame = 0;
          if (this.destroyed) return;
          const threads = opts.comments.resolve(opts.transcript, (id) => this.spans.get(id));
          const marks: ThreadMark[] = [];
          for (const t of threads) {
            if (t.start !== null && t.end !== null && !t.detached) marks.push({ id: t.id, start: t.start, end: t.end, resolved: t.resolved });
          }
          this.view.dispatch({ effects: setMarks.of(marks) });
          opts.onThreads(threads);
        });
      };

      onScroll = (): void => {
        if (this.scrollFrame) return;
        this.scrollFrame = requestAnimationFrame(() => {
          this.scrollFrame = 0;
          if (!this.destroyed) opts.onScroll(this.view.documentTop);
        });
      };

      update(u: ViewUpdate): void {
        if (
          u.docChanged || u.viewportChanged || u.geometryChanged || u.heightChanged ||
          u.startState.field(threadsField, false) !== u.state.field(threadsField, false)
        ) this.measure();
      }

      measure(): void {
        this.view.requestMeasure({
          key: this,
          read: (view): AnchorLayout => {
            const s = view.state.field(threadsField, false);
            const tops = new Map<string, number>();
            if (s) for (const m of s.marks) tops.set(m.id, anchorTop(view, m.start));
            if (s?.draft) tops.set(DRAFT_ID, anchorTop(view, s.draft.from));
            return { tops, documentTop: view.documentTop, height: view.contentHeight };
          },
          write: (layout) => {
            if (!this.destroyed) opts.onLayout(layout);
          },
        });
      }

      destroy(): void {
        this.destroyed = true;
        cancelAnimationFrame(this.frame);
        cancelAnimationFrame(this.scrollFrame);
        opts.comments.doc.off('update', this.schedule);
        this.stopSpans();
        this.view.scrollDOM.removeEventListener('scroll', this.onScroll);
      }
    },
  );
}

/** A click (not a drag, not a double click) on highlighted words opens their threads. */
function clickToOpen(opts: CommentsExtensionOptions): Extension {
  let down: { x: number; y: number } | null = null;
  return EditorView.domEventHandlers({
    mousedown(e) {
      down = { x: e.clientX, y: e.clientY };
      return false;
    },
    click(e, view) {
      if (!down || Math.abs(e.clientX - down.x) > 3 || Math.abs(e.clientY - down.y) > 3) return false;
      if (e.shiftKey || e.detail > 1) return false;
      if (!(e.target as HTMLElement).closest('.cm-thread')) return false;
      const pos = view.posAtCoords({ x: e.clientX, y: e.clientY }, false);
      const ids = threadsAt(view.state, pos).map((m) => m.id);
      if (ids.length) opts.onOpen(ids);
      return false;
    },
  });
}

const commentsTheme = EditorView.baseTheme({
  '.cm-thread': {
    backgroundImage: 'linear-gradient(transparent 58%, rgba(240, 176, 0, 0.30) 58%)',
    cursor: 'pointer',
    transition: 'background-color .15s ease',
  },
  '.cm-thread.cm-thread-resolved': { backgroundImage: 'linear-gradient(transparent 58%, rgba(140, 140, 140, 0.18) 58%)' },
  '.cm-thread.cm-thread-active': {
    backgroundColor: 'rgba(246, 190, 20, 0.38)',
    backgroundImage: 'none',
    boxShadow: '0 2px 0 rgba(196, 132, 0, 0.85)',
  },
  '.cm-thread-draft': { backgroundColor: 'rgba(246, 190, 20, 0.42)', boxShadow: '0 2px 0 rgba(196, 132, 0, 0.85)' },
});

export function commentsExtension(opts: CommentsExtensionOptions): Extension {
  return [
    threadsField,
    syncPlugin(opts),
    clickToOpen(opts),
    Prec.highest(
      keymap.of([
        { key: 'Mod-Alt-m', run: () => opts.onNewComment(), preventDefault: true },
        // a plain M only where typing does not insert text (coding and reading)
        { key: 'm', run: (view) => view.state.readOnly && opts.onNewComment() },
      ]),
    ),
    commentsTheme,
  ];
}

/**
 * Adds the comments extension to a running editor; returns the function that
 * removes it again.
 */
export function mountComments(view: EditorView, opts: CommentsExtensionOptions): () => void {
  const slot = new Compartment();
  view.dispatch({ effects: StateEffect.appendConfig.of(slot.of(commentsExtension(opts))) });
  return () => {
    try {
      view.dispatch({ effects: slot.reconfigure([]) });
    } catch {
      /* the editor is gone already */
    }
  };
}
