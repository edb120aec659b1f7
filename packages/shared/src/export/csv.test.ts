import { describe, expect, it } from 'vitest';
import { toCsv } from './csv.ts';

describe('toCsv', () => {
  it('quotes commas, quotes and newlines, and ends lines with CRLF', () => {
    expect(toCsv([{ a: 'x, y', b: 'say "hi"\nthere' }], ['a', 'b'])).toBe('a,b\r\n"x, y","say ""hi""\nthere"\r\n');
  });
  it('neutralises spreadsheet formulas but keeps negative numbers', () => {
    expect(toCsv([{ a: '=HYPERLINK("x")', b: -3, c: '@SUM(A1)' }], ['a', 'b', 'c'])).toBe('a,b,c\r\n"\'=HYPERLINK(""x"")",-3,\'@SUM(A1)\r\n');
  });
  it('writes empty cells for null and undefined', () => {
    expect(toCsv([{ a: null, b: undefined }], ['a', 'b'])).toBe('a,b\r\n,\r\n');
  });
});
