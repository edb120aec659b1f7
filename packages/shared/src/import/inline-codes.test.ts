import { describe, expect, it } from 'vitest';
import { bodyCodings, parseTranscript } from './index.ts';
import { buildCodeHierarchy, isCodeToken, parseCodeLine } from './inline-codes.ts';

describe('code lines', () => {
  it('shape', () => {
    expect(parseCodeLine('Model-Evaluation-issues [ME]')).toEqual({ name: 'Model-Evaluation-issues', abbreviation: 'ME' });
    expect(parseCodeLine('Misc')).toEqual({ name: 'Misc', abbreviation: null });
    for (const l of ['Filters.', 'So.', 'Um,', 'Mm.', 'Yeah', 'Thank', 'No, there', '42', '- item', '# Title']) {
      expect(parseCodeLine(l), l).toBeNull();
    }
    expect(isCodeToken('stack-not-standardized')).toBe(true);
    expect(isCodeToken('Mm-hmm')).toBe(false);
    expect(isCodeToken('on-premise')).toBe(false);
  });

  it('hierarchy: longest declared prefix wins; conflicts are warnings', () => {
    const { codes, warnings } = buildCodeHierarchy([
      { name: 'Model-issues', abbreviation: 'M' },
      { name: 'Model-Evaluation-issues', abbreviation: 'ME' },
      { name: 'ME-metrics', abbreviation: null },
      { name: 'M-other', abbreviation: null },
      { name: 'Other', abbreviation: 'ME' },
    ]);
    expect(codes).toEqual([
      { name: 'Model-issues', abbreviation: 'M', parentName: null },
      { name: 'Model-Evaluation-issues', abbreviation: 'ME', parentName: null },
      { name: 'ME-metrics', abbreviation: null, parentName: 'Model-Evaluation-issues' },
      { name: 'M-other', abbreviation: null, parentName: 'Model-issues' },
      { name: 'Other', abbreviation: null, parentName: null },
    ]);
    expect(warnings).toHaveLength(1);
  });

  it('hierarchy: cycles are broken', () => {
    const { codes, warnings } = buildCodeHierarchy([
      { name: 'B-x', abbreviation: 'A' },
      { name: 'A-y', abbreviation: 'B' },
    ]);
    expect(codes.filter((c) => c.parentName === null).length).toBeGreaterThan(0);
    expect(warnings.length).toBeGreaterThan(0);
  });
});

describe('inline codings in text', () => {
  it('codes the paragraph before a run, with labelled lines too', () => {
    const text = [
      'Interviewer: What went wrong?',
      'Interviewee: The data was messy.',
      '',
      'Data-quality-issues [DQ]',
      '',
      'DQ-missing-values',
      '',
      'Interviewee: And the labels, too.',
      '',
      'DQ-missing-values',
      'Interviewer: Thanks.',
    ].join('\n');
    const p = parseTranscript(text);
    expect(p.turns.map((t) => t.text)).toEqual(['What went wrong?', 'The data was messy.', 'And the labels, too.', 'Thanks.']);
    expect(bodyCodings(p).map((c) => [c.text, c.codeNames])).toEqual([
      ['The data was messy.', ['Data-quality-issues', 'DQ-missing-values']],
      ['And the labels, too.', ['DQ-missing-values']],
    ]);
    expect(p.codes).toEqual([
      { name: 'Data-quality-issues', abbreviation: 'DQ', parentName: null },
      { name: 'DQ-missing-values', abbreviation: null, parentName: 'Data-quality-issues' },
    ]);
  });

  it('covers a multi-line paragraph exactly', () => {
    const p = parseTranscript('### Interviewee\n\nFirst para.\n\nSecond para line one\nline two\n\nslow-release-cycles\n\nslow-release-cycles\n\n### Interviewer\n\nOk then');
    // The second run is adjacent to the first (only blank lines between): one run, one coding.
    expect(bodyCodings(p).map((c) => [c.text, c.codeNames])).toEqual([['Second para line one\nline two', ['slow-release-cycles']]]);
  });

  it('no false positives without code evidence', () => {
    const text = [
      '### Interviewee',
      '',
      'We moved everything on-premise.',
      '',
      'up-to-date',
      '',
      '### Interviewer',
      '',
      'Mm-hmm',
      '',
      'Interesting',
      '',
      '### Interviewee',
      '',
      'Thank',
      '',
      'Pipelines',
    ].join('\n');
    const p = parseTranscript(text);
    expect(p.codes).toEqual([]);
    expect(p.codings).toEqual([]);
    expect(p.turns.map((t) => t.text)).toEqual(['We moved everything on-premise.\nup-to-date', 'Mm-hmm\nInteresting', 'Thank\nPipelines']);
  });

  it('a one-word code is recognised alone once a run with evidence established it', () => {
    const text = 'Interviewee: one.\n\nMisc\n\nInterviewee: two.\n\nMisc\n\nslow-release-cycles [SRC]\n\nInterviewee: three.\n\nMisc';
    const p = parseTranscript(text);
    expect(bodyCodings(p).map((c) => [c.text, c.codeNames])).toEqual([
      ['one.', ['Misc']],
      ['two.', ['Misc', 'slow-release-cycles']],
      ['three.', ['Misc']],
    ]);
  });

  it('a recurring unpunctuated line of speech is not a code, even in a coded file', () => {
    const text = '### Interviewee\n\nYes.\n\nWe are not necessarily\n\n### Interviewer\n\nWell.\n\nWe are not necessarily\n\n### Interviewee\n\nRight.\n\nData-low-quality [DLQ]';
    const p = parseTranscript(text);
    expect(p.codes.map((c) => c.name)).toEqual(['Data-low-quality']);
    expect(p.turns.map((t) => t.text)).toEqual(['Yes.\nWe are not necessarily', 'Well.\nWe are not necessarily', 'Right.']);
  });
});
