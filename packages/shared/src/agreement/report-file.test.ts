import { describe, expect, it } from 'vitest';
import { conventionAgreement } from './conventions.ts';
import { FIXTURE } from './test-fixture.ts';
import { agreementCsv, agreementMarkdown, formatCoefficient, methodsParagraph, type ReportContext } from './report-file.ts';

const ctx: ReportContext = {
  project: 'ML quality | study', coders: { A: 'Ann', B: 'Ben' }, codes: { metrics: 'Metrics', data: 'Data', ownership: 'Ownership' },
  transcripts: { t1: 'Interview 1' }, generatedAt: '2026-12-07T20:00:00.000Z',
};

describe('agreement report files', () => {
  const r = conventionAgreement([FIXTURE], ['A', 'B'], 'overlap', { overlap: 40, bootstrap: { samples: 100 } });
  it('states the method in one paragraph with the figures and intervals', () => {
    const p = methodsParagraph(r, ctx);
    expect(p).toContain('2 coders (Ann and Ben)');
    expect(p).toContain('MAXQDA');
    expect(p).toContain('at least 40 %');
    expect(p).toContain('Percent agreement = .667 [');
    expect(p).toContain('percentile bootstrap intervals from 100 resamples of coded segments');
    expect(p.split('\n')).toHaveLength(1);
  });
  it('Markdown: a row per code, transcript and overall, pipes escaped', () => {
    const md = agreementMarkdown(r, ctx);
    expect(md).toContain('# Intercoder agreement — ML quality \\| study');
    expect(md).toMatch(/\| Metrics \| 2 \| 1\.000/);
    expect(md).toMatch(/\| \*\*All codes and transcripts\*\* \| 6 \| \.667 \[/);
    expect(md).toContain('| Transcript: Interview 1 | 6 |');
  });
  it('CSV: one row per scope and coefficient with bounds', () => {
    const lines = agreementCsv(r, ctx).trim().split('\r\n');
    expect(lines[0]).toBe('convention,tool,overlap,coders,scope,name,n,coefficient,value,ci_lower,ci_upper,confidence');
    const overall = lines.find((l) => l.includes('overall') && l.includes('Percent agreement'))!;
    expect(overall).toContain('0.666667');
    // per code the percentage only (as MAXQDA); per transcript and overall also Brennan–Prediger κ
    expect(lines).toHaveLength(1 + 3 + (1 + 1) * 2);
  });
  it('escapes the bar of |uα in Markdown table headers', () => {
    const md = agreementMarkdown(conventionAgreement([FIXTURE], ['A', 'B'], 'alpha-family', { bootstrap: { samples: 0 } }), ctx);
    expect(md).toContain('Krippendorff’s \\|uα');
    expect(md.split('\n').find((l) => l.startsWith('| |'))!.split(/(?<!\\)\|/).length).toBe(md.split('\n').find((l) => l.startsWith('| ---'))!.split('|').length);
  });
  it('formats coefficients the APA way', () => {
    expect(formatCoefficient(0.81234)).toBe('.812');
    expect(formatCoefficient(-0.05)).toBe('−.050');
    expect(formatCoefficient(1)).toBe('1.000');
    expect(formatCoefficient(NaN)).toBe('n/a');
  });
});
