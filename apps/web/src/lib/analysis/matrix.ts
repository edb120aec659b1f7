import type { Segment } from '@concord/shared';
import { flattenTree } from '../view/tree.ts';

/** A code as the codebook API answers it. */
export interface CodeInfo {
  id: string;
  name: string;
  parentId: string | null;
  color: string;
  abbreviation: string | null;
}

export interface TranscriptInfo {
  id: string;
  name: string;
}

/** A code in codebook order, with its place in the hierarchy. */
export interface CodeRow {
  id: string;
  name: string;
  color: string;
  abbreviation: string | null;
  parentId: string | null;
  depth: number;
  /** "Parent › Child" including the code itself. */
  path: string;
  childCount: number;
}

/** The codebook as the tree shows it: parents before their children, siblings in codebook order. */
export function orderCodes(codes: readonly CodeInfo[]): CodeRow[] {
  const nodes = flattenTree(codes.map((c, i) => ({ ...c, order: i })));
  return nodes.map((n) => ({
    id: n.code.id,
    name: n.code.name,
    color: n.code.color,
    abbreviation: n.code.abbreviation,
    parentId: n.code.parentId,
    depth: n.depth,
    path: [...n.ancestors, n.code.name].join(' › '),
    childCount: n.childCount,
  }));
}

/** The code itself and every code below it. */
export function descendantsOf(codes: readonly CodeInfo[], id: string): Set<string> {
  const children = new Map<string, string[]>();
  for (const c of codes) if (c.parentId) (children.get(c.parentId) ?? children.set(c.parentId, []).get(c.parentId)!).push(c.id);
  const out = new Set<string>();
  const stack = [id];
  while (stack.length) {
    const x = stack.pop()!;
    if (out.has(x)) continue;
    out.add(x);
    stack.push(...(children.get(x) ?? []));
  }
  return out;
}

export interface CodeTranscriptMatrix {
  codes: CodeRow[];
  transcripts: TranscriptInfo[];
  /** cells[i][j]: coded segments of codes[i] (with its children when rolled up) in transcripts[j]. */
  cells: number[][];
  rowTotals: number[];
  colTotals: number[];
  /** Every segment once (children are not counted twice when rolled up). */
  total: number;
}

export interface MatrixOptions {
  /** Count a child's segments for its parents too ("code and its children"). */
  rollUp?: boolean;
  /** Leave out codes no transcript has a segment of. */
  hideEmpty?: boolean;
  /** Leave out transcripts without any segment. */
  hideEmptyTranscripts?: boolean;
}

/**
 * Code × transcript counts of coded segments. Codes are in codebook order;
 * segments of codes missing from the codebook are left out; transcripts keep
 * the order given.
 */
export function codeTranscriptMatrix(
  segments: readonly Segment[], codes: readonly CodeInfo[], transcripts: readonly TranscriptInfo[], opts: MatrixOptions = {},
): CodeTranscriptMatrix {
  const rows = orderCodes(codes);
  const parent = new Map(codes.map((c) => [c.id, c.parentId]));
  const known = new Set(rows.map((r) => r.id));
  const tIndex = new Map(transcripts.map((t, j) => [t.id, j]));
  const rIndex = new Map(rows.map((r, i) => [r.id, i]));
  const cells = rows.map(() => transcripts.map(() => 0));
  const colTotals = transcripts.map(() => 0);
  let total = 0;
  for (const s of segments) {
    const j = tIndex.get(s.transcriptId);
    if (j === undefined || !known.has(s.codeId)) continue;
    total++;
    colTotals[j]!++;
    const seen = new Set<string>();
    for (let id: string | null = s.codeId; id && !seen.has(id); id = opts.rollUp ? parent.get(id) ?? null : null) {
      seen.add(id);
      const i = rIndex.get(id);
      if (i !== undefined) cells[i]![j]!++;
    }
  }
  let keepRows = rows.map((_, i) => i);
  if (opts.hideEmpty) keepRows = keepRows.filter((i) => cells[i]!.some((n) => n > 0));
  let keepCols = transcripts.map((_, j) => j);
  if (opts.hideEmptyTranscripts) keepCols = keepCols.filter((j) => colTotals[j]! > 0);
  const outCells = keepRows.map((i) => keepCols.map((j) => cells[i]![j]!));
  return {
    codes: keepRows.map((i) => rows[i]!),
    transcripts: keepCols.map((j) => transcripts[j]!),
    cells: outCells,
    rowTotals: outCells.map((r) => r.reduce((a, b) => a + b, 0)),
    colTotals: keepCols.map((j) => colTotals[j]!),
    total,
  };
}

/** Long-format rows of a matrix for a heat map (one per cell; transcript labels made unique). */
export function matrixCells(m: CodeTranscriptMatrix): { code: string; codeId: string; transcript: string; transcriptId: string; count: number }[] {
  const out: { code: string; codeId: string; transcript: string; transcriptId: string; count: number }[] = [];
  const labels = uniqueLabels(m.transcripts.map((t) => t.name));
  m.codes.forEach((c, i) => m.transcripts.forEach((t, j) => out.push({ code: c.path, codeId: c.id, transcript: labels[j]!, transcriptId: t.id, count: m.cells[i]![j]! })));
  return out;
}

/** Number of segments per code (not rolled up), in codebook order, most frequent first when `sort`. */
export function codeFrequencies(
  segments: readonly Segment[], codes: readonly CodeInfo[], opts: { sort?: boolean; hideEmpty?: boolean } = {},
): { codeId: string; name: string; path: string; color: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const s of segments) counts.set(s.codeId, (counts.get(s.codeId) ?? 0) + 1);
  let out = orderCodes(codes).map((c) => ({ codeId: c.id, name: c.name, path: c.path, color: c.color, count: counts.get(c.id) ?? 0 }));
  if (opts.hideEmpty) out = out.filter((x) => x.count > 0);
  // stable: ties keep codebook order
  if (opts.sort) out = [...out].sort((a, b) => b.count - a.count);
  return out;
}

/** Distinct values for filters, sorted, without null. */
export function distinct<T>(list: readonly T[], key: (t: T) => string | null | undefined): string[] {
  const s = new Set<string>();
  for (const x of list) {
    const v = key(x);
    if (v) s.add(v);
  }
  return [...s].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
}

/** Labels that tell apart things with the same name ("Interview 12", "Interview 12 (2)"), for chart axes. */
export function uniqueLabels(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const k = (seen.get(n) ?? 0) + 1;
    seen.set(n, k);
    return k === 1 ? n : `${n} (${k})`;
  });
}
