import { describe, expect, it } from 'vitest';
import { filterMembers, insertMention, mentionQuery, parseMentions } from './mentions.ts';

const members = [
  { userId: 'a', name: 'Ada Okafor', email: 'ada@example.org' },
  { userId: 'b', name: 'Ben Lindqvist', email: 'ben@example.org' },
  { userId: 'c', name: 'José Álvarez', email: 'jalvarez@example.org' },
  { userId: 'd', name: 'Benedikt Huber', email: 'bh@example.org' },
  { userId: 'e', name: 'Ann', email: 'ann@example.org' },
  { userId: 'f', name: 'Ann Lee', email: 'lee@example.org' },
];

describe('mentionQuery', () => {
  it('finds the "@…" being typed before the caret', () => {
    expect(mentionQuery('Hello @Be', 9)).toEqual({ start: 6, query: 'Be' });
    expect(mentionQuery('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionQuery('ask (@ben l', 11)).toEqual({ start: 5, query: 'ben l' });
  });
  it('ignores email addresses, finished lines and long runs', () => {
    expect(mentionQuery('mail ben@exa', 12)).toBeNull();
    expect(mentionQuery('@ben\nmore', 9)).toBeNull();
    expect(mentionQuery('@ one', 5)).toBeNull();
    expect(mentionQuery('@a b c d e', 10)).toBeNull();
    expect(mentionQuery('no at sign', 5)).toBeNull();
  });
  it('only looks before the caret', () => {
    expect(mentionQuery('@Ben and more', 4)).toEqual({ start: 0, query: 'Ben' });
  });
});

describe('filterMembers', () => {
  it('ranks name starts, then word starts, then emails', () => {
    expect(filterMembers(members, 'ben').map((m) => m.userId)).toEqual(['b', 'd']);
    expect(filterMembers(members, 'lind').map((m) => m.userId)).toEqual(['b']);
    expect(filterMembers(members, 'jalv').map((m) => m.userId)).toEqual(['c']);
    expect(filterMembers(members, 'LEE').map((m) => m.userId)).toEqual(['f']);
  });
  it('ignores accents and case, excludes people and limits', () => {
    expect(filterMembers(members, 'jose').map((m) => m.userId)).toEqual(['c']);
    expect(filterMembers(members, 'alv').map((m) => m.userId)).toEqual(['c']);
    expect(filterMembers(members, '', { exclude: ['a'], limit: 3 }).map((m) => m.userId)).toEqual(['e', 'f', 'b']);
    expect(filterMembers(members, 'zzz')).toEqual([]);
  });
});

describe('insertMention', () => {
  it('replaces the typed query with the full name and a space', () => {
    expect(insertMention('Hi @be', 3, 6, 'Ben Lindqvist')).toEqual({ text: 'Hi @Ben Lindqvist ', caret: 18 });
    const r = insertMention('Hi @be, what', 3, 6, 'Ben Lindqvist');
    expect(r.text).toBe('Hi @Ben Lindqvist , what');
    const s = insertMention('Hi @be what', 3, 6, 'Ben Lindqvist');
    expect(s.text).toBe('Hi @Ben Lindqvist what');
    expect(s.text.slice(0, s.caret)).toBe('Hi @Ben Lindqvist ');
  });
});

describe('parseMentions', () => {
  it('returns the ids of members mentioned by full name, in order, once each', () => {
    expect(parseMentions('@Ben Lindqvist and @ada okafor, again @Ben Lindqvist', members)).toEqual(['b', 'a']);
  });
  it('prefers the longest name and needs a word boundary', () => {
    expect(parseMentions('@Ann Lee agrees', members)).toEqual(['f']);
    expect(parseMentions('@Ann agrees, @Ann Lee too', members)).toEqual(['e', 'f']);
    expect(parseMentions('@Annabel', members)).toEqual([]);
    expect(parseMentions('ann@example.org', members)).toEqual([]);
    expect(parseMentions('no mentions', members)).toEqual([]);
  });
});
