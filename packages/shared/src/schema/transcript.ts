import * as Y from 'yjs';
import { anchorSpan, resolveSpan, resolvePosition, type EncodedSpan } from './anchors.ts';
import { newId } from './ids.ts';

/**
 * The transcript document (room `<projectId>/transcripts/<transcriptId>`):
 *
 *   body:      Y.Text              the transcript text, turns separated by a blank line
 *   turns:     Y.Array<Y.Map>      {id, speakerId, start: encoded relative position of the turn's first character}
 *   speakers:  Y.Map<Speaker>      speakerId → {id, name}; renaming one renames it everywhere
 *   meta:      Y.Map               name, title, format, mode ('open' | 'independent'), revealed, importedAt, sourceFile
 *   codings:   Y.Map<Coding>       the shared (open or consensus) layer: codingId → coding
 *   decisions: Y.Array<Decision>   reconciliation decision log
 *
 * A coder's layer document (room `…/layers/<userId>`) has only `codings`, anchored
 * into the transcript's body (relative positions name the body's items).
 */
export type CodingMode = 'open' | 'independent';

export interface Coding {
  id: string;
  codeId: string;
  coderId: string;
  /** Encoded Yjs relative positions into the transcript's `body`. */
  start: Uint8Array;
  end: Uint8Array;
  createdAt: number;
  memo?: string;
  /** In the consensus layer: the reconciliation decision (disagreement key) that produced it. */
  decision?: string;
}

export interface Speaker {
  id: string;
  name: string;
}

export interface TranscriptMeta {
  name: string;
  title: string | null;
  format: string;
  mode: CodingMode;
  revealed: boolean;
  importedAt: number;
  sourceFile: string | null;
}

export interface ResolvedTurn {
  id: string;
  speakerId: string | null;
  speaker: string | null;
  /** UTF-16 offsets into body. */
  start: number;
  end: number;
}

export interface ResolvedCoding {
  id: string;
  codeId: string;
  coderId: string;
  /** UTF-16 offsets into body (what Y.Text and editors use). */
  start: number;
  end: number;
  text: string;
  createdAt: number;
  memo?: string;
}

export type DecisionAction = 'accept-a' | 'accept-b' | 'keep-both' | 'merge' | 'reject' | 'defer';

export interface Decision {
  id: string;
  disagreementKey: string;
  action: DecisionAction;
  userId: string;
  at: number;
  comment: string;
  /** Human-readable summary of what was decided (codes, quote). */
  summary: string;
}

export class TranscriptDoc {
  constructor(readonly doc: Y.Doc) {}

  get body(): Y.Text { return this.doc.getText('body'); }
  get turns(): Y.Array<Y.Map<unknown>> { return this.doc.getArray('turns'); }
  get speakers(): Y.Map<Speaker> { return this.doc.getMap('speakers'); }
  get meta(): Y.Map<unknown> { return this.doc.getMap('meta'); }
  get codings(): Y.Map<Coding> { return this.doc.getMap('codings'); }
  get decisions(): Y.Array<Decision> { return this.doc.getArray('decisions'); }

  getMeta(): TranscriptMeta {
    const m = this.meta;
    return {
      name: String(m.get('name') ?? 'Untitled'),
      title: (m.get('title') as string | null | undefined) ?? null,
      format: String(m.get('format') ?? 'paragraphs'),
      mode: m.get('mode') === 'independent' ? 'independent' : 'open',
      revealed: m.get('revealed') === true,
      importedAt: Number(m.get('importedAt') ?? 0),
      sourceFile: (m.get('sourceFile') as string | null | undefined) ?? null,
    };
  }

  /**
   * Fills an empty document with a transcript's text and turns. Each turn is
   * `{speaker, start, end}` in UTF-16 offsets of `text`.
   */
  initialise(
    text: string,
    turns: { speaker: string | null; start: number }[],
    meta: Partial<TranscriptMeta> & { name: string },
  ): void {
    this.doc.transact(() => {
      if (this.body.length > 0) throw new Error('transcript document is not empty');
      this.body.insert(0, text);
      const ids = new Map<string, string>();
      for (const t of turns) {
        let speakerId: string | null = null;
        if (t.speaker !== null) {
          speakerId = ids.get(t.speaker) ?? null;
          if (!speakerId) {
            speakerId = newId(10);
            ids.set(t.speaker, speakerId);
            this.speakers.set(speakerId, { id: speakerId, name: t.speaker });
          }
        }
        const turn = new Y.Map<unknown>();
        turn.set('id', newId(10));
        turn.set('speakerId', speakerId);
        turn.set('start', Y.encodeRelativePosition(Y.createRelativePositionFromTypeIndex(this.body, t.start, 0)));
        this.turns.push([turn]);
      }
      const full: TranscriptMeta = {
        title: null, format: 'paragraphs', mode: 'open', revealed: false, importedAt: Date.now(), sourceFile: null, ...meta,
      };
      for (const [k, v] of Object.entries(full)) this.meta.set(k, v);
    });
  }

