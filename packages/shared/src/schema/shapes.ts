import * as Y from 'yjs';
import { MAX_NAME_LENGTH } from '../limits.ts';

/**
 * The shapes entries of the documents must have, checked in one place: by the
 * server's room policies before a client's change is applied (strict), and by the
 * typed accessors when they read (an entry stored in a bad shape is skipped and
 * reported, never thrown on).
 */

/** An entry that could not be read, and why. */
export interface MalformedEntry {
  /** The document part it is in (`codes`, `codings`, `turns`, `speakers`, `decisions`, `threads`). */
  part: string;
  /** Its map key or array index. */
  key: string;
  problem: string;
}

/** Colours are `#rgb` or `#rrggbb`: safe in any CSS context, understood by every REFI tool. */
export function isColor(v: unknown): v is string {
  return typeof v === 'string' && /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(v);
}

export const MAX_MEMO_LENGTH = 20_000;
export const MAX_ABBREVIATION_LENGTH = 50;
/** An encoded relative position is a few dozen bytes; anything far larger is not one. */
const MAX_POSITION_BYTES = 512;

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 128;
const optional = (v: unknown, ok: (x: unknown) => boolean) => v === undefined || v === null || ok(v);

/** Why a codebook `codes` entry is not a code (strict: what a client may write), or null. */
export function codeProblem(key: string, value: unknown): string | null {
  if (!(value instanceof Y.Map)) return 'a code must be a map';
  const m = value as Y.Map<unknown>;
  return codeFieldsProblem(key, (f) => m.get(f));
}

/** The same, for a code whose fields `get` reads (a code as an update leaves it, before it is applied). */
export function codeFieldsProblem(key: string, get: (field: string) => unknown): string | null {
  if (get('id') !== key) return 'a code\'s id must be its key';
  const name = get('name');
  if (typeof name !== 'string' || !name.trim() || name.length > MAX_NAME_LENGTH) return `a code needs a name of 1 to ${MAX_NAME_LENGTH} characters`;
  if (!optional(get('abbreviation'), (a) => typeof a === 'string' && a.length <= MAX_ABBREVIATION_LENGTH)) return 'a code\'s abbreviation must be short text';
  if (!isColor(get('color'))) return 'a code\'s colour must be #rgb or #rrggbb';
  if (!optional(get('parentId'), isId)) return 'a code\'s parent must be a code id';
  if (!optional(get('order'), (o) => typeof o === 'number' && Number.isFinite(o))) return 'a code\'s order must be a number';
  if (!optional(get('createdAt'), (o) => typeof o === 'number' && Number.isFinite(o))) return 'a code\'s createdAt must be a number';
  if (!optional(get('createdBy'), isId)) return 'a code\'s createdBy must be a user id';
  for (const f of ['definition', 'inclusion', 'exclusion', 'examples']) {
    if (!optional(get(f), (t) => t instanceof Y.Text)) return `a code's ${f} must be collaborative text`;
  }
  return null;
}

/** Why a value read from a codebook is not usable as a code at all (lenient: what readers skip), or null. */
export function unreadableCode(value: unknown): string | null {
  if (!(value instanceof Y.Map)) return 'not a map';
  const m = value as Y.Map<unknown>;
  if (!isId(m.get('id'))) return 'no id';
  if (typeof m.get('name') !== 'string') return 'no name';
  return null;
}

/** Why a value in a `codings` map (transcript or layer) is not a coding, or null. */
export function codingProblem(key: string, value: unknown): string | null {
  if (!isRecord(value)) return 'a coding must be an object';
  if (value.id !== key) return 'a coding\'s id must be its key';
  if (!isId(value.codeId)) return 'a coding needs a code id';
  if (!isId(value.coderId)) return 'a coding needs a coder id';
  for (const f of ['start', 'end'] as const) {
    const p = value[f];
    if (!(p instanceof Uint8Array) || p.length === 0 || p.length > MAX_POSITION_BYTES) return `a coding's ${f} must be an encoded position`;
  }
  if (typeof value.createdAt !== 'number' || !Number.isFinite(value.createdAt)) return 'a coding needs createdAt';
  if (!optional(value.memo, (m) => typeof m === 'string' && m.length <= MAX_MEMO_LENGTH)) return `a memo must be text of at most ${MAX_MEMO_LENGTH} characters`;
  if (!optional(value.decision, (d) => typeof d === 'string' && d.length <= 1_000)) return 'a coding\'s decision must be a disagreement key';
  if (!optional(value.coders, (c) => Array.isArray(c) && c.length > 0 && c.length <= 64 && c.every(isId))) return 'a coding\'s coders must be a list of user ids';
  return null;
}

const DECISION_ACTIONS = new Set(['accept-a', 'accept-b', 'keep-both', 'merge', 'reject', 'defer']);

/** Why an entry of the reconciliation decision log is not a decision, or null. */
export function decisionProblem(value: unknown): string | null {
  if (!isRecord(value)) return 'a decision must be an object';
  if (!isId(value.id) || typeof value.disagreementKey !== 'string' || !isId(value.userId)) return 'a decision needs id, disagreementKey and userId';
  if (typeof value.action !== 'string' || !DECISION_ACTIONS.has(value.action)) return 'unknown decision action';
  if (typeof value.at !== 'number' || typeof value.comment !== 'string' || typeof value.summary !== 'string') return 'a decision needs at, comment and summary';
  if (value.comment.length > MAX_MEMO_LENGTH || value.summary.length > MAX_MEMO_LENGTH) return 'a decision\'s text is too long';
  return null;
}
