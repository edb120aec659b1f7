import { describe, expect, it } from 'vitest';
import type { Segment } from '@concord/shared';
import { cooccurrenceCounts, cooccurrenceMatrix, pairKey, topPairs } from './cooccurrence.ts';
import { codeFrequencies, codeTranscriptMatrix, descendantsOf, distinct, matrixCells, orderCodes, uniqueLabels, type CodeInfo } from './matrix.ts';
import { groupByTranscript, parseAt, quoteHref, segmentsQuery, shortQuote } from './retrieval.ts';

const code = (id: string, name: string, parentId: string | null = null): CodeInfo => ({ id, name, parentId, color: '#123456', abbreviation: null });
const seg = (transcriptId: string, codeId: string, start: number, end: number, extra: Partial<Segment> = {}): Segment => ({
  transcriptId, transcriptName: `T ${transcriptId}`, codeId, codeName: codeId, coderId: 'u1', speaker: 'Interviewee', start, end, text: 'x', ...extra,
});

// ME (model evaluation) with a child ME-metrics; DATA; an unused code
const CODES = [code('ME', 'Model-Evaluation-issues'), code('DATA', 'Data-low-quality'), code('MEm', 'ME-metrics', 'ME'), code('NONE', 'Unused')];
const TRANSCRIPTS = [{ id: 't1', name: 'Interview 12' }, { id: 't2', name: 'Interview 16' }, { id: 't3', name: 'Interview 2' }];

describe('codebook order', () => {
  it('puts children right after their parent with their depth and path', () => {
    const rows = orderCodes(CODES);
    expect(rows.map((r) => r.id)).toEqual(['ME', 'MEm', 'DATA', 'NONE']);
    expect(rows[1]).toMatchObject({ depth: 1, path: 'Model-Evaluation-issues › ME-metrics' });
    expect(rows[0]!.childCount).toBe(1);
  });
  it('finds a code and all its descendants', () => {
    const codes = [...CODES, code('deep', 'Deeper', 'MEm')];
    expect([...descendantsOf(codes, 'ME')].sort()).toEqual(['ME', 'MEm', 'deep']);
    expect([...descendantsOf(codes, 'DATA')]).toEqual(['DATA']);
  });
});

describe('code × transcript matrix', () => {
  const segments = [seg('t1', 'ME', 0, 10), seg('t1', 'MEm', 2, 5), seg('t1', 'DATA', 20, 30), seg('t2', 'DATA', 0, 4), seg('t2', 'DATA', 8, 9), seg('t1', 'gone', 0, 1)];

  it('counts segments per code and transcript, with totals', () => {
    const m = codeTranscriptMatrix(segments, CODES, TRANSCRIPTS);
    expect(m.codes.map((c) => c.id)).toEqual(['ME', 'MEm', 'DATA', 'NONE']);
    expect(m.cells).toEqual([[1, 0, 0], [1, 0, 0], [1, 2, 0], [0, 0, 0]]);
    expect(m.rowTotals).toEqual([1, 1, 3, 0]);
    expect(m.colTotals).toEqual([3, 2, 0]);
    // the segment of a code missing from the codebook is not counted
    expect(m.total).toBe(5);
  });

  it('rolls children up into their parents without counting a segment twice in the total', () => {
    const m = codeTranscriptMatrix(segments, CODES, TRANSCRIPTS, { rollUp: true });
    expect(m.cells[0]).toEqual([2, 0, 0]);
    expect(m.cells[1]).toEqual([1, 0, 0]);
    expect(m.total).toBe(5);
  });

  it('can hide empty codes and transcripts, and gives long-format cells for a heat map', () => {
    const m = codeTranscriptMatrix(segments, CODES, TRANSCRIPTS, { hideEmpty: true, hideEmptyTranscripts: true });
    expect(m.codes.map((c) => c.id)).toEqual(['ME', 'MEm', 'DATA']);
    expect(m.transcripts.map((t) => t.id)).toEqual(['t1', 't2']);
    const cells = matrixCells(m);
    expect(cells).toHaveLength(6);
    expect(cells.find((c) => c.codeId === 'DATA' && c.transcriptId === 't2')).toMatchObject({ count: 2, code: 'Data-low-quality', transcript: 'Interview 16' });
  });

  it('code frequencies: per code, sortable, empty ones optional', () => {
    expect(codeFrequencies(segments, CODES).map((f) => [f.codeId, f.count])).toEqual([['ME', 1], ['MEm', 1], ['DATA', 3], ['NONE', 0]]);
    expect(codeFrequencies(segments, CODES, { sort: true, hideEmpty: true }).map((f) => f.codeId)).toEqual(['DATA', 'ME', 'MEm']);
  });

  it('tells apart transcripts with the same name', () => {
    expect(uniqueLabels(['Interview 12', 'Interview 3', 'Interview 12'])).toEqual(['Interview 12', 'Interview 3', 'Interview 12 (2)']);
  });

  it('distinct filter values are sorted naturally without nulls', () => {
    expect(distinct([{ s: 'P10' }, { s: null }, { s: 'P2' }, { s: 'P2' }], (x) => x.s)).toEqual(['P2', 'P10']);
  });
});

