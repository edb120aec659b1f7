import type { ParsedTurn } from './types.ts';
import { acceptLabel, cleanLabel, labelKey } from './speakers.ts';

/**
 * Shared machinery of the caption formats (WebVTT, SRT): cue blocks, markup
 * removal, speaker extraction and merging of cues into turns.
 */

export interface CueBlock {
  startMs: number;
  endMs: number;
  /** Payload lines as written (markup still in). */
  payload: string[];
}

export interface Cue {
  startMs: number;
  endMs: number;
  /** Speaker named by the cue itself (voice tag or `Name:`), or null. */
  speaker: string | null;
  text: string;
}

const TIME_SRC = String.raw`(?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?`;
/** `00:00:01.000 --> 00:00:04.000 align:start` (WebVTT) or `00:00:01,000 --> 00:00:04,000` (SRT). */
export const CUE_TIMING_RE = new RegExp(String.raw`^\s*(${TIME_SRC})\s*-->\s*(${TIME_SRC})(?:\s.*)?$`);

export function cueTimeToMs(s: string): number {
  const parts = s.trim().replace(',', '.').split(':');
  let secs = 0;
  for (const p of parts) secs = secs * 60 + Number(p);
  return Number.isFinite(secs) ? Math.round(secs * 1000) : 0;
}

/** A cue identifier that may precede a timing line without a blank line before it. */
function looksLikeCueId(line: string): boolean {
  return /^\d+$/.test(line.trim()) || /^[0-9a-f]{8}-[0-9a-f-]{20,}(?:\/[\w-]+)?$/i.test(line.trim());
}

/**
 * Splits caption text (already normalised to `\n` line endings) into cue
 * blocks. Header, NOTE, STYLE and REGION blocks are skipped; stray text after
 * a cue (a payload containing a blank line) is appended to that cue.
 */
export function splitCueBlocks(text: string, warnings: string[]): CueBlock[] {
  const blocks: string[][] = [];
  let cur: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+$/, '');
    if (line.trim() === '') {
      if (cur.length) blocks.push(cur);
      cur = [];
    } else cur.push(line);
  }
  if (cur.length) blocks.push(cur);

  const cues: CueBlock[] = [];
  let strays = 0;
  let before = 0;
  for (const block of blocks) {
    const first = block[0]!.trim();
    if (/^WEBVTT(?:\s|$)/.test(first) || /^(?:NOTE|STYLE|REGION)(?:\s|$)/.test(first)) continue;
    const timings: number[] = [];
    block.forEach((l, i) => {
      if (CUE_TIMING_RE.test(l)) timings.push(i);
    });
    if (timings.length === 0) {
      const last = cues[cues.length - 1];
      if (last) {
        last.payload.push(...block);
        strays++;
      } else before++;
      continue;
    }
    timings.forEach((t, k) => {
      const m = CUE_TIMING_RE.exec(block[t]!)!;
      let end = k + 1 < timings.length ? timings[k + 1]! : block.length;
      // Missing blank line between cues: the line just before the next timing is its id.
      if (k + 1 < timings.length && end - 1 > t && looksLikeCueId(block[end - 1]!)) end--;
      cues.push({ startMs: cueTimeToMs(m[1]!), endMs: cueTimeToMs(m[2]!), payload: block.slice(t + 1, end) });
    });
  }
  if (before) warnings.push(`${before} block(s) of text before the first cue were ignored.`);
  if (strays) warnings.push(`${strays} block(s) of text without a timing line were added to the cue before them.`);
  return cues;
}

const ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', lrm: '', rlm: '', hellip: '…', ndash: '–', mdash: '—',
};

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(cp) && cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

/** Removes tags (`<i>`, `<c.x>`, `<00:01.000>`, `<font …>`), ASS overrides (`{\an8}`) and entities. */
export function stripCueMarkup(s: string): string {
  return decodeEntities(s.replace(/<[^>]*>/g, '').replace(/\{\\[^}]*\}/g, ''));
}

interface Segment {
  voice: string | null;
  text: string;
}

