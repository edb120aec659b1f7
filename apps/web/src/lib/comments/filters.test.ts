import { describe, expect, it } from 'vitest';
import { filterCounts, filterShowing, filterThreads, visibleComments, type FilterableThread } from './filters.ts';
import { codingsMatching } from './codings.ts';
import { badgeText, inboxHeadline, timeAgo } from './format.ts';

const c = (authorId: string, mentions: string[] = [], deleted = false) => ({ authorId, mentions, deleted });
const threads: FilterableThread[] = [
  { id: 't1', authorId: 'me', resolved: false, comments: [c('me', ['ben'])] },
  { id: 't2', authorId: 'ben', resolved: false, comments: [c('ben', ['me']), c('me')] },
  { id: 't3', authorId: 'ben', resolved: true, comments: [c('ben')] },
  { id: 't4', authorId: 'ada', resolved: true, comments: [c('ada', ['me'], true), c('me', [], true)] },
  { id: 't5', authorId: 'ada', resolved: false, comments: [c('ada')] },
];

describe('thread filters', () => {
  const ids = (f: Parameters<typeof filterThreads>[1]) => filterThreads(threads, f, 'me').map((t) => t.id);
  it('open and resolved', () => {
    expect(ids('open')).toEqual(['t1', 't2', 't5']);
    expect(ids('resolved')).toEqual(['t3', 't4']);
  });
  it('mine: started by me or with a comment of mine still there', () => {
    expect(ids('mine')).toEqual(['t1', 't2']);
  });
  it('mentioning me: in a comment that is not deleted', () => {
    expect(ids('mentions')).toEqual(['t2']);
  });
  it('counts each filter', () => {
    expect(filterCounts(threads, 'me')).toEqual({ open: 3, resolved: 2, mine: 2, mentions: 1 });
  });
  it('switches to a filter that shows a thread only when needed', () => {
    expect(filterShowing(threads[0]!, 'mine', 'me')).toBe('mine');
    expect(filterShowing(threads[2]!, 'open', 'me')).toBe('resolved');
    expect(filterShowing(threads[4]!, 'resolved', 'me')).toBe('open');
  });
  it('drops deleted comments at the end of a thread only', () => {
    const list = [{ deleted: false }, { deleted: true }, { deleted: false }, { deleted: true }];
    expect(visibleComments(list)).toHaveLength(3);
    expect(visibleComments([{ deleted: true }])).toHaveLength(0);
  });
});

describe('codings matching a selection', () => {
  const text = 'We want to guide future work on quality.';
  const codings = [
    { id: 'a', start: 3, end: 7 },
    { id: 'b', start: 3, end: 16 },
    { id: 'c', start: 2, end: 7 }, // starts on the space before "want"
  ];
  it('matches the same words, ignoring whitespace at the ends', () => {
    expect(codingsMatching(codings, 3, 7, text).map((x) => x.id)).toEqual(['a', 'c']);
    expect(codingsMatching(codings, 2, 8, text).map((x) => x.id)).toEqual(['a', 'c']);
    expect(codingsMatching(codings, 3, 16, text).map((x) => x.id)).toEqual(['b']);
    expect(codingsMatching(codings, 4, 7, text)).toEqual([]);
    expect(codingsMatching(codings, 2, 3, text)).toEqual([]);
  });
});

describe('formatting', () => {
  const now = new Date(2026, 5, 15, 12).getTime();
  it('says how long ago', () => {
    expect(timeAgo(now - 10_000, now)).toBe('just now');
    expect(timeAgo(now - 5 * 60_000, now)).toBe('5 minutes ago');
    expect(timeAgo(now - 3600_000, now)).toBe('an hour ago');
    expect(timeAgo(now - 26 * 3600_000, now)).toBe('yesterday');
    expect(timeAgo(now - 3 * 86400_000, now)).toBe('3 days ago');
  });
  it('headlines and badges', () => {
    expect(inboxHeadline('mention', 'Ada')).toBe('Ada mentioned you');
    expect(inboxHeadline('reply', '')).toMatch(/^Someone replied/);
    expect(badgeText(7)).toBe('7');
    expect(badgeText(120)).toBe('99+');
  });
});
