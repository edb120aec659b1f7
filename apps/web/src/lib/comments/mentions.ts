import { findMention } from './text.ts';

/** A project member as mentions need them (from `GET /api/projects/:pid`). */
export interface MentionMember {
  userId: string;
  name: string;
  email?: string;
  role?: string;
}

/**
 * The mention being typed at the caret: an "@" at the start of the text or after
 * a space or opening bracket, followed by up to three words of a name. Returns
 * where the "@" is and what follows it, or null when the caret is not in one.
 */
export function mentionQuery(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const at = before.lastIndexOf('@');
  if (at < 0) return null;
  const prev = at > 0 ? before[at - 1]! : '';
  if (prev && !/[\s([{"'“‘]/.test(prev)) return null; // e.g. an email address
  const query = before.slice(at + 1);
  if (query.length > 40 || /[\n\r\t@]/.test(query) || /^\s/.test(query)) return null;
  if (query.split(' ').length > 3) return null;
  return { start: at, query };
}

function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase();
}

/**
 * Members matching what follows "@": the name's start first, then the start of
 * any word of the name, then the email; alphabetical within each. Diacritics
 * and case do not matter ("@jose" finds "José").
 */
export function filterMembers<M extends MentionMember>(
  members: readonly M[],
  query: string,
  opts: { exclude?: readonly string[]; limit?: number } = {},
): M[] {
  const q = fold(query.trim());
  const exclude = new Set(opts.exclude ?? []);
  const ranked: { m: M; rank: number }[] = [];
  for (const m of members) {
    if (exclude.has(m.userId)) continue;
    const name = fold(m.name);
    let rank = -1;
    if (!q || name.startsWith(q)) rank = 0;
    else if (name.split(/[\s-]+/).some((w) => w.startsWith(q))) rank = 1;
    else if (m.email && fold(m.email).startsWith(q)) rank = 2;
    if (rank >= 0) ranked.push({ m, rank });
  }
  ranked.sort((a, b) => a.rank - b.rank || a.m.name.localeCompare(b.m.name));
  return ranked.slice(0, opts.limit ?? 6).map((r) => r.m);
}

/** Replaces the typed "@query" (from `start` to the caret) with "@Full Name ". */
export function insertMention(text: string, start: number, caret: number, name: string): { text: string; caret: number } {
  const rest = text.slice(caret);
  const insert = `@${name}${rest.startsWith(' ') ? '' : ' '}`;
  return { text: text.slice(0, start) + insert + rest, caret: start + insert.length + (rest.startsWith(' ') ? 1 : 0) };
}

/**
 * The user ids a body mentions: every member whose "@Full Name" appears in it
 * (longest names first, so "@Ann Lee" is not also "@Ann"), in order of first
 * appearance, without duplicates.
 */
export function parseMentions(body: string, members: readonly MentionMember[]): string[] {
  if (!body.includes('@')) return [];
  const sorted = [...members].filter((m) => m.name.trim()).sort((a, b) => b.name.length - a.name.length);
  const taken: [number, number][] = [];
  const found: { at: number; id: string }[] = [];
  for (const m of sorted) {
    let from = 0;
    for (;;) {
      const at = findMention(body, m.name, from);
      if (at < 0) break;
      const end = at + m.name.length + 1;
      if (!taken.some(([a, b]) => at < b && end > a)) {
        taken.push([at, end]);
        found.push({ at, id: m.userId });
      }
      from = at + 1;
    }
  }
  found.sort((a, b) => a.at - b.at);
  return [...new Set(found.map((f) => f.id))];
}
