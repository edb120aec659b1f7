/**
 * Layout of the threads column, like the comments of a word processor: each card
 * wants to sit level with the first line of its quote (`top`). Cards never
 * overlap. Without an active card, cards are placed in order of `top`, each as
 * high as it may go. With an active card, that card sits exactly at its quote,
 * the cards after it flow down below it and the cards before it are pushed up.
 */
export interface CardSlot {
  id: string;
  /** Where the card wants to be (px from the top of the document). */
  top: number;
  height: number;
}

export function alignCards(
  slots: readonly CardSlot[],
  opts: { activeId?: string | null; gap?: number; minTop?: number } = {},
): Map<string, number> {
  const gap = opts.gap ?? 8;
  const minTop = opts.minTop ?? 0;
  const sorted = slots.map((s, i) => ({ ...s, i })).sort((a, b) => a.top - b.top || a.i - b.i);
  const out = new Map<string, number>();
  const k = opts.activeId ? sorted.findIndex((s) => s.id === opts.activeId) : -1;

  if (k < 0) {
    let next = minTop;
    for (const s of sorted) {
      const top = Math.max(s.top, next);
      out.set(s.id, top);
      next = top + s.height + gap;
    }
    return out;
  }

  const active = sorted[k]!;
  out.set(active.id, active.top);
  let next = active.top + active.height + gap;
  for (const s of sorted.slice(k + 1)) {
    const top = Math.max(s.top, next);
    out.set(s.id, top);
    next = top + s.height + gap;
  }
  let limit = active.top - gap;
  for (let i = k - 1; i >= 0; i--) {
    const s = sorted[i]!;
    const top = Math.min(s.top, limit - s.height);
    out.set(s.id, top);
    limit = top - gap;
  }
  return out;
}

/** The bottom of the lowest card (for the height of the column). */
export function layoutBottom(slots: readonly CardSlot[], tops: ReadonlyMap<string, number>): number {
  let bottom = 0;
  for (const s of slots) bottom = Math.max(bottom, (tops.get(s.id) ?? s.top) + s.height);
  return bottom;
}
