/**
 * Lane assignment for the coding margin: each coding gets the lowest lane that is
 * free over its whole span, like QDA tools draw coding stripes. Intervals are
 * half-open [start, end). Stable: the same input order gives the same lanes.
 */
/** Ids in code-unit order: the same on every client, and far quicker than localeCompare on thousands. */
function byId(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface Interval {
  id: string;
  start: number;
  end: number;
}

export function assignLanes<T extends Interval>(items: readonly T[]): Map<string, number> {
  const sorted = [...items].sort((a, b) => a.start - b.start || b.end - a.end || byId(a.id, b.id));
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
  const sorted = [...labels].sort((a, b) => a.top - b.top || byId(a.id, b.id));
  const out = new Map<string, number>();
  let next = -Infinity;
  for (const l of sorted) {
    const top = Math.max(l.top, next);
    out.set(l.id, top);
    next = top + l.height + gap;
  }
  return out;
}

/**
 * Lanes that stay put while people code: codings are placed in the order they
 * were made, each in the lowest lane free over its span, so a new coding never
 * moves an existing stripe (the margin stays calm during live sessions).
 *
 * Kept as a structure so that codings made after all the others are placed
 * without placing everything again (`canAdd` / `add`); anything else (a coding
 * removed or moved, an older one arriving) needs `StableLanes.of` again.
 */
export class StableLanes {
  readonly lane = new Map<string, number>();
  readonly #lanes: { start: number; end: number }[][] = [];
  #last: { createdAt: number; id: string } | null = null;

  static of<T extends Interval & { createdAt: number }>(items: readonly T[]): StableLanes {
    const out = new StableLanes();
    for (const it of [...items].sort((a, b) => a.createdAt - b.createdAt || byId(a.id, b.id))) out.add(it);
    return out;
  }

  /** Whether `it` comes after every coding placed so far (so adding it gives what placing all again would). */
  canAdd(it: { id: string; createdAt: number }): boolean {
    const l = this.#last;
    return !l || it.createdAt > l.createdAt || (it.createdAt === l.createdAt && byId(it.id, l.id) > 0);
  }

  /** Places `it` in the lowest lane free over its span; returns the lane. */
  add(it: Interval & { createdAt: number }): number {
    let k = 0;
    while (k < this.#lanes.length && overlaps(this.#lanes[k]!, it.start, it.end)) k++;
    if (k === this.#lanes.length) this.#lanes.push([]);
    const lane = this.#lanes[k]!;
    let i = lane.length;
    while (i > 0 && lane[i - 1]!.start > it.start) i--;
    lane.splice(i, 0, { start: it.start, end: it.end });
    this.lane.set(it.id, k);
    this.#last = { createdAt: it.createdAt, id: it.id };
    return k;
  }
}

/** Whether [s, e) overlaps an interval of `lane` (sorted by start, no overlaps within). */
function overlaps(lane: readonly { start: number; end: number }[], s: number, e: number): boolean {
  let lo = 0;
  let hi = lane.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lane[mid]!.start < e) lo = mid + 1;
    else hi = mid;
  }
  // the last interval starting before e is the only one that can reach past s
  return lo > 0 && lane[lo - 1]!.end > s;
}

/** Stable lanes of all `items` (see StableLanes). */
export function assignStableLanes<T extends Interval & { createdAt: number }>(items: readonly T[]): Map<string, number> {
  return StableLanes.of(items).lane;
}