describe('co-occurrence', () => {
  it('counts pairs of overlapping codings of different codes in the same transcript', () => {
    const segments = [
      seg('t1', 'A', 0, 10),
      seg('t1', 'B', 5, 15), // overlaps A
      seg('t1', 'C', 10, 20), // touches A (no overlap), overlaps B
      seg('t1', 'A', 12, 14), // overlaps B and C
      seg('t2', 'B', 0, 10), // other transcript: no pair with t1's A
      seg('t2', 'B', 2, 3), // same code: not a co-occurrence
    ];
    const counts = cooccurrenceCounts(segments);
    expect(counts.get(pairKey('A', 'B'))).toBe(2);
    expect(counts.get(pairKey('B', 'C'))).toBe(1);
    expect(counts.get(pairKey('A', 'C'))).toBe(1);
    expect(counts.size).toBe(3);
    expect(pairKey('B', 'A')).toBe(pairKey('A', 'B'));
  });

  it('is the same whatever the order of the segments', () => {
    const segments = [seg('t1', 'A', 0, 100), seg('t1', 'B', 50, 60), seg('t1', 'C', 90, 95), seg('t1', 'B', 99, 120), seg('t1', 'C', 0, 1)];
    const reversed = [...segments].reverse();
    expect([...cooccurrenceCounts(reversed)].sort()).toEqual([...cooccurrenceCounts(segments)].sort());
    expect(cooccurrenceCounts(segments).get(pairKey('A', 'B'))).toBe(2);
    expect(cooccurrenceCounts(segments).get(pairKey('A', 'C'))).toBe(2);
    expect(cooccurrenceCounts(segments).get(pairKey('B', 'C'))).toBeUndefined();
  });

  it('builds a symmetric matrix with code frequencies on the diagonal and finds the top pairs', () => {
    const segments = [seg('t1', 'A', 0, 10), seg('t1', 'B', 5, 15), seg('t1', 'B', 8, 9), seg('t1', 'C', 30, 40), seg('t1', 'X', 0, 50)];
    const m = cooccurrenceMatrix(segments, ['A', 'B', 'C']);
    expect(m.cells).toEqual([
      [1, 2, 0],
      [2, 2, 0],
      [0, 0, 1],
    ]);
    expect(m.max).toBe(2);
    expect(topPairs(m)).toEqual([{ a: 'A', b: 'B', count: 2 }]);
  });

  it('ignores empty spans', () => {
    expect(cooccurrenceCounts([seg('t1', 'A', 5, 5), seg('t1', 'B', 0, 10)]).size).toBe(0);
  });
});

describe('retrieval', () => {
  it('builds the segments query of the filters', () => {
    expect(segmentsQuery({ code: 'ME', children: true, coder: null, speaker: 'Interviewee' })).toBe('code=ME&children=1&speaker=Interviewee&format=json');
    expect(segmentsQuery({ code: null, children: true, coder: 'u1', speaker: null })).toBe('coder=u1&format=json');
  });

  it('groups quotes by transcript in natural name order and text order', () => {
    const g = groupByTranscript([
      seg('b', 'A', 50, 60, { transcriptName: 'Interview 10' }),
      seg('a', 'A', 30, 40, { transcriptName: 'Interview 9' }),
      seg('b', 'A', 5, 6, { transcriptName: 'Interview 10' }),
    ]);
    expect(g.map((x) => x.transcriptName)).toEqual(['Interview 9', 'Interview 10']);
    expect(g[1]!.passages.map((s) => s.start)).toEqual([5, 50]);
    expect(g[1]!.codings).toBe(2);
  });

  it('reads words coded with several codes by one coder once, codes in codebook order', () => {
    const g = groupByTranscript([
      seg('t', 'child', 0, 10, { codeName: 'ME-metrics' }),
      seg('t', 'parent', 0, 10, { codeName: 'Model-Evaluation', memo: 'see p. 3' }),
      seg('t', 'parent', 0, 10, { codeName: 'Model-Evaluation', coderId: 'u2' }),
      seg('t', 'parent', 0, 12, { codeName: 'Model-Evaluation' }),
    ], ['parent', 'child']);
    expect(g[0]!.codings).toBe(4);
    expect(g[0]!.passages.map((p) => [p.start, p.end, p.coderId, p.codes.map((c) => c.codeId).join('+')])).toEqual([
      [0, 10, 'u1', 'parent+child'],
      [0, 10, 'u2', 'parent'],
      [0, 12, 'u1', 'parent'],
    ]);
    expect(g[0]!.passages[0]!.codes[0]!.memo).toBe('see p. 3');
  });

  it('keeps a consensus quote apart from an open one on the same words, with its source and both coders', () => {
    const g = groupByTranscript([
      seg('t', 'A', 0, 10, { source: 'consensus', basis: 'agreed', coders: ['u1', 'u2'] }),
      seg('t', 'B', 0, 10, { source: 'open' }),
    ]);
    expect(g[0]!.passages.map((p) => [p.source, p.basis, p.coders])).toEqual([
      ['consensus', 'agreed', ['u1', 'u2']],
      ['open', null, ['u1']],
    ]);
  });

  it('links each quote to its place and reads the place back', () => {
    const href = quoteHref('p 1', { transcriptId: 't/1', start: 12, end: 40 });
    expect(href).toBe('/projects/p%201/transcripts/t%2F1?at=12-40');
    expect(parseAt(new URL(href, 'http://x').search)).toEqual({ start: 12, end: 40 });
    expect(parseAt('?at=5-5')).toBeNull();
    expect(parseAt('?at=x')).toBeNull();
    expect(parseAt('')).toBeNull();
  });

  it('shortens long quotes in the middle at word boundaries', () => {
    const long = Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ');
    const s = shortQuote(long, 100);
    expect(s.length).toBeLessThanOrEqual(104);
    expect(s).toMatch(/^w0 w1 .* … .* w199$/);
    expect(shortQuote('  a\n b  ')).toBe('a b');
  });
});
