import { describe, expect, it } from 'vitest';
import { coderPairs, pairCodes, type ComparedTranscript } from './pooled.ts';

const t = (id: string, coders: Record<string, string[]>): ComparedTranscript => ({
  id, text: 'x'.repeat(10), turns: [[0, 10]],
  coders: new Map(Object.entries(coders).map(([c, codes]) => [c, codes.map((codeId) => ({ start: 0, end: 1, codeId }))])),
});

describe('pooling over a pair\'s own codes (issue #13)', () => {
  const one = t('1', { a: ['X'], b: ['X', 'Y'], c: ['W'] });
  const two = t('2', { a: ['Z'], b: [] });
  it('does not depend on the order of transcripts', () => {
    expect(pairCodes([one, two], 'a', 'b')).toEqual(pairCodes([two, one], 'a', 'b'));
    expect(pairCodes([two, one], 'a', 'b')).toEqual(['X', 'Y', 'Z']);
    expect(coderPairs([two, one])).toEqual(coderPairs([one, two]));
  });
  it('leaves out codes only a third coder used', () => {
    expect(pairCodes([one, two], 'a', 'b')).not.toContain('W');
    expect(pairCodes([one, two], 'a', 'c')).toEqual(['W', 'X']);
  });
});
