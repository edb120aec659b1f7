import { bootstrapIntervals, type BootstrapOptions } from './bootstrap.ts';
import { multiRaterCoefficients, pairCoefficients, ratingDistribution } from './coefficients.ts';
import type { ComparedTranscript } from './pooled.ts';
import { mergeRanges, overlapFlags, wordSpans, type TextCoding } from './text.ts';
import type { Span } from './types.ts';
import { unitizingAlphaFamily, type ContinuumSection } from './unitizing.ts';

/**
 * How agreement is counted — each convention named after the tool whose figures it
 * reproduces, so a team can report the numbers a co-author's software would give.
 */
export type Convention = 'words' | 'characters' | 'presence' | 'frequency' | 'overlap' | 'alpha-family';

export const CONVENTIONS: Record<Convention, { label: string; tool: string; unit: string; description: string }> = {
  words: {
    label: 'Words in coded turns', tool: 'Concord', unit: 'word',
    description: 'Every word of a speaker turn in which one of the coders applied any code is a unit; a coder applied a code to a word when one of their codings of it touches the word.',
  },
  characters: {
    label: 'Characters, whole transcript', tool: 'NVivo', unit: 'character',
    description: 'Every character of the transcript is a unit, coded or not (NVivo’s coding comparison: per code and source, percent agreement and κ over characters).',
  },
  presence: {
    label: 'Segments: code presence', tool: 'MAXQDA', unit: 'transcript × code',
    description: 'Each transcript × code that a coder used is a unit; coders agree when each of them applied the code somewhere in the transcript, or none did (MAXQDA “code existence in the document”).',
  },
  frequency: {
    label: 'Segments: code frequency', tool: 'MAXQDA', unit: 'transcript × code',
    description: 'Each transcript × code that a coder used is a unit; coders agree when they applied the code the same number of times in the transcript (MAXQDA “code frequency in the document”).',
  },
  overlap: {
    label: 'Segments: overlap', tool: 'MAXQDA', unit: 'coded segment',
    description: 'Each coded segment of each coder is a unit; it agrees when another coder coded the same code over at least the chosen share of the two segments’ joint extent (MAXQDA “segment overlap”). κ is Brennan & Prediger’s with chance 1 / number of codes, as MAXQDA reports it.',
  },
  'alpha-family': {
    label: 'α family over the continuum', tool: 'ATLAS.ti', unit: 'character',
    description: 'The transcript is a continuum of characters; each coder’s codings are sections with gaps between them. Krippendorff’s _uα (sections and codes), |uα (coded vs. uncoded matter), cuα (codes where codings intersect) and (k)cuα per code (Krippendorff et al. 2016; ATLAS.ti’s α family).',
  },
};

export type Coefficient =
  | 'percent' | 'cohen' | 'brennanPrediger' | 'scott' | 'gwet' | 'alpha' | 'fleiss'
  | 'uAlpha' | 'binaryAlpha' | 'cuAlpha' | 'kcuAlpha';

export const COEFFICIENT_LABELS: Record<Coefficient, string> = {
  percent: 'Percent agreement',
  cohen: 'Cohen’s κ',
  brennanPrediger: 'Brennan–Prediger κ',
  scott: 'Scott’s π',
  gwet: 'Gwet’s AC1',
  alpha: 'Krippendorff’s α',
  fleiss: 'Fleiss’ κ',
  uAlpha: 'Krippendorff’s _uα',
  binaryAlpha: 'Krippendorff’s |uα',
  cuAlpha: 'Krippendorff’s cuα',
  kcuAlpha: 'Krippendorff’s (k)cuα',
};

/** A coefficient with its percentile bootstrap interval (`null` bounds: no defined resample). */
export interface Figure {
  value: number;
  lower: number;
  upper: number;
}

export interface ConventionFigures {
  /** Units compared. */
  n: number;
  /** Two coders on binary units: how many units each coder alone, both or neither coded. */
  counts?: { both: number; onlyA: number; onlyB: number; neither: number };
  figures: Partial<Record<Coefficient, Figure>>;
}

