import type { Segment } from '@concord/shared';

/**
 * Code co-occurrence: two codings co-occur when they are in the same transcript,
 * carry different codes and share at least one character ([start, end) ranges
 * overlap; touching ends do not count). The count for a pair of codes is the
 * number of such pairs of codings. Offsets of one transcript must use the same
 * unit (the segments API gives code points).
 */
export type CooccurrenceSegment = Pick<Segment, 'transcriptId' | 'codeId' | 'start' | 'end'>;

export function pairKey(x: string, y: string): string {
  return x < y ? `${x}\u0000${y}` : `${y}\u0000${x}`;
}

/** Counts per unordered pair of codes (key: `pairKey`). */
export function cooccurrenceCounts(segments: readonly CooccurrenceSegment[]): Map<string, number> {
  const byTranscript = new Map<string, CooccurrenceSegment[]>();
  for (const s of segments) {
    if (s.end <= s.start) continue;
    (byTranscript.get(s.transcriptId) ?? byTranscript.set(s.transcriptId, []).get(s.transcriptId)!).push(s);
  }
  const counts = new Map<string, number>();
  for (const list of byTranscript.values()) {
    // sweep: sorted by start, each coding is compared with those still open
    const sorted = [...list].sort((a, b) => a.start - b.start || a.end - b.end);
    let open: CooccurrenceSegment[] = [];
    for (const s of sorted) {
      open = open.filter((o) => o.end > s.start);
      for (const o of open) {
        if (o.codeId === s.codeId) continue;
        const k = pairKey(o.codeId, s.codeId);
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      open.push(s);
    }
  }
  return counts;
}

export interface CooccurrenceMatrix {
  codeIds: string[];
  /** Symmetric; the diagonal holds each code's number of codings. */
  cells: number[][];
  /** Largest off-diagonal value (for colour scales). */
  max: number;
}

/** A symmetric matrix over `codeIds` (codes not listed are ignored). */
export function cooccurrenceMatrix(segments: readonly CooccurrenceSegment[], codeIds: readonly string[]): CooccurrenceMatrix {
  const wanted = new Set(codeIds);
  const relevant = segments.filter((s) => wanted.has(s.codeId));
  const counts = cooccurrenceCounts(relevant);
  const freq = new Map<string, number>();
  for (const s of relevant) freq.set(s.codeId, (freq.get(s.codeId) ?? 0) + 1);
  let max = 0;
  const cells = codeIds.map((x) =>
    codeIds.map((y) => {
      if (x === y) return freq.get(x) ?? 0;
      const n = counts.get(pairKey(x, y)) ?? 0;
      if (n > max) max = n;
      return n;
    }),
  );
  return { codeIds: [...codeIds], cells, max };
}

/** The most frequent pairs, largest first (ties by the codes' order in `codeIds`). */
export function topPairs(m: CooccurrenceMatrix, limit = 10): { a: string; b: string; count: number }[] {
  const out: { a: string; b: string; count: number; i: number; j: number }[] = [];
  for (let i = 0; i < m.codeIds.length; i++) {
    for (let j = i + 1; j < m.codeIds.length; j++) {
      const count = m.cells[i]![j]!;
      if (count > 0) out.push({ a: m.codeIds[i]!, b: m.codeIds[j]!, count, i, j });
    }
  }
  out.sort((p, q) => q.count - p.count || p.i - q.i || p.j - q.j);
  return out.slice(0, limit).map(({ a, b, count }) => ({ a, b, count }));
}
