import type * as Y from 'yjs';
import { DECISION_LABELS } from '../reconcile/decisions.ts';
import { layerCodings, TranscriptDoc, type DecisionAction, type ResolvedCoding } from '../schema/transcript.ts';

/**
 * A project's coding record: what the team has coded, as every view, count and
 * export shows it (README "What each view counts").
 *
 * - open transcript: its shared codings;
 * - independent transcript before the reveal: nothing (the coders' layers are private);
 * - independent transcript from the reveal on: the consensus layer, which holds every
 *   coding both coders agreed on (recorded at the reveal, see `recordAgreements`) and
 *   what reconciliation decided (rejected and deferred disagreements put nothing there).
 *
 * The coders' own layers are never part of the record; `coderLayerCodings` lists
 * them as what they are, for the "every coder's codings" exports.
 */
export type RecordSource = 'open' | 'consensus' | 'layer';

/** Why a consensus coding is there: both coders agreed, or a reconciliation decision. */
export type RecordBasis = 'agreed' | DecisionAction;

/** What an export or the segments API lists: the record, or each coder's own codings. */
export type RecordScope = 'record' | 'coders';
export const RECORD_SCOPES: readonly RecordScope[] = ['record', 'coders'];

export interface RecordCoding extends ResolvedCoding {
  source: RecordSource;
  /** Consensus codings only: agreed, or the decision that put it there (null when unknown or not consensus). */
  basis: RecordBasis | null;
  /** Who coded it: both coders for an agreed coding, else the one coder. */
  coders: string[];
}

/** Key prefix of agreed consensus codings (their `decision` field and id). */
export const AGREEMENT_PREFIX = 'agree:';

function codersOf(raw: unknown, coderId: string): string[] {
  const list = raw && typeof raw === 'object' ? (raw as { coders?: unknown }).coders : undefined;
  if (Array.isArray(list) && list.length > 0 && list.every((x): x is string => typeof x === 'string')) return [...list];
  return [coderId];
}

/** Whether an independent transcript's layers are still private (its record is empty). */
export function recordHidden(t: TranscriptDoc): boolean {
  const m = t.getMeta();
  return m.mode === 'independent' && !m.revealed;
}

const isAction = (v: unknown): v is DecisionAction => typeof v === 'string' && Object.hasOwn(DECISION_LABELS, v);

/** Latest action per disagreement key; entries of another shape are skipped (they must not break a read). */
function decidedActions(t: TranscriptDoc): Map<string, DecisionAction> {
  const out = new Map<string, DecisionAction>();
  for (const d of t.decisions.toArray() as unknown[]) {
    if (!d || typeof d !== 'object') continue;
    const { disagreementKey: key, action } = d as { disagreementKey?: unknown; action?: unknown };
    if (typeof key === 'string' && isAction(action)) out.set(key, action);
  }
  return out;
}

/** The record of one transcript, resolved to offsets and quotes, in text order. */
export function transcriptRecord(t: TranscriptDoc): RecordCoding[] {
  if (recordHidden(t)) return [];
  const independent = t.getMeta().mode === 'independent';
  const decided = decidedActions(t);
  const out: RecordCoding[] = [];
  for (const c of t.resolveCodings()) {
    const raw = t.codings.get(c.id);
    const mark = raw && typeof raw.decision === 'string' ? raw.decision : null;
    const consensus = independent || mark !== null;
    let basis: RecordBasis | null = null;
    if (mark?.startsWith(AGREEMENT_PREFIX)) basis = 'agreed';
    else if (mark) basis = decided.get(mark) ?? null;
    out.push({ ...c, source: consensus ? 'consensus' : 'open', basis, coders: codersOf(raw, c.coderId) });
  }
  return out;
}

/** Each coder's own codings of a revealed independent transcript, by layer owner. */
export function coderLayerCodings(t: TranscriptDoc, layers: ReadonlyMap<string, Y.Doc>): RecordCoding[] {
  const out: RecordCoding[] = [];
  for (const [coderId, layer] of layers) {
    for (const c of t.resolveCodings(layerCodings(layer))) out.push({ ...c, coderId, source: 'layer', basis: null, coders: [coderId] });
  }
  return out.sort((a, b) => a.start - b.start || a.end - b.end || a.id.localeCompare(b.id));
}

/**
 * The codings an export lists: the record, or every coder's own codings (open
 * codings by their coder, and the revealed layers; no consensus). `layers` holds
 * only layers that may leave the server (revealed ones).
 */
export function codingsInScope(t: TranscriptDoc, scope: RecordScope, layers: ReadonlyMap<string, Y.Doc> = new Map()): RecordCoding[] {
  if (scope === 'record') return transcriptRecord(t);
  if (t.getMeta().mode !== 'independent') return transcriptRecord(t).filter((c) => c.source === 'open');
  return recordHidden(t) ? [] : coderLayerCodings(t, layers);
}

/** Number of codings in a transcript's record (the transcript list shows it). */
export function recordCount(t: TranscriptDoc): number {
  return transcriptRecord(t).length;
}

/** Words for where a row comes from, as exports write it. */
export function sourceLabel(source: RecordSource, coderName: string): string {
  if (source === 'consensus') return 'consensus';
  if (source === 'open') return 'open coding';
  return `coder's layer: ${coderName}`;
}

export function basisLabel(basis: RecordBasis | null): string {
  if (basis === null) return '';
  return basis === 'agreed' ? 'agreed by both coders' : `decided: ${DECISION_LABELS[basis]}`;
}
