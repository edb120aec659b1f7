import { describe, expect, it } from 'vitest';
import { listSpeakers, parseTranscript, transcriptBody } from './index.ts';
import {
  DESCRIPT_TXT, NVIVO_TABLE_TXT, OTRANSCRIBE_TXT, OTTER_TXT, REV_TXT, SRT, TEAMS_DOCX_PARAGRAPHS, TEAMS_VTT, ZOOM_VTT,
} from './fixtures/formats.ts';

/** [speaker, startMs] of every turn. */
const timing = (text: string, file?: string) => parseTranscript(text, file).turns.map((t) => [t.speaker, t.startMs]);

describe('each tool\'s published layout: speakers and timestamps', () => {
  it('Zoom VTT', () => {
    const p = parseTranscript(ZOOM_VTT, 'GMT20240105-140312_Recording.transcript.vtt');
    expect(p.turns).toEqual([
      { speaker: 'Interviewer', text: 'Thanks for joining. Could you introduce yourself?', startMs: 1040, endMs: 4320 },
      { speaker: 'Amélie Dubois', text: 'Sure. I lead the data team at Company X. We build ranking models.', startMs: 5100, endMs: 12000 },
      { speaker: 'Interviewer', text: 'What goes wrong most often?', startMs: 13250, endMs: 15000 },
    ]);
  });

  it('Teams VTT', () => {
    expect(parseTranscript(TEAMS_VTT, 'meeting.vtt').turns).toEqual([
      { speaker: 'Jane Doe', text: "Okay, let's get started with the interview.", startMs: 1520, endMs: 4880 },
      { speaker: "Seán O'Brien", text: 'Happy to. Where should I begin?', startMs: 5200, endMs: 8100 },
      { speaker: 'Jane Doe', text: 'With your role.', startMs: 8600, endMs: 11000 },
    ]);
  });

  it('SRT', () => {
    const p = parseTranscript(SRT, 'interview.srt');
    expect(p.format).toBe('srt');
    expect(p.turns.map((t) => [t.speaker, t.startMs, t.endMs])).toEqual([
      ['Interviewer', 500, 3000],
      ['Participant 2', 3400, 7900],
      ['Interviewer', 8000, 10250],
    ]);
    expect(p.turns[1]!.text).toBe('About three years, mostly on the data pipeline.');
  });

  it('Otter: standalone labels with times, the footer named as it is', () => {
    const p = parseTranscript(OTTER_TXT, 'otter.txt');
    expect(timing(OTTER_TXT)).toEqual([['Speaker 1', 3000], ['Priya Nair', 9000], ['Speaker 1', 62000]]);
    expect(p.turns.map((t) => t.text).join(' ')).not.toMatch(/otter/i);
    expect(p.warnings).toContain('The export footer "Transcribed by https://otter.ai" was removed.');
    expect(p.warnings.join(' ')).not.toMatch(/Created with/);
  });

  it('Rev', () => {
    expect(timing(REV_TXT)).toEqual([['Interviewer', 2000], ['Seo-yeon Park', 7000], ['Interviewer', 75000]]);
  });

  it('Descript', () => {
    expect(timing(DESCRIPT_TXT)).toEqual([
      ['Interviewer', 0], ['Kwame Mensah', 4000], ['Interviewer', 11000], ['Kwame Mensah', 13000],
    ]);
  });

  it('oTranscribe', () => {
    expect(timing(OTRANSCRIBE_TXT)).toEqual([['Interviewer', 5000], ['Respondent', 12000], ['Interviewer', 100000]]);
  });

  it('NVivo transcript table: one turn per row, header dropped, time spans become start and end', () => {
    const p = parseTranscript(NVIVO_TABLE_TXT, 'Interview 7.txt');
    expect(p.format).toBe('nvivo-table');
    expect(p.turns).toEqual([
      { speaker: 'Interviewer', text: 'Thank you for taking part. Please introduce yourself.', startMs: 0, endMs: 7400 },
      { speaker: '王芳', text: '我负责数据质量。Mostly data quality.', startMs: 7400, endMs: 21900 },
      { speaker: 'Interviewer', text: 'What is the hardest part?', startMs: 21900, endMs: 30500 },
    ]);
    expect(p.warnings).toEqual([]);
    const body = transcriptBody(p.turns);
    expect(body.text).not.toMatch(/Timespan|0:00:/);
    expect(body.turnRanges[1]).toMatchObject({ startMs: 7400, endMs: 21900 });
  });

  it('Teams .docx: notices and the date and duration lines are not speech', () => {
    // mammoth turns each Word paragraph into a line followed by a blank line.
    const p = parseTranscript(TEAMS_DOCX_PARAGRAPHS.join('\n\n'), 'Project interview 4.docx');
    expect(p.title).toBe('Project interview 4-20240105_140312-Meeting Recording');
    expect(p.turns).toEqual([
      { speaker: 'Jane Doe', text: 'Thanks for joining. Could you tell me about your team?', startMs: 3000 },
      { speaker: 'Tomás García', text: 'Sure. We are four engineers and one data scientist.', startMs: 10000 },
      { speaker: 'Jane Doe', text: 'That is all, thank you.', startMs: 31000 },
    ]);
    expect(p.warnings).toContain("The meeting's date and duration lines were not imported as speech.");
    expect(p.warnings).toContain('2 meeting notice(s) ("… started transcription") were left out of the speakers\' words.');
  });
});

