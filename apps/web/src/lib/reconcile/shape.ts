import type { Decision, DecisionAction, Disagreement, DisagreementKind } from '@concord/shared';

/** Pure helpers of the reconciliation session (no Yjs, no DOM). */

/** How a code is shown: its current name (merges followed) and colour. */
export interface CodeLook {
  name: string;
  color: string;
  abbreviation?: string | null;
  path?: string;
}

export const KIND_LABELS: Record<DisagreementKind, string> = {
  'only-a': 'Only A coded this',
  'only-b': 'Only B coded this',
  'different-codes': 'Different codes',
  boundary: 'Different boundaries',
};

export const KIND_SHORT: Record<DisagreementKind, string> = {
  'only-a': 'Only A',
  'only-b': 'Only B',
  'different-codes': 'Different codes',
  boundary: 'Boundaries',
};

export interface ActionSpec {
  action: DecisionAction;
  label: string;
  /** Keyboard shortcut (single key). */
  key: string;
  hint: string;
}

export const ACTIONS: readonly ActionSpec[] = [
  { action: 'accept-a', label: 'Accept A', key: 'a', hint: 'Keep A’s coding in the consensus' },
  { action: 'accept-b', label: 'Accept B', key: 'b', hint: 'Keep B’s coding in the consensus' },
  { action: 'keep-both', label: 'Keep both', key: 'k', hint: 'Both codings go into the consensus' },
  { action: 'merge', label: 'Merge boundaries', key: 'm', hint: 'One coding over the union of both spans (each code once)' },
  { action: 'reject', label: 'Reject', key: 'r', hint: 'Neither coding goes into the consensus' },
  { action: 'defer', label: 'Defer', key: 'd', hint: 'Decide later; say why (it stays open)' },
];

/** Whether an action makes sense for a disagreement (applyDecision refuses the others). */
export function canApply(action: DecisionAction, d: Pick<Disagreement, 'a' | 'b'>): boolean {
  switch (action) {
    case 'accept-a': return d.a !== null;
    case 'accept-b': return d.b !== null;
    case 'keep-both':
    case 'merge': return d.a !== null && d.b !== null;
    case 'reject':
    case 'defer': return true;
  }
}

/** Latest decision per disagreement key (the log is in order; a later one replaces an earlier one). */
export function latestByKey(log: readonly Decision[]): Map<string, Decision> {
  const m = new Map<string, Decision>();
  for (const d of log) m.set(d.disagreementKey, d);
  return m;
}

export type ItemStatus = 'open' | 'deferred' | 'decided';

export function statusOf(latest: ReadonlyMap<string, Decision>, key: string): ItemStatus {
  const d = latest.get(key);
  if (!d) return 'open';
  return d.action === 'defer' ? 'deferred' : 'decided';
}

export interface Progress {
  total: number;
  decided: number;
  deferred: number;
  open: number;
}

export function progressOf(all: readonly Pick<Disagreement, 'key'>[], latest: ReadonlyMap<string, Decision>): Progress {
  let decided = 0;
  let deferred = 0;
  for (const d of all) {
    const s = statusOf(latest, d.key);
    if (s === 'decided') decided++;
    else if (s === 'deferred') deferred++;
  }
  return { total: all.length, decided, deferred, open: all.length - decided - deferred };
}

/**
 * The disagreement to go to after `fromKey`: the next open one after it in text
 * order, wrapping round; then deferred ones; null when everything is decided.
 */
export function nextUndecided(all: readonly Pick<Disagreement, 'key'>[], latest: ReadonlyMap<string, Decision>, fromKey: string | null): string | null {
  if (all.length === 0) return null;
  const start = fromKey === null ? -1 : all.findIndex((d) => d.key === fromKey);
  for (const want of ['open', 'deferred'] as const) {
    for (let step = 1; step <= all.length; step++) {
      const d = all[(start + step + all.length) % all.length]!;
      if (d.key === fromKey) continue;
      if (statusOf(latest, d.key) === want) return d.key;
    }
  }
  return null;
}

/** The neighbour of `key` in text order (for ←/→ and J/K), or null at the ends. */
export function neighbour(all: readonly Pick<Disagreement, 'key'>[], key: string | null, dir: 1 | -1): string | null {
  if (all.length === 0) return null;
  const i = key === null ? -1 : all.findIndex((d) => d.key === key);
  if (i < 0) return dir > 0 ? all[0]!.key : all[all.length - 1]!.key;
  return all[i + dir]?.key ?? null;
}

/**
 * Where the shared position of a pair of coders lives in the transcript's
 * `reconcile` map: one entry per person who moved it (`position:<a>,<b>:<userId>`),
 * so two people never write the same key at once.
 */
export function positionPrefix(a: string, b: string): string {
  return `position:${a},${b}:`;
}

export interface SharedPosition {
  key: string;
  by: string;
  at: number;
  /** Logical clock: one more than the highest the mover had seen. */
  seq: number;
}

export function isSharedPosition(v: unknown): v is SharedPosition {
  return !!v && typeof v === 'object' && typeof (v as SharedPosition).key === 'string' && typeof (v as SharedPosition).by === 'string'
    && typeof (v as SharedPosition).seq === 'number';
}

/**
 * The shared position: the move with the highest logical clock, ties (moves made
 * at the same time without seeing each other) broken by user id, so every
 * client agrees whatever order the moves arrived in and however wrong a
 * computer's clock is.
 */
export function pickPosition(entries: Iterable<[string, unknown]>, prefix: string): SharedPosition | null {
  let best: SharedPosition | null = null;
  for (const [k, v] of entries) {
    if (!k.startsWith(prefix) || !isSharedPosition(v)) continue;
    if (!best || v.seq > best.seq || (v.seq === best.seq && v.by > best.by)) best = v;
  }
  return best;
}

/** The highest logical clock among the moves (0 when nobody moved yet). */
export function maxSeq(entries: Iterable<[string, unknown]>, prefix: string): number {
  let m = 0;
  for (const [k, v] of entries) if (k.startsWith(prefix) && isSharedPosition(v)) m = Math.max(m, v.seq);
  return m;
}

/** "3 min ago", "just now", or a date for older times. */
export function relativeTime(at: number, now = Date.now()): string {
  const s = Math.round((now - at) / 1000);
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} h ago`;
  return new Date(at).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}
