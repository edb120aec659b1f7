import type { InlineCoding, ParsedTranscript, ParsedTurn, TranscriptFormat } from './types.ts';
import {
  TIMESTAMP_SRC,
  acceptLabel,
  cleanLabel,
  isKnownSpeakerPattern,
  isLabelShaped,
  labelKey,
  timestampToMs,
} from './speakers.ts';
import { type CodeLine, acceptCodeRuns, buildCodeHierarchy, isCodeToken, parseCodeLine } from './inline-codes.ts';
import { looksLikeWebVtt, parseWebVtt } from './webvtt.ts';
import { looksLikeSrt, parseSrt } from './srt.ts';
import { looksLikeNvivoTable, parseNvivoTable } from './nvivo-table.ts';

/**
 * Transcript parsing: plain text / Markdown transcripts in the common
 * conventions, plus WebVTT and SRT captions.
 *
 * Text conventions recognised (they may be mixed within a file):
 * - `Speaker: text` on one line (`labelled-lines`; also `**Speaker:** text`,
 *   `[00:01:02] Speaker: text`, `Speaker<TAB>text`);
 * - a Markdown label on its own line: `### Speaker`, `## **Speaker**`,
 *   `**Speaker**` (`heading-labels`);
 * - a plain label alone on a line, optionally with a timestamp
 *   (`Speaker 1  0:03`, Otter style) (`standalone-labels`).
 * Which lines are labels is decided by the rule in speakers.ts. Text without a
 * label continues the previous turn, as a new line of it. A first line that is
 * a heading (or a short unpunctuated line followed by a label) is the title.
 * Code-name lines after a paragraph are an existing coding (inline-codes.ts).
 * Horizontal rules, export footers ("Created with the Delve …", "Transcribed by
 * https://otter.ai"), meeting notices ("Jane Doe started transcription") and a
 * meeting's date and duration lines above the first label are dropped.
 *
 * The parser never throws; anything unrecognised ends up as paragraphs
 * without a speaker, with a warning.
 */

export interface ParseTranscriptOptions {
  /**
   * Merge consecutive turns of the same speaker into one turn (each kept as a
   * line of it). Off by default for text formats: an explicit label in the
   * source is kept as a turn boundary. Caption cues are always merged.
   */
  mergeConsecutiveSpeakers?: boolean;
}

/** BOM removed, CRLF/CR and Unicode line separators → `\n`, NBSP → space, zero-width spaces removed. */
export function normalizeTranscriptText(text: string): string {
  let t = text;
  if (t.charCodeAt(0) === 0xfeff) t = t.slice(1);
  return t
    .replace(/\r\n?|[\u2028\u2029\u0085]/g, '\n')
    .replace(/[\u00a0\u202f]/g, ' ')
    .replace(/[\u200b\ufeff]/g, '');
}

type LabelKind = 'heading' | 'bold' | 'inline' | 'standalone';

interface Candidate {
  kind: LabelKind;
  label: string;
  /** Text after an inline label ('' for the other kinds). */
  rest: string;
  ms: number | null;
}

interface Line {
  n: number;
  /** Trimmed, tabs kept. */
  raw: string;
  /** Trimmed, tabs replaced by spaces. */
  text: string;
  blank: boolean;
  skip: 'rule' | 'footer' | 'system' | 'meta' | null;
  /** Inner text of a Markdown heading line (marks and emphasis removed). */
  heading: string | null;
  /** Inner text of a line that is entirely bold. */
  bold: string | null;
  candidate: Candidate | null;
}

