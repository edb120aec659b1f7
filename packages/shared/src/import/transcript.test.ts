import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  bodyCodings,
  inlineCodingToBodyRange,
  listSpeakers,
  parseTranscript,
  transcriptBody,
  type ParsedTranscript,
} from './index.ts';

const seedsDir = new URL('../../../../seeds/', import.meta.url);
const seedFiles = readdirSync(seedsDir).filter((f) => f.endsWith('.txt')).sort();

function seed(prefix: string): { name: string; text: string; lines: string[] } {
  const name = seedFiles.find((f) => f.startsWith(prefix));
  if (!name) throw new Error(`seed ${prefix} missing`);
  const text = readFileSync(new URL(name, seedsDir), 'utf8');
  return { name, text, lines: text.split('\n') };
}

/** Non-empty lines of the body text, in order. */
function bodyLines(p: ParsedTranscript): string[] {
  return transcriptBody(p.turns).text.split('\n').filter((l) => l !== '');
}

/** The turn whose text contains `needle` (exactly one). */
function turnWith(p: ParsedTranscript, needle: string) {
  const found = p.turns.filter((t) => t.text.includes(needle));
  expect(found, `turns containing ${JSON.stringify(needle)}`).toHaveLength(1);
  return found[0]!;
}

const DELVE_FOOTER = /^Created with the Delve Qualitative Analysis Tool/;

/** Every code line written in seed 003 (see the 003 block below). */
const CODE_LINES_003 = new Set([
  'Data-low-quality',
  'ML-pipeline-issues [MLP]',
  'MLP-unstable-external-dependency',
  'ME-metrics-a-are-poor-proxy-of-quality',
  'Model-Evaluation-issues [ME]',
  'QM-data-privacy-issues',
  'Data-low-quantity',
  'Misc',
  'Stakeholders-lack-of-knowledge',
  'stack-not-standardized',
]);

interface SeedExpectation {
  prefix: string;
  title: string | null;
  format: ParsedTranscript['format'];
  speakers: string[];
  turns: number;
  /** The source lines that must make up the body, in order (labels, titles, codes, footers removed). */
  contentLines: (lines: string[]) => string[];
}

const trimmedNonBlank = (lines: string[]) => lines.map((l) => l.trim()).filter((l) => l !== '');