export interface ConventionResult {
  convention: Convention;
  /** The coders compared (two: a pair; more: every coder at once). */
  coders: string[];
  /** MAXQDA overlap threshold in percent (overlap convention). */
  overlap?: number;
  /** Codes compared: those any of the coders applied in the transcripts they all coded. */
  codes: string[];
  perCode: ({ codeId: string } & ConventionFigures)[];
  overall: ConventionFigures;
  perTranscript: { transcriptId: string; overall: ConventionFigures }[];
  /** Bootstrap settings used for the intervals. */
  bootstrap: { samples: number; confidence: number; resampled: string };
}

export interface ConventionOptions {
  /** MAXQDA overlap threshold in percent, 1–100 (default 90). */
  overlap?: number;
  bootstrap?: BootstrapOptions;
}

/** The coefficients each convention reports (two coders / more). */
export function coefficientsOf(convention: Convention, coders: number): Coefficient[] {
  if (convention === 'alpha-family') return ['uAlpha', 'binaryAlpha', 'cuAlpha', 'kcuAlpha'];
  if (convention === 'overlap') return ['percent', 'brennanPrediger'];
  return coders === 2
    ? ['percent', 'cohen', 'brennanPrediger', 'scott', 'gwet', 'alpha']
    : ['percent', 'fleiss', 'brennanPrediger', 'gwet', 'alpha'];
}

type Boot = Required<Pick<BootstrapOptions, 'samples' | 'confidence' | 'seed'>>;
type Stats = Partial<Record<Coefficient, number>>;

/**
 * The `wanted` coefficients of `stat` on `units`, each with its percentile interval from
 * one bootstrap over the units (every coefficient from the same resamples). `point`
 * overrides values that are not computed from the units themselves.
 */
function withIntervals<U>(
  stat: (units: readonly U[]) => Stats, units: readonly U[], wanted: readonly Coefficient[], bs: Boot, point: Stats = {},
): Partial<Record<Coefficient, Figure>> {
  const out: Partial<Record<Coefficient, Figure>> = {};
  if (bs.samples > 0 && units.length > 0) {
    const res = bootstrapIntervals((sample) => { const r = stat(sample); return wanted.map((c) => r[c] ?? NaN); }, units, bs);
    wanted.forEach((c, i) => { out[c] = { value: point[c] ?? res[i]!.estimate, lower: res[i]!.lower, upper: res[i]!.upper }; });
    return out;
  }
  const r = units.length > 0 ? stat(units) : {};
  for (const c of wanted) out[c] = { value: point[c] ?? r[c] ?? NaN, lower: NaN, upper: NaN };
  return out;
}

/**
 * Agreement of `coders` (two or more) on `transcripts` under one convention: per code, per
 * transcript and overall, each coefficient with a percentile bootstrap interval. Only the
 * transcripts every compared coder coded count; the codes are those any of them applied
 * there. The bootstrap resamples whole speaker turns for the text conventions (words and
 * characters within a turn are not independent), transcript × code units for presence and
 * frequency, and segments for overlap.
 */
