import { toCsv } from '../export/csv.ts';
import { COEFFICIENT_LABELS, CONVENTIONS, type Coefficient, type ConventionFigures, type ConventionResult, type Figure } from './conventions.ts';

/** Names for the ids in a `ConventionResult`, and what the report is about. */
export interface ReportContext {
  project: string;
  coders: Readonly<Record<string, string>>;
  codes: Readonly<Record<string, string>>;
  transcripts: Readonly<Record<string, string>>;
  /** ISO date-time the figures were computed. */
  generatedAt: string;
}

/** 0.8123 → ".812", −0.05 → "−.050"; NaN → "n/a" (the APA style for coefficients bounded by 1). */
export function formatCoefficient(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  const s = Math.abs(x).toFixed(3).replace(/^0/, '');
  return x < 0 && s !== '.000' ? `−${s}` : s;
}

function formatFigure(f: Figure | undefined): string {
  if (!f) return 'n/a';
  const ci = Number.isFinite(f.lower) ? ` [${formatCoefficient(f.lower)}, ${formatCoefficient(f.upper)}]` : '';
  return `${formatCoefficient(f.value)}${ci}`;
}

const nameOf = (map: Readonly<Record<string, string>>, id: string) => map[id] ?? id;

function listing(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** One paragraph stating the method as a methods section would, with the overall figures. */
export function methodsParagraph(r: ConventionResult, ctx: ReportContext): string {
  const conv = CONVENTIONS[r.convention];
  const coefs = Object.keys(r.overall.figures) as Coefficient[];
  const level = Math.round(r.bootstrap.confidence * 100);
  const transcripts = r.perTranscript.length;
  const overlap = r.convention === 'overlap' ? ` A segment counted as agreeing when another coder’s segment with the same code covered at least ${r.overlap} % of their joint extent.` : '';
  const overall = coefs.map((c) => `${COEFFICIENT_LABELS[c]} = ${formatFigure(r.overall.figures[c])}`).join('; ');
  const ci = r.bootstrap.samples > 0
    ? ` ${level} % confidence intervals are percentile bootstrap intervals from ${r.bootstrap.samples} resamples of ${r.bootstrap.resampled}.`
    : '';
  return `Intercoder agreement was assessed for ${r.coders.length} coders (${listing(r.coders.map((c) => nameOf(ctx.coders, c)))}) `
    + `who coded ${transcripts} ${transcripts === 1 ? 'transcript' : 'transcripts'} independently with ${r.codes.length} ${r.codes.length === 1 ? 'code' : 'codes'}. `
    + `Following the convention of ${conv.tool} (${conv.label.toLowerCase()}), the unit of analysis was the ${conv.unit}: ${conv.description}${overlap} `
    + `We report ${listing(coefs.map((c) => COEFFICIENT_LABELS[c]))}, per code and over all codes.${ci} `
    + `Over all codes and transcripts (n = ${r.overall.n} units): ${overall}. Computed with Concord on ${ctx.generatedAt.slice(0, 10)}.`;
}

function tableRows(r: ConventionResult, ctx: ReportContext): { scope: string; name: string; f: ConventionFigures }[] {
  return [
    ...r.perCode.map((c) => ({ scope: 'code', name: nameOf(ctx.codes, c.codeId), f: c as ConventionFigures })),
    ...r.perTranscript.map((t) => ({ scope: 'transcript', name: nameOf(ctx.transcripts, t.transcriptId), f: t.overall })),
    { scope: 'overall', name: 'All codes and transcripts', f: r.overall },
  ];
}

/** The agreement report as Markdown: method paragraph, then per code, per transcript and overall figures with intervals. */
export function agreementMarkdown(r: ConventionResult, ctx: ReportContext): string {
  const coefs = [...new Set([...Object.keys(r.overall.figures), ...r.perCode.flatMap((c) => Object.keys(c.figures))])] as Coefficient[];
  const conv = CONVENTIONS[r.convention];
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [
    `# Intercoder agreement — ${esc(ctx.project)}`,
    '',
    `Convention: **${conv.label}** (${conv.tool})${r.convention === 'overlap' ? `, overlap ≥ ${r.overlap} %` : ''} · coders: ${r.coders.map((c) => esc(nameOf(ctx.coders, c))).join(', ')} · computed ${ctx.generatedAt}`,
    '',
    '## Method',
    '',
    methodsParagraph(r, ctx),
    '',
    '## Figures',
    '',
    `Each figure with its ${Math.round(r.bootstrap.confidence * 100)} % bootstrap interval in brackets; per-transcript figures have no interval. n/a: undefined (no variation).`,
    '',
    `| | n | ${coefs.map((c) => esc(COEFFICIENT_LABELS[c])).join(' | ')} |`,
    `| --- | ---: | ${coefs.map(() => '---:').join(' | ')} |`,
  ];
  for (const row of tableRows(r, ctx)) {
    const label = row.scope === 'overall' ? `**${esc(row.name)}**` : row.scope === 'transcript' ? `Transcript: ${esc(row.name)}` : esc(row.name);
    lines.push(`| ${label} | ${row.f.n} | ${coefs.map((c) => formatFigure(row.f.figures[c])).join(' | ')} |`);
  }
  return lines.join('\n') + '\n';
}

/** The same figures as CSV, one row per scope and coefficient (value and interval bounds, 6 decimals). */
export function agreementCsv(r: ConventionResult, ctx: ReportContext): string {
  const num = (x: number) => (Number.isFinite(x) ? x.toFixed(6) : '');
  const rows = tableRows(r, ctx).flatMap((row) => Object.entries(row.f.figures).map(([c, f]) => ({
    convention: CONVENTIONS[r.convention].label,
    tool: CONVENTIONS[r.convention].tool,
    overlap: r.convention === 'overlap' ? String(r.overlap) : '',
    coders: r.coders.map((id) => nameOf(ctx.coders, id)).join('; '),
    scope: row.scope,
    name: row.name,
    n: String(row.f.n),
    coefficient: COEFFICIENT_LABELS[c as Coefficient],
    value: num(f.value),
    ci_lower: num(f.lower),
    ci_upper: num(f.upper),
    confidence: String(r.bootstrap.confidence),
  })));
  return toCsv(rows, ['convention', 'tool', 'overlap', 'coders', 'scope', 'name', 'n', 'coefficient', 'value', 'ci_lower', 'ci_upper', 'confidence']);
}
