import { describe, expect, it } from 'vitest';
import { pathQuery, planSubcode, splitSubcodeQuery, type SubcodeItem } from './subcode.ts';

const code = (id: string, name: string, parentId: string | null = null, path = '', abbreviation: string | null = null): SubcodeItem => ({
  id, name, parentId, path, abbreviation,
});

const CODES: SubcodeItem[] = [
  code('emo', 'Emotions'),
  code('joy', 'Joy', 'emo', 'Emotions'),
  code('emp', 'Employment'),
  code('dq', 'Data quality', null, '', 'DQ'),
  code('dqn', 'Noisy labels', 'dq', 'Data quality'),
  code('io', 'Input/output'),
];

describe('splitSubcodeQuery', () => {
  it('splits at the last separator and trims both parts', () => {
    expect(splitSubcodeQuery('Parent / Child')).toEqual({ parent: 'Parent', child: 'Child', strong: true });
    expect(splitSubcodeQuery('  Parent>Child  ')).toEqual({ parent: 'Parent', child: 'Child', strong: true });
    expect(splitSubcodeQuery('A › B › C')).toEqual({ parent: 'A › B', child: 'C', strong: true });
    expect(splitSubcodeQuery('A / B / new one')).toEqual({ parent: 'A / B', child: 'new one', strong: true });
    expect(splitSubcodeQuery('Parent / ')).toEqual({ parent: 'Parent', child: '', strong: true });
  });
  it('treats a bare slash between words as weak', () => {
    expect(splitSubcodeQuery('and/or')).toEqual({ parent: 'and', child: 'or', strong: false });
    expect(splitSubcodeQuery('Parent/ child')!.strong).toBe(true);
  });
  it('needs a parent part', () => {
    expect(splitSubcodeQuery('No separator')).toBeNull();
    expect(splitSubcodeQuery('/ child')).toBeNull();
    expect(splitSubcodeQuery('> child')).toBeNull();
    expect(splitSubcodeQuery('')).toBeNull();
  });
});

describe('pathQuery', () => {
  it('turns separators into spaces but keeps slashes inside words', () => {
    expect(pathQuery('Emotions / Joy')).toBe('Emotions Joy');
    expect(pathQuery('Emotions>Joy')).toBe('Emotions Joy');
    expect(pathQuery('Input/output')).toBe('Input/output');
  });
});

describe('planSubcode', () => {
  it('finds the parent by fuzzy search and names the child literally', () => {
    const plan = planSubcode('emot / Anger', CODES)!;
    expect(plan.child).toBe('Anger');
    expect(plan.parents[0]!.id).toBe('emo');
    expect(plan.existing).toEqual([]);
    expect(plan.newParent).toBeNull();
  });
  it('puts an exact name or abbreviation first', () => {
    expect(planSubcode('DQ / Missing values', CODES)!.parents[0]!.id).toBe('dq');
    expect(planSubcode('employment / Contract', CODES)!.parents[0]!.id).toBe('emp');
    // "em" matches both; at most `maxParents` candidates
    const both = planSubcode('em / x', CODES, null, 2)!;
    expect(both.parents.map((p) => p.id).sort()).toEqual(['emo', 'emp']);
  });
  it('matches a nested parent by its path', () => {
    expect(planSubcode('Emotions / Joy / Relief', CODES)!.parents[0]!.id).toBe('joy');
  });
  it('reports an existing child of the same name instead of creating a duplicate', () => {
    const plan = planSubcode('Emotions / joy', CODES)!;
    expect(plan.existing.map((c) => c.id)).toEqual(['joy']);
  });
  it('does not offer the sub-codes of the named parent as parents', () => {
    // "Joy" matches "emotions" only through its path "Emotions"
    expect(planSubcode('Emotions / Anger', CODES)!.parents.map((p) => p.id)).toEqual(['emo']);
  });
  it('offers a new top-level parent when nothing matches', () => {
    const plan = planSubcode('Workplace / Commute', CODES)!;
    expect(plan.parents).toEqual([]);
    expect(plan.newParent).toBe('Workplace');
    expect(plan.child).toBe('Commute');
    // not without a child name, and not for a nested parent path
    expect(planSubcode('Workplace / ', CODES)!.newParent).toBeNull();
    expect(planSubcode('Zzz / Qqq / Commute', CODES)!.newParent).toBeNull();
  });
  it('reads a bare slash as a separator only after the start of a code name', () => {
    expect(planSubcode('Data/Drift', CODES)!.parents.map((p) => p.id)).toEqual(['dq']);
    const plan = planSubcode('Beliefs and/or values', CODES)!;
    expect(plan.parents).toEqual([]);
    expect(plan.newParent).toBeNull();
    expect(planSubcode('plain name', CODES)).toBeNull();
  });
  it('uses a pinned parent while the query starts with its prefix', () => {
    const pinned = { item: CODES[2]!, prefix: 'Employment / ' };
    expect(planSubcode('Employment / ', CODES, pinned)).toEqual({ child: '', parents: [CODES[2]], existing: [], newParent: null });
    expect(planSubcode('Employment / Shift work', CODES, pinned)!.child).toBe('Shift work');
    // editing the prefix drops the pin and the query is read again
    expect(planSubcode('Emotions / Fear', CODES, pinned)!.parents[0]!.id).toBe('emo');
  });
  it('stays fast with hundreds of codes', () => {
    const many: SubcodeItem[] = [];
    for (let i = 0; i < 400; i++) many.push(code(`c${i}`, `Theme ${i} ${['trust', 'workload', 'tools', 'learning'][i % 4]}`, i > 20 ? `c${i % 20}` : null, i > 20 ? `Theme ${i % 20}` : ''));
    const start = performance.now();
    for (let k = 0; k < 50; k++) planSubcode(`them ${k} / new child ${k}`, many);
    expect((performance.now() - start) / 50).toBeLessThan(20);
  });
});
