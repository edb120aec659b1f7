import { describe, expect, it } from 'vitest';
import { listSpeakers, parseTranscript, transcriptBody } from './index.ts';
import { acceptLabel, isKnownSpeakerPattern, isLabelShaped, timestampToMs } from './speakers.ts';

describe('speaker label rule', () => {
  it('knows the usual role patterns', () => {
    for (const l of ['Interviewer', 'Interviewer 1', 'interviewee', 'Participant 3', 'P1', 'P 12', 'R2', 'Speaker 2', 'Speaker #3', 'Moderator', 'INT1', 'Respondent B']) {
      expect(isKnownSpeakerPattern(l), l).toBe(true);
    }
    for (const l of ['Interview 12 - Amin', 'The problem', 'Company X', 'I', 'Note']) {
      expect(isKnownSpeakerPattern(l), l).toBe(false);
    }
  });

  it('rejects sentence-like lead-ins', () => {
    expect(isLabelShaped('The main problem we had was')).toBe(false); // 6 words
    expect(isLabelShaped('So, basically')).toBe(false); // comma
    expect(isLabelShaped('Why?')).toBe(false);
    expect(acceptLabel('Note', { count: 5, requireNameLike: true })).toBe(false);
    expect(acceptLabel('Yeah', { count: 5, requireNameLike: true })).toBe(false);
    expect(acceptLabel('the model', { count: 3, requireNameLike: true })).toBe(false); // not name-like
    expect(acceptLabel('Amin', { count: 1, requireNameLike: true })).toBe(false); // once
    expect(acceptLabel('Amin', { count: 2, requireNameLike: true })).toBe(true);
    expect(acceptLabel('I', { count: 1, requireNameLike: true })).toBe(false);
    expect(acceptLabel('I', { count: 4, requireNameLike: true })).toBe(true);
  });

  it('reads timestamps', () => {
    expect(timestampToMs('00:01:02.500')).toBe(62_500);
    expect(timestampToMs('[1:02:03]')).toBe(3_723_000);
    expect(timestampToMs('0:03')).toBe(3000);
    expect(timestampToMs('12:75')).toBeNull();
  });
});