export function conventionAgreement(
  transcripts: readonly ComparedTranscript[], coders: readonly string[], convention: Convention, options: ConventionOptions = {},
): ConventionResult {
  if (coders.length < 2) throw new RangeError('agreement needs at least two coders');
  if (new Set(coders).size !== coders.length) throw new RangeError('a coder is listed twice');
  const overlap = options.overlap ?? 90;
  if (!(overlap > 0 && overlap <= 100)) throw new RangeError(`overlap must be a percentage in (0, 100] (got ${overlap})`);
  const bs = { samples: options.bootstrap?.samples ?? 1000, confidence: options.bootstrap?.confidence ?? 0.95, seed: options.bootstrap?.seed ?? 1 };
  const shared = transcripts.filter((t) => coders.every((c) => t.coders.has(c)));
  const codeSet = new Set<string>();
  for (const t of shared) for (const c of coders) for (const x of t.coders.get(c)!) codeSet.add(x.codeId);
  const codes = [...codeSet].sort();
  const m = coders.length;
  const wanted = coefficientsOf(convention, m);
  const base = { convention, coders: [...coders], codes, ...(convention === 'overlap' ? { overlap } : {}) };

  if (convention === 'words' || convention === 'characters') {
    const clusters = shared.map((t) => positionClusters(t, coders, codes, convention));
    const perCode = codes.map((codeId, ci) => ({ codeId, ...binaryFigures(clusters.flatMap((c) => c.map((x) => x.perCode[ci]!)), m, wanted, bs) }));
    const overall = binaryFigures(clusters.flatMap((c) => c.map((x) => x.total)), m, wanted, bs);
    const perTranscript = shared.map((t, i) => ({ transcriptId: t.id, overall: binaryFigures(clusters[i]!.map((x) => x.total), m, wanted, { ...bs, samples: 0 }) }));
    return { ...base, perCode, overall, perTranscript, bootstrap: { samples: bs.samples, confidence: bs.confidence, resampled: 'speaker turns' } };
  }
  if (convention === 'presence' || convention === 'frequency') {
    const units = shared.flatMap((t) => codes.map((codeId) => ({
      transcriptId: t.id, codeId,
      ratings: coders.map((c) => {
        const k = t.coders.get(c)!.filter((x) => x.codeId === codeId).length;
        return convention === 'presence' ? (k > 0 ? 1 : 0) : k;
      }),
    }))).filter((u) => u.ratings.some((r) => r > 0));
    const fig = (list: typeof units, samples = bs.samples) => ratingFigures(list.map((u) => u.ratings), m, wanted, { ...bs, samples });
    return {
      ...base,
      perCode: codes.map((codeId) => ({ codeId, ...fig(units.filter((u) => u.codeId === codeId)) })),
      overall: fig(units),
      perTranscript: shared.map((t) => ({ transcriptId: t.id, overall: fig(units.filter((u) => u.transcriptId === t.id), 0) })),
      bootstrap: { samples: bs.samples, confidence: bs.confidence, resampled: 'transcript × code units' },
    };
  }
  if (convention === 'overlap') {
    const segs = shared.flatMap((t) => overlapUnits(t, coders, overlap / 100));
    const fig = (list: readonly OverlapUnit[], k: number, samples = bs.samples) => overlapFigures(list, k, { ...bs, samples });
    return {
      ...base,
      // Per code MAXQDA reports the percentage only: its κ needs the number of codes compared.
      perCode: codes.map((codeId) => ({ codeId, ...overlapFigures(segs.filter((s) => s.codeId === codeId), 2, bs, ['percent']) })),
      overall: fig(segs, Math.max(2, codes.length)),
      perTranscript: shared.map((t) => ({ transcriptId: t.id, overall: fig(segs.filter((s) => s.transcriptId === t.id), Math.max(2, codes.length), 0) })),
      bootstrap: { samples: bs.samples, confidence: bs.confidence, resampled: 'coded segments' },
    };
  }
  return alphaFamilyResult(shared, coders, codes, base, bs);
}

// ---------- words and characters: binary units, clustered by speaker turn ----------

/** Per cluster (speaker turn): for each code, how many units had k of the m coders present (k = 0..m), and for two coders the 2×2 counts. */
interface Tally { hist: number[]; both: number; onlyA: number; onlyB: number; neither: number }
interface Cluster { perCode: Tally[]; total: Tally }

const emptyTally = (m: number): Tally => ({ hist: new Array<number>(m + 1).fill(0), both: 0, onlyA: 0, onlyB: 0, neither: 0 });

function addTally(into: Tally, from: Tally): void {
  from.hist.forEach((h, k) => { into.hist[k]! += h; });
  into.both += from.both; into.onlyA += from.onlyA; into.onlyB += from.onlyB; into.neither += from.neither;
}

