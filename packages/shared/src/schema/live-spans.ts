import type * as Y from 'yjs';
import { resolveSpan, type EncodedSpan } from './anchors.ts';

/** One change of a Y.Text, as `YTextEvent.delta` lists them. */
export type TextDelta = readonly { retain?: number; insert?: unknown; delete?: number }[];

/** A resolved span: UTF-16 offsets into the body. */
export interface LiveSpan {
  start: number;
  end: number;
}

/** More operations than this in one change: resolving every span again is as cheap as mapping. */
const MAX_MAPPED_OPS = 64;

/**
 * Anchored spans (codings, comment anchors) kept resolved against a transcript
 * body, incrementally:
 *
 * - a span that is added or changed is resolved from its relative positions
 *   (`set`), nothing else;
 * - a change of the text maps every resolved offset through the change's delta
 *   (`applyDelta`) instead of resolving all of them again. Mapping gives what
 *   Yjs resolution gives (the start sticks to its first character, the end to its
 *   last; a boundary whose character was deleted lands where the deletion was),
 *   except when deleted text comes back through undo/redo, which Yjs follows.
 *   So a span with a deleted boundary, or one that does not resolve yet (its
 *   words not synced), is resolved exactly again after every later change.
 *
 * `get` answers null for spans that are unknown, unresolved or empty (their
 * words deleted). `version` counts changes, for views that redraw.
 */
export class LiveSpans {
  readonly #doc: Y.Doc;
  readonly #anchors = new Map<string, EncodedSpan>();
  readonly #resolved = new Map<string, LiveSpan>();
  /** Resolved exactly after every change: unresolved, or a boundary in deleted text. */
  readonly #exact = new Set<string>();
  version = 0;

  /** `doc` is the document holding the body the spans point into. */
  constructor(doc: Y.Doc) {
    this.#doc = doc;
  }

  get size(): number {
    return this.#anchors.size;
  }

  /** Adds, replaces (span) or removes (null) one span and resolves just that one. */
  set(id: string, span: EncodedSpan | null): void {
    this.version++;
    if (!span) {
      this.#anchors.delete(id);
      this.#resolved.delete(id);
      this.#exact.delete(id);
      return;
    }
    this.#anchors.set(id, span);
    this.#resolveOne(id, span);
  }

  /** The span's offsets, or null (unknown, not resolvable yet, or its words deleted). */
  get(id: string): LiveSpan | null {
    const r = this.#resolved.get(id);
    return r && r.end > r.start ? r : null;
  }

  /** Resolves every span again from its anchors (first load, or a change too large to map). */
  resolveAll(): void {
    this.version++;
    this.#exact.clear();
    for (const [id, span] of this.#anchors) this.#resolveOne(id, span);
  }

  /**
   * Follows a change of the body (its `YTextEvent.delta`, read inside the event).
   * `fresh`: spans set in the same transaction, already resolved against the new text.
   */
  applyDelta(delta: TextDelta, fresh?: ReadonlySet<string>): void {
    if (delta.length === 0) return;
    if (delta.length > MAX_MAPPED_OPS) {
      this.resolveAll();
      return;
    }
    this.version++;
    for (const [id, r] of this.#resolved) {
      if (this.#exact.has(id) || fresh?.has(id)) continue;
      const s = mapOffset(delta, r.start, true);
      const e = mapOffset(delta, r.end, false);
      if (s.deleted || e.deleted) this.#exact.add(id);
      if (s.pos !== r.start || e.pos !== r.end) this.#resolved.set(id, { start: s.pos, end: e.pos });
    }
    for (const id of this.#exact) {
      const span = this.#anchors.get(id);
      if (span) this.#resolveOne(id, span, true);
    }
  }

  #resolveOne(id: string, span: EncodedSpan, keepExact = false): void {
    const r = resolveSpan(this.#doc, span);
    if (r) {
      this.#resolved.set(id, r);
      if (!keepExact) this.#exact.delete(id);
    } else {
      // not resolvable now (words deleted, or not synced yet): look again after each change
      this.#resolved.delete(id);
      this.#exact.add(id);
    }
  }
}

/**
 * Maps an offset through a text delta. A start sticks to the character after it
 * (text inserted at it goes before), an end to the character before it (text
 * inserted at it stays after). `deleted`: that character was deleted.
 */
export function mapOffset(delta: TextDelta, offset: number, isStart: boolean): { pos: number; deleted: boolean } {
  let pos = offset;
  let cursor = 0; // in the old text
  let deleted = false;
  for (const op of delta) {
    if (op.retain !== undefined) {
      cursor += op.retain;
    } else if (op.insert !== undefined) {
      const n = typeof op.insert === 'string' ? op.insert.length : 1;
      if (isStart ? cursor <= offset : cursor < offset) pos += n;
    } else if (op.delete !== undefined) {
      const d = op.delete;
      // the character the offset sticks to: offset itself (start) or offset - 1 (end)
      const ch = isStart ? offset : offset - 1;
      if (ch >= cursor + d) pos -= d;
      else if (ch >= cursor) {
        pos -= offset - cursor;
        deleted = true;
      }
      cursor += d;
    }
    // later operations are all after the offset's character
    if (cursor > offset) break;
  }
  return { pos, deleted };
}

/**
 * Keeps `live` following a map of anchored things (codings, comment threads) and
 * the body they point into, one transaction at a time: the text change is mapped
 * first, then the entries that changed are resolved (in that order, so an entry
 * added together with an edit is not moved twice). The map may live in another
 * document than the body (a coder's layer). `onChange` runs after each
 * transaction that changed something. Returns a function that stops following.
 */
export function followSpans<V>(
  body: Y.Text,
  map: Y.Map<V>,
  spanOf: (value: V | undefined) => EncodedSpan | null,
  live: LiveSpans,
  onChange: () => void,
): () => void {
  let delta: TextDelta | null = null;
  let keys: Set<string> | null = null;
  const onBody = (e: Y.YTextEvent): void => {
    delta = e.delta as TextDelta;
  };
  const onMap = (e: Y.YMapEvent<V>): void => {
    keys ??= new Set();
    for (const k of e.keysChanged) keys.add(k);
  };
  const flush = (): void => {
    if (!delta && !keys) return;
    const d = delta;
    const k = keys;
    delta = null;
    keys = null;
    if (d) live.applyDelta(d, k ?? undefined);
    if (k) for (const id of k) live.set(id, spanOf(map.get(id)));
    onChange();
  };
  for (const [id, v] of map.entries()) live.set(id, spanOf(v));
  body.observe(onBody);
  map.observe(onMap);
  const docs = new Set([body.doc!, map.doc!]);
  for (const d of docs) d.on('afterTransaction', flush);
  return () => {
    body.unobserve(onBody);
    map.unobserve(onMap);
    for (const d of docs) d.off('afterTransaction', flush);
  };
}
