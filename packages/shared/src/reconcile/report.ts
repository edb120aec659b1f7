import { textAgreement, wordSpans, type TextCoding } from '../agreement/index.ts';
import type { Span } from '../agreement/index.ts';

/** 2×2 counts of unit words for one code and one pair of coders. */
export interface PairCounts {
  onlyA: number;
  onlyB: number;
  both: number;
  neither: number;
}

export interface CodeFigures extends PairCounts {
  codeId: string;
  n: number;
  percent: number;
  kappa: number;
  alpha: number;
}

export interface TranscriptAgreement {
  perCode: CodeFigures[];
  /** All codes pooled: every (word, code) pair is a unit. */
  overall: Omit<CodeFigures, 'codeId'>;
}

/**
 * Agreement of two coders on one transcript, code by code. The unit is the word
 * (see `textAgreement`), restricted to turns in which at least one of the two
 * coders applied any code, so long uncoded stretches do not inflate the figures.
 */
export function transcriptAgreement(
  text: string, turns: readonly Span[], a: readonly TextCoding[], b: readonly TextCoding[], codeIds: readonly string[],
): TranscriptAgreement {
  const words = wordSpans(text);
  const perCode = codeIds.map((codeId) => {
    const r = textAgreement(text.length, words, a, b, codeId, turns);
    return { codeId, n: r.n, percent: r.percent, kappa: r.kappa, alpha: r.alpha, onlyA: r.onlyA, onlyB: r.onlyB, both: r.both, neither: r.neither };
  });
  return { perCode, overall: figuresFromCounts(sumCounts(perCode)) };
}

export function sumCounts(list: readonly PairCounts[]): PairCounts {
  const t = { onlyA: 0, onlyB: 0, both: 0, neither: 0 };
  for (const c of list) {
    t.onlyA += c.onlyA; t.onlyB += c.onlyB; t.both += c.both; t.neither += c.neither;
  }
  return t;
}

/**
 * Percent agreement, Cohen's kappa and Krippendorff's nominal alpha from a 2×2
 * table of two coders (present/absent), for pooling across codes or transcripts.
 * Alpha for two coders and no missing values: 1 − (n−1)·(b+c) / (n₀·n₁) with
 * n = 2N pairable values and n₁, n₀ the totals of present and absent values.
 */
export function figuresFromCounts(c: PairCounts): Omit<CodeFigures, 'codeId'> {
  const n = c.onlyA + c.onlyB + c.both + c.neither;
  if (n === 0) return { ...c, n, percent: NaN, kappa: NaN, alpha: NaN };
  const po = (c.both + c.neither) / n;
  const pA = (c.both + c.onlyA) / n;
  const pB = (c.both + c.onlyB) / n;
  const pe = pA * pB + (1 - pA) * (1 - pB);
  const kappa = pe === 1 ? NaN : (po - pe) / (1 - pe);
  const values = 2 * n;
  const n1 = 2 * c.both + c.onlyA + c.onlyB;
  const n0 = 2 * c.neither + c.onlyA + c.onlyB;
  const alpha = n0 === 0 || n1 === 0 ? NaN : 1 - ((values - 1) * (c.onlyA + c.onlyB)) / (n0 * n1);
  return { ...c, n, percent: po, kappa, alpha };
}
