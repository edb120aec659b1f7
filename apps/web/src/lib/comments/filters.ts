/** Which threads the panel lists. */
export type ThreadFilter = 'open' | 'resolved' | 'mine' | 'mentions';

export const THREAD_FILTERS: readonly { id: ThreadFilter; label: string; title: string }[] = [
  { id: 'open', label: 'Open', title: 'Threads still open' },
  { id: 'resolved', label: 'Resolved', title: 'Threads someone resolved' },
  { id: 'mine', label: 'Mine', title: 'Threads you started or replied to' },
  { id: 'mentions', label: '@ Me', title: 'Threads that mention you' },
];

export interface FilterableThread {
  id: string;
  authorId: string;
  resolved: boolean;
  comments: readonly { authorId: string; deleted: boolean; mentions: readonly string[] }[];
}

export function matchesFilter(t: FilterableThread, filter: ThreadFilter, me: string): boolean {
  switch (filter) {
    case 'open': return !t.resolved;
    case 'resolved': return t.resolved;
    case 'mine': return t.authorId === me || t.comments.some((c) => c.authorId === me && !c.deleted);
    case 'mentions': return t.comments.some((c) => !c.deleted && (c.mentions ?? []).includes(me));
  }
}

export function filterThreads<T extends FilterableThread>(threads: readonly T[], filter: ThreadFilter, me: string): T[] {
  return threads.filter((t) => matchesFilter(t, filter, me));
}

export function filterCounts(threads: readonly FilterableThread[], me: string): Record<ThreadFilter, number> {
  const out: Record<ThreadFilter, number> = { open: 0, resolved: 0, mine: 0, mentions: 0 };
  for (const t of threads) for (const f of THREAD_FILTERS) if (matchesFilter(t, f.id, me)) out[f.id]++;
  return out;
}

/** The filter to show `t` with: the current one if it lists `t`, else open or resolved. */
export function filterShowing(t: FilterableThread, current: ThreadFilter, me: string): ThreadFilter {
  if (matchesFilter(t, current, me)) return current;
  return t.resolved ? 'resolved' : 'open';
}

/** The comments of a thread still shown (deleted ones leave a placeholder only between others). */
export function visibleComments<C extends { deleted: boolean }>(comments: readonly C[]): C[] {
  let end = comments.length;
  while (end > 0 && comments[end - 1]!.deleted) end--;
  return comments.slice(0, end);
}
