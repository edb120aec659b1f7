import { krippendorffAlpha } from './alpha.ts';
import { cohenKappa } from './kappa.ts';
import type { Span } from './types.ts';

/**
 * A coded stretch of transcript text. Offsets are JS string indices (UTF-16 code units),
 * `[start, end)` — the same offset space as `wordSpans`.
 */
export interface TextCoding {
  start: number;
  end: number;
  codeId: string;
}

export interface TextAgreementResult {
  /** Proportion (0..1) of unit words on which the two coders agree (both or neither). */
  percent: number;
  /** Cohen's kappa over the unit words (present/absent). `NaN` when undefined. */
  kappa: number;
  /** Krippendorff's nominal alpha over the same units. `NaN` when undefined. */
  alpha: number;
  /** Number of unit words. */
  n: number;
  /** Unit words coded with the code by coder A only. */
  onlyA: number;
  /** Unit words coded with the code by coder B only. */
  onlyB: number;
  /** Unit words coded with the code by both coders. */
  both: number;
  /** Unit words coded with the code by neither coder. */
  neither: number;
}

type Segmenter = { segment(text: string): Iterable<{ segment: string; index: number; isWordLike?: boolean }> };
let segmenter: Segmenter | null | undefined;

function getSegmenter(): Segmenter | null {
  if (segmenter === undefined) {
    const Ctor = (Intl as { Segmenter?: new (locale: string, options: { granularity: 'word' }) => Segmenter })
      .Segmenter;
    segmenter = typeof Ctor === 'function' ? new Ctor('und', { granularity: 'word' }) : null;
  }
  return segmenter;
}

