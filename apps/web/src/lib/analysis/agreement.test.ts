import { describe, expect, it } from 'vitest';
import {
  agreementTable, alphaBand, coefficientChartData, fmtCoef, fmtMetric, fmtPercent, kappaBand, pairLabel, reconcileProgress, tone,
  type AgreementReport, type CodeFigures, type Figures,
} from './agreement.ts';

const fig = (over: Partial<Figures> = {}): Figures => ({ n: 10, percent: 0.8, kappa: 0.5, alpha: 0.49, onlyA: 1, onlyB: 1, both: 3, neither: 5, ...over });
const cf = (codeId: string, over: Partial<Figures> = {}): CodeFigures => ({ codeId, ...fig(over) });

const REPORT: AgreementReport = {
  unit: 'word',
  unitNote: 'Unit: words …',
  coders: [{ id: 'a', name: 'Ada' }, { id: 'b', name: 'Ben' }],
  codes: [{ id: 'X', name: 'Data' }, { id: 'Y', name: 'Metrics' }, { id: 'Z', name: 'Aardvark' }],
  transcripts: [
    { id: 't1', name: 'Interview 1', mode: 'independent', revealed: true },
    { id: 't2', name: 'Interview 2', mode: 'independent', revealed: false },
    { id: 't3', name: 'Interview 3', mode: 'open', revealed: false },
  ],
  hidden: ['t2'],
  pairs: [{
    a: 'a', b: 'b',
    perTranscript: [
      { transcriptId: 't1', perCode: [cf('X'), cf('Y', { kappa: null, alpha: null, both: 0, onlyA: 0, onlyB: 0 }), cf('Z', { kappa: 1, alpha: 1 })], overall: fig() },
      { transcriptId: 't3', perCode: [cf('X', { kappa: -0.25 }), cf('Y', { both: 2 }), cf('Z', { both: 0, onlyA: 0, onlyB: 0, kappa: null, alpha: null })], overall: fig({ kappa: 0.3 }) },
    ],
    perCode: [cf('X'), cf('Y', { kappa: null, alpha: null }), cf('Z')],
    overall: fig({ kappa: 0.42 }),
  }],
};

describe('formatting figures', () => {
  it('shows undefined figures as n/a', () => {
    expect(fmtPercent(null)).toBe('n/a');
    expect(fmtCoef(null)).toBe('n/a');
    expect(fmtCoef(Number.NaN)).toBe('n/a');
    expect(fmtMetric('kappa', undefined)).toBe('n/a');
  });
  it('rounds percentages and uses two decimals and a real minus sign for coefficients', () => {
    expect(fmtPercent(0.8333)).toBe('83%');
    expect(fmtPercent(1)).toBe('100%');
    expect(fmtCoef(0.456)).toBe('0.46');
    expect(fmtCoef(-0.25)).toBe('−0.25');
    expect(fmtCoef(-0.001)).toBe('0.00');
    expect(fmtMetric('percent', 0.5)).toBe('50%');
  });
  it('reads κ with Landis & Koch and α with Krippendorff', () => {
    expect(kappaBand(null)).toBe('n/a');
    expect(kappaBand(-0.1)).toBe('poor');
    expect(kappaBand(0.15)).toBe('slight');
    expect(kappaBand(0.5)).toBe('moderate');
    expect(kappaBand(0.81)).toBe('almost perfect');
    expect(alphaBand(0.85)).toBe('reliable');
    expect(alphaBand(0.7)).toBe('tentative');
    expect(alphaBand(0.2)).toBe('unreliable');
    expect(tone('kappa', 0.7)).toBe('good');
    expect(tone('alpha', 0.7)).toBe('fair');
    expect(tone('percent', null)).toBe('na');
  });
  it('names the pair', () => {
    expect(pairLabel(REPORT, REPORT.pairs[0]!)).toBe('Ada & Ben');
    expect(pairLabel(REPORT, { a: 'a', b: 'gone' })).toBe('Ada & Former member');
  });
});

describe('per code × transcript table', () => {
  it('has the transcripts with figures as columns and codes in codebook order as rows', () => {
    const t = agreementTable(REPORT, REPORT.pairs[0]!, [{ id: 'Y', name: 'Metrics', depth: 0, color: '#f00' }, { id: 'X', name: 'Data', depth: 1 }]);
    expect(t.transcripts.map((x) => x.id)).toEqual(['t1', 't3']);
    // codebook order first, then the rest by name
    expect(t.rows.map((r) => r.codeId)).toEqual(['Y', 'X', 'Z']);
    expect(t.rows[0]).toMatchObject({ color: '#f00', depth: 0 });
    expect(t.rows[1]!.depth).toBe(1);
    // a code nobody used in a transcript has an empty cell there
    expect(t.rows[0]!.cells[0]).toBeNull();
    expect(t.rows[0]!.cells[1]).toMatchObject({ both: 2 });
    expect(t.rows[2]!.cells[1]).toBeNull();
    expect(t.rows[1]!.cells[1]!.kappa).toBe(-0.25);
    expect(t.totals.map((x) => x?.kappa)).toEqual([0.5, 0.3]);
    expect(t.overall.kappa).toBe(0.42);
    expect(t.rows[1]!.pooled?.codeId).toBe('X');
  });

  it('chart data: κ and α per code, codes without any figure listed as missing', () => {
    const t = agreementTable(REPORT, REPORT.pairs[0]!);
    const { data, missing } = coefficientChartData(t.rows);
    expect(missing).toEqual(['Metrics']);
    expect(data.filter((d) => d.code === 'Data').map((d) => [d.metric, d.value])).toEqual([['Cohen’s κ', 0.5], ['Krippendorff’s α', 0.49]]);
    expect(data.every((d) => Number.isFinite(d.value))).toBe(true);
  });
});

describe('reconciliation progress from the API', () => {
  it('counts the latest decision per disagreement; deferred ones are not decided', () => {
    const dis = [{ key: 'k1' }, { key: 'k2' }, { key: 'k3' }];
    const log = [
      { disagreement: 'k1', decision: 'defer' },
      { disagreement: 'k2', decision: 'accept A' },
      { disagreement: 'k1', decision: 'reject' },
      { disagreement: 'k3', decision: 'defer' },
      { disagreement: 'old', decision: 'reject' },
    ];
    expect(reconcileProgress(dis, log)).toEqual({ total: 3, decided: 2, deferred: 1 });
  });
});
