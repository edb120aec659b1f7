/**
 * Comment bodies are plain text. For display they are cut into segments: plain
 * text, links (http and https only) and mentions of project members. The view
 * builds text nodes and <a> elements from these segments, so nothing in a
 * comment is ever parsed as HTML.
 */
export type BodySegment =
  | { kind: 'text'; text: string }
  | { kind: 'link'; text: string; href: string }
  | { kind: 'mention'; text: string; userId: string };

// A URL starts at a word boundary with http:// or https:// and runs to the next
// whitespace, quote or angle bracket.
const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?*_~]$/;
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/** Drops punctuation that ends a sentence rather than the URL ("see https://x.org/a." or "(https://x.org)"). */
function trimUrl(raw: string): string {
  let url = raw;
  for (;;) {
    const last = url.at(-1) ?? '';
    if (TRAILING.test(last)) {
      url = url.slice(0, -1);
      continue;
    }
    const open = CLOSERS[last];
    if (open) {
      const opens = url.split(open).length - 1;
      const closes = url.split(last).length - 1;
      if (closes > opens) {
        url = url.slice(0, -1);
        continue;
      }
    }
    return url;
  }
}

/** An http(s) URL as a safe href, or null when it does not parse as one. */
export function safeHref(raw: string): string | null {
  try {
    const u = new URL(raw);
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || !u.hostname) return null;
    return u.href;
  } catch {
    return null;
  }
}

/** Splits text into plain text and http(s) links. */
export function splitLinks(text: string): BodySegment[] {
  const out: BodySegment[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    const at = m.index;
    const raw = trimUrl(m[0]);
    const href = safeHref(raw);
    if (!href || raw.length < 'http://x'.length) continue;
    if (at > last) out.push({ kind: 'text', text: text.slice(last, at) });
    out.push({ kind: 'link', text: raw, href });
    last = at + raw.length;
  }
  if (last < text.length) out.push({ kind: 'text', text: text.slice(last) });
  return merge(out);
}

const WORD_CHAR = /[\p{L}\p{N}_]/u;

/** Where `@name` occurs in `text` as a whole mention (case-insensitive, not followed by more of a word). */
export function findMention(text: string, name: string, from = 0): number {
  const needle = `@${name}`.toLocaleLowerCase();
  const hay = text.toLocaleLowerCase();
  for (let i = hay.indexOf(needle, from); i >= 0; i = hay.indexOf(needle, i + 1)) {
    const before = i > 0 ? text[i - 1]! : '';
    const after = text[i + needle.length] ?? '';
    if ((before === '' || !WORD_CHAR.test(before)) && (after === '' || !WORD_CHAR.test(after))) return i;
  }
  return -1;
}

/** Splits text into plain text and mentions of the given people (longest names first). */
export function splitMentions(text: string, people: readonly { userId: string; name: string }[]): BodySegment[] {
  const named = people.filter((p) => p.name.trim()).sort((a, b) => b.name.length - a.name.length);
  if (!named.length || !text.includes('@')) return text ? [{ kind: 'text', text }] : [];
  const out: BodySegment[] = [];
  let pos = 0;
  while (pos < text.length) {
    let best: { at: number; p: { userId: string; name: string } } | null = null;
    for (const p of named) {
      const at = findMention(text, p.name, pos);
      if (at >= 0 && (!best || at < best.at)) best = { at, p };
    }
    if (!best) break;
    if (best.at > pos) out.push({ kind: 'text', text: text.slice(pos, best.at) });
    const len = best.p.name.length + 1;
    out.push({ kind: 'mention', text: text.slice(best.at, best.at + len), userId: best.p.userId });
    pos = best.at + len;
  }
  if (pos < text.length) out.push({ kind: 'text', text: text.slice(pos) });
  return merge(out);
}

/** The segments of a comment body: links first (a URL may contain "@"), then mentions in the text between. */
export function bodySegments(body: string, mentioned: readonly { userId: string; name: string }[] = []): BodySegment[] {
  const out: BodySegment[] = [];
  for (const s of splitLinks(body)) {
    if (s.kind === 'text') out.push(...splitMentions(s.text, mentioned));
    else out.push(s);
  }
  return merge(out);
}

function merge(segs: BodySegment[]): BodySegment[] {
  const out: BodySegment[] = [];
  for (const s of segs) {
    const prev = out.at(-1);
    if (s.kind === 'text' && !s.text) continue;
    if (s.kind === 'text' && prev?.kind === 'text') prev.text += s.text;
    else out.push({ ...s });
  }
  return out;
}

/** A one-line excerpt of a quote or comment (whitespace collapsed). */
export function excerpt(text: string, max = 160): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1).trimEnd()}…` : t;
}
