import { describe, expect, it } from 'vitest';
import { colourOr, isColour } from './colour.ts';

describe('isColour', () => {
  it('accepts hex and rgb()/hsl() colours', () => {
    for (const c of ['#abc', '#ABCD', '#224870', '#22487080', 'rgb(1, 2, 3)', 'rgba(1,2,3,0.5)', 'rgb(10 20 30 / 50%)', 'hsl(200deg 50% 40%)', 'hsla(200, 50%, 40%, .3)']) {
      expect(isColour(c), c).toBe(true);
    }
  });

  it('refuses anything that could carry more CSS', () => {
    for (const c of ['red; background:url(https://evil.example/x)', '#12345', '#abcdefg', 'url(x)', 'expression(alert(1))', 'rgb(1,2,3);x:y', 'var(--x)', '', ' #abc', 42, null, '#abc\n', 'rgb(1,2)']) {
      expect(isColour(c), String(c)).toBe(false);
    }
  });

  it('falls back for what is not a colour', () => {
    expect(colourOr('#123456', '#999')).toBe('#123456');
    expect(colourOr('red;x', '#999')).toBe('#999');
  });
});