function positionClusters(t: ComparedTranscript, coders: readonly string[], codes: readonly string[], convention: 'words' | 'characters'): Cluster[] {
  const m = coders.length;
  const len = t.text.length;
  const turnStarts = [...new Set([0, ...t.turns.map(([s]) => s).filter((s) => s > 0 && s < len)])].sort((x, y) => x - y);
  const clusters: Cluster[] = turnStarts.map(() => ({ perCode: codes.map(() => emptyTally(m)), total: emptyTally(m) }));
  const rangesOf = (coder: string, codeId: string) => mergeRanges(t.coders.get(coder)!
    .filter((x: TextCoding) => x.codeId === codeId)
    .map((x) => [Math.max(0, x.start), Math.min(len, x.end)]));
  const add = (tally: Tally, inside: readonly boolean[], weight: number) => {
    let k = 0;
    for (const f of inside) if (f) k++;
    tally.hist[k]! += weight;
    if (m === 2) {
      if (inside[0] && inside[1]) tally.both += weight;
      else if (inside[0]) tally.onlyA += weight;
      else if (inside[1]) tally.onlyB += weight;
      else tally.neither += weight;
    }
  };
  if (convention === 'characters') {
    // Every character is a unit: sweep the stretches between coding and turn boundaries.
    codes.forEach((codeId, ci) => {
      const ranges = coders.map((c) => rangesOf(c, codeId));
      const pts = new Set<number>([0, len, ...turnStarts]);
      for (const r of ranges) for (const [s, e] of r) { pts.add(s); pts.add(e); }
      const sorted = [...pts].filter((p) => p >= 0 && p <= len).sort((x, y) => x - y);
      const ptr = coders.map(() => 0);
      let cl = 0;
      for (let i = 0; i + 1 < sorted.length; i++) {
        const from = sorted[i]!;
        const to = sorted[i + 1]!;
        while (cl + 1 < turnStarts.length && turnStarts[cl + 1]! <= from) cl++;
        const inside = ranges.map((r, j) => {
          while (ptr[j]! < r.length && r[ptr[j]!]![1] <= from) ptr[j]!++;
          const cur = r[ptr[j]!];
          return cur !== undefined && cur[0] <= from;
        });
        add(clusters[cl]!.perCode[ci]!, inside, to - from);
      }
    });
  } else {
    const all = coders.flatMap((c) => t.coders.get(c)!.map((x) => [x.start, x.end] as [number, number]));
    const touched = overlapFlags(t.turns, mergeRanges(all));
    const active = mergeRanges(t.turns.filter((_, i) => touched[i]).map(([s, e]) => [s, e]));
    const words = wordSpans(t.text);
    const eligible = sortedOverlapFlags(words, active);
    const units = words.filter((_, i) => eligible[i]);
    const clusterOf: number[] = [];
    let cl = 0;
    for (const [s] of units) {
      while (cl + 1 < turnStarts.length && turnStarts[cl + 1]! <= s) cl++;
      clusterOf.push(cl);
    }
    codes.forEach((codeId, ci) => {
      const flags = coders.map((c) => sortedOverlapFlags(units, rangesOf(c, codeId)));
      const inside = new Array<boolean>(m).fill(false);
      for (let u = 0; u < units.length; u++) {
        for (let j = 0; j < m; j++) inside[j] = flags[j]![u]!;
        add(clusters[clusterOf[u]!]!.perCode[ci]!, inside, 1);
      }
    });
  }
  for (const c of clusters) for (const tally of c.perCode) addTally(c.total, tally);
  return clusters.filter((c) => c.total.hist.some((h) => h > 0));
}