// Fallback when Intl.Segmenter is missing: runs of letters/marks/digits/connectors (with inner
// apostrophes), except that Han/Hiragana/Katakana characters are one word each.
const WORD_FALLBACK =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[\p{L}\p{M}\p{N}\p{Pc}]+(?:['’][\p{L}\p{M}\p{N}\p{Pc}]+)*/gu;

/**
 * The words of `text` as `[start, end)` spans in JS string indices, ascending and
 * non-overlapping. Uses Unicode word segmentation (UAX #29 via `Intl.Segmenter`, root
 * locale; dictionary-based for scripts written without spaces such as Japanese or Thai) and
 * keeps only word-like segments: whitespace, punctuation and emoji are not words. "don't"
 * and "42.5" are one word each; "e-mail" is two. Where `Intl.Segmenter` is unavailable, a
 * regex approximation is used.
 */
export function wordSpans(text: string): [number, number][] {
  // Unicode segmentation of a long transcript takes seconds; the agreement report asks for the
  // same texts again and again (every pair, every refresh), so the last few are kept.
  const cached = wordCache.get(text);
  if (cached) {
    wordCache.delete(text);
    wordCache.set(text, cached);
    return cached.map(([s, e]) => [s, e]);
  }
  const out = segmentWords(text);
  wordCache.set(text, out);
  if (wordCache.size > WORD_CACHE_SIZE) wordCache.delete(wordCache.keys().next().value!);
  return out.map(([s, e]) => [s, e]);
}

const WORD_CACHE_SIZE = 16;
const wordCache = new Map<string, [number, number][]>();

function segmentWords(text: string): [number, number][] {
  const out: [number, number][] = [];
  const seg = getSegmenter();
  if (seg) {
    for (const s of seg.segment(text)) {
      if (s.isWordLike) out.push([s.index, s.index + s.segment.length]);
    }
  } else {
    for (const match of text.matchAll(WORD_FALLBACK)) {
      out.push([match.index, match.index + match[0].length]);
    }
  }
  return out;
}

/**
 * Agreement of two coders on applying one code to a transcript, for the server's agreement
 * reports.
 *
 * Unit of analysis: the WORD (`boundaries`, normally `wordSpans(text)`). For each unit word,
 * each coder is "present" if any of their codings with `codeId` overlaps at least one
 * character of the word, else "absent". Words (rather than characters) make the statistic
 * insensitive to where exactly inside or around a word a selection starts or ends (and to
 * whether trailing spaces/punctuation were selected), and weight long and short words alike;
 * whole paragraphs/turns would be too coarse to see partial disagreement.
 *
 * Restricting the units: a transcript is mostly uncoded, and counting the long stretches
 * neither coder touched as "agreement on absent" inflates percent agreement (and distorts
 * kappa/alpha through the marginals). Pass `segments` — the transcript's paragraphs or speaker
 * turns as `[start, end)` spans — and only words overlapping a segment in which at least one
 * of the two coders applied ANY code (any codeId) are units. For that rule, `codingsA` and
 * `codingsB` should contain ALL of each coder's codings on this transcript, not only those of
 * `codeId` (passing only pre-filtered "coded regions" as `segments` works too). Without
 * `segments`, every word of the transcript is a unit.
 *
 * Offsets are JS string indices (UTF-16 code units), as produced by `wordSpans`. Boundaries
 * must lie within `[0, textLength]`; codings may be unsorted and overlapping, and parts of
 * codings outside the text are ignored. With no unit word, all coefficients are `NaN`; if
 * neither coder (or both, everywhere) applied the code, percent is 1 and kappa/alpha are
 * `NaN` (undefined: no variation).
 */
export function textAgreement(
  textLength: number,
  boundaries: readonly Span[],
  codingsA: readonly TextCoding[],
  codingsB: readonly TextCoding[],
  codeId: string,
  segments?: readonly Span[],
): TextAgreementResult {
  if (!Number.isInteger(textLength) || textLength < 0) {
    throw new RangeError(`text length must be a non-negative integer (got ${textLength})`);
  }
  for (const [s, e] of boundaries) {
    if (!(s >= 0 && s < e && e <= textLength)) {
      throw new RangeError(`invalid word boundary [${s}, ${e}) for a text of length ${textLength}`);
    }
  }

  let eligible: boolean[];
  if (segments === undefined) {
    eligible = boundaries.map(() => true);
  } else {
    const anyCoding = mergeRanges([...codingsA, ...codingsB].map((c) => [c.start, c.end]));
    const touched = overlapFlags(segments, anyCoding);
    const active = segments.filter((_, i) => touched[i]);
    eligible = overlapFlags(boundaries, mergeRanges(active.map(([s, e]) => [s, e])));
  }
  const withCode = (codings: readonly TextCoding[]): [number, number][] =>
    mergeRanges(codings.filter((c) => c.codeId === codeId).map((c) => [c.start, c.end]));
  const inA = overlapFlags(boundaries, withCode(codingsA));
  const inB = overlapFlags(boundaries, withCode(codingsB));

  const labelsA: number[] = [];
  const labelsB: number[] = [];
  let both = 0;
  let onlyA = 0;
  let onlyB = 0;
  let neither = 0;
  for (let w = 0; w < boundaries.length; w++) {
    if (!eligible[w]) continue;
    const a = inA[w]!;
    const b = inB[w]!;
    if (a && b) both++;
    else if (a) onlyA++;
    else if (b) onlyB++;
    else neither++;
    labelsA.push(a ? 1 : 0);
    labelsB.push(b ? 1 : 0);
  }
  const n = labelsA.length;
  return {
    percent: n === 0 ? NaN : (both + neither) / n,
    kappa: cohenKappa(labelsA, labelsB).kappa,
    alpha: krippendorffAlpha([labelsA, labelsB], 'nominal').alpha,
    n,
    onlyA,
    onlyB,
    both,
    neither,
  };
}

/** Sorted union of the non-empty ranges, as disjoint ranges (touching ranges are joined). */
export function mergeRanges(ranges: readonly (readonly [number, number])[]): [number, number][] {
  const sorted = ranges.filter(([s, e]) => e > s).sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/**
 * For each item, whether it shares at least one position with one of `merged` (sorted,
 * disjoint). Items may be in any order.
 */
export function overlapFlags(items: readonly Span[], merged: readonly [number, number][]): boolean[] {
  const flags = new Array<boolean>(items.length).fill(false);
  const order = items.map((_, i) => i).sort((x, y) => items[x]![0] - items[y]![0]);
  let p = 0;
  for (const i of order) {
    const [s, e] = items[i]!;
    // Ranges ending at or before s cannot overlap this item nor any later-starting one.
    while (p < merged.length && merged[p]![1] <= s) p++;
    const r = merged[p];
    flags[i] = r !== undefined && r[0] < e && e > s;
  }
  return flags;
}