  listSpeakers(): Speaker[] {
    return [...this.speakers.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Renames a speaker everywhere in this transcript in one step. */
  renameSpeaker(speakerId: string, name: string): void {
    const s = this.speakers.get(speakerId);
    if (!s) throw new Error(`unknown speaker ${speakerId}`);
    this.speakers.set(speakerId, { ...s, name });
  }

  /** Turns with absolute offsets, in text order. A turn whose words were all deleted is omitted. */
  resolveTurns(): ResolvedTurn[] {
    const length = this.body.length;
    const starts: { id: string; speakerId: string | null; start: number }[] = [];
    for (const t of this.turns) {
      const enc = t.get('start');
      const start = enc instanceof Uint8Array ? resolvePosition(this.doc, enc) : null;
      if (start === null) continue;
      starts.push({ id: String(t.get('id')), speakerId: (t.get('speakerId') as string | null) ?? null, start });
    }
    starts.sort((a, b) => a.start - b.start);
    const out: ResolvedTurn[] = [];
    for (let i = 0; i < starts.length; i++) {
      const s = starts[i]!;
      const next = starts[i + 1];
      const end = next ? next.start : length;
      if (end <= s.start && i > 0) continue;
      out.push({
        id: s.id,
        speakerId: s.speakerId,
        speaker: s.speakerId ? this.speakers.get(s.speakerId)?.name ?? null : null,
        start: s.start,
        end,
      });
    }
    return out;
  }

  /** The speaker of the turn containing `offset` (UTF-16). */
  speakerAt(offset: number, turns = this.resolveTurns()): string | null {
    let found: string | null = null;
    for (const t of turns) {
      if (t.start <= offset) found = t.speaker;
      else break;
    }
    return found;
  }

  addCoding(
    codings: Y.Map<Coding>,
    input: { codeId: string; coderId: string; start: number; end: number; memo?: string; id?: string; createdAt?: number },
  ): Coding {
    const span: EncodedSpan = anchorSpan(this.body, input.start, input.end);
    const coding: Coding = {
      id: input.id ?? newId(),
      codeId: input.codeId,
      coderId: input.coderId,
      start: span.start,
      end: span.end,
      createdAt: input.createdAt ?? Date.now(),
      ...(input.memo ? { memo: input.memo } : {}),
    };
    codings.set(coding.id, coding);
    return coding;
  }

  /**
   * Moves a coding's boundaries to [start, end) (UTF-16 offsets), re-anchored to
   * the words now there. Returns false (nothing changed) for an unknown coding or
   * an empty span; a span outside the text throws (RangeError).
   */
  adjustCoding(codings: Y.Map<Coding>, id: string, start: number, end: number): boolean {
    const c = codings.get(id);
    if (!isCoding(c) || end <= start) return false;
    const span = anchorSpan(this.body, start, end);
    codings.set(id, { ...c, start: span.start, end: span.end });
    return true;
  }

  /** Gives a coding another code ("recode as"). Returns false for an unknown coding. */
  recodeCoding(codings: Y.Map<Coding>, id: string, codeId: string): boolean {
    const c = codings.get(id);
    if (!isCoding(c) || !codeId) return false;
    if (c.codeId !== codeId) codings.set(id, { ...c, codeId });
    return true;
  }

  /** Sets (or, with blank text, removes) a coding's memo. Returns false for an unknown coding. */
  setCodingMemo(codings: Y.Map<Coding>, id: string, memo: string): boolean {
    const c = codings.get(id);
    if (!isCoding(c)) return false;
    const m = memo.trim();
    const { memo: _old, ...rest } = c;
    void _old;
    codings.set(id, m ? { ...rest, memo: m } : rest);
    return true;
  }

  /** Resolves the codings of a map (this doc's or a layer's) to absolute offsets and quoted text. */
  resolveCodings(codings: Y.Map<Coding> = this.codings): ResolvedCoding[] {
    const text = this.body.toString();
    const out: ResolvedCoding[] = [];
    for (const c of codings.values()) {
      if (!isCoding(c)) continue;
      const span = resolveSpan(this.doc, c);
      if (!span) continue;
      out.push({
        id: c.id, codeId: c.codeId, coderId: c.coderId, start: span.start, end: span.end,
        text: text.slice(span.start, span.end), createdAt: c.createdAt, ...(c.memo ? { memo: c.memo } : {}),
      });
    }
    out.sort((a, b) => a.start - b.start || a.end - b.end || a.id.localeCompare(b.id));
    return out;
  }
}

export function isCoding(v: unknown): v is Coding {
  if (!v || typeof v !== 'object') return false;
  const c = v as Record<string, unknown>;
  return typeof c.id === 'string' && typeof c.codeId === 'string' && typeof c.coderId === 'string'
    && c.start instanceof Uint8Array && c.end instanceof Uint8Array;
}

/** The codings map of a coder's layer document. */
export function layerCodings(layer: Y.Doc): Y.Map<Coding> {
  return layer.getMap('codings');
}