describe('a speaker who speaks once', () => {
  it('is a speaker when the rest of the document is a `Name:` dialogue (accented name)', () => {
    const p = parseTranscript('Interviewer: How did the audit go?\nFrançois Lefèvre: Badly, to be honest.\nInterviewer: Why?\n');
    expect(p.turns.map((t) => [t.speaker, t.text])).toEqual([
      ['Interviewer', 'How did the audit go?'],
      ['François Lefèvre', 'Badly, to be honest.'],
      ['Interviewer', 'Why?'],
    ]);
  });

  it('in Zoom captions too', () => {
    const vtt = 'WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nInterviewer: Ready?\n\n2\n00:00:02.500 --> 00:00:04.000\nJosé Núñez: Yes.\n\n3\n00:00:04.500 --> 00:00:06.000\nInterviewer: Good.\n';
    expect(timing(vtt, 'zoom.vtt')).toEqual([['Interviewer', 1000], ['José Núñez', 2500], ['Interviewer', 4500]]);
  });

  it('names with apostrophes, particles and lower-case second parts', () => {
    const p = parseTranscript('Interviewer: Hello.\n\nSiobhán O\'Connor: Hi.\n\nInterviewer: And you?\n\nAna de la Cruz: Hello too.\n');
    expect(listSpeakers(p.turns)).toEqual(['Interviewer', "Siobhán O'Connor", 'Ana de la Cruz']);
  });

  it('names in Chinese and Japanese, with the full-width colon', () => {
    const p = parseTranscript('访谈者：你们怎么检查数据？\n王芳：我们每周抽查一次。\n访谈者：谁负责？\n田中 さん：私です。\n');
    expect(p.turns.map((t) => [t.speaker, t.text])).toEqual([
      ['访谈者', '你们怎么检查数据？'],
      ['王芳', '我们每周抽查一次。'],
      ['访谈者', '谁负责？'],
      ['田中 さん', '私です。'],
    ]);
  });

  it('full-width colon after a Latin name, recurring', () => {
    expect(listSpeakers(parseTranscript('Interviewer： Hi.\nLi Wei： Hello.\nLi Wei： Again.\n').turns)).toEqual(['Interviewer', 'Li Wei']);
  });
});

describe('prose that must not become a speaker', () => {
  it('"Note: the tape stopped" inside a dialogue stays in the turn', () => {
    const p = parseTranscript('Interviewer: Go on.\nParticipant: We shipped it anyway.\nNote: the tape stopped here.\nInterviewer: Shall we restart?\n');
    expect(listSpeakers(p.turns)).toEqual(['Interviewer', 'Participant']);
    expect(p.turns[1]!.text).toBe('We shipped it anyway.\nNote: the tape stopped here.');
  });

  it('items of a list after a lead-in, lower-case lead-ins and a lone label in prose', () => {
    const p = parseTranscript('Interviewer: Which tools?\nParticipant: We use:\nPython: for the models\nInterviewer: Thanks.\nBackground noise: traffic.\n');
    expect(listSpeakers(p.turns)).toEqual(['Interviewer', 'Participant']);
    const prose = parseTranscript('We met in March.\n\nRemember: the data was late.\n\nThen it was fine.');
    expect(listSpeakers(prose.turns)).toEqual([]);
  });
});
