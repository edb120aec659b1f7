import * as Y from 'yjs';
import {
  CommentsDoc,
  LiveSpans,
  TranscriptDoc,
  commentsRoom,
  followSpans,
  isCoding,
  layerCodings,
  layerRoom,
  transcriptRoom,
  type Coding,
  type ResolvedCoding,
  type ResolvedTurn,
  type TranscriptMeta,
} from '@concord/shared';
import { SyncedRoom, combineStatus, type CombinedStatus } from './room.svelte.ts';
import { UndoRouter } from './undo.ts';
import { safeUser } from './safe-user.ts';

/** Transaction origin of codings made in this tab: only these are undone by Ctrl-Z. */
export const CODING_ORIGIN = { name: 'concord:coding' } as const;

export interface LocalUser {
  id: string;
  name: string;
  color: string;
  colorLight: string;
}

/** What each client publishes in awareness (y-codemirror.next adds `cursor`). */
export interface AwarenessState {
  user?: LocalUser;
  cursor?: { anchor: unknown; head: unknown } | null;
  /** The first visible position (Y.RelativePosition JSON) and the line index, for "follow". */
  viewport?: { top: unknown; line: number } | null;
  /** What the person is doing, shown in the presence bar. */
  activity?: 'coding' | 'editing' | 'reading' | 'picking' | null;
}

export interface Collaborator {
  clientId: number;
  user: LocalUser;
  activity: AwarenessState['activity'];
  hasViewport: boolean;
  isSelf: boolean;
}

type DirtyKey = 'codings' | 'turns' | 'meta';

/**
 * Everything the coding view needs about one transcript: the transcript room
 * (text, turns, shared codings, presence), its comments room (anchors), and in
 * independent mode the user's private layer room (their codings).
 */
export class TranscriptSession {
  readonly room: SyncedRoom;
  readonly comments: SyncedRoom;
  layer: SyncedRoom | null = null;
  readonly td: TranscriptDoc;
  readonly cd: CommentsDoc;
  readonly undo: UndoRouter;
  /** Text + shared codings undo (handed to yCollab). */
  readonly textUndo: Y.UndoManager;
  #layerUndo: Y.UndoManager | null = null;

  codings = $state.raw<ResolvedCoding[]>([]);
  turns = $state.raw<ResolvedTurn[]>([]);
  meta = $state.raw<TranscriptMeta | null>(null);
  collaborators = $state.raw<Collaborator[]>([]);
  ready = $state(false);
  canUndo = $state(false);
  canRedo = $state(false);
  /** Bumps whenever the body changed (for views that derive from the text). */
  bodyVersion = $state(0);

  #frame = 0;
  #micro = false;
  #destroyed = false;
  #markedCodings = false;
  /** The codings' offsets, kept up to date incrementally (see LiveSpans). */
  readonly #spans: LiveSpans;
  /** The last list's entries by id: unchanged codings keep their object (views diff by identity). */
  #built = new Map<string, ResolvedCoding>();
  #builtBody = -1;
  #text = '';
  #dirty = { codings: false, turns: false, meta: false };
  readonly #offs: (() => void)[] = [];

  constructor(
    readonly projectId: string,
    readonly transcriptId: string,
    readonly user: LocalUser,
    opts: { mode?: 'open' | 'independent'; revealed?: boolean; canWrite: boolean },
  ) {
    this.room = new SyncedRoom(transcriptRoom(projectId, transcriptId), { userId: user.id });
    this.comments = new SyncedRoom(commentsRoom(projectId, transcriptId), { userId: user.id });
    this.td = new TranscriptDoc(this.room.doc);
    this.cd = new CommentsDoc(this.comments.doc);
    this.textUndo = new Y.UndoManager([this.td.body, this.td.codings], { trackedOrigins: new Set([CODING_ORIGIN]) });
    this.undo = new UndoRouter([this.textUndo]);
    this.#offs.push(this.undo.onChange(() => this.refreshUndo()));

    if (opts.mode === 'independent' && !opts.revealed && opts.canWrite) this.openLayer();
    this.#spans = new LiveSpans(this.room.doc);
    this.#offs.push(followSpans(this.td.body, this.codingTarget, (c) => (isCoding(c) ? c : null), this.#spans, () => this.mark('codings')));

    this.room.awareness.setLocalStateField('user', user);
    const onAwareness = (): void => this.refreshCollaborators();
    this.room.awareness.on('change', onAwareness);
    this.#offs.push(() => this.room.awareness.off('change', onAwareness));

    const onTranscript = (tr: Y.Transaction): void => {
      const changed = tr.changedParentTypes as Map<unknown, unknown>;
      if (changed.has(this.td.body)) {
        this.bodyVersion++;
        this.mark('turns');
      }
      if (changed.has(this.td.turns) || changed.has(this.td.speakers)) this.mark('turns');
      if (changed.has(this.td.meta)) this.mark('meta');
      // first load (from IndexedDB or the server) may touch nested types only
      if (!this.ready && this.td.body.length > 0) this.mark('codings', 'turns', 'meta');
    };
    this.room.doc.on('afterTransaction', onTranscript);
    this.#offs.push(() => this.room.doc.off('afterTransaction', onTranscript));

    this.mark('codings', 'turns', 'meta');
    void this.room.whenReady().then(() => {
      this.ready = true;
      this.mark('codings', 'turns', 'meta');
    });
  }