const HEADING_RE = /^#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?$/;
const BOLD_LINE_RE = /^(\*\*|__)(.+?)\1[:：]?$/;
const BOLD_INLINE_RE = /^(\*\*|__)([^*_:：]{1,60}?)[ \t]*([:：]?)[ \t]*\1[ \t]*([:：]?)[ \t]*(.*)$/;
/** `[ts] Label [ts]: text`; the colon may be the full-width `：` (CJK text), or a tab. */
const INLINE_RE = new RegExp(
  String.raw`^(?:(${TIMESTAMP_SRC})[ \t]+)?([^:：\t]{1,60}?)(?:[ \t]*(${TIMESTAMP_SRC}))?[ \t]*(?::|：|\t+)(?!\/\/)[ \t]*(.*)$`,
);
const STANDALONE_RE = new RegExp(String.raw`^(?:(${TIMESTAMP_SRC})[ \t]+)?(.+?)(?:[ \t]+(${TIMESTAMP_SRC}))?$`);
const RULE_RE = /^(?:-[ \t]*){3,}$|^(?:\*[ \t]*){3,}$|^(?:_[ \t]*){3,}$|^={3,}$/;
/** Meeting tools' notices ("Jane Doe started transcription", Teams). */
const SYSTEM_RE = /^.{1,80}? (?:started|stopped|paused|resumed) (?:transcription|recording)\.?$/i;
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\\.?';
/** A meeting's date line and duration line at the top of a Teams or Zoom transcript. */
const META_RE = new RegExp(
  [
    String.raw`^(?:[A-Z][a-z]+day,?\s+)?${MONTH}\s+\d{1,2},?\s+\d{4}(?:,?\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AP]\.?M\.?)?)?$`,
    String.raw`^(?:[A-Z][a-z]+day,?\s+)?\d{1,2}\.?\s+${MONTH}\s+\d{4}(?:,?\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AP]\.?M\.?)?)?$`,
    String.raw`^\d{4}-\d{2}-\d{2}(?:[ T,]+\d{1,2}:\d{2}(?::\d{2})?)?$`,
    String.raw`^(?:\d+\s*h(?:ours?)?\s*)?(?:\d+\s*m(?:in(?:utes?)?)?\s*)?(?:\d+\s*s(?:ec(?:onds?)?)?)?$`,
  ].join('|'),
  'i',
);
const FOOTER_RE = /^(?:Created with (?:the )?Delve\b.*|Transcribed by (?:https?:\/\/)?(?:www\.)?otter\.ai\b.*)$/i;

function msOf(...ts: (string | undefined)[]): number | null {
  for (const t of ts) if (t) return timestampToMs(t);
  return null;
}

function analyse(rawLine: string, n: number): Line {
  const raw = rawLine.trim();
  const text = raw.replace(/\t+/g, ' ');
  const line: Line = { n, raw, text, blank: raw === '', skip: null, heading: null, bold: null, candidate: null };
  if (line.blank) return line;
  if (RULE_RE.test(raw)) {
    line.skip = 'rule';
    return line;
  }
  if (FOOTER_RE.test(text)) {
    line.skip = 'footer';
    return line;
  }
  if (SYSTEM_RE.test(text)) {
    line.skip = 'system';
    return line;
  }

  const h = HEADING_RE.exec(text);
  if (h) {
    line.heading = cleanLabel(h[1] ?? '');
    if (isLabelShaped(line.heading)) line.candidate = { kind: 'heading', label: line.heading, rest: '', ms: null };
    return line;
  }
  const b = BOLD_LINE_RE.exec(text);
  if (b) {
    line.bold = cleanLabel(b[2] ?? '');
    if (isLabelShaped(line.bold)) line.candidate = { kind: 'bold', label: line.bold, rest: '', ms: null };
    return line;
  }
  const bi = BOLD_INLINE_RE.exec(text);
  if (bi && (bi[3] || bi[4])) {
    const label = cleanLabel(bi[2] ?? '');
    if (isLabelShaped(label)) {
      line.candidate = { kind: bi[5] ? 'inline' : 'standalone', label, rest: bi[5] ?? '', ms: null };
      return line;
    }
  }
  const m = INLINE_RE.exec(raw);
  if (m) {
    const label = cleanLabel(m[2] ?? '');
    const rest = (m[4] ?? '').replace(/\t+/g, ' ').trim();
    // "At 10:30 we…": a colon between digits is a time, not a label.
    const isTime = /\d$/.test(label) && /^\d/.test(rest) && !/\t/.test(raw);
    if (isLabelShaped(label) && !isTime) {
      line.candidate = { kind: rest ? 'inline' : 'standalone', label, rest, ms: msOf(m[1], m[3]) };
      return line;
    }
  }
  const s = STANDALONE_RE.exec(text);
  if (s) {
    const label = cleanLabel(s[2] ?? '');
    // Code tokens (`stack-not-standardized`) and `[ABBR]` lines are never names.
    if (isLabelShaped(label) && !isCodeToken(label) && !/[[\]]/.test(label)) {
      line.candidate = { kind: 'standalone', label, rest: '', ms: msOf(s[1], s[3]) };
    }
  }
  return line;
}

/** Content text of a line that is not a label: Markdown marks removed. */
function contentOf(line: Line): string {
  if (line.heading !== null) return line.heading;
  if (line.bold !== null) return line.bold;
  return line.text;
}

