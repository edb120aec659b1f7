/**
 * Fuzzy matching for the code picker: every query character must appear in order.
 * Scores favour matches at word starts, consecutive runs, abbreviations and
 * prefixes, so "mep" finds "ME - metrics are poor proxy" and "dlq" finds "Data-low-quality".
 */
export interface FuzzyMatch {
  score: number;
  /** Matched character indices in the target (for highlighting). */
  indices: number[];
}

const isWordStart = (s: string, i: number): boolean => {
  if (i === 0) return true;
  const prev = s[i - 1]!;
  const cur = s[i]!;
  if (/[\s\-_/.[\](),:]/.test(prev)) return true;
  return prev === prev.toLowerCase() && cur !== cur.toLowerCase();
};

export function fuzzyMatch(query: string, target: string): FuzzyMatch | null {
  const q = query.trim().toLowerCase();
  if (!q) return { score: 0, indices: [] };
  const t = target.toLowerCase();
  // exact substring: best, earlier is better
  const sub = t.indexOf(q);
  if (sub >= 0) {
    const indices = Array.from({ length: q.length }, (_, k) => sub + k);
    return { score: 1000 - sub * 2 + (sub === 0 ? 200 : 0) + (isWordStart(target, sub) ? 100 : 0) - t.length * 0.1, indices };
  }
  // in-order characters, greedy with preference for word starts
  const indices: number[] = [];
  let score = 0;
  let ti = 0;
  let prev = -2;
  for (const ch of q) {
    if (ch === ' ') continue;
    let found = -1;
    // prefer a word start ahead
    for (let j = ti; j < t.length; j++) {
      if (t[j] === ch && isWordStart(target, j)) {
        found = j;
        break;
      }
    }
    const plain = t.indexOf(ch, ti);
    if (plain < 0) return null;
    if (found < 0 || (plain === prev + 1)) found = plain;
    indices.push(found);
    score += found === prev + 1 ? 15 : isWordStart(target, found) ? 12 : 1;
    score -= Math.min(found - ti, 10) * 0.5;
    prev = found;
    ti = found + 1;
  }
  return { score: score - t.length * 0.1, indices };
}

export interface Searchable {
  id: string;
  name: string;
  abbreviation: string | null;
  /** Ancestors' names, for "Parent › Child" matching. */
  path: string;
}

export interface Ranked<T> {
  item: T;
  score: number;
  indices: number[];
}

/** Ranks items by the best of name, abbreviation and path matches. Empty query keeps order. */
export function rankCodes<T extends Searchable>(query: string, items: readonly T[], limit = 50): Ranked<T>[] {
  const q = query.trim();
  if (!q) return items.slice(0, limit).map((item) => ({ item, score: 0, indices: [] }));
  const out: Ranked<T>[] = [];
  for (const item of items) {
    const byName = fuzzyMatch(q, item.name);
    const abbr = item.abbreviation ? fuzzyMatch(q, item.abbreviation) : null;
    const byPath = item.path ? fuzzyMatch(q, `${item.path} ${item.name}`) : null;
    let best: Ranked<T> | null = byName ? { item, score: byName.score, indices: byName.indices } : null;
    if (abbr && item.abbreviation && q.length <= item.abbreviation.length + 1) {
      const s = abbr.score + (item.abbreviation.toLowerCase() === q.toLowerCase() ? 1500 : 300);
      if (!best || s > best.score) best = { item, score: s, indices: byName?.indices ?? [] };
    }
    if (byPath && (!best || byPath.score - 50 > best.score)) best = { item, score: byPath.score - 50, indices: [] };
    if (best) out.push(best);
  }
  out.sort((a, b) => b.score - a.score || a.item.name.localeCompare(b.item.name));
  return out.slice(0, limit);
}