/** For units sorted by start and not overlapping: whether each shares a position with one of `merged` (sorted, disjoint). Linear. */
function sortedOverlapFlags(units: readonly Span[], merged: readonly [number, number][]): boolean[] {
  const flags = new Array<boolean>(units.length).fill(false);
  let p = 0;
  for (let i = 0; i < units.length; i++) {
    const [s, e] = units[i]!;
    while (p < merged.length && merged[p]![1] <= s) p++;
    const r = merged[p];
    flags[i] = r !== undefined && r[0] < e;
  }
  return flags;
}

function binaryStats(tally: Tally, m: number): Partial<Record<Coefficient, number>> {
  if (m === 2) {
    const r = pairCoefficients([[tally.both, tally.onlyA], [tally.onlyB, tally.neither]]);
    return { percent: r.percent, cohen: r.cohen, brennanPrediger: r.brennanPrediger, scott: r.scott, gwet: r.gwet, alpha: r.alpha };
  }
  // m coders on binary units: a unit with k coders present is the rating row [k, m − k];
  // Gwet's (2014) many-rater formulas summed over the histogram of k (no missing ratings).
  const n = tally.hist.reduce((s, h) => s + h, 0);
  if (n === 0) return { percent: NaN, fleiss: NaN, brennanPrediger: NaN, gwet: NaN, alpha: NaN };
  let pairs = 0;
  let present = 0;
  tally.hist.forEach((h, k) => {
    pairs += (h * (k * (k - 1) + (m - k) * (m - k - 1))) / (m * (m - 1));
    present += (h * k) / m;
  });
  const pa = pairs / n;
  const p1 = present / n;
  const p0 = 1 - p1;
  const peFleiss = p1 * p1 + p0 * p0;
  const eps = 1 / (n * m);
  const ratio = (a: number, e: number) => (e === 1 ? NaN : (a - e) / (1 - e));
  return {
    percent: pa,
    fleiss: ratio(pa, peFleiss),
    brennanPrediger: ratio(pa, 0.5),
    gwet: ratio(pa, 2 * p1 * p0),
    alpha: ratio((1 - eps) * pa + eps, peFleiss),
  };
}

function binaryFigures(tallies: readonly Tally[], m: number, wanted: readonly Coefficient[], bs: Boot): ConventionFigures {
  const sum = (list: readonly Tally[]) => { const t = emptyTally(m); for (const x of list) addTally(t, x); return t; };
  const total = sum(tallies);
  const n = total.hist.reduce((s, h) => s + h, 0);
  const figures = withIntervals((sample) => binaryStats(sum(sample), m), tallies, wanted, bs);
  return { n, ...(m === 2 ? { counts: { both: total.both, onlyA: total.onlyA, onlyB: total.onlyB, neither: total.neither } } : {}), figures };
}

// ---------- presence and frequency: ratings per transcript × code ----------

function ratingStats(units: readonly number[][], m: number): Partial<Record<Coefficient, number>> {
  const data = Array.from({ length: m }, (_, i) => units.map((u) => u[i]!));
  if (m === 2) {
    const cats = [...new Set(units.flat())].sort((x, y) => x - y);
    const idx = new Map(cats.map((c, i) => [c, i]));
    const q = Math.max(2, cats.length);
    const table = Array.from({ length: q }, () => new Array<number>(q).fill(0));
    for (const u of units) table[idx.get(u[0]!)!]![idx.get(u[1]!)!]! += 1;
    const r = pairCoefficients(table);
    return { percent: r.percent, cohen: r.cohen, brennanPrediger: r.brennanPrediger, scott: r.scott, gwet: r.gwet, alpha: r.alpha };
  }
  const { counts } = ratingDistribution(data);
  if (counts[0] && counts[0].length < 2) counts.forEach((row) => row.push(0));
  const r = multiRaterCoefficients(counts);
  return { percent: r.percent, fleiss: r.fleiss, brennanPrediger: r.brennanPrediger, gwet: r.gwet, alpha: r.alpha };
}