/** Splits a payload at WebVTT voice spans `<v Name>` / `<v.loud Name>`. */
function voiceSegments(payload: string): Segment[] {
  const re = /<v(?:\.[^\s>]*)?(?:\s+([^>]*))?>/gi;
  const out: Segment[] = [];
  let last = 0;
  let voice: string | null = null;
  for (let m = re.exec(payload); m; m = re.exec(payload)) {
    if (m.index > last || out.length === 0) out.push({ voice, text: payload.slice(last, m.index) });
    voice = m[1]?.trim() ? cleanLabel(m[1]) : null;
    last = m.index + m[0].length;
  }
  out.push({ voice, text: payload.slice(last) });
  return out
    .map((s) => ({ voice: s.voice, text: stripCueMarkup(s.text).replace(/\s+/g, ' ').trim() }))
    .filter((s) => s.text !== '');
}

const CUE_LABEL_RE = /^([^:：]{1,60}?)\s*(?::\s+|：\s*)(\S.*)$/;

/**
 * Turns cue blocks into cues with speakers: `<v Name>` voice tags, or
 * `Name: text` when the name passes the label rule of speakers.ts (known role,
 * or recurring in ≥ 2 cues, caption names need not be capitalised; or a
 * name-like label seen once in a dialogue of such cues).
 */
export function cuesFromBlocks(blocks: readonly CueBlock[]): Cue[] {
  const raw: { block: CueBlock; seg: Segment }[] = [];
  for (const block of blocks) {
    for (const seg of voiceSegments(block.payload.join('\n'))) raw.push({ block, seg });
  }
  const counts = new Map<string, number>();
  const candidates = raw.map(({ seg }) => {
    if (seg.voice !== null) return null;
    const m = CUE_LABEL_RE.exec(seg.text.replace(/^>>\s*/, ''));
    if (!m) return null;
    const label = cleanLabel(m[1]!);
    counts.set(labelKey(label), (counts.get(labelKey(label)) ?? 0) + 1);
    return { label, rest: m[2]! };
  });
  const evidence = (label: string) => ({ count: counts.get(labelKey(label)) ?? 0, requireNameLike: false });
  // A dialogue in `Name: text` cues: someone who speaks once is a speaker too (see speakers.ts).
  const labelled = candidates.filter((c) => c && acceptLabel(c.label, evidence(c.label))).length;
  const dialogue = labelled >= 2 && labelled >= raw.length * 0.4;
  return raw.map(({ block, seg }, i) => {
    const c = candidates[i];
    if (c && acceptLabel(c.label, { ...evidence(c.label), dialogue })) {
      return { startMs: block.startMs, endMs: block.endMs, speaker: c.label, text: c.rest.trim() };
    }
    return { startMs: block.startMs, endMs: block.endMs, speaker: seg.voice, text: seg.text };
  });
}

/** Gap after which unlabelled captions start a new paragraph (turn). */
const UNLABELLED_GAP_MS = 2000;

/**
 * Merges consecutive cues of the same speaker into one turn (texts joined by a
 * space, `startMs` of the first cue, `endMs` of the last). A cue without a
 * speaker continues the previous speaker's turn when the file names speakers
 * at all; in captions without any speaker, a pause of ≥ 2 s starts a new turn.
 * A cue repeating the previous cue's text verbatim (rolling captions) is dropped.
 */
export function cuesToTurns(cues: readonly Cue[]): ParsedTurn[] {
  const anySpeaker = cues.some((c) => c.speaker !== null);
  const turns: ParsedTurn[] = [];
  let lastText = '';
  for (const cue of cues) {
    if (cue.text === '') continue;
    const prev = turns[turns.length - 1];
    const speaker = cue.speaker ?? (anySpeaker && prev ? prev.speaker : null);
    const sameTurn =
      prev !== undefined &&
      prev.speaker === speaker &&
      (speaker !== null || anySpeaker || cue.startMs - (prev.endMs ?? cue.startMs) < UNLABELLED_GAP_MS);
    if (sameTurn) {
      if (cue.text !== lastText) prev.text = `${prev.text} ${cue.text}`;
      prev.endMs = Math.max(prev.endMs ?? cue.endMs, cue.endMs);
    } else {
      turns.push({ speaker, text: cue.text, startMs: cue.startMs, endMs: cue.endMs });
    }
    lastText = cue.text;
  }
  return turns;
}
