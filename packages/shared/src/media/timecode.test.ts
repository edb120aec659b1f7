import { describe, expect, it } from 'vitest';
import { formatTimecode, timeForOffset, turnIndexAtTime } from './timecode.ts';

describe('formatTimecode', () => {
  it('writes minutes and seconds, hours from an hour on', () => {
    expect(formatTimecode(0)).toBe('0:00');
    expect(formatTimecode(65.4)).toBe('1:05');
    expect(formatTimecode(3723)).toBe('1:02:03');
    expect(formatTimecode(7.45, true)).toBe('0:07.4');
    expect(formatTimecode(-3)).toBe('0:00');
    expect(formatTimecode(Number.NaN)).toBe('0:00');
  });
});

describe('turnIndexAtTime', () => {
  const turns = [
    { startTime: 0, endTime: 4 },
    { startTime: null, endTime: null },
    { startTime: 5, endTime: 12 },
    { startTime: 13, endTime: 15 },
  ];
  it('finds the turn being spoken, skipping turns without a time', () => {
    expect(turnIndexAtTime(turns, 0)).toBe(0);
    expect(turnIndexAtTime(turns, 4.5)).toBe(0);
    expect(turnIndexAtTime(turns, 5)).toBe(2);
    expect(turnIndexAtTime(turns, 12.9)).toBe(2);
    expect(turnIndexAtTime(turns, 14)).toBe(3);
  });
  it('is -1 before the first timed turn and long after the last one ended', () => {
    expect(turnIndexAtTime([{ startTime: 3, endTime: null }], 1)).toBe(-1);
    expect(turnIndexAtTime(turns, 100)).toBe(-1);
    expect(turnIndexAtTime([], 1)).toBe(-1);
  });
});

describe('timeForOffset', () => {
  const turns = [
    { start: 0, startTime: 1.5 },
    { start: 10, startTime: null },
    { start: 20, startTime: 9 },
  ];
  it('is the start of the turn holding the words, or of the last timed turn before it', () => {
    expect(timeForOffset(turns, 3)).toBe(1.5);
    expect(timeForOffset(turns, 12)).toBe(1.5);
    expect(timeForOffset(turns, 20)).toBe(9);
    expect(timeForOffset([{ start: 0, startTime: null }], 5)).toBeNull();
  });
});
