/**
 * Disagreements between two coders' codings of one transcript, for the
 * reconciliation session. Offsets are UTF-16 indices into the body.
 */
export interface CoderCoding {
  id: string;
  codeId: string;
  coderId: string;
  start: number;
  end: number;
}

export type DisagreementKind =
  /** Coded by A, nothing similar by B. */
  | 'only-a'
  /** Coded by B, nothing similar by A. */
  | 'only-b'
  /** Both coded about the same words, with different codes. */
  | 'different-codes'
  /** Both applied the same code, but the boundaries differ by more than the tolerance. */
  | 'boundary';

export interface Disagreement {
  /** Stable across recomputation: decisions refer to it. */
  key: string;
  kind: DisagreementKind;
  a: CoderCoding | null;
  b: CoderCoding | null;
  /** The span to show: the union of both codings. */
  start: number;
  end: number;
}

export interface DisagreementOptions {
  /** Boundaries within this many characters count as the same (default 10). */
  tolerance?: number;
  /** Minimal overlap, as a share of the shorter span, for two codings to be "about the same words" (default 0.5). */
  minOverlap?: number;
}

function overlap(x: CoderCoding, y: CoderCoding): number {
  return Math.max(0, Math.min(x.end, y.end) - Math.max(x.start, y.start));
}

/** Two codings, one by each coder, with the same code and boundaries within the tolerance. */
export interface Agreement {
  /** `agree:<A's coding id>:<B's coding id>`: stable across recomputation, like disagreement keys. */
  key: string;
  a: CoderCoding;
  b: CoderCoding;
}

export function findDisagreements(a: readonly CoderCoding[], b: readonly CoderCoding[], opts: DisagreementOptions = {}): Disagreement[] {
  return compareCodings(a, b, opts).disagreements;
}

/** Agreements (same code, boundaries within the tolerance) of two coders' codings. */
export function findAgreements(a: readonly CoderCoding[], b: readonly CoderCoding[], opts: DisagreementOptions = {}): Agreement[] {
  return compareCodings(a, b, opts).agreements;
}

/**
 * Every coding of A and B ends up in exactly one agreement or disagreement: the
 * one comparison behind reconciliation and the research record.
 */
export function compareCodings(
  a: readonly CoderCoding[], b: readonly CoderCoding[], opts: DisagreementOptions = {},
): { agreements: Agreement[]; disagreements: Disagreement[] } {
  const agreements: Agreement[] = [];
  const tolerance = opts.tolerance ?? 10;
  const minOverlap = opts.minOverlap ?? 0.5;
  const out: Disagreement[] = [];
  const usedA = new Set<string>();
  const usedB = new Set<string>();
  const similar = (x: CoderCoding, y: CoderCoding) => overlap(x, y) >= minOverlap * Math.min(x.end - x.start, y.end - y.start) && overlap(x, y) > 0;

  // 1. Same code on overlapping words: agreement, or a boundary disagreement.
  for (const x of a) {
    let best: CoderCoding | null = null;
    for (const y of b) {
      if (usedB.has(y.id) || y.codeId !== x.codeId || overlap(x, y) === 0) continue;
      if (!best || overlap(x, y) > overlap(x, best)) best = y;
    }
    if (!best) continue;
    usedA.add(x.id);
    usedB.add(best.id);
    if (Math.abs(x.start - best.start) > tolerance || Math.abs(x.end - best.end) > tolerance) {
      out.push(make('boundary', x, best));
    } else {
      agreements.push({ key: `agree:${x.id}:${best.id}`, a: x, b: best });
    }
  }
  // 2. Different codes on about the same words.
  for (const x of a) {
    if (usedA.has(x.id)) continue;
    const y = b.find((c) => !usedB.has(c.id) && similar(x, c));
    if (!y) continue;
    usedA.add(x.id);
    usedB.add(y.id);
    out.push(make('different-codes', x, y));
  }
  // 3. What is left was coded by one coder only.
  for (const x of a) if (!usedA.has(x.id)) out.push(make('only-a', x, null));
  for (const y of b) if (!usedB.has(y.id)) out.push(make('only-b', null, y));
  agreements.sort((p, q) => p.a.start - q.a.start || p.a.end - q.a.end || p.key.localeCompare(q.key));
  return { agreements, disagreements: out.sort((p, q) => p.start - q.start || p.end - q.end || p.key.localeCompare(q.key)) };
}

function make(kind: DisagreementKind, a: CoderCoding | null, b: CoderCoding | null): Disagreement {
  const spans = [a, b].filter((c): c is CoderCoding => !!c);
  return {
    key: `${kind}:${a?.id ?? '-'}:${b?.id ?? '-'}`,
    kind, a, b,
    start: Math.min(...spans.map((c) => c.start)),
    end: Math.max(...spans.map((c) => c.end)),
  };
}
