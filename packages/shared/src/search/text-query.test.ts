import { describe, expect, it } from 'vitest';
import { findRegex, findTerms, indexWords, parseSearchRegex, parseTextQuery, toFts5Query, toTsQuery, tokenize } from './text-query.ts';
import { unitSpan } from './units.ts';

describe('text queries', () => {
  it('normalises words: lower case, no diacritics, offsets into the original', () => {
    const text = 'Café NAÏVE, 😀 über-cool';
    expect(indexWords(text)).toBe('cafe naive uber cool');
    const t = tokenize(text);
    expect(t.map((x) => text.slice(x.start, x.end))).toEqual(['Café', 'NAÏVE', 'über', 'cool']);
    // A decomposed accent (e + U+0301) stays part of its word.
    expect(tokenize('cafe\u0301 ok').map((x) => x.norm)).toEqual(['cafe', 'ok']);
  });

  it('parses words, phrases and prefixes and writes them for FTS5 and PostgreSQL', () => {
    const q = parseTextQuery('Interv* "felt LEFT out" don\'t');
    expect(q.terms).toEqual([
      { words: ['interv'], prefix: true },
      { words: ['felt', 'left', 'out'], prefix: false },
      { words: ['don', 't'], prefix: false },
    ]);
    expect(toFts5Query(q)).toBe('"interv" * AND "felt left out" AND "don t"');
    expect(toTsQuery(q)).toBe("'interv':* & ('felt' <-> 'left' <-> 'out') & ('don' <-> 't')");
    expect(() => parseTextQuery(' "" ** ')).toThrow(/Type a word/);
  });

  it('finds every term occurrence, diacritic-insensitive, only when all terms occur', () => {
    const text = 'The café was closed. We went to the Cafe again; cafés everywhere.';
    const hits = findTerms(text, parseTextQuery('cafe'));
    expect(hits.map((h) => text.slice(h.start, h.end))).toEqual(['café', 'Cafe']);
    expect(findTerms(text, parseTextQuery('caf*')).map((h) => text.slice(h.start, h.end))).toEqual(['café', 'Cafe', 'cafés']);
    expect(findTerms(text, parseTextQuery('"went to the cafe"')).map((h) => text.slice(h.start, h.end))).toEqual(['went to the Cafe']);
    expect(findTerms(text, parseTextQuery('cafe nowhere'))).toEqual([]);
  });

  it('applies a regular expression, and refuses a broken one readably', () => {
    const text = 'aa1 bb22 cc333';
    expect(findRegex(text, parseSearchRegex('[a-z]+\\d{2,}'), 10).map((h) => text.slice(h.start, h.end))).toEqual(['bb22', 'cc333']);
    expect(findRegex(text, parseSearchRegex('\\d'), 2)).toHaveLength(2);
    expect(() => parseSearchRegex('(')).toThrow(/not a valid regular expression/);
  });

  it('widens a hit to its sentence or turn', () => {
    const text = 'Q: Hello.\nA: I was tired. Then the café closed! Nobody came.\n';
    const turn = { start: 10, end: text.length };
    const hit = { start: text.indexOf('café'), end: text.indexOf('café') + 4 };
    const slice = (s: { start: number; end: number }) => text.slice(s.start, s.end);
    expect(slice(unitSpan(text, hit, 'words', turn))).toBe('café');
    expect(slice(unitSpan(text, hit, 'sentence', turn))).toBe('Then the café closed!');
    expect(slice(unitSpan(text, hit, 'turn', turn))).toBe('A: I was tired. Then the café closed! Nobody came.');
  });
});