describe('labelled lines', () => {
  it('does not mistake ordinary sentences with colons for labels', () => {
    const text = [
      'The main problem we had was: the data was messy.',
      '',
      'Note: this part was hard to hear.',
      '',
      'Company X: they use Azure for everything.',
      '',
      'At 10:30 we met again. Note: nothing changed.',
    ].join('\n');
    const p = parseTranscript(text);
    expect(p.format).toBe('paragraphs');
    expect(listSpeakers(p.turns)).toEqual([]);
    expect(p.turns.map((t) => t.text)).toEqual(text.split('\n').filter(Boolean));
    expect(p.warnings).toContain('No speaker labels were recognised; the text was imported as paragraphs without speakers.');
  });

  it('accepts recurring names, and a colon later in the text is content', () => {
    const p = parseTranscript(
      'Amin: Hello, the issue was: data.\nRached: Okay.\nAmin: The second issue: models.\n\nRached: Thanks.\nAnd one more thing: bye.',
    );
    expect(p.format).toBe('labelled-lines');
    expect(p.turns).toEqual([
      { speaker: 'Amin', text: 'Hello, the issue was: data.' },
      { speaker: 'Rached', text: 'Okay.' },
      { speaker: 'Amin', text: 'The second issue: models.' },
      { speaker: 'Rached', text: 'Thanks.\nAnd one more thing: bye.' },
    ]);
  });

  it('needs a second voice before trusting recurrence alone', () => {
    // One name recurring, nothing else: more likely a repeated lead-in than a dialogue.
    const p = parseTranscript('Result: good.\n\nResult: bad.\n\nSummary: fine.');
    expect(listSpeakers(p.turns)).toEqual([]);
    const q = parseTranscript('Dana: first.\n\nDana: second.');
    expect(listSpeakers(q.turns)).toEqual([]);
    // …but a known role alone is fine.
    expect(listSpeakers(parseTranscript('Interviewee: first.\n\nInterviewee: second.').turns)).toEqual(['Interviewee']);
  });

  it('handles Windows line endings, a BOM, tabs, trailing spaces and bold labels', () => {
    const text = '\uFEFFInterviewer:\tHello there.   \r\n\r\n**P1:** Hi!\t\r\n  \r\nmore from P1   \r\nInterviewer\tAnd then?\r\nP1: Done.';
    const p = parseTranscript(text);
    expect(p.turns).toEqual([
      { speaker: 'Interviewer', text: 'Hello there.' },
      { speaker: 'P1', text: 'Hi!\nmore from P1' },
      { speaker: 'Interviewer', text: 'And then?' },
      { speaker: 'P1', text: 'Done.' },
    ]);
    const body = transcriptBody(p.turns);
    expect(body.text).toBe('Hello there.\n\nHi!\nmore from P1\n\nAnd then?\n\nDone.');
    expect(body.text).not.toMatch(/[\r\t\uFEFF]/);
  });

  it('reads single-letter labels when they recur, and timestamps before labels', () => {
    const p = parseTranscript('[00:00:05] I: How did it start?\n[00:00:09] R: Slowly.\n[00:01:10] I: And then?\n[00:01:12] R: Fast.');
    expect(p.turns.map((t) => [t.speaker, t.text, t.startMs])).toEqual([
      ['I', 'How did it start?', 5000],
      ['R', 'Slowly.', 9000],
      ['I', 'And then?', 70_000],
      ['R', 'Fast.', 72_000],
    ]);
  });

  it('reads Otter-style standalone labels with times', () => {
    const p = parseTranscript('Speaker 1  0:03\nSo tell me about your work.\n\nSpeaker 2  0:09\nI build models.\nMostly for retail.\n\nTranscribed by https://otter.ai');
    expect(p.format).toBe('standalone-labels');
    expect(p.turns).toEqual([
      { speaker: 'Speaker 1', text: 'So tell me about your work.', startMs: 3000 },
      { speaker: 'Speaker 2', text: 'I build models.\nMostly for retail.', startMs: 9000 },
    ]);
  });

  it('keeps placeholders like "Company X" as content', () => {
    const p = parseTranscript('Interviewer: Where?\n\nInterviewee: At Company X, in Region Y.');
    expect(p.turns[1]).toEqual({ speaker: 'Interviewee', text: 'At Company X, in Region Y.' });
  });

  it('one spelling per speaker', () => {
    const p = parseTranscript('INTERVIEWER: a\nInterviewee: b\nInterviewer: c');
    expect(listSpeakers(p.turns)).toEqual(['INTERVIEWER', 'Interviewee']);
  });

  it('merges consecutive turns of one speaker on request', () => {
    const text = '### Interviewee\n\nOne.\n\n### Interviewee\n\nTwo.\n\n### Interviewer\n\nThree.';
    expect(parseTranscript(text).turns).toHaveLength(3);
    expect(parseTranscript(text, undefined, { mergeConsecutiveSpeakers: true }).turns).toEqual([
      { speaker: 'Interviewee', text: 'One.\nTwo.' },
      { speaker: 'Interviewer', text: 'Three.' },
    ]);
  });
});

describe('fallback and robustness', () => {
  it('falls back to paragraphs for unknown layouts', () => {
    const p = parseTranscript('Some notes about the day.\nA second line.\n\n\n\nAnother paragraph here.');
    expect(p.format).toBe('paragraphs');
    expect(p.title).toBeNull();
    expect(p.turns).toEqual([
      { speaker: null, text: 'Some notes about the day.\nA second line.' },
      { speaker: null, text: 'Another paragraph here.' },
    ]);
  });

  it('takes a Markdown heading as the title even without labels', () => {
    const p = parseTranscript('# Field notes\n\nWe met at the office.');
    expect(p.title).toBe('Field notes');
    expect(p.turns).toEqual([{ speaker: null, text: 'We met at the office.' }]);
  });

  it('never throws', () => {
    const inputs = [
      '',
      '   \n\t\n',
      ':',
      '::::',
      '#',
      '**',
      '-->',
      'WEBVTT',
      'WEBVTT\n\n00:00.000 --> 00:01.000\n',
      '1\n00:00:01,000 --> garbage',
      'x'.repeat(200_000),
      'Interviewer:\n'.repeat(1000),
      '\u0000\u0001\u0002',
      'a\r\rb\u2028c',
      '[ABBR]\n\nName [X]\n\n- [ ]',
    ];
    for (const i of inputs) {
      const p = parseTranscript(i);
      expect(Array.isArray(p.turns)).toBe(true);
      expect(p.turns.every((t) => t.text !== '' && !t.text.includes('\n\n'))).toBe(true);
    }
    expect(parseTranscript('').warnings).toEqual(['The transcript is empty.']);
  });
});