interface LabelDecision {
  speaker: string;
  rest: string;
  ms: number | null;
  kind: LabelKind;
}

function decideLabels(lines: readonly Line[]): (LabelDecision | null)[] {
  const counts = new Map<string, number>();
  for (const l of lines) {
    if (l.candidate) counts.set(labelKey(l.candidate.label), (counts.get(labelKey(l.candidate.label)) ?? 0) + 1);
  }
  const out: (LabelDecision | null)[] = lines.map((l, i) => {
    const c = l.candidate;
    if (!c) return null;
    // A plain standalone label must stand apart: not glued under a line of content.
    if (c.kind === 'standalone' && c.rest === '' && l.heading === null && l.bold === null) {
      const prev = lines[i - 1];
      if (prev && !prev.blank && !prev.skip && !prev.candidate) return null;
    }
    const count = counts.get(labelKey(c.label)) ?? 0;
    const markup = c.kind === 'heading' || c.kind === 'bold';
    if (!acceptLabel(c.label, { count, requireNameLike: !markup })) return null;
    return { speaker: c.label, rest: c.rest, ms: c.ms, kind: c.kind };
  });
  acceptDialogueSingletons(lines, out, counts);
  // A plain standalone name accepted on recurrence alone must introduce
  // speech: the next line is not itself a label (a repeated one-word code such
  // as `Misc` sits between paragraphs and labels, never above speech).
  for (let i = 0; i < out.length; i++) {
    const d = out[i];
    if (!d || d.kind !== 'standalone' || d.rest !== '' || isKnownSpeakerPattern(d.speaker)) continue;
    const l = lines[i]!;
    if (l.heading !== null || l.bold !== null) continue;
    let j = i + 1;
    while (j < lines.length && (lines[j]!.blank || lines[j]!.skip)) j++;
    if (j >= lines.length || out[j]) {
      out[i] = null;
      continue;
    }
    const next = parseCodeLine(lines[j]!.text);
    if (next && (next.abbreviation !== null || isCodeToken(next.name))) out[i] = null;
  }
  // One spelling per speaker: the first one written ("INTERVIEWER" later is "Interviewer").
  const spelling = new Map<string, string>();
  for (const d of out) {
    if (d && !spelling.has(labelKey(d.speaker))) spelling.set(labelKey(d.speaker), d.speaker);
  }
  for (const d of out) if (d) d.speaker = spelling.get(labelKey(d.speaker)) ?? d.speaker;
  // A dialogue has two voices: labels accepted on recurrence alone (not a known
  // role) are kept only when the file has at least two distinct labels.
  const keys = new Set(out.filter((d): d is LabelDecision => d !== null).map((d) => labelKey(d.speaker)));
  if (keys.size < 2) {
    return out.map((d) => (d && isKnownSpeakerPattern(d.speaker) ? d : null));
  }
  return out;
}

/** Share of the document's lines that must start with an accepted `Name: text` label for it to count as a dialogue. */
const DIALOGUE_SHARE = 0.4;

/** The pattern a label is written in, for the dialogue rule: timed (`Name  0:03`, `[0:03] Name:`) or `Name: text`. */
function labelPattern(c: Candidate): 'timed' | 'inline' | null {
  if (c.ms !== null) return 'timed';
  return c.kind === 'inline' && c.rest !== '' ? 'inline' : null;
}

/**
 * A participant who speaks once is still a speaker. When the document's
 * accepted labels are written in one pattern — at least two of them, and for
 * `Name: text` lines a good share of all lines — a name-like label seen once
 * in the same pattern is accepted too (`acceptLabel` with `dialogue`). A line
 * after a list lead-in ("We use:") is an item of the list, not a turn; a
 * standalone label must stand apart from the line above.
 */
