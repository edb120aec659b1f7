import * as Y from 'yjs';
import { anchorSpan, resolveSpan, resolvePosition, type EncodedSpan } from './anchors.ts';
import { newId } from './ids.ts';
import { decisionProblem, type MalformedEntry } from './shapes.ts';

/**
 * The transcript document (room `<projectId>/transcripts/<transcriptId>`):
 *
 *   body:      Y.Text              the transcript text, turns separated by a blank line
 *   turns:     Y.Array<Y.Map>      {id, speakerId, start: encoded relative position of the turn's first character,
 *                                   startTime?, endTime?: seconds into the recording (from timed formats)}
 *   speakers:  Y.Map<Speaker>      speakerId → {id, name}; renaming one renames it everywhere
 *   meta:      Y.Map               name, title, format, mode ('open' | 'independent'), revealed, importedAt, sourceFile,
 *                                   media (the attached recording, written by the server)
 *   codings:   Y.Map<Coding>       the shared (open or consensus) layer: codingId → coding
 *   decisions: Y.Array<Decision>   reconciliation decision log
 *
 * A coder's layer document (room `…/layers/<userId>`) has only `codings`, anchored
 * into the transcript's body (relative positions name the body's items).
 *
 * Reads skip entries stored in a bad shape (a turn that is not a map, a speaker
 * without a name, a coding without its fields) instead of throwing;
 * `malformed()` reports them.
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

/** The recording attached to a transcript (`PUT …/media`); the bytes live on the server, not in the document. */
export interface TranscriptMedia {
  contentType: string;
  size: number;
  /** The uploaded file's name. */
  fileName: string;
  uploadedAt: number;
}

export interface TranscriptMeta {
  name: string;
  title: string | null;
  format: string;
  mode: CodingMode;
  revealed: boolean;
  importedAt: number;
  /** Name of the file the transcript was imported from. */
  sourceFile: string | null;
  media: TranscriptMedia | null;
}

function mediaOf(v: unknown): TranscriptMedia | null {
  if (!v || typeof v !== 'object') return null;
  const m = v as Record<string, unknown>;
  if (typeof m.contentType !== 'string' || typeof m.fileName !== 'string') return null;
  return { contentType: m.contentType, fileName: m.fileName, size: Number(m.size ?? 0), uploadedAt: Number(m.uploadedAt ?? 0) };
}

export interface ResolvedTurn {
  id: string;
  speakerId: string | null;
  speaker: string | null;
  /** UTF-16 offsets into body. */
  start: number;
  end: number;
  /** Seconds into the recording where the turn starts / ends, when the imported file said so. */
  startTime: number | null;
  endTime: number | null;
}

/** Keys of a turn's recording times (seconds) in its Y.Map. */
export const TURN_START_TIME = 'startTime';
export const TURN_END_TIME = 'endTime';

/** A turn as `initialise` takes it: speaker, UTF-16 offset of its first character, optional times in seconds. */
export interface TurnInput {
  speaker: string | null;
  start: number;
  startTime?: number | null;
  endTime?: number | null;
}

