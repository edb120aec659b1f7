import type { Segment } from '../api.ts';
import type { Code } from '../schema/codebook.ts';
import { basisLabel, sourceLabel } from '../record/record.ts';
import { toCsv } from './csv.ts';

/** Exports for papers: coded segments and the codebook as CSV and Markdown. */
export interface PaperSegment extends Segment {
  /** Who coded it: one name, or both coders' names of an agreed coding ("Ada & Ben"). */
  coderName: string;
}

/** "consensus", "open coding" or "coder's layer: <name>" (a row without a source is an open coding). */
export const segmentSource = (s: PaperSegment): string => sourceLabel(s.source ?? 'open', s.coderName);

export function segmentsCsv(segments: readonly PaperSegment[]): string {
  const rows = segments.map((s) => ({
    code: s.codeName, transcript: s.transcriptName, speaker: s.speaker ?? '', coder: s.coderName,
    source: segmentSource(s), basis: basisLabel(s.basis ?? null), quote: s.text, memo: s.memo ?? '', start: s.start, end: s.end,
  }));
  return toCsv(rows, ['code', 'transcript', 'speaker', 'coder', 'source', 'basis', 'quote', 'memo', 'start', 'end']);
}

/** Markdown text safe to embed: no HTML, no accidental headings or lists from the quote. */
export function mdEscape(s: string): string {
  return s.replace(/[\\`*_{}[\]<>#|]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

export function segmentsMarkdown(title: string, codes: readonly Code[], segments: readonly PaperSegment[]): string {
  const out = [`# ${mdEscape(title)} — coded segments`, ''];
  const byCode = new Map<string, PaperSegment[]>();
  for (const s of segments) (byCode.get(s.codeId) ?? byCode.set(s.codeId, []).get(s.codeId)!).push(s);
  for (const code of codes) {
    const list = byCode.get(code.id);
    if (!list || list.length === 0) continue;
    out.push(`## ${mdEscape(code.name)}${code.abbreviation ? ` [${mdEscape(code.abbreviation)}]` : ''} (${list.length})`, '');
    for (const s of list) {
      const basis = basisLabel(s.basis ?? null);
      out.push(
        `> ${mdEscape(s.text)}`, '>',
        `> — ${mdEscape(s.speaker ?? 'unknown speaker')}, *${mdEscape(s.transcriptName)}* (coded by ${mdEscape(s.coderName)}; ${mdEscape(segmentSource(s))}${basis ? `, ${mdEscape(basis)}` : ''})`,
      );
      if (s.memo) out.push('>', `> Memo: ${mdEscape(s.memo)}`);
      out.push('');
    }
  }
  return out.join('\n');
}

export function codebookCsv(codes: readonly Code[], counts: ReadonlyMap<string, number> = new Map()): string {
  const byId = new Map(codes.map((c) => [c.id, c]));
  return toCsv(codes.map((c) => ({
    code: c.name, abbreviation: c.abbreviation ?? '', parent: c.parentId ? byId.get(c.parentId)?.name ?? '' : '', color: c.color,
    definition: c.description, codings: counts.get(c.id) ?? 0,
  })), ['code', 'abbreviation', 'parent', 'color', 'definition', 'codings']);
}

export function codebookMarkdown(title: string, codes: readonly Code[], counts: ReadonlyMap<string, number> = new Map()): string {
  const out = [`# ${mdEscape(title)} — codebook`, ''];
  const ids = new Set(codes.map((c) => c.id));
  // A code whose parent is gone is shown at the top level.
  const parentOf = (c: Code) => (c.parentId && ids.has(c.parentId) ? c.parentId : null);
  const children = new Map<string | null, Code[]>();
  for (const c of codes) (children.get(parentOf(c)) ?? children.set(parentOf(c), []).get(parentOf(c))!).push(c);
  const walk = (parent: string | null, depth: number) => {
    for (const c of children.get(parent) ?? []) {
      out.push(`${'#'.repeat(Math.min(6, depth + 2))} ${mdEscape(c.name)}${c.abbreviation ? ` [${mdEscape(c.abbreviation)}]` : ''}`, '');
      out.push(`Codings: ${counts.get(c.id) ?? 0}`, '');
      if (c.description.trim()) out.push(c.description.trim().split(/\n/).map(mdEscape).join('\n\n'), '');
      walk(c.id, depth + 1);
    }
  };
  walk(null, 0);
  return out.join('\n');
}
