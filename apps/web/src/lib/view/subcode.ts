/**
 * Creating a sub-code from the code picker: "Parent / new child" (also
 * "Parent > new child" or "Parent › new child") names the parent by a fuzzy
 * search and the new code literally. Pure, so the picker stays a thin view.
 */
import { fuzzyMatch, rankCodes, type Searchable } from './fuzzy.ts';

/** What the picker asks the page to create (and then apply). */
export interface CreateCodeRequest {
  /** The new code's name. */
  name: string;
  /** An existing code to create it under (null: top level, or under `newParentName`). */
  parentId: string | null;
  /** Create this top-level code first and put the new code under it. */
  newParentName: string | null;
}

export interface SubcodeQuery {
  /** The text before the last separator (names the parent). */
  parent: string;
  /** The text after it: the new code's name ('' while still typing). */
  child: string;
  /**
   * `>`/`›`, or `/` with a space beside it. A bare slash between words ("and/or")
   * is weak: it may be part of a name, so it only counts when a code's name starts
   * with the text before it.
   */
  strong: boolean;
}

const SEPARATOR = /[/>›]/;

/** Splits "Parent / child" at its last separator; null without one or without a parent part. */
export function splitSubcodeQuery(query: string): SubcodeQuery | null {
  for (let i = query.length - 1; i >= 0; i--) {
    const ch = query[i]!;
    if (!SEPARATOR.test(ch)) continue;
    const parent = query.slice(0, i).trim();
    if (!parent) return null;
    const child = query.slice(i + 1).trim();
    const strong = ch !== '/' || /\s/.test(query[i - 1] ?? ' ') || /\s/.test(query[i + 1] ?? ' ');
    return { parent, child, strong };
  }
  return null;
}

/** The query with separators as spaces, for matching existing codes by "path name". */
export function pathQuery(query: string): string {
  return query.replace(/\s*[>›]\s*|\s+\/\s*|\s*\/\s+/g, ' ').trim();
}

export interface SubcodeItem extends Searchable {
  parentId?: string | null;
}

export interface SubcodePlan<T extends SubcodeItem> {
  /** The new code's name ('' while the user has only typed "Parent / "). */
  child: string;
  /** Codes the new one could go under, best first. */
  parents: T[];
  /** Codes already named `child` under one of `parents` (offer those instead of a duplicate). */
  existing: T[];
  /** No code matches the parent part: it may be created at the top level with the child under it. */
  newParent: string | null;
}

/** A parent chosen explicitly (→ on a highlighted code): the query starts with `prefix`. */
export interface PinnedParent<T> {
  item: T;
  prefix: string;
}

const lower = (s: string): string => s.trim().toLowerCase();

/**
 * Reads a picker query as "create a sub-code": which codes could be the parent,
 * and whether the child already exists there. Null when the query does not name
 * a parent. One pass of fuzzy matching over `items` (fast with hundreds of codes).
 */
export function planSubcode<T extends SubcodeItem>(
  query: string,
  items: readonly T[],
  pinned: PinnedParent<T> | null = null,
  maxParents = 3,
): SubcodePlan<T> | null {
  let child: string;
  let parents: T[];
  let newParent: string | null = null;
  if (pinned && query.startsWith(pinned.prefix)) {
    child = query.slice(pinned.prefix.length).trim();
    parents = [pinned.item];
  } else {
    const split = splitSubcodeQuery(query);
    if (!split) return null;
    child = split.child;
    parents = split.strong ? fuzzyParents(split.parent, items, maxParents) : prefixParents(split.parent, items, maxParents);
    const nested = splitSubcodeQuery(split.parent) !== null;
    if (split.strong && !parents.length && !nested && child) newParent = split.parent;
  }
  const name = lower(child);
  const ids = new Set(parents.map((p) => p.id));
  const existing = name ? items.filter((c) => c.parentId && ids.has(c.parentId) && lower(c.name) === name) : [];
  return { child, parents, existing, newParent };
}

function fuzzyParents<T extends SubcodeItem>(parentQuery: string, items: readonly T[], max: number): T[] {
  const q = lower(pathQuery(parentQuery));
  // "Parent / x" names the parent itself, not its sub-codes (which match "Parent" through their path);
  // "Parent / Sub / x" may name a sub-code by its path
  const byPath = splitSubcodeQuery(parentQuery) !== null;
  const named = (c: T): boolean => !!fuzzyMatch(q, c.name) || (!!c.abbreviation && !!fuzzyMatch(q, c.abbreviation));
  let ranked = rankCodes(q, items, byPath ? max + 4 : items.length).map((r) => r.item);
  if (!byPath) ranked = ranked.filter(named).slice(0, max + 4);
  // a code named exactly like the parent part (or with that abbreviation, or that full path) comes first
  const full = (c: T): string => lower(c.path ? `${c.path} ${c.name}`.replace(/\s*›\s*/g, ' ') : c.name);
  const exact = (c: T): boolean => lower(c.name) === q || lower(c.abbreviation ?? '') === q || full(c) === q;
  return [...ranked.filter(exact), ...ranked.filter((c) => !exact(c))].slice(0, max);
}

function prefixParents<T extends SubcodeItem>(parentQuery: string, items: readonly T[], max: number): T[] {
  const q = lower(parentQuery);
  const exact: T[] = [];
  const prefix: T[] = [];
  for (const c of items) {
    const n = lower(c.name);
    if (n === q || lower(c.abbreviation ?? '') === q) exact.push(c);
    else if (n.startsWith(q)) prefix.push(c);
  }
  return [...exact, ...prefix].slice(0, max);
}