function acceptDialogueSingletons(lines: readonly Line[], out: (LabelDecision | null)[], counts: ReadonlyMap<string, number>): void {
  const accepted = lines.flatMap((l, i) => (out[i] && l.candidate ? [labelPattern(l.candidate)] : []));
  const nonBlank = lines.filter((l) => !l.blank && !l.skip).length;
  const share = (p: 'timed' | 'inline') => accepted.filter((x) => x === p).length;
  const dialogue = (p: 'timed' | 'inline') =>
    share(p) >= 2 && share(p) >= accepted.length * 0.8 && (p === 'timed' || share(p) >= nonBlank * DIALOGUE_SHARE);
  const open = { timed: dialogue('timed'), inline: dialogue('inline') };
  if (!open.timed && !open.inline) return;
  lines.forEach((l, i) => {
    const c = l.candidate;
    const pattern = c ? labelPattern(c) : null;
    if (out[i] || !c || !pattern || !open[pattern]) return;
    const count = counts.get(labelKey(c.label)) ?? 0;
    if (count !== 1) return;
    let p = i - 1;
    while (p >= 0 && lines[p]!.blank) p--;
    const prev = p >= 0 ? lines[p]! : null;
    if (prev && /[:：]$/.test(prev.text)) return;
    if (c.kind === 'standalone' && prev && p === i - 1 && !prev.candidate && !prev.skip) return;
    if (acceptLabel(c.label, { count, requireNameLike: true, dialogue: true })) {
      out[i] = { speaker: c.label, rest: c.rest, ms: c.ms, kind: c.kind };
    }
  });
}

/**
 * Date and duration lines above the first speaker label (a Teams or Zoom
 * transcript's header) are the meeting's details, not speech: marked `meta`.
 * True when some were found.
 */
function markMeetingHeader(lines: readonly Line[]): boolean {
  const first = decideLabels(lines).findIndex((d) => d !== null);
  let found = false;
  for (let i = 0; i < first; i++) {
    const l = lines[i]!;
    if (!l.blank && !l.skip && /\d/.test(l.text) && META_RE.test(l.text)) {
      l.skip = 'meta';
      l.candidate = null;
      found = true;
    }
  }
  return found;
}

/** Index of the title line, or -1. `labels` decided already. */
function findTitle(lines: readonly Line[], labels: readonly (LabelDecision | null)[]): number {
  const i = lines.findIndex((l) => !l.blank && !l.skip);
  if (i < 0) return -1;
  const line = lines[i]!;
  if (labels[i]) return -1;
  if (line.heading !== null) return line.heading ? i : -1;
  const t = line.text;
  if (t.length > 120 || /[.,;:!?…]$/.test(t) || /^\p{Ll}/u.test(t)) return -1;
  const next = lines.slice(i + 1).findIndex((l) => !l.blank && !l.skip);
  const j = next < 0 ? -1 : i + 1 + next;
  if (j > i + 1 && labels[j]) return i; // blank line, then the first label
  if (j === i + 1 && labels[j] && /^(?:interview|transcript|focus group|session|meeting)\b/i.test(t)) return i;
  if (j > i + 1 && /^(?:interview|transcript|focus group|session|meeting)\b/i.test(t) && t.length <= 80) return i;
  return -1;
}

interface BuildTurn {
  speaker: string | null;
  lines: string[];
  startMs: number | null;
  n: number;
}

interface LineCoding {
  turn: number;
  from: number;
  to: number;
  names: string[];
}

