/**
 * Lane assignment for the coding margin: each coding gets the lowest lane that is
 * free over its whole span, like QDA tools draw coding stripes. Intervals are
 * half-open [start, end). Stable: the same input order gives the same lanes.
 */
export interface Interval {
  id: string;
  start: number;
  end: number;
}

export function assignLanes<T extends Interval>(items: readonly T[]): Map<string, number> {
  const sorted = [...items].sort((a, b) => a.start - b.start || b.end - a.end || a.id.localeCompare(b.id));
  const laneEnds: number[] = [];
  const out = new Map<string, number>();
  for (const it of sorted) {
    let lane = laneEnds.findIndex((end) => end <= it.start);
    if (lane < 0) {
      lane = laneEnds.length;
      laneEnds.push(it.end);
    } else laneEnds[lane] = it.end;
    out.set(it.id, lane);
  }
  return out;
}

/** How many intervals cover the busiest point: the number of lanes needed. */
export function maxDepth(items: readonly Interval[]): number {
  const ev: [number, number][] = [];
  for (const it of items) {
    if (it.end <= it.start) continue;
    ev.push([it.start, 1], [it.end, -1]);
  }
  ev.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cur = 0;
  let max = 0;
  for (const [, d] of ev) {
    cur += d;
    max = Math.max(max, cur);
  }
  return max;
}

/**
 * Places labels (each wants to sit at `top`, is `height` tall) in one column
 * without overlaps, moving labels down as little as possible, in order of `top`.
 */
export function layoutLabels<T extends { id: string; top: number; height: number }>(
  labels: readonly T[],
  gap = 2,
): Map<string, number> {
  const sorted = [...labels].sort((a, b) => a.top - b.top || a.id.localeCompare(b.id));
  const out = new Map<string, number>();
  let next = -Infinity;
  for (const l of sorted) {
    const top = Math.max(l.top, next);
    out.set(l.id, top);
    next = top + l.height + gap;
  }
  return out;
}