function ratingFigures(units: readonly number[][], m: number, wanted: readonly Coefficient[], bs: Boot): ConventionFigures {
  const figures = withIntervals((sample) => ratingStats(sample, m), units, wanted, bs);
  let counts: ConventionFigures['counts'];
  if (m === 2) {
    counts = { both: 0, onlyA: 0, onlyB: 0, neither: 0 };
    for (const [a, b] of units) {
      if (a! > 0 && b! > 0) counts.both++; else if (a! > 0) counts.onlyA++; else if (b! > 0) counts.onlyB++; else counts.neither++;
    }
  }
  return { n: units.length, ...(counts ? { counts } : {}), figures };
}

// ---------- overlap: each coded segment is a unit ----------

interface OverlapUnit { transcriptId: string; codeId: string; coder: string; agrees: boolean }

function overlapUnits(t: ComparedTranscript, coders: readonly string[], threshold: number): OverlapUnit[] {
  const out: OverlapUnit[] = [];
  for (const coder of coders) {
    for (const seg of t.coders.get(coder)!) {
      if (seg.end <= seg.start) continue;
      const agrees = coders.some((other) => other !== coder && t.coders.get(other)!.some((o) => {
        if (o.codeId !== seg.codeId) return false;
        const inter = Math.min(seg.end, o.end) - Math.max(seg.start, o.start);
        if (inter <= 0) return false;
        const union = Math.max(seg.end, o.end) - Math.min(seg.start, o.start);
        return inter / union >= threshold - 1e-12;
      }));
      out.push({ transcriptId: t.id, codeId: seg.codeId, coder, agrees });
    }
  }
  return out;
}

function overlapStats(units: readonly OverlapUnit[], categories: number): Partial<Record<Coefficient, number>> {
  if (units.length === 0) return { percent: NaN, brennanPrediger: NaN };
  const po = units.filter((u) => u.agrees).length / units.length;
  const pc = 1 / categories;
  return { percent: po, brennanPrediger: (po - pc) / (1 - pc) };
}

function overlapFigures(units: readonly OverlapUnit[], categories: number, bs: Boot, wanted: readonly Coefficient[] = ['percent', 'brennanPrediger']): ConventionFigures {
  return { n: units.length, figures: withIntervals((sample) => overlapStats(sample, categories), units, wanted, bs) };
}

// ---------- α family: transcripts as one continuum ----------

interface TurnPiece { length: number; sections: { coder: string; start: number; end: number; codes: string[] }[] }

/** Each turn of each transcript with every coder's coded stretches in it (offsets relative to the turn). */
function turnPieces(t: ComparedTranscript, coders: readonly string[], codes: readonly string[]): TurnPiece[] {
  const len = t.text.length;
  const starts = [...new Set([0, ...t.turns.map(([s]) => s).filter((s) => s > 0 && s < len)])].sort((x, y) => x - y);
  const pieces: TurnPiece[] = starts.map((s, i) => ({ length: (starts[i + 1] ?? len) - s, sections: [] }));
  const codeSet = new Set(codes);
  for (const coder of coders) {
    // Maximal stretches with a constant, non-empty set of codes.
    const bounds = new Set<number>();
    const list = t.coders.get(coder)!.filter((c) => codeSet.has(c.codeId) && c.end > c.start);
    for (const c of list) { bounds.add(Math.max(0, c.start)); bounds.add(Math.min(len, c.end)); }
    for (const s of starts) bounds.add(s);
    const pts = [...bounds].filter((p) => p >= 0 && p <= len).sort((x, y) => x - y);
    for (let i = 0; i + 1 < pts.length; i++) {
      const a = pts[i]!;
      const b = pts[i + 1]!;
      const here = [...new Set(list.filter((c) => c.start <= a && c.end >= b).map((c) => c.codeId))].sort();
      if (here.length === 0) continue;
      let p = 0;
      while (p + 1 < starts.length && starts[p + 1]! <= a) p++;
      const piece = pieces[p]!;
      const prev = piece.sections[piece.sections.length - 1];
      const rel = a - starts[p]!;
      if (prev && prev.coder === coder && prev.end === rel && prev.codes.join() === here.join()) prev.end = b - starts[p]!;
      else piece.sections.push({ coder, start: rel, end: b - starts[p]!, codes: here });
    }
  }
  return pieces.filter((pc) => pc.length > 0);
}