function parseText(text: string, options: ParseTranscriptOptions): ParsedTranscript {
  const warnings: string[] = [];
  const lines = text.split('\n').map((l, i) => analyse(l, i + 1));
  const meetingHeader = markMeetingHeader(lines);
  const labels = decideLabels(lines);
  const titleAt = findTitle(lines, labels);
  const title = titleAt >= 0 ? contentOf(lines[titleAt]!) : null;

  // Roles before code detection.
  type Role = 'blank' | 'skip' | 'title' | 'label' | 'content';
  const roles: Role[] = lines.map((l, i) =>
    l.blank ? 'blank' : l.skip ? 'skip' : i === titleAt ? 'title' : labels[i] ? 'label' : 'content',
  );
  const codeShape: (CodeLine | null)[] = lines.map((l, i) =>
    roles[i] === 'content' && l.heading === null && l.bold === null ? parseCodeLine(l.text) : null,
  );
  // In a block of several adjacent lines, code-shaped lines before the first
  // unmistakable code line (`[ABBR]`, declared `ABBR-` prefix, code token) are
  // the lines of a paragraph ("Second part of an answer / without commas").
  {
    const declared = new Set(codeShape.flatMap((c) => (c?.abbreviation ? [c.abbreviation] : [])));
    const unmistakable = (c: CodeLine | null): boolean =>
      c !== null &&
      (c.abbreviation !== null || isCodeToken(c.name) || [...declared].some((a) => c.name.startsWith(`${a}-`)));
    let i = 0;
    while (i < lines.length) {
      if (roles[i] === 'blank') {
        i++;
        continue;
      }
      let j = i;
      while (j < lines.length && roles[j] !== 'blank') j++;
      if (j - i >= 2) {
        for (let k = i; k < j && !unmistakable(codeShape[k]!); k++) codeShape[k] = null;
      }
      i = j;
    }
  }
  const codeCounts = new Map<string, number>();
  for (const c of codeShape) if (c) codeCounts.set(c.name, (codeCounts.get(c.name) ?? 0) + 1);

  // Candidate runs: maximal sequences of code-shaped content lines separated
  // only by blank lines. If the line before the sequence is not content (a
  // label, the title, the start), its first line is the paragraph, not a code.
  const runs: number[][] = [];
  {
    let i = 0;
    let prevRole: Role | null = null;
    while (i < lines.length) {
      if (roles[i] === 'blank') {
        i++;
        continue;
      }
      if (!codeShape[i]) {
        // A labelled line with text (`Speaker: text`) is a paragraph too.
        prevRole = roles[i] === 'label' && labels[i]!.rest ? 'content' : roles[i]!;
        i++;
        continue;
      }
      const seq: number[] = [];
      let j = i;
      while (j < lines.length && (roles[j] === 'blank' || codeShape[j])) {
        if (codeShape[j]) seq.push(j);
        j++;
      }
      if (prevRole !== 'content') seq.shift();
      if (seq.length) runs.push(seq);
      prevRole = 'content';
      i = j;
    }
  }
  const accepted = acceptCodeRuns(
    runs.map((r) => r.map((k) => codeShape[k]!)),
    codeCounts,
  );
  const runAt = new Map<number, { first: boolean; names: string[] }>();
  const codeLines: CodeLine[] = [];
  runs.forEach((r, k) => {
    if (!accepted[k]) return;
    const names = [...new Set(r.map((x) => codeShape[x]!.name))];
    r.forEach((x, idx) => {
      runAt.set(x, { first: idx === 0, names });
      codeLines.push(codeShape[x]!);
    });
  });

  // Build turns.
  const labelKinds = { heading: 0, standalone: 0, inline: 0 };
  for (const d of labels) {
    if (!d) continue;
    if (d.kind === 'heading' || d.kind === 'bold') labelKinds.heading++;
    else if (d.kind === 'standalone') labelKinds.standalone++;
    else labelKinds.inline++;
  }
  const anyLabel = labelKinds.heading + labelKinds.standalone + labelKinds.inline > 0;
  const turns: BuildTurn[] = [];
  const lineCodings: LineCoding[] = [];
  let cur: BuildTurn | null = null;
  let blockOpen = false;
  let blockFrom = 0;
  let lastBlock: { turn: number; from: number; to: number } | null = null;
  let footer: string | null = null;
  let notices = 0;
  let unlabelledAt = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const role = roles[i]!;
    if (role === 'blank' || role === 'title' || role === 'skip') {
      if (line.skip === 'footer') footer = line.text;
      if (line.skip === 'system') notices++;
      blockOpen = false;
      continue;
    }
    const label = labels[i];
    if (label) {
      cur = { speaker: label.speaker, lines: [], startMs: label.ms, n: line.n };
      turns.push(cur);
      blockOpen = false;
      lastBlock = null;
      if (label.rest) {
        cur.lines.push(label.rest);
        blockOpen = true;
        blockFrom = 0;
        lastBlock = { turn: turns.length - 1, from: 0, to: 0 };
      }
      continue;
    }
    const code = runAt.get(i);
    if (code) {
      blockOpen = false;
      if (code.first && lastBlock) lineCodings.push({ ...lastBlock, names: code.names });
      continue;
    }
    const content = contentOf(line);
    if (content === '') {
      blockOpen = false;
      continue;
    }
    if (!cur || (!anyLabel && !blockOpen)) {
      if (anyLabel && !unlabelledAt) unlabelledAt = line.n;
      cur = { speaker: null, lines: [], startMs: null, n: line.n };
      turns.push(cur);
      blockOpen = false;
    }
    if (!blockOpen) {
      blockOpen = true;
      blockFrom = cur.lines.length;
    }
    cur.lines.push(content);
    lastBlock = { turn: turns.length - 1, from: blockFrom, to: cur.lines.length - 1 };
  }

  if (footer) warnings.push(`The export footer "${footer}" was removed.`);
  if (notices) warnings.push(`${notices} meeting notice(s) ("… started transcription") were left out of the speakers' words.`);
  if (meetingHeader) warnings.push("The meeting's date and duration lines were not imported as speech.");
  if (unlabelledAt) warnings.push(`Text before the first speaker label (line ${unlabelledAt}) was imported without a speaker.`);
  if (!anyLabel && turns.length) {
    warnings.push('No speaker labels were recognised; the text was imported as paragraphs without speakers.');
  }

  // Drop turns without text (a label followed directly by another label).
  const emptyAt = turns.filter((t) => t.lines.length === 0).map((t) => t.n);
  if (emptyAt.length) {
    warnings.push(
      `${emptyAt.length} speaker label(s) with no text were skipped (line${emptyAt.length > 1 ? 's' : ''} ${emptyAt.slice(0, 10).join(', ')}${emptyAt.length > 10 ? ', …' : ''}).`,
    );
  }
  const remap: number[] = [];
  let kept: BuildTurn[] = [];
  turns.forEach((t, k) => {
    remap[k] = kept.length;
    if (t.lines.length) kept.push(t);
  });
  let codingsByLine = lineCodings.map((c) => ({ ...c, turn: remap[c.turn]! }));

  if (options.mergeConsecutiveSpeakers) {
    const merged: BuildTurn[] = [];
    const to: { turn: number; shift: number }[] = [];
    for (const t of kept) {
      const prev = merged[merged.length - 1];
      if (prev && t.speaker !== null && prev.speaker === t.speaker) {
        to.push({ turn: merged.length - 1, shift: prev.lines.length });
        prev.lines.push(...t.lines);
      } else {
        to.push({ turn: merged.length, shift: 0 });
        merged.push({ ...t, lines: [...t.lines] });
      }
    }
    codingsByLine = codingsByLine.map((c) => {
      const m = to[c.turn]!;
      return { turn: m.turn, from: c.from + m.shift, to: c.to + m.shift, names: c.names };
    });
    kept = merged;
  }

  const outTurns: ParsedTurn[] = kept.map((t) =>
    t.startMs !== null ? { speaker: t.speaker, text: t.lines.join('\n'), startMs: t.startMs } : { speaker: t.speaker, text: t.lines.join('\n') },
  );
  const codings: InlineCoding[] = codingsByLine.map((c) => {
    const ls = kept[c.turn]!.lines;
    let start = 0;
    for (let k = 0; k < c.from; k++) start += ls[k]!.length + 1;
    let end = start;
    for (let k = c.from; k <= c.to; k++) end += ls[k]!.length + (k < c.to ? 1 : 0);
    return { turnIndex: c.turn, start, end, codeNames: c.names };
  });
  const { codes, warnings: codeWarnings } = buildCodeHierarchy(codeLines);
  warnings.push(...codeWarnings);

  let format: TranscriptFormat = 'paragraphs';
  if (anyLabel) {
    const { heading, standalone, inline } = labelKinds;
    format = heading >= standalone && heading >= inline ? 'heading-labels' : standalone >= inline ? 'standalone-labels' : 'labelled-lines';
  }
  return { title, format, turns: outTurns, codes, codings, warnings };
}

