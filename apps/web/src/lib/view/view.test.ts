import { describe, expect, it } from 'vitest';
import { assignLanes, assignStableLanes, layoutLabels, maxDepth } from './lanes.ts';
import { fuzzyMatch, rankCodes } from './fuzzy.ts';
import { cleanRecent, pushRecent } from './recent.ts';
import { canMoveUnder, dropPlacement, flattenTree, type TreeCode } from './tree.ts';
import { darken, initials, memberColors, textOn, userColor, withAlpha, USER_COLORS } from './colors.ts';
import { parsePath, pathOf } from '../routes.ts';

describe('lanes', () => {
  it('puts overlapping codings in different lanes and reuses freed lanes', () => {
    const lanes = assignLanes([
      { id: 'a', start: 0, end: 10 },
      { id: 'b', start: 5, end: 15 },
      { id: 'c', start: 10, end: 20 },
      { id: 'd', start: 2, end: 4 },
    ]);
    expect(lanes.get('a')).toBe(0);
    expect(lanes.get('d')).toBe(1);
    expect(lanes.get('b')).toBe(1);
    expect(lanes.get('c')).toBe(0);
    expect(maxDepth([{ id: 'a', start: 0, end: 10 }, { id: 'b', start: 5, end: 15 }, { id: 'c', start: 10, end: 20 }])).toBe(2);
  });
  it('nests a longer coding outside a shorter one starting at the same place', () => {
    const lanes = assignLanes([
      { id: 'short', start: 0, end: 5 },
      { id: 'long', start: 0, end: 50 },
    ]);
    expect(lanes.get('long')).toBe(0);
    expect(lanes.get('short')).toBe(1);
  });
  it('keeps existing lanes when a new coding arrives', () => {
    const base = [
      { id: 'a', start: 10, end: 20, createdAt: 1 },
      { id: 'b', start: 15, end: 30, createdAt: 2 },
      { id: 'c', start: 40, end: 50, createdAt: 3 },
    ];
    const before = assignStableLanes(base);
    expect([...before.values()]).toEqual([0, 1, 0]);
    const after = assignStableLanes([...base, { id: 'd', start: 0, end: 100, createdAt: 4 }]);
    for (const it of base) expect(after.get(it.id)).toBe(before.get(it.id));
    expect(after.get('d')).toBe(2);
    // no two overlapping codings share a lane
    const many = Array.from({ length: 300 }, (_, i) => ({ id: String(i), start: (i * 37) % 500, end: ((i * 37) % 500) + 5 + (i % 60), createdAt: i }));
    const lanes = assignStableLanes(many);
    for (const x of many) for (const y of many) {
      if (x.id < y.id && lanes.get(x.id) === lanes.get(y.id)) expect(x.end <= y.start || y.end <= x.start).toBe(true);
    }
  });
  it('stacks labels without overlap', () => {
    const tops = layoutLabels([
      { id: 'a', top: 0, height: 10 },
      { id: 'b', top: 4, height: 10 },
      { id: 'c', top: 40, height: 10 },
    ], 2);
    expect(tops.get('a')).toBe(0);
    expect(tops.get('b')).toBe(12);
    expect(tops.get('c')).toBe(40);
  });
});

describe('fuzzy', () => {
  it('matches in order, prefers substrings and word starts', () => {
    expect(fuzzyMatch('dlq', 'Data-low-quality')).not.toBeNull();
    expect(fuzzyMatch('xyz', 'Data-low-quality')).toBeNull();
    const sub = fuzzyMatch('qual', 'Data-low-quality')!;
    const scattered = fuzzyMatch('qual', 'question about language')!;
    expect(sub.score).toBeGreaterThan(scattered.score);
  });
  it('ranks exact abbreviations first', () => {
    const codes = [
      { id: '1', name: 'Model-Evaluation-issues', abbreviation: 'ME', path: '' },
      { id: '2', name: 'Metrics', abbreviation: null, path: '' },
      { id: '3', name: 'ME-metrics-a-are-poor-proxy-of-quality', abbreviation: null, path: 'Model-Evaluation-issues' },
    ];
    expect(rankCodes('ME', codes)[0]!.item.id).toBe('1');
    expect(rankCodes('poor proxy', codes)[0]!.item.id).toBe('3');
    expect(rankCodes('', codes).map((r) => r.item.id)).toEqual(['1', '2', '3']);
  });
});

