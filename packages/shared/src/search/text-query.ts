/**
 * Full-text search queries, shared by the server's two index back ends (SQLite
 * FTS5, PostgreSQL tsvector) and the code that finds the hits in a turn's text.
 *
 * Text is indexed as "words": runs of letters and digits, lower-cased and with
 * diacritics removed (NFD, marks dropped), so `Café` is found by `cafe`. The index
 * stores those words joined by spaces; both databases tokenise that string the
 * same way this module does, and `findTerms` re-checks every candidate turn.
 */

/** One term of a query: a word, a prefix (`interv*`) or an exact phrase (`"felt left out"`). */
export interface QueryTerm {
  /** Normalised words, in order (one for a plain word). */
  words: string[];
  /** The last word is a prefix. */
  prefix: boolean;
}

/** A parsed query: every term must occur in the same speaker turn. */
export interface TextQuery {
  terms: QueryTerm[];
}

/** A word of a text: normalised form and UTF-16 offsets in the original. */
export interface TextToken {
  norm: string;
  start: number;
  end: number;
}

export const MAX_QUERY_TERMS = 20;

const WORD_CHAR = /^[\p{L}\p{N}]+$/u;
const MARKS = /\p{M}/gu;

/** The normalised form of one code point: lower case, diacritics removed ('' for a lone mark). */
function normaliseCodePoint(ch: string): string {
  return ch.normalize('NFD').replace(MARKS, '').toLowerCase();
}

/** The words of a text with their offsets (UTF-16, into `text`). */
export function tokenize(text: string): TextToken[] {
  const out: TextToken[] = [];
  let cur: TextToken | null = null;
  for (let i = 0; i < text.length;) {
    const c = text.charCodeAt(i);
    let n: string;
    let len = 1;
    if (c < 0x80) {
      // ASCII fast path: letters and digits, lower-cased.
      n = (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) ? text[i]! : c >= 0x41 && c <= 0x5a ? String.fromCharCode(c + 32) : ' ';
    } else {
      const cp = text.codePointAt(i)!;
      len = cp > 0xffff ? 2 : 1;
      n = normaliseCodePoint(String.fromCodePoint(cp));
      if (n !== '' && !WORD_CHAR.test(n)) n = ' ';
    }
    if (n === ' ') {
      if (cur) { out.push(cur); cur = null; }
    } else if (n === '') {
      if (cur) cur.end = i + len; // a combining mark inside a word belongs to it
    } else if (cur) {
      cur.norm += n;
      cur.end = i + len;
    } else {
      cur = { norm: n, start: i, end: i + len };
    }
    i += len;
  }
  if (cur) out.push(cur);
  return out;
}

/** What the index stores for a text: its normalised words joined by spaces. */
export function indexWords(text: string): string {
  return tokenize(text).map((t) => t.norm).join(' ');
}

/**
 * Parses what a researcher types: words, `"exact phrases"` and prefixes (`interv*`).
 * Punctuation inside a word (`don't`) makes it a phrase of its parts. Throws a
 * readable Error when nothing searchable is left or there are too many terms.
 */
export function parseTextQuery(raw: string): TextQuery {
  const terms: QueryTerm[] = [];
  for (const m of raw.matchAll(/"([^"]*)"?|(\S+)/g)) {
    const phrase = m[1];
    const bare = m[2];
    const source = phrase ?? bare ?? '';
    const prefix = phrase === undefined && source.endsWith('*');
    const words = tokenize(prefix ? source.slice(0, -1) : source).map((t) => t.norm);
    if (words.length === 0) continue;
    terms.push({ words, prefix });
  }
  if (terms.length === 0) throw new Error('Type a word or a "phrase" to search for (letters or digits).');
  if (terms.length > MAX_QUERY_TERMS) throw new Error(`A search may have at most ${MAX_QUERY_TERMS} words or phrases.`);
  return { terms };
}

/** The query in SQLite FTS5 syntax (over the index's words column). */
export function toFts5Query(q: TextQuery): string {
  return q.terms.map((t) => `"${t.words.join(' ').replaceAll('"', '""')}"${t.prefix ? ' *' : ''}`).join(' AND ');
}

/** The query in PostgreSQL `to_tsquery('simple', …)` syntax (over the index's words column). */
export function toTsQuery(q: TextQuery): string {
  return q.terms.map((t) => {
    const parts = t.words.map((w, i) => `'${w.replaceAll("'", "''").replaceAll('\\', '\\\\')}'${t.prefix && i === t.words.length - 1 ? ':*' : ''}`);
    return parts.length === 1 ? parts[0]! : `(${parts.join(' <-> ')})`;
  }).join(' & ');
}

/**
 * Where the query's terms occur in a text (UTF-16 spans, in text order), or []
 * unless every term occurs (the database's candidates are checked with this).
 */
export function findTerms(text: string, q: TextQuery): { start: number; end: number }[] {
  const tokens = tokenize(text);
  const hits: { start: number; end: number }[] = [];
  for (const term of q.terms) {
    const k = term.words.length;
    let found = false;
    for (let i = 0; i + k <= tokens.length; i++) {
      let ok = true;
      for (let j = 0; j < k && ok; j++) {
        const tok = tokens[i + j]!.norm;
        const w = term.words[j]!;
        ok = term.prefix && j === k - 1 ? tok.startsWith(w) : tok === w;
      }
      if (!ok) continue;
      found = true;
      hits.push({ start: tokens[i]!.start, end: tokens[i + k - 1]!.end });
    }
    if (!found) return [];
  }
  hits.sort((a, b) => a.start - b.start || a.end - b.end);
  return hits.filter((h, i) => i === 0 || h.start >= hits[i - 1]!.end);
}

export const MAX_REGEX_LENGTH = 200;

/** A researcher's regular expression, case-insensitive; throws a readable Error when it is not valid. */
export function parseSearchRegex(raw: string): RegExp {
  if (raw.length > MAX_REGEX_LENGTH) throw new Error(`A regular expression may be at most ${MAX_REGEX_LENGTH} characters long.`);
  try {
    return new RegExp(raw, 'giu');
  } catch (err) {
    throw new Error(`This is not a valid regular expression: ${(err as Error).message}`);
  }
}

/** Non-empty matches of a regular expression in a text (UTF-16 spans), at most `limit`. */
export function findRegex(text: string, re: RegExp, limit: number): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  re.lastIndex = 0;
  for (const m of text.matchAll(re)) {
    if (m[0].length === 0) continue;
    out.push({ start: m.index, end: m.index + m[0].length });
    if (out.length >= limit) break;
  }
  return out;
}