  /** Rooms whose state the connection indicator combines. */
  get rooms(): SyncedRoom[] {
    return [this.room, this.comments, ...(this.layer ? [this.layer] : [])];
  }

  get status(): CombinedStatus {
    return combineStatus(this.rooms);
  }

  /** The map new codings go to: the shared layer, or this coder's private layer in independent mode. */
  get codingTarget(): Y.Map<Coding> {
    return this.layer ? layerCodings(this.layer.doc) : this.td.codings;
  }

  get independent(): boolean {
    return this.layer !== null;
  }

  private openLayer(): void {
    this.layer = new SyncedRoom(layerRoom(this.projectId, this.transcriptId, this.user.id), { userId: this.user.id });
    const codings = layerCodings(this.layer.doc);
    this.#layerUndo = new Y.UndoManager(codings, { trackedOrigins: new Set([CODING_ORIGIN]) });
    this.undo.add(this.#layerUndo);
  }

  private mark(...what: DirtyKey[]): void {
    for (const w of what) this.#dirty[w] = true;
    // Once open, a coding change (someone else's, an undo) is drawn in the frame it
    // arrives in: the list is rebuilt at the end of this task, not a frame later.
    if (this.ready && what.length === 1 && what[0] === 'codings') {
      if (this.#micro) return;
      this.#micro = true;
      queueMicrotask(() => {
        this.#micro = false;
        if (this.#dirty.codings && !this.#destroyed) this.flushCodings();
      });
      return;
    }
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.flush();
    });
  }

  /** Recomputes whatever changed now (normally once per animation frame). */
  flush(): void {
    const d = this.#dirty;
    this.#dirty = { codings: false, turns: false, meta: false };
    if (d.codings) {
      this.codings = this.buildCodings();
      if (this.codings.length && !this.#markedCodings) {
        this.#markedCodings = true;
        performance.mark?.('concord:codings-resolved');
      }
    }
    if (d.turns) this.turns = this.td.resolveTurns();
    if (d.meta) this.meta = this.td.meta.size > 0 ? this.td.getMeta() : null;
  }

  /**
   * The codings with their current offsets and words, in text order. Offsets come
   * from LiveSpans (nothing is resolved here); an unchanged coding keeps its object.
   */
  private buildCodings(): ResolvedCoding[] {
    if (this.#builtBody !== this.bodyVersion) {
      this.#text = this.td.body.toString();
      this.#builtBody = this.bodyVersion;
    }
    const text = this.#text;
    const prev = this.#built;
    const next = new Map<string, ResolvedCoding>();
    const out: ResolvedCoding[] = [];
    for (const [id, c] of this.codingTarget.entries()) {
      if (!isCoding(c)) continue;
      const at = this.#spans.get(id);
      if (!at) continue;
      const old = prev.get(id);
      const words = text.slice(at.start, at.end);
      const r = old && old.start === at.start && old.end === at.end && old.codeId === c.codeId && old.memo === c.memo && old.text === words
        ? old
        : { id, codeId: c.codeId, coderId: c.coderId, start: at.start, end: at.end, text: words, createdAt: c.createdAt, ...(c.memo ? { memo: c.memo } : {}) };
      next.set(id, r);
      out.push(r);
    }
    this.#built = next;
    out.sort((a, b) => a.start - b.start || a.end - b.end || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return out;
  }

  private refreshUndo(): void {
    this.canUndo = this.undo.canUndo;
    this.canRedo = this.undo.canRedo;
  }

  private refreshCollaborators(): void {
    const out: Collaborator[] = [];
    const self = this.room.doc.clientID;
    for (const [clientId, raw] of this.room.awareness.getStates()) {
      const s = raw as AwarenessState;
      if (!s.user || typeof s.user.id !== 'string') continue;
      out.push({
        clientId,
        user: safeUser(s.user),
        activity: s.activity ?? null,
        hasViewport: !!s.viewport,
        isSelf: clientId === self,
      });
    }
    out.sort((a, b) => Number(b.isSelf) - Number(a.isSelf) || a.user.name.localeCompare(b.user.name) || a.clientId - b.clientId);
    this.collaborators = out;
  }

  awarenessOf(clientId: number): AwarenessState | null {
    return (this.room.awareness.getStates().get(clientId) as AwarenessState | undefined) ?? null;
  }

  setActivity(activity: AwarenessState['activity']): void {
    const cur = this.room.awareness.getLocalState() as AwarenessState | null;
    if (cur?.activity !== activity) this.room.awareness.setLocalStateField('activity', activity);
  }

  setViewport(viewport: AwarenessState['viewport']): void {
    this.room.awareness.setLocalStateField('viewport', viewport);
  }

  // --- coding operations (all undoable by this user only) ---

  /** Applies a code to [from, to) unless this coder already has exactly that coding. Returns the coding id. */
  applyCode(codeId: string, from: number, to: number, memo?: string): string | null {
    if (to <= from) return null;
    const dup = this.codings.find((c) => c.codeId === codeId && c.coderId === this.user.id && c.start === from && c.end === to);
    if (dup) return dup.id;
    let id: string | null = null;
    const target = this.codingTarget;
    target.doc!.transact(() => {
      id = this.td.addCoding(target, { codeId, coderId: this.user.id, start: from, end: to, ...(memo ? { memo } : {}) }).id;
    }, CODING_ORIGIN);
    this.stopCapturing();
    this.flushCodings();
    return id;
  }

  removeCoding(id: string): void {
    const target = this.codingTarget;
    if (!target.has(id)) return;
    target.doc!.transact(() => target.delete(id), CODING_ORIGIN);
    this.stopCapturing();
    this.flushCodings();
  }

  setMemo(id: string, memo: string): void {
    this.#change((target) => this.td.setCodingMemo(target, id, memo));
  }

  /** Moves a coding's boundaries to [from, to) (re-anchored to the words now there). */
  adjust(id: string, from: number, to: number): void {
    this.#change((target) => this.td.adjustCoding(target, id, from, to));
  }

  /** Changes the code of a coding (e.g. "recode as"). */
  recode(id: string, codeId: string): void {
    this.#change((target) => this.td.recodeCoding(target, id, codeId));
  }

  /** One undoable change of this coder's codings (TranscriptDoc's mutations), shown at once. */
  #change(fn: (target: Y.Map<Coding>) => boolean): void {
    const target = this.codingTarget;
    let changed = false;
    target.doc!.transact(() => {
      changed = fn(target);
    }, CODING_ORIGIN);
    if (!changed) return;
    this.stopCapturing();
    this.flushCodings();
  }

  /** Own changes show at once (not on the next frame): re-resolve the codings now. */
  private flushCodings(): void {
    this.#dirty.codings = true;
    this.flush();
  }

  private stopCapturing(): void {
    for (const m of this.undo.managers) m.stopCapturing();
  }

  /** A relative position (JSON) for awareness from a UTF-16 offset. */
  relativeJSON(index: number): unknown {
    return Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(this.td.body, Math.min(index, this.td.body.length)));
  }

  /** Resolves a relative position JSON from awareness to an offset (null if unknown). */
  absoluteFromJSON(json: unknown): number | null {
    try {
      const rel = Y.createRelativePositionFromJSON(json);
      const abs = Y.createAbsolutePositionFromRelativePosition(rel, this.room.doc);
      return abs && abs.type === this.td.body ? abs.index : null;
    } catch {
      return null;
    }
  }

  destroy(): void {
    this.#destroyed = true;
    cancelAnimationFrame(this.#frame);
    for (const off of this.#offs) off();
    this.undo.destroy();
    this.textUndo.destroy();
    this.#layerUndo?.destroy();
    this.layer?.destroy();
    this.comments.destroy();
    this.room.destroy();
  }
}
