import { describe, expect, it } from 'vitest';
import { coefficientsIn, conventionOption, fmtInterval, fmtValue, groupOptions, methodQuery, reportHref, type WireAnalysis } from './conventions.ts';

describe('agreement method choice', () => {
  it('names each convention after its tool', () => {
    expect(conventionOption('characters')).toBe('Characters, whole transcript — NVivo');
    expect(conventionOption('alpha-family')).toContain('ATLAS.ti');
  });
  it('builds the query and the report link; overlap only for the overlap method', () => {
    expect(methodQuery({ convention: 'words', overlap: 90, group: 'a,b' })).toBe('convention=words&group=a%2Cb');
    expect(methodQuery({ convention: 'overlap', overlap: 60, group: 'all' })).toBe('convention=overlap&overlap=60&group=all');
    expect(reportHref('p 1', { convention: 'overlap', overlap: 60, group: 'all' }, 'csv')).toBe('/api/projects/p%201/agreement/report?convention=overlap&overlap=60&group=all&format=csv');
  });
  it('formats values and intervals, n/a for undefined', () => {
    expect(fmtValue('cohen', 0.8123)).toBe('.812');
    expect(fmtValue('alpha', -0.05)).toBe('−.050');
    expect(fmtValue('percent', 0.8123)).toBe('81.2 %');
    expect(fmtValue('gwet', null)).toBe('n/a');
    expect(fmtInterval('cohen', { value: 0.8, lower: 0.71, upper: 0.88 })).toBe('95 % CI [.710, .880]');
    expect(fmtInterval('cohen', { value: 0.8, lower: null, upper: null })).toBe('no interval');
  });
  it('offers every pair and, from three coders, all at once', () => {
    const name = (id: string) => id.toUpperCase();
    expect(groupOptions([{ a: 'a', b: 'b' }], name)).toEqual([{ value: 'a,b', label: 'A & B' }]);
    expect(groupOptions([{ a: 'a', b: 'b' }, { a: 'a', b: 'c' }, { a: 'b', b: 'c' }], name).at(-1)).toEqual({ value: 'all', label: 'All 3 coders' });
  });
  it('lists the coefficients of an analysis', () => {
    const f = { value: 1, lower: 1, upper: 1 };
    const a: WireAnalysis = {
      convention: 'alpha-family', coders: ['a', 'b'], codes: ['x'],
      perCode: [{ codeId: 'x', n: 3, figures: { binaryAlpha: f, kcuAlpha: f } }],
      overall: { n: 3, figures: { uAlpha: f, binaryAlpha: f, cuAlpha: f } }, perTranscript: [],
      bootstrap: { samples: 100, confidence: 0.95, resampled: 'speaker turns' },
    };
    expect(coefficientsIn(a)).toEqual(['uAlpha', 'binaryAlpha', 'cuAlpha', 'kcuAlpha']);
  });
});
