/**
 * Shaping the agreement report (`GET /api/projects/:pid/agreement`) for tables
 * and charts. The server sends undefined coefficients (no variation, no units)
 * as null; every formatter shows those as "n/a".
 */
export interface Figures {
  n: number;
  percent: number | null;
  kappa: number | null;
  alpha: number | null;
  onlyA: number;
  onlyB: number;
  both: number;
  neither: number;
}

export interface CodeFigures extends Figures {
  codeId: string;
}

export interface PairReport {
  a: string;
  b: string;
  perTranscript: { transcriptId: string; perCode: CodeFigures[]; overall: Figures }[];
  perCode: CodeFigures[];
  overall: Figures;
}

export interface AgreementReport {
  unit: string;
  unitNote: string;
  coders: { id: string; name: string }[];
  codes: { id: string; name: string }[];
  transcripts: { id: string; name: string; mode: 'open' | 'independent'; revealed: boolean }[];
  hidden: string[];
  pairs: PairReport[];
}

export type Metric = 'percent' | 'kappa' | 'alpha';

export const METRIC_LABELS: Record<Metric, string> = {
  percent: 'Percent agreement',
  kappa: 'Cohen’s κ',
  alpha: 'Krippendorff’s α',
};

export const METRIC_SHORT: Record<Metric, string> = { percent: '%', kappa: 'κ', alpha: 'α' };

const defined = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

/** 0.8333 → "83%"; null → "n/a". */
export function fmtPercent(x: number | null | undefined): string {
  return defined(x) ? `${Math.round(x * 100)}%` : 'n/a';
}

/** κ or α with two decimals and a real minus sign; null → "n/a". */
export function fmtCoef(x: number | null | undefined): string {
  if (!defined(x)) return 'n/a';
  const s = Math.abs(x).toFixed(2);
  return x < 0 && s !== '0.00' ? `−${s}` : s;
}

export function fmtMetric(metric: Metric, x: number | null | undefined): string {
  return metric === 'percent' ? fmtPercent(x) : fmtCoef(x);
}

/**
 * Landis & Koch's (1977) reading of κ, which researchers quote; used as a hint
 * only (for α, Krippendorff asks for ≥ .800, or ≥ .667 for tentative conclusions).
 */
export function kappaBand(k: number | null | undefined): 'n/a' | 'poor' | 'slight' | 'fair' | 'moderate' | 'substantial' | 'almost perfect' {
  if (!defined(k)) return 'n/a';
  if (k < 0) return 'poor';
  if (k <= 0.2) return 'slight';
  if (k <= 0.4) return 'fair';
  if (k <= 0.6) return 'moderate';
  if (k <= 0.8) return 'substantial';
  return 'almost perfect';
}

export function alphaBand(a: number | null | undefined): 'n/a' | 'reliable' | 'tentative' | 'unreliable' {
  if (!defined(a)) return 'n/a';
  if (a >= 0.8) return 'reliable';
  if (a >= 0.667) return 'tentative';
  return 'unreliable';
}

/** A CSS class for a coefficient cell: good / fair / poor / na. */
export function tone(metric: Metric, x: number | null | undefined): 'good' | 'fair' | 'poor' | 'na' {
  if (!defined(x)) return 'na';
  if (metric === 'percent') return x >= 0.9 ? 'good' : x >= 0.75 ? 'fair' : 'poor';
  if (metric === 'alpha') return x >= 0.8 ? 'good' : x >= 0.667 ? 'fair' : 'poor';
  return x > 0.6 ? 'good' : x > 0.4 ? 'fair' : 'poor';
}

export function pairKeyOf(p: { a: string; b: string }): string {
  return `${p.a},${p.b}`;
}

export function coderName(report: Pick<AgreementReport, 'coders'>, id: string): string {
  return report.coders.find((c) => c.id === id)?.name ?? 'Former member';
}

export function pairLabel(report: Pick<AgreementReport, 'coders'>, p: { a: string; b: string }): string {
  return `${coderName(report, p.a)} & ${coderName(report, p.b)}`;
}

