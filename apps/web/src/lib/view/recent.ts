/** Most-recently-used code ids (for keys 1–9), newest first, without duplicates. */
export function pushRecent(recent: readonly string[], id: string, max = 9): string[] {
  return [id, ...recent.filter((r) => r !== id)].slice(0, max);
}

/** Keeps only ids that still exist (after merges, through `resolve`), de-duplicated, in order. */
export function cleanRecent(recent: readonly string[], exists: (id: string) => boolean, resolve: (id: string) => string = (id) => id): string[] {
  const out: string[] = [];
  for (const r of recent) {
    const id = resolve(r);
    if (exists(id) && !out.includes(id)) out.push(id);
  }
  return out;
}

/**
 * Shrinks a selection so it does not start or end in whitespace (researchers
 * often drag a little too far); returns the range unchanged if it is all space.
 */
export function trimRange(text: string, from: number, to: number): { from: number; to: number } {
  let a = from;
  let b = to;
  while (a < b && /\s/.test(text[a]!)) a++;
  while (b > a && /\s/.test(text[b - 1]!)) b--;
  return a < b ? { from: a, to: b } : { from, to };
}
