/**
 * The agreement page's choice of unit and method, and how its figures are shown. The server
 * answers `GET /api/projects/:pid/agreement?convention=…` with `analysis`, a
 * `ConventionResult` from `@concord/shared` whose NaN values arrive as null.
 */
import {
  COEFFICIENT_LABELS, CONVENTIONS, type Coefficient, type Convention, type ConventionFigures, type ConventionResult, type Figure,
} from '@concord/shared';

export { COEFFICIENT_LABELS, CONVENTIONS, type Coefficient, type Convention };

/** A figure as JSON carries it: an undefined coefficient (NaN) arrives as null. */
export type WireFigure = { [K in keyof Figure]: Figure[K] | null };

export type WireFigures = Omit<ConventionFigures, 'figures'> & { figures: Partial<Record<Coefficient, WireFigure>> };

/** `ConventionResult` as the API sends it (its figures as `WireFigures`). */
export type WireAnalysis = Omit<ConventionResult, 'perCode' | 'overall' | 'perTranscript'> & {
  perCode: ({ codeId: string } & WireFigures)[];
  overall: WireFigures;
  perTranscript: { transcriptId: string; overall: WireFigures }[];
};

/** What the reader picks: convention, MAXQDA overlap threshold, coders compared ('a,b' or 'all'). */
export interface MethodChoice {
  convention: Convention;
  overlap: number;
  group: string;
}

export const CONVENTION_ORDER: Convention[] = ['words', 'characters', 'presence', 'frequency', 'overlap', 'alpha-family'];

/** "Characters, whole transcript — NVivo" */
export function conventionOption(c: Convention): string {
  return `${CONVENTIONS[c].label} — ${CONVENTIONS[c].tool}`;
}

/** The query string for a choice (also used for the report download). */
export function methodQuery(choice: MethodChoice, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams({ convention: choice.convention });
  if (choice.convention === 'overlap') p.set('overlap', String(choice.overlap));
  if (choice.group) p.set('group', choice.group);
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  return p.toString();
}

export function reportHref(pid: string, choice: MethodChoice, format: 'md' | 'csv'): string {
  return `/api/projects/${encodeURIComponent(pid)}/agreement/report?${methodQuery(choice, { format })}`;
}

/** Coefficients bounded by 1 the APA way: .812, −.050; percent agreement as 81.2 %; null → n/a. */
export function fmtValue(coef: Coefficient, x: number | null | undefined): string {
  if (typeof x !== 'number' || !Number.isFinite(x)) return 'n/a';
  if (coef === 'percent') return `${(x * 100).toFixed(1)} %`;
  const s = Math.abs(x).toFixed(3).replace(/^0/, '');
  return x < 0 && s !== '.000' ? `−${s}` : s;
}

/** "95 % CI [.71, .88]"; no interval → "no interval". */
export function fmtInterval(coef: Coefficient, f: WireFigure | undefined, confidence = 0.95): string {
  if (!f || f.lower === null || f.upper === null) return 'no interval';
  return `${Math.round(confidence * 100)} % CI [${fmtValue(coef, f.lower)}, ${fmtValue(coef, f.upper)}]`;
}

/** The coefficients present in an analysis, in the order the server lists them. */
export function coefficientsIn(a: WireAnalysis): Coefficient[] {
  const out = new Set<Coefficient>(Object.keys(a.overall.figures) as Coefficient[]);
  for (const c of a.perCode) for (const k of Object.keys(c.figures) as Coefficient[]) out.add(k);
  return [...out];
}

/** The groups of coders one can compare: each pair, and everyone when there are three or more. */
export function groupOptions(
  pairs: readonly { a: string; b: string }[], name: (id: string) => string,
): { value: string; label: string }[] {
  const out = pairs.map((p) => ({ value: `${p.a},${p.b}`, label: `${name(p.a)} & ${name(p.b)}` }));
  const everyone = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
  if (everyone.length >= 3) out.push({ value: 'all', label: `All ${everyone.length} coders` });
  return out;
}

/** Tone of a coefficient for colouring: Krippendorff's .800 / .667 for the α family and κ-like figures, 90 / 75 % for percent. */
export function figureTone(coef: Coefficient, x: number | null | undefined): 'good' | 'fair' | 'poor' | 'na' {
  if (typeof x !== 'number' || !Number.isFinite(x)) return 'na';
  if (coef === 'percent') return x >= 0.9 ? 'good' : x >= 0.75 ? 'fair' : 'poor';
  return x >= 0.8 ? 'good' : x >= 0.667 ? 'fair' : 'poor';
}