export interface TableRow {
  codeId: string;
  name: string;
  /** Position in the codebook hierarchy (0 = top level). */
  depth: number;
  color: string;
  /** Pooled over the transcripts shown. */
  pooled: CodeFigures | null;
  /** One per column transcript; null when the code has no figures there. */
  cells: (Figures | null)[];
}

export interface AgreementTable {
  transcripts: { id: string; name: string }[];
  rows: TableRow[];
  /** Per transcript, all codes pooled. */
  totals: (Figures | null)[];
  overall: Figures;
}

/**
 * A per code × transcript table for one pair of coders. Rows follow `codeOrder`
 * (codebook order; codes of the report missing there come last, by name), and
 * only codes with figures appear. Columns are the transcripts with figures for
 * this pair, in the report's order.
 */
export function agreementTable(
  report: AgreementReport,
  pair: PairReport,
  codeOrder: readonly { id: string; name: string; depth?: number; color?: string }[] = [],
): AgreementTable {
  const withFigures = new Set(pair.perTranscript.map((t) => t.transcriptId));
  const transcripts = report.transcripts.filter((t) => withFigures.has(t.id)).map((t) => ({ id: t.id, name: t.name }));
  const perT = new Map(pair.perTranscript.map((t) => [t.transcriptId, t]));
  const codeIds = new Set(pair.perCode.map((c) => c.codeId));
  const ordered: { id: string; name: string; depth: number; color: string }[] = [];
  const seen = new Set<string>();
  for (const c of codeOrder) {
    if (!codeIds.has(c.id) || seen.has(c.id)) continue;
    seen.add(c.id);
    ordered.push({ id: c.id, name: c.name, depth: c.depth ?? 0, color: c.color ?? '#8a93a3' });
  }
  const rest = report.codes.filter((c) => codeIds.has(c.id) && !seen.has(c.id)).sort((x, y) => x.name.localeCompare(y.name));
  for (const c of rest) ordered.push({ id: c.id, name: c.name, depth: 0, color: '#8a93a3' });
  const pooled = new Map(pair.perCode.map((c) => [c.codeId, c]));
  const rows: TableRow[] = ordered.map((c) => ({
    codeId: c.id,
    name: c.name,
    depth: c.depth,
    color: c.color,
    pooled: pooled.get(c.id) ?? null,
    cells: transcripts.map((t) => {
      const f = perT.get(t.id)?.perCode.find((x) => x.codeId === c.id);
      // a code no coder used in this transcript has no units there: leave the cell empty
      return f && f.both + f.onlyA + f.onlyB > 0 ? f : null;
    }),
  }));
  return { transcripts, rows, totals: transcripts.map((t) => perT.get(t.id)?.overall ?? null), overall: pair.overall };
}

export interface ChartDatum {
  code: string;
  codeId: string;
  metric: string;
  value: number;
}

/**
 * Long-format rows for a grouped bar chart of κ and α per code. Undefined
 * coefficients are left out of the data and listed in `missing`, so the chart
 * can say which codes have no figure rather than drawing a zero.
 */
export function coefficientChartData(rows: readonly TableRow[]): { data: ChartDatum[]; missing: string[] } {
  const data: ChartDatum[] = [];
  const missing: string[] = [];
  for (const r of rows) {
    const f = r.pooled;
    if (!f) continue;
    let any = false;
    for (const metric of ['kappa', 'alpha'] as const) {
      const v = f[metric];
      if (defined(v)) {
        data.push({ code: r.name, codeId: r.codeId, metric: METRIC_LABELS[metric], value: v });
        any = true;
      }
    }
    if (!any) missing.push(r.name);
  }
  return { data, missing };
}

/** Reconciliation progress from the disagreements and the decision log rows of the API. */
export function reconcileProgress(
  disagreements: readonly { key: string }[], decisions: readonly { disagreement: string; decision: string }[],
): { total: number; decided: number; deferred: number } {
  const latest = new Map<string, string>();
  for (const d of decisions) latest.set(d.disagreement, d.decision);
  let decided = 0;
  let deferred = 0;
  for (const d of disagreements) {
    const l = latest.get(d.key);
    if (l === undefined) continue;
    if (l === 'defer') deferred++;
    else decided++;
  }
  return { total: disagreements.length, decided, deferred };
}