describe('recent', () => {
  it('keeps nine, newest first, no duplicates', () => {
    let r: string[] = [];
    for (const id of ['a', 'b', 'c', 'a']) r = pushRecent(r, id);
    expect(r).toEqual(['a', 'c', 'b']);
    r = Array.from({ length: 12 }, (_, i) => String(i)).reduce<string[]>((acc, id) => pushRecent(acc, id), []);
    expect(r.length).toBe(9);
    expect(r[0]).toBe('11');
  });
  it('follows merges and drops deleted codes', () => {
    const alias: Record<string, string> = { old: 'new' };
    expect(cleanRecent(['old', 'gone', 'new', 'x'], (id) => id !== 'gone', (id) => alias[id] ?? id)).toEqual(['new', 'x']);
  });
});

describe('tree', () => {
  const codes: TreeCode[] = [
    { id: 'p', name: 'Parent', abbreviation: 'P', color: '#000', parentId: null, order: 1 },
    { id: 'c2', name: 'Zeta', abbreviation: null, color: '#000', parentId: 'p', order: 2 },
    { id: 'c1', name: 'Alpha', abbreviation: null, color: '#000', parentId: 'p', order: 1 },
    { id: 'g', name: 'Grandchild', abbreviation: null, color: '#000', parentId: 'c1', order: 1 },
    { id: 'o', name: 'Orphan', abbreviation: null, color: '#000', parentId: 'missing', order: 0 },
  ];
  it('flattens depth-first by order with orphans at top level', () => {
    const flat = flattenTree(codes);
    expect(flat.map((n) => `${n.depth}:${n.code.id}`)).toEqual(['0:o', '0:p', '1:c1', '2:g', '1:c2']);
    expect(flat.find((n) => n.code.id === 'g')!.ancestors).toEqual(['Parent', 'Alpha']);
    expect(flattenTree(codes, new Set(['p'])).map((n) => n.code.id)).toEqual(['o', 'p']);
  });
  it('survives cycles', () => {
    const cyc: TreeCode[] = [
      { id: 'a', name: 'A', abbreviation: null, color: '#000', parentId: 'b', order: 1 },
      { id: 'b', name: 'B', abbreviation: null, color: '#000', parentId: 'a', order: 2 },
    ];
    expect(flattenTree(cyc).map((n) => n.code.id).sort()).toEqual(['a', 'b']);
  });
  it('refuses moving a code under its own descendant', () => {
    expect(canMoveUnder(codes, 'p', 'g')).toBe(false);
    expect(canMoveUnder(codes, 'p', 'p')).toBe(false);
    expect(canMoveUnder(codes, 'g', 'c2')).toBe(true);
    expect(canMoveUnder(codes, 'g', null)).toBe(true);
  });
  it('places drops between siblings', () => {
    const c1 = codes.find((c) => c.id === 'c1')!;
    expect(dropPlacement(codes, c1, 'after')).toEqual({ parentId: 'p', order: 1.5 });
    expect(dropPlacement(codes, c1, 'before')).toEqual({ parentId: 'p', order: 0 });
    expect(dropPlacement(codes, c1, 'inside')).toEqual({ parentId: 'c1', order: 2 });
  });
});

describe('colors', () => {
  it('is stable and readable', () => {
    expect(userColor('u1')).toBe(userColor('u1'));
    expect(withAlpha('#ff0000', 0.5)).toBe('rgba(255, 0, 0, 0.5)');
    expect(textOn('#F0E442')).toBe('#111827');
    expect(textOn('#0072B2')).toBe('#ffffff');
    expect(darken('#ffffff', 0.5)).toBe('#808080');
    expect(initials('Ada Lovelace')).toBe('AL');
    expect(initials('ada')).toBe('AD');
    const color = memberColors(['a', 'b', 'c']);
    expect(new Set(['a', 'b', 'c'].map(color)).size).toBe(3);
    expect(color('a')).toBe(USER_COLORS[0]);
    expect(color('zzz')).toBe(userColor('zzz'));
  });
});

describe('routes', () => {
  it('round-trips', () => {
    for (const r of [
      { name: 'projects' } as const,
      { name: 'project', pid: 'abc' } as const,
      { name: 'transcript', pid: 'p1', tid: 't1' } as const,
      { name: 'login', next: '/projects/x' } as const,
    ]) {
      const u = new URL(pathOf(r), 'http://x');
      expect(parsePath(u.pathname, u.search)).toEqual(r);
    }
    expect(parsePath('/nope/x').name).toBe('not-found');
  });
});
