import type { ParsedTranscript, ParsedTurn } from './types.ts';
import { cleanLabel, timestampToMs } from './speakers.ts';

/**
 * NVivo's transcript table, exported or pasted as tab-separated text: a header
 * row naming the columns (`Timespan<TAB>Speaker<TAB>Content`, in any order, an
 * optional row-number column first), then one row per transcript entry with a
 * time span `0:00:07.4 - 0:00:21.9`. Each row is one turn with its start and
 * end; a line without tabs continues the row above (a paragraph break inside
 * a cell).
 */

const SPAN_RE = /^\s*([\[(]?(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?[\])]?)\s*[-–—]\s*([\[(]?(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?[\])]?)\s*$/;
const TIMESPAN_HEADER_RE = /^time\s*span$/i;
const SPEAKER_HEADER_RE = /^speaker$/i;
const CONTENT_HEADER_RE = /^(?:content|text|transcript)$/i;

interface Columns {
  span: number;
  speaker: number;
  content: number;
}

function headerColumns(line: string): Columns | null {
  const cells = line.split('\t').map((c) => c.trim());
  if (cells.length < 2) return null;
  const span = cells.findIndex((c) => TIMESPAN_HEADER_RE.test(c));
  if (span < 0) return null;
  const speaker = cells.findIndex((c) => SPEAKER_HEADER_RE.test(c));
  let content = cells.findIndex((c) => CONTENT_HEADER_RE.test(c));
  if (content < 0) content = cells.findIndex((_, i) => i !== span && i !== speaker && !/^#?$/.test(cells[i]!));
  if (content < 0) return null;
  return { span, speaker, content };
}

/** `text` must be normalised. True when the first non-blank line is an NVivo transcript header row. */
export function looksLikeNvivoTable(text: string): boolean {
  const first = text.split('\n').find((l) => l.trim() !== '');
  return first !== undefined && headerColumns(first) !== null;
}

export function parseNvivoTable(text: string): ParsedTranscript {
  const lines = text.split('\n');
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  const cols = headerColumns(lines[headerAt] ?? '');
  const warnings: string[] = [];
  const turns: ParsedTurn[] = [];
  if (!cols) return { title: null, format: 'nvivo-table', turns, codes: [], codings: [], warnings: ['The table has no Timespan column.'] };
  let untimed = 0;
  for (const line of lines.slice(headerAt + 1)) {
    if (line.trim() === '') continue;
    const cells = line.split('\t');
    const prev = turns[turns.length - 1];
    if (cells.length === 1 && prev) {
      prev.text = `${prev.text}\n${line.trim()}`;
      continue;
    }
    const content = (cells[cols.content] ?? '').replace(/\s+/g, ' ').trim();
    if (content === '') continue;
    const speakerCell = cols.speaker >= 0 ? cleanLabel(cells[cols.speaker] ?? '') : '';
    const turn: ParsedTurn = { speaker: speakerCell === '' ? null : speakerCell, text: content };
    const span = SPAN_RE.exec(cells[cols.span] ?? '');
    const start = span ? timestampToMs(span[1]!) : null;
    const end = span ? timestampToMs(span[2]!) : null;
    if (start !== null) turn.startMs = start;
    else untimed++;
    if (end !== null && start !== null && end >= start) turn.endMs = end;
    turns.push(turn);
  }
  if (untimed) warnings.push(`${untimed} row(s) of the NVivo transcript table have no time span.`);
  if (turns.length === 0) warnings.push('The NVivo transcript table has no rows with content.');
  return { title: null, format: 'nvivo-table', turns, codes: [], codings: [], warnings };
}
