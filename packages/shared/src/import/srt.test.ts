import { describe, expect, it } from 'vitest';
import { listSpeakers, parseTranscript } from './index.ts';

const SRT = [
  '\uFEFF1',
  '00:00:01,000 --> 00:00:03,500',
  'Interviewer: Could you describe',
  'your current role?',
  '',
  '2',
  '00:00:03,600 --> 00:00:05,000',
  'Interviewer: Briefly.',
  '',
  '3',
  '00:00:05,200 --> 00:00:09,000',
  'P1: <i>Sure.</i> I work on ML platforms.',
  '',
  '4',
  '00:00:09,100 --> 00:00:12,000',
  '{\\an8}P1: Mostly deployment: CI, monitoring.',
  '',
  '5',
  '00:00:12,500 --> 00:00:13,000',
  'Interviewer: Thanks!',
  '',
].join('\r\n');

describe('SRT', () => {
  it('reads numbered cues with `Speaker: text`, merging consecutive cues', () => {
    const p = parseTranscript(SRT, 'interview.srt');
    expect(p.format).toBe('srt');
    expect(listSpeakers(p.turns)).toEqual(['Interviewer', 'P1']);
    expect(p.turns).toEqual([
      { speaker: 'Interviewer', text: 'Could you describe your current role? Briefly.', startMs: 1000, endMs: 5000 },
      { speaker: 'P1', text: 'Sure. I work on ML platforms. Mostly deployment: CI, monitoring.', startMs: 5200, endMs: 12_000 },
      { speaker: 'Interviewer', text: 'Thanks!', startMs: 12_500, endMs: 13_000 },
    ]);
  });

  it('is recognised without the .srt name, and tolerates a missing blank line', () => {
    const p = parseTranscript('1\n00:00:01,000 --> 00:00:02,000\nAna: One.\n2\n00:00:02,000 --> 00:00:03,000\nBo: Two.\n\n3\n00:00:03,000 --> 00:00:04,000\nAna: Three.\n\n4\n00:00:04,000 --> 00:00:05,000\nBo: Four.');
    expect(p.format).toBe('srt');
    expect(p.turns.map((t) => [t.speaker, t.text])).toEqual([
      ['Ana', 'One.'],
      ['Bo', 'Two.'],
      ['Ana', 'Three.'],
      ['Bo', 'Four.'],
    ]);
  });

  it('a colon in a single cue is not a speaker', () => {
    const p = parseTranscript('1\n00:00:01,000 --> 00:00:02,000\nThe reason was simple: money.\n\n2\n00:00:02,500 --> 00:00:03,000\nAnd time.');
    expect(p.turns.map((t) => [t.speaker, t.text])).toEqual([[null, 'The reason was simple: money. And time.']]);
  });
});
