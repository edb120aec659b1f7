import { describe, expect, it } from 'vitest';
import type { Decision, DecisionAction } from '@concord/shared';
import {
  canApply, isSharedPosition, latestByKey, maxSeq, neighbour, nextUndecided, pickPosition, positionPrefix, progressOf, relativeTime, statusOf,
} from './shape.ts';

const dec = (key: string, action: DecisionAction, at = 0): Decision => ({ id: `${key}-${at}`, disagreementKey: key, action, userId: 'u', at, comment: '', summary: '' });
const ALL = ['k1', 'k2', 'k3', 'k4'].map((key) => ({ key }));

describe('reconciliation helpers', () => {
  it('only offers actions the disagreement allows', () => {
    const onlyA = { a: { id: 'x', codeId: 'c', coderId: 'a', start: 0, end: 1 }, b: null };
    expect(canApply('accept-a', onlyA)).toBe(true);
    expect(canApply('accept-b', onlyA)).toBe(false);
    expect(canApply('keep-both', onlyA)).toBe(false);
    expect(canApply('merge', onlyA)).toBe(false);
    expect(canApply('reject', onlyA)).toBe(true);
    expect(canApply('defer', onlyA)).toBe(true);
  });

  it('takes the latest decision of each disagreement; deferred ones stay open', () => {
    const latest = latestByKey([dec('k1', 'defer', 1), dec('k2', 'accept-a', 2), dec('k1', 'merge', 3), dec('k3', 'defer', 4)]);
    expect(latest.get('k1')!.action).toBe('merge');
    expect(statusOf(latest, 'k1')).toBe('decided');
    expect(statusOf(latest, 'k3')).toBe('deferred');
    expect(statusOf(latest, 'k4')).toBe('open');
    expect(progressOf(ALL, latest)).toEqual({ total: 4, decided: 2, deferred: 1, open: 1 });
  });

  it('moves on to the next open disagreement, wrapping round, then to deferred ones', () => {
    const latest = latestByKey([dec('k2', 'accept-a'), dec('k3', 'defer')]);
    expect(nextUndecided(ALL, latest, 'k1')).toBe('k4');
    expect(nextUndecided(ALL, latest, 'k4')).toBe('k1');
    expect(nextUndecided(ALL, latest, null)).toBe('k1');
    const allButDeferred = latestByKey([dec('k1', 'reject'), dec('k2', 'reject'), dec('k3', 'defer'), dec('k4', 'reject')]);
    expect(nextUndecided(ALL, allButDeferred, 'k4')).toBe('k3');
    const done = latestByKey(ALL.map((d) => dec(d.key, 'reject')));
    expect(nextUndecided(ALL, done, 'k1')).toBeNull();
    expect(nextUndecided([], done, null)).toBeNull();
  });

  it('steps to neighbours in text order', () => {
    expect(neighbour(ALL, 'k2', 1)).toBe('k3');
    expect(neighbour(ALL, 'k1', -1)).toBeNull();
    expect(neighbour(ALL, null, 1)).toBe('k1');
    expect(neighbour(ALL, 'gone', -1)).toBe('k4');
  });

  it('keeps one shared position per pair of coders, whoever moved last by the logical clock', () => {
    const prefix = positionPrefix('a', 'b');
    expect(prefix).toBe('position:a,b:');
    const pos = (key: string, by: string, seq: number, at = 0) => ({ key, by, seq, at });
    expect(isSharedPosition(pos('k', 'u', 1))).toBe(true);
    expect(isSharedPosition({ key: 1 })).toBe(false);
    expect(isSharedPosition(null)).toBe(false);
    expect(pickPosition([], prefix)).toBeNull();
    // A and B both put the position on k1 at the same time (seq 1), then A moved on (seq 2) —
    // however the moves arrive, and even if B's computer clock is ahead
    const entries: [string, unknown][] = [
      [`${prefix}userA`, pos('k2', 'userA', 2, 1000)],
      [`${prefix}userB`, pos('k1', 'userB', 1, 9_999_999)],
      ['position:a,c:userC', pos('other', 'userC', 9)],
      ['junk', 'x'],
    ];
    expect(pickPosition(entries, prefix)?.key).toBe('k2');
    expect(pickPosition([...entries].reverse(), prefix)?.key).toBe('k2');
    expect(maxSeq(entries, prefix)).toBe(2);
    // a tie is broken by user id, the same on every client
    const tie: [string, unknown][] = [[`${prefix}userA`, pos('k1', 'userA', 1)], [`${prefix}userB`, pos('k3', 'userB', 1)]];
    expect(pickPosition(tie, prefix)?.key).toBe('k3');
    expect(pickPosition([...tie].reverse(), prefix)?.key).toBe('k3');
  });

  it('says how long ago', () => {
    expect(relativeTime(1000, 1000 + 10_000)).toBe('just now');
    expect(relativeTime(0, 5 * 60_000)).toBe('5 min ago');
    expect(relativeTime(0, 3 * 3600_000)).toBe('3 h ago');
  });
});