/** The pieces laid end to end, as sections of one value per code set (overall) or of one code (binary). */
function continuum(pieces: readonly TurnPiece[], codeId?: string): { length: number; sections: ContinuumSection[] } {
  const sections: ContinuumSection[] = [];
  let offset = 0;
  for (const pc of pieces) {
    const byCoder = new Map<string, ContinuumSection[]>();
    for (const s of pc.sections) {
      if (codeId !== undefined && !s.codes.includes(codeId)) continue;
      const value = codeId ?? s.codes.join(' + ');
      const list = byCoder.get(s.coder) ?? byCoder.set(s.coder, []).get(s.coder)!;
      const last = list[list.length - 1];
      if (last && last.end === offset + s.start && last.value === value) last.end = offset + s.end;
      else list.push({ coder: s.coder, start: offset + s.start, end: offset + s.end, value });
    }
    for (const list of byCoder.values()) sections.push(...list);
    offset += pc.length;
  }
  return { length: offset, sections };
}

type FamilyKey = 'uAlpha' | 'binaryAlpha' | 'cuAlpha' | 'kcuAlpha';

function familyStats(pieces: readonly TurnPiece[], coders: readonly string[], codeId?: string): Record<FamilyKey, number> {
  const { length, sections } = continuum(pieces, codeId);
  if (length === 0) return { uAlpha: NaN, binaryAlpha: NaN, cuAlpha: NaN, kcuAlpha: NaN };
  const overall = unitizingAlphaFamily(length, sections, coders);
  if (codeId === undefined) return { uAlpha: overall.uAlpha, binaryAlpha: overall.binaryAlpha, cuAlpha: overall.cuAlpha, kcuAlpha: NaN };
  return { uAlpha: overall.uAlpha, binaryAlpha: overall.binaryAlpha, cuAlpha: NaN, kcuAlpha: NaN };
}

function alphaFamilyResult(
  shared: readonly ComparedTranscript[], coders: readonly string[], codes: readonly string[],
  base: Pick<ConventionResult, 'convention' | 'coders' | 'codes'>, bs: Boot,
): ConventionResult {
  const piecesBy = shared.map((t) => turnPieces(t, coders, codes));
  const all = piecesBy.flat();
  // The α family is heavy to resample: a fifth of the samples (at least 100) over turns.
  const samples = bs.samples > 0 ? Math.max(100, Math.round(bs.samples / 5)) : 0;
  const figuresOf = (pieces: readonly TurnPiece[], keys: readonly FamilyKey[], codeId?: string, point: Stats = {}, n = samples): ConventionFigures => ({
    n: pieces.reduce((s, p) => s + p.length, 0),
    figures: withIntervals((sample) => familyStats(sample, coders, codeId), pieces, keys, { ...bs, samples: n }, point),
  });
  const whole = continuum(all);
  const family = whole.length > 0 ? unitizingAlphaFamily(whole.length, whole.sections, coders) : null;
  const kcu = new Map(family?.perValue.map((v) => [v.value, v.alpha]) ?? []);
  return {
    ...base,
    perCode: codes.map((codeId) => ({ codeId, ...figuresOf(all, ['binaryAlpha', 'kcuAlpha'], codeId, { kcuAlpha: kcu.get(codeId) ?? NaN }) })),
    overall: figuresOf(all, ['uAlpha', 'binaryAlpha', 'cuAlpha']),
    perTranscript: shared.map((t, i) => ({ transcriptId: t.id, overall: figuresOf(piecesBy[i]!, ['uAlpha', 'binaryAlpha', 'cuAlpha'], undefined, undefined, 0) })),
    bootstrap: { samples, confidence: bs.confidence, resampled: 'speaker turns' },
  };
}