function timeOf(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;
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
      media: mediaOf(m.get('media')),
    };
  }

  /** Records (or with null, forgets) the transcript's recording. */
  setMedia(media: TranscriptMedia | null): void {
    if (media) this.meta.set('media', { ...media });
    else this.meta.delete('media');
  }

  /**
   * Fills an empty document with a transcript's text and turns. Each turn is
   * `{speaker, start, end}` in UTF-16 offsets of `text`.
   */
  initialise(
    text: string,
    turns: readonly TurnInput[],
    meta: Partial<Omit<TranscriptMeta, 'media'>> & { name: string },
    parts?: { chars: number; turns: number },
  ): void {
    const fill = () => {
      if (this.body.length > 0) throw new Error('transcript document is not empty');
      for (const [from, to] of textParts(text, parts?.chars ?? Infinity)) {
        this.doc.transact(() => this.body.insert(from, text.slice(from, to)));
      }
      const speakerIds = new Map<string, string>();
      const perPart = Math.max(1, parts?.turns ?? turns.length);
      for (let first = 0; first < turns.length; first += perPart) {
        this.doc.transact(() => {
          const maps: Y.Map<unknown>[] = [];
          for (const t of turns.slice(first, first + perPart)) {
            let speakerId: string | null = null;
            if (t.speaker !== null) {
              speakerId = speakerIds.get(t.speaker) ?? null;
              if (!speakerId) {
                speakerId = newId(10);
                speakerIds.set(t.speaker, speakerId);
                this.speakers.set(speakerId, { id: speakerId, name: t.speaker });
              }
            }
            const turn = new Y.Map<unknown>();
            turn.set('id', newId(10));
            turn.set('speakerId', speakerId);
            // The body is one item (or a few), so this finds the position in constant time.
            turn.set('start', Y.encodeRelativePosition(Y.createRelativePositionFromTypeIndex(this.body, t.start, 0)));
            if (timeOf(t.startTime) !== null) turn.set(TURN_START_TIME, t.startTime);
            if (timeOf(t.endTime) !== null) turn.set(TURN_END_TIME, t.endTime);
            maps.push(turn);
          }
          // One push per part: pushing turn by turn walks the whole array each time (quadratic).
          this.turns.push(maps);
        });
      }
      const full: Omit<TranscriptMeta, 'media'> = {
        title: null, format: 'paragraphs', mode: 'open', revealed: false, importedAt: Date.now(), sourceFile: null, ...meta,
      };
      this.doc.transact(() => { for (const [k, v] of Object.entries(full)) this.meta.set(k, v); });
    };
    if (parts) fill();
    else this.doc.transact(fill);
  }

  listSpeakers(): Speaker[] {
    return [...this.speakers.values()].filter(isSpeaker).sort((a, b) => a.name.localeCompare(b.name));
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
    const starts: { id: string; speakerId: string | null; start: number; startTime: number | null; endTime: number | null }[] = [];
    for (const t of this.turns) {
      if (!(t instanceof Y.Map)) continue;
      const enc = t.get('start');
      const start = enc instanceof Uint8Array ? resolvePosition(this.doc, enc) : null;
      if (start === null) continue;
      const speakerId = t.get('speakerId');
      starts.push({
        id: String(t.get('id')), speakerId: typeof speakerId === 'string' ? speakerId : null, start,
        startTime: timeOf(t.get(TURN_START_TIME)), endTime: timeOf(t.get(TURN_END_TIME)),
      });
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
        speaker: s.speakerId ? this.speakerName(s.speakerId) : null,
        start: s.start,
        end,
        startTime: s.startTime,
        endTime: s.endTime,
      });
    }
    return out;
  }

  private speakerName(id: string): string | null {
    const s: unknown = this.speakers.get(id);
    return isSpeaker(s) ? s.name : null;
  }

  /** The readable codings of a map (this doc's or a layer's); entries in a bad shape are skipped. */
  validCodings(codings: Y.Map<Coding> = this.codings): Coding[] {
    return [...codings.values()].filter(isCoding);
  }

  /** The decision log without entries in a bad shape. */
  listDecisions(): Decision[] {
    return this.decisions.toArray().filter((d) => decisionProblem(d) === null);
  }

  /** Entries of this document (and of `layers`' codings maps) that readers skip, and why. */
  malformed(layers: Y.Map<Coding>[] = []): MalformedEntry[] {
    const out: MalformedEntry[] = [];
    this.turns.forEach((t, i) => {
      if (!(t instanceof Y.Map)) out.push({ part: 'turns', key: String(i), problem: 'not a map' });
    });
    for (const [key, s] of this.speakers.entries()) if (!isSpeaker(s)) out.push({ part: 'speakers', key, problem: 'not a speaker' });
    for (const map of [this.codings, ...layers]) {
      for (const [key, c] of map.entries()) if (!isCoding(c)) out.push({ part: 'codings', key, problem: 'not a coding' });
    }
    this.decisions.forEach((d, i) => {
      const problem = decisionProblem(d);
      if (problem) out.push({ part: 'decisions', key: String(i), problem });
    });
    return out;
  }

  /** The speaker of the turn containing `offset` (UTF-16). */
  speakerAt(offset: number, turns = this.resolveTurns()): string | null {
    return turnAt(offset, turns)?.speaker ?? null;
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

/** [from, to) ranges of `text` of at most `max` UTF-16 units, never splitting a surrogate pair. */
function textParts(text: string, max: number): [number, number][] {
  const out: [number, number][] = [];
  for (let from = 0; from < text.length;) {
    let to = Math.min(text.length, from + max);
    const last = text.charCodeAt(to - 1);
    if (to < text.length && to - from > 1 && last >= 0xd800 && last <= 0xdbff) to--;
    out.push([from, to]);
    from = to;
  }
  return out;
}

/** The turn containing `offset` (UTF-16) among turns in text order, or null before the first. */
export function turnAt<T extends { start: number }>(offset: number, turns: readonly T[]): T | null {
  let found: T | null = null;
  for (const t of turns) {
    if (t.start <= offset) found = t;
    else break;
  }
  return found;
}

function isSpeaker(v: unknown): v is Speaker {
  return !!v && typeof v === 'object' && typeof (v as Speaker).id === 'string' && typeof (v as Speaker).name === 'string';
}

export function isCoding(v: unknown): v is Coding {
  if (!v || typeof v !== 'object') return false;
  const c = v as Record<string, unknown>;
  return typeof c.id === 'string' && typeof c.codeId === 'string' && typeof c.coderId === 'string'
    && c.start instanceof Uint8Array && c.end instanceof Uint8Array && (c.memo === undefined || typeof c.memo === 'string');
}

/** The codings map of a coder's layer document. */
export function layerCodings(layer: Y.Doc): Y.Map<Coding> {
  return layer.getMap('codings');
}
