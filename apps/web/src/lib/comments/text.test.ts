import { describe, expect, it } from 'vitest';
import { bodySegments, excerpt, safeHref, splitLinks, splitMentions } from './text.ts';

describe('splitLinks', () => {
  it('finds http and https links in plain text', () => {
    expect(splitLinks('see https://example.org/a?b=1#c and http://x.io')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.org/a?b=1#c', href: 'https://example.org/a?b=1#c' },
      { kind: 'text', text: ' and ' },
      { kind: 'link', text: 'http://x.io', href: 'http://x.io/' },
    ]);
  });

  it('leaves sentence punctuation and closing brackets outside the link', () => {
    const links = (s: string) => splitLinks(s).filter((x) => x.kind === 'link').map((x) => x.text);
    expect(links('Read https://example.org/paper.')).toEqual(['https://example.org/paper']);
    expect(links('(see https://example.org/x), then')).toEqual(['https://example.org/x']);
    expect(links('https://en.wikipedia.org/wiki/Kappa_(statistics) is good')).toEqual(['https://en.wikipedia.org/wiki/Kappa_(statistics)']);
    expect(links('is it https://example.org/?!')).toEqual(['https://example.org/']);
  });

  it('never links other schemes or markup', () => {
    for (const s of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)//https://x.org',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox',
      'xhttps://example.org',
      'ftp://example.org',
    ]) {
      const segs = splitLinks(s);
      for (const seg of segs) if (seg.kind === 'link') expect(seg.href).toMatch(/^https?:\/\//);
    }
    expect(splitLinks('javascript:alert(1)')).toEqual([{ kind: 'text', text: 'javascript:alert(1)' }]);
    expect(splitLinks('xhttps://example.org')).toEqual([{ kind: 'text', text: 'xhttps://example.org' }]);
    // quotes and angle brackets end a link, so an attribute cannot be smuggled in
    const segs = splitLinks('<a href="https://e.org/" onclick="x">');
    expect(segs.find((s) => s.kind === 'link')).toEqual({ kind: 'link', text: 'https://e.org/', href: 'https://e.org/' });
    expect(segs.map((s) => s.text).join('')).toBe('<a href="https://e.org/" onclick="x">');
  });

  it('keeps the whole text, markup included, as text', () => {
    const body = '<img src=x onerror="window.__xss=1"> <script>window.__xss=2</script>';
    expect(splitLinks(body)).toEqual([{ kind: 'text', text: body }]);
  });

  it('safeHref accepts only http(s) URLs with a host', () => {
    expect(safeHref('https://example.org')).toBe('https://example.org/');
    expect(safeHref('http:/example.org')).toBe('http://example.org/');
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('https://')).toBeNull();
    expect(safeHref('not a url')).toBeNull();
  });
});

describe('mentions in bodies', () => {
  const people = [
    { userId: 'u1', name: 'Ann' },
    { userId: 'u2', name: 'Ann Lee' },
    { userId: 'u3', name: 'Ben Lindqvist' },
  ];

  it('marks @Full Name of mentioned people, longest name first, case-insensitive', () => {
    expect(splitMentions('Hi @ann lee and @Ben Lindqvist!', people)).toEqual([
      { kind: 'text', text: 'Hi ' },
      { kind: 'mention', text: '@ann lee', userId: 'u2' },
      { kind: 'text', text: ' and ' },
      { kind: 'mention', text: '@Ben Lindqvist', userId: 'u3' },
      { kind: 'text', text: '!' },
    ]);
  });

  it('does not mark names inside words or email addresses', () => {
    expect(splitMentions('mail ann@Ann.org or @Annabel', people)).toEqual([{ kind: 'text', text: 'mail ann@Ann.org or @Annabel' }]);
  });

  it('combines links and mentions; a link keeps its "@"', () => {
    expect(bodySegments('@Ann see https://x.org/@Ann', people)).toEqual([
      { kind: 'mention', text: '@Ann', userId: 'u1' },
      { kind: 'text', text: ' see ' },
      { kind: 'link', text: 'https://x.org/@Ann', href: 'https://x.org/@Ann' },
    ]);
  });

  it('excerpt collapses whitespace and shortens', () => {
    expect(excerpt('  a\n\n b  ')).toBe('a b');
    expect(excerpt('x'.repeat(20), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});