/**
 * Parses a transcript. `fileName` is only a hint (a `.vtt`/`.srt` extension
 * selects the caption parser when the content allows it); the title comes
 * from the text, or is null. Never throws.
 */
export function parseTranscript(text: string, fileName?: string, options: ParseTranscriptOptions = {}): ParsedTranscript {
  let normalized = '';
  try {
    normalized = normalizeTranscriptText(typeof text === 'string' ? text : String(text ?? ''));
    if (normalized.trim() === '') {
      return { title: null, format: 'paragraphs', turns: [], codes: [], codings: [], warnings: ['The transcript is empty.'] };
    }
    if (looksLikeWebVtt(normalized, fileName)) return parseWebVtt(normalized);
    if (looksLikeSrt(normalized, fileName)) return parseSrt(normalized);
    if (looksLikeNvivoTable(normalized)) return parseNvivoTable(normalized);
    return parseText(normalized, options);
  } catch (err) {
    // Defensive: a bug must not make an import fail. Fall back to paragraphs.
    const turns: ParsedTurn[] = normalized
      .split(/\n[ \t]*\n/)
      .map((p) => p.split('\n').map((l) => l.trim()).filter(Boolean).join('\n'))
      .filter(Boolean)
      .map((p) => ({ speaker: null, text: p }));
    return {
      title: null,
      format: 'paragraphs',
      turns,
      codes: [],
      codings: [],
      warnings: [`The transcript could not be analysed (${err instanceof Error ? err.message : String(err)}); it was imported as plain paragraphs.`],
    };
  }
}