const SEEDS: SeedExpectation[] = [
  {
    // `Interviewer 1: text` / `Interviewee: text`, one line each, no unlabelled text.
    prefix: '000_',
    title: null,
    format: 'labelled-lines',
    speakers: ['Interviewer 1', 'Interviewee'],
    turns: 169, // 51 `Interviewer 1:` + 118 `Interviewee:` lines
    contentLines: (lines) =>
      trimmedNonBlank(lines).map((l) => /^(?:Interviewer 1|Interviewee):\s*(.*)$/.exec(l)![1]!.trim()).filter(Boolean),
  },
  {
    // `## Interview 9 - Rached` title, `### Speaker` then `**Speaker**` labels, `---` + Delve footer.
    prefix: '001_',
    title: 'Interview 9 - Rached',
    format: 'heading-labels',
    speakers: ['Interviewee', 'Interviewer 1'],
    turns: 189, // 5 + 4 `###` labels, 47 + 133 `**…**` labels
    contentLines: (lines) =>
      trimmedNonBlank(lines).filter(
        (l) => !/^#{2,3} /.test(l) && !/^\*\*(?:Interviewee|Interviewer 1)\*\*$/.test(l) && l !== '---' && !DELVE_FOOTER.test(l),
      ),
  },
  {
    // `Interviewer: text` / `Interviewee: text`; line 219 is `Interviewee: ` with no text.
    prefix: '002_',
    title: null,
    format: 'labelled-lines',
    speakers: ['Interviewer', 'Interviewee'],
    turns: 160, // 67 + 94 labelled lines, minus the empty one
    contentLines: (lines) =>
      trimmedNonBlank(lines).map((l) => /^(?:Interviewer|Interviewee):\s*(.*)$/.exec(l)![1]!.trim()).filter(Boolean),
  },
  {
    // `# Interview 12 - Amin`, `##`/`###`/`####` labels (also `## **Interviewer 2**`), code lines, Delve footer.
    prefix: '003_',
    title: 'Interview 12 - Amin',
    format: 'heading-labels',
    speakers: ['Interviewer 1', 'Interviewee', 'Interviewer 2'],
    turns: 140, // 38+11 Interviewer 1, 50+29+1 Interviewee, 7+2+2 Interviewer 2 label lines
    contentLines: (lines) =>
      trimmedNonBlank(lines).filter((l) => !/^#{1,4} /.test(l) && !CODE_LINES_003.has(l) && !DELVE_FOOTER.test(l)),
  },
  {
    // Plain first line as title, then `Interviewer 1` / `Interviewee` alone on a line.
    prefix: '004_',
    title: 'Interview 16 - Rached',
    format: 'standalone-labels',
    speakers: ['Interviewer 1', 'Interviewee'],
    turns: 174, // 58 + 116 label lines
    contentLines: (lines) =>
      trimmedNonBlank(lines)
        .slice(1)
        .filter((l) => !/^(?:Interviewer 1|Interviewee)$/.test(l) && !DELVE_FOOTER.test(l)),
  },
];

describe('parseTranscript over every seed', () => {
  it('covers all five seed files', () => {
    expect(seedFiles.map((f) => f.slice(0, 4))).toEqual(['000_', '001_', '002_', '003_', '004_']);
  });

  for (const s of SEEDS) {
    describe(s.prefix, () => {
      const { name, text, lines } = seed(s.prefix);
      const p = parseTranscript(text, name);

      it('finds the title, the format and exactly the speakers', () => {
        expect(p.title).toBe(s.title);
        expect(p.format).toBe(s.format);
        expect(new Set(listSpeakers(p.turns))).toEqual(new Set(s.speakers));
        expect(listSpeakers(p.turns)).toHaveLength(s.speakers.length);
        expect(p.turns).toHaveLength(s.turns);
        expect(p.turns.every((t) => t.speaker !== null)).toBe(true);
      });

      it('keeps every line of speech, in order, and nothing else', () => {
        expect(bodyLines(p)).toEqual(s.contentLines(lines));
      });

      it('leaves no label, heading mark, bold mark, code line or footer in any turn', () => {
        for (const t of p.turns) {
          expect(t.text).not.toBe('');
          expect(t.text).not.toContain('\n\n');
          expect(t.text).not.toContain('**');
          for (const l of t.text.split('\n')) {
            expect(l).toBe(l.trim());
            expect(l).not.toMatch(/^#/);
            expect(l).not.toMatch(/^(?:Interviewer(?: \d)?|Interviewee)\s*:?$/);
            expect(l).not.toMatch(/^(?:Interviewer(?: \d)?|Interviewee):/);
            expect(CODE_LINES_003.has(l)).toBe(false);
            expect(l).not.toMatch(/^[\w]+(?:-[\w]+){2,}$/);
            expect(l).not.toMatch(DELVE_FOOTER);
            expect(l).not.toBe('---');
          }
        }
      });

      it('builds a body whose turn ranges match the turns', () => {
        const body = transcriptBody(p.turns);
        expect(body.turnRanges).toHaveLength(p.turns.length);
        body.turnRanges.forEach((r, i) => {
          expect(body.text.slice(r.start, r.end)).toBe(p.turns[i]!.text);
          expect(r.speaker).toBe(p.turns[i]!.speaker);
          if (i > 0) expect(body.text.slice(body.turnRanges[i - 1]!.end, r.start)).toBe('\n\n');
        });
        expect(body.turnRanges[0]!.start).toBe(0);
        expect(body.turnRanges.at(-1)!.end).toBe(body.text.length);
      });

      if (s.prefix !== '003_') {
        it('finds no inline codes', () => {
          expect(p.codes).toEqual([]);
          expect(p.codings).toEqual([]);
        });
      }
    });
  }
});

describe('unlabelled lines continue the previous turn', () => {
  it('000: every line is labelled; labels map one to one onto turns', () => {
    const p = parseTranscript(seed('000_').text);
    expect(p.turns[0]).toEqual({
      speaker: 'Interviewer 1',
      text: 'All right. So, uh, can you give us a little bit of information about yourself specific to ML or in general? Okay.',
    });
    const t = turnWith(p, 't, . Oh, yeah. Oh, CHATT is yet to come');
    expect(t.speaker).toBe('Interviewee');
    expect(t.text.startsWith('t, . Oh, yeah.')).toBe(true);
    expect(p.turns.at(-1)).toEqual({ speaker: 'Interviewee', text: 'Bye.' });
    expect(p.warnings).toEqual([]);
  });

  it('001: "show" and "care about these." stay with the Interviewee turn above them', () => {
    const p = parseTranscript(seed('001_').text);
    const a = turnWith(p, 'There is kind of a cool in Continent 1');
    expect(a.speaker).toBe('Interviewee');
    expect(a.text.endsWith('\nshow')).toBe(true);
    expect(a.text.split('\n')).toHaveLength(2);
    const b = turnWith(p, 'And it says like a made or news');
    expect(b.speaker).toBe('Interviewee');
    expect(b.text.endsWith('\ncare about these.')).toBe(true);
    // The first `### Interviewee` turn, right after the title.
    expect(p.turns[0]).toEqual({ speaker: 'Interviewee', text: 'yeah, I perfect. I did.' });
    expect(p.warnings).toContain('The export footer "Created with the Delve Qualitative Analysis Tool (<http://www.delvetool.com>)" was removed.');
  });

  it('002: the empty `Interviewee: ` label is skipped, the next turn keeps its speaker', () => {
    const p = parseTranscript(seed('002_').text);
    const t = turnWith(p, "Can't answer for this either.");
    expect(t.speaker).toBe('Interviewee');
    expect(p.warnings).toEqual(['1 speaker label(s) with no text were skipped (line 219).']);
    expect(p.turns.some((t) => t.text === '')).toBe(false);
  });

  it('003: "We are not necessarily" continues the `### Interviewee` turn "Yeah."', () => {
    const p = parseTranscript(seed('003_').text);
    const t = turnWith(p, 'We are not necessarily');
    expect(t).toEqual({ speaker: 'Interviewee', text: 'Yeah.\nWe are not necessarily' });
    const next = p.turns[p.turns.indexOf(t) + 1]!;
    expect(next.speaker).toBe('Interviewer 2');
    expect(next.text.startsWith('interested in those technical details')).toBe(true);

    const u = turnWith(p, 'Um, do I know, uh, do you, do you mean');
    expect(u.speaker).toBe('Interviewer 1');
    expect(u.text.startsWith('Okay. Thank you. Uh, now I will ask you some question about, uh, model evaluation.')).toBe(true);

    // "why is it like that?" (## Interviewer 1) is followed by an unlabelled paragraph, then code lines.
    const w = turnWith(p, 'why is it like that?');
    expect(w.speaker).toBe('Interviewer 1');
    expect(w.text.split('\n')).toHaveLength(2);
    expect(w.text.split('\n')[1]!.startsWith('Complexity? Very complex environment.')).toBe(true);

    // The one-word line "Thank" after `## Interviewer 2` is speech ("Thank / you for your time"), not a code.
    const thank = p.turns.filter((x) => x.text === 'Thank');
    expect(thank).toEqual([{ speaker: 'Interviewer 2', text: 'Thank' }]);
    expect(p.codes.map((c) => c.name)).not.toContain('Thank');
    // `## **Interviewer 2**` is a label too (bold inside a heading).
    expect(p.turns.at(-1)).toEqual({ speaker: 'Interviewer 2', text: 'Bye. Thank you again.' });
  });

  it('004: lines under a standalone label belong to it', () => {
    const p = parseTranscript(seed('004_').text);
    const a = turnWith(p, 'Um, so that intent or like that use of behavior is different.');
    expect(a.speaker).toBe('Interviewee');
    expect(a.text.split('\n')[1]!.startsWith('And we also have, we define our features')).toBe(true);
    const b = turnWith(p, 'Okay. I misunderstood the part.');
    expect(b.speaker).toBe('Interviewer 1');
    expect(b.text.split('\n')[1]!.startsWith('other model. Oh no, maybe not necessarily')).toBe(true);
    expect(p.turns.slice(-2)).toEqual([
      { speaker: 'Interviewer 1', text: 'for you. Bye. Thank' },
      { speaker: 'Interviewee', text: 'you.' },
    ]);
    expect(p.turns[0]!.speaker).toBe('Interviewer 1');
    expect(p.turns[0]!.text.startsWith('. All right. Uh, so we')).toBe(true);
  });
});

describe('003: inline codes', () => {
  const { text, lines } = seed('003_');
  const p = parseTranscript(text);

  /*
   * Seed 003 carries an existing coding. Counted by hand from the file (line
   * numbers of the coded paragraph → code lines after it):
   *
   *    95 → 97  Data-low-quality
   *   101 → 103 Data-low-quality
   *   222 → 224 ML-pipeline-issues [MLP], 226 MLP-unstable-external-dependency
   *   230 → 232, 234 (same two)
   *   238 → 240, 242 (same two; the paragraph is just "So.")
   *   294 → 296 ME-metrics-a-are-poor-proxy-of-quality, 298 Model-Evaluation-issues [ME]
   *   302 → 304, 306 (same two)
   *   310 → 312, 314 (same two)
   *   318 → 320, 322 (same two)
   *   362 → 364 QM-data-privacy-issues   (not 360 "Um,": a blank line separates them)
   *   388 → 390 QM-data-privacy-issues
   *   394 → 396 QM-data-privacy-issues
   *   398 → 400 QM-data-privacy-issues   (398 is a second paragraph of the turn at 392)
   *   438 → 440 Data-low-quantity
   *   444 → 446 Data-low-quantity
   *   450 → 452 Data-low-quantity
   *   542 → 544 Misc, 546 Stakeholders-lack-of-knowledge
   *   596 → 598 stack-not-standardized
   *   602 → 604 stack-not-standardized
   *   606 → 608 stack-not-standardized
   *
   * = 20 runs of code lines, hence 20 inline codings (one per coded paragraph,
   * each listing its code names), and 10 distinct codes: Data-low-quality,
   * ML-pipeline-issues, MLP-unstable-external-dependency,
   * ME-metrics-a-are-poor-proxy-of-quality, Model-Evaluation-issues,
   * QM-data-privacy-issues, Data-low-quantity, Misc,
   * Stakeholders-lack-of-knowledge, stack-not-standardized.
   * (2 + 3×2 + 4×2 + 4 + 3 + 2 + 3 = 28 code lines in all.)
   *
   * Not codes: "Thank" (654, right after `## Interviewer 2`, said once),
   * "Filters." / "So." / "Um," / "Mm." (punctuation), "This is" and
   * "No, there" (speech, no code evidence).
   */
  const EXPECTED: [number, string[]][] = [
    [95, ['Data-low-quality']],
    [101, ['Data-low-quality']],
    [222, ['ML-pipeline-issues', 'MLP-unstable-external-dependency']],
    [230, ['ML-pipeline-issues', 'MLP-unstable-external-dependency']],
    [238, ['ML-pipeline-issues', 'MLP-unstable-external-dependency']],
    [294, ['ME-metrics-a-are-poor-proxy-of-quality', 'Model-Evaluation-issues']],
    [302, ['ME-metrics-a-are-poor-proxy-of-quality', 'Model-Evaluation-issues']],
    [310, ['ME-metrics-a-are-poor-proxy-of-quality', 'Model-Evaluation-issues']],
    [318, ['ME-metrics-a-are-poor-proxy-of-quality', 'Model-Evaluation-issues']],
    [362, ['QM-data-privacy-issues']],
    [388, ['QM-data-privacy-issues']],
    [394, ['QM-data-privacy-issues']],
    [398, ['QM-data-privacy-issues']],
    [438, ['Data-low-quantity']],
    [444, ['Data-low-quantity']],
    [450, ['Data-low-quantity']],
    [542, ['Misc', 'Stakeholders-lack-of-knowledge']],
    [596, ['stack-not-standardized']],
    [602, ['stack-not-standardized']],
    [606, ['stack-not-standardized']],
  ];

  it('finds 20 codings and 10 distinct codes', () => {
    expect(p.codings).toHaveLength(20);
    expect(p.codes).toHaveLength(10);
    expect(p.codes.map((c) => c.name)).toEqual([
      'Data-low-quality',
      'ML-pipeline-issues',
      'MLP-unstable-external-dependency',
      'ME-metrics-a-are-poor-proxy-of-quality',
      'Model-Evaluation-issues',
      'QM-data-privacy-issues',
      'Data-low-quantity',
      'Misc',
      'Stakeholders-lack-of-knowledge',
      'stack-not-standardized',
    ]);
    expect(p.codings.reduce((n, c) => n + c.codeNames.length, 0)).toBe(28);
  });

  it('each coding covers exactly the paragraph before its code lines', () => {
    const body = transcriptBody(p.turns);
    const mapped = bodyCodings(p, body);
    expect(mapped).toHaveLength(EXPECTED.length);
    EXPECTED.forEach(([line, names], k) => {
      const c = p.codings[k]!;
      expect(c.codeNames).toEqual(names);
      const paragraph = lines[line - 1]!.trim();
      expect(p.turns[c.turnIndex]!.text.slice(c.start, c.end)).toBe(paragraph);
      expect(mapped[k]!.text).toBe(paragraph);
      expect(inlineCodingToBodyRange(c, body.turnRanges)).toEqual({ start: mapped[k]!.start, end: mapped[k]!.end });
    });
    // Spot checks.
    expect(mapped[0]!.text.startsWith('Uh, Okay, so my experience with, uh, Company 2, the data is, is messy')).toBe(true);
    expect(mapped[4]!.text).toBe('So.');
    expect(mapped[12]!.text.startsWith('Thank you. Um, All right. Um, have you encountered any other quality issues')).toBe(true);
    // 394 and 398 are two paragraphs of one turn (`### Interviewee` at 392): same turn, distinct ranges.
    expect(p.codings[11]!.turnIndex).toBe(p.codings[12]!.turnIndex);
    expect(p.codings[11]!.end).toBeLessThan(p.codings[12]!.start);
    expect(p.codings[12]!.start).toBeGreaterThan(0);
  });

  it('builds the hierarchy from [ABBR] declarations and ABBR- prefixes', () => {
    const byName = new Map(p.codes.map((c) => [c.name, c]));
    expect(byName.get('Model-Evaluation-issues')).toEqual({ name: 'Model-Evaluation-issues', abbreviation: 'ME', parentName: null });
    expect(byName.get('ME-metrics-a-are-poor-proxy-of-quality')).toEqual({
      name: 'ME-metrics-a-are-poor-proxy-of-quality',
      abbreviation: null,
      parentName: 'Model-Evaluation-issues',
    });
    expect(byName.get('ML-pipeline-issues')).toEqual({ name: 'ML-pipeline-issues', abbreviation: 'MLP', parentName: null });
    expect(byName.get('MLP-unstable-external-dependency')?.parentName).toBe('ML-pipeline-issues');
    // No code declares [QM] or [Data]: these stay top-level.
    expect(byName.get('QM-data-privacy-issues')?.parentName).toBeNull();
    expect(byName.get('Data-low-quality')?.parentName).toBeNull();
    expect(p.codes.filter((c) => c.parentName !== null)).toHaveLength(2);
  });

  it('keeps codings exact when consecutive turns of a speaker are merged', () => {
    const merged = parseTranscript(text, undefined, { mergeConsecutiveSpeakers: true });
    expect(merged.turns.length).toBeLessThan(p.turns.length);
    for (let i = 1; i < merged.turns.length; i++) {
      expect(merged.turns[i]!.speaker).not.toBe(merged.turns[i - 1]!.speaker);
    }
    expect(bodyCodings(merged).map((c) => c.text)).toEqual(bodyCodings(p).map((c) => c.text));
    expect(bodyLines(merged)).toEqual(bodyLines(p));
  });
});
