/**
 * Imports the real REFI-QDA exports in seeds/refi-samples/ (see its README.md).
 *
 * The pinned counts were taken from the archives themselves, not from this code:
 *   unzip -l <file>                                  → entries in the archive
 *   unzip -p <file> project.qde | grep -o '<Code ' | wc -l              → codes
 *   unzip -p <file> project.qde | grep -o '<TextSource ' | wc -l        → sources
 *   unzip -p <file> project.qde | grep -o '<PlainTextSelection ' | wc -l → selections
 *   unzip -p <file> project.qde | grep -o '<Coding ' | wc -l            → codings
 *   unzip -p <file> project.qde | grep -o '<User ' | wc -l              → users
 * and the quoted passages / code names with Python's ElementTree, slicing the
 * .txt by code points (the qc text is plain ASCII, so str slicing = code points).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { readQdpx, sliceCodePoints, type QdaImportReport, type QdaProject } from './index.ts';

const SAMPLES = new URL('../../../../seeds/refi-samples/', import.meta.url);

function sample(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(name, SAMPLES)));
}

function count(p: QdaProject) {
  return {
    users: p.users.length,
    codes: p.codes.length,
    sources: p.sources.length,
    selections: p.sources.reduce((n, s) => n + s.selections.length, 0),
    codings: p.sources.reduce((n, s) => n + s.selections.reduce((m, x) => m + x.codes.length, 0), 0),
    notes: p.notes.length,
  };
}

function codeByName(p: QdaProject, name: string) {
  const c = p.codes.find((x) => x.name === name);
  if (!c) throw new Error(`no code ${name}`);
  return c;
}

describe('ATLAS.ti 23 (atlasti-23.qdpx)', async () => {
  const r: QdaImportReport = await readQdpx(sample('atlasti-23.qdpx'));
  test('counts: 2 users, 3 codes, no sources', () => {
    // grep: 2 × '<User ', 3 × '<Code ', 0 × '<TextSource '; unzip -l: project.qde only
    expect(count(r.project)).toEqual({ users: 2, codes: 3, sources: 0, selections: 0, codings: 0, notes: 0 });
    expect(r.project.name).toBe('target-atlas-project');
    expect(r.project.origin).toBe('ATLAS.ti for Windows 23.2.3.27778');
  });
  test('upper-case GUIDs are normalised to lower case', () => {
    expect(r.project.users[0]?.guid).toBe('088b08ac-d5cd-4adb-8b71-b4f3459c177f');
    for (const c of r.project.codes) expect(c.guid).toMatch(/^[0-9a-f-]{36}$/);
  });
  test('nested codes keep their parent', () => {
    const parent = codeByName(r.project, 'Commits');
    expect(parent.guid).toBe('a182cd3a-d83c-4d8c-bc80-26d9103ec6d6');
    expect(parent.parentGuid).toBeNull();
    const kids = r.project.codes.filter((c) => c.parentGuid === parent.guid).map((c) => c.name);
    expect(kids).toEqual(['2022-05-10T02:05:59Z 19e4dce', '2022-02-11T10:39:25Z cdbfd92']);
    expect(r.project.codes.every((c) => c.isCodable && c.color === null && c.description === '')).toBe(true);
  });
  test('no warnings', () => {
    expect(r.warnings).toEqual([]);
  });
});

describe('MAXQDA 24 (maxqda-24.qdpx)', async () => {
  const r = await readQdpx(sample('maxqda-24.qdpx'));
  const p = r.project;
  test('counts: 1 user, 307 codes, 10 text sources, no selections', () => {
    // grep: 307 × '<Code ', 307 × '<Description', 307 × 'color=', 10 × '<TextSource ', 0 × '<PlainTextSelection '
    expect(count(p)).toEqual({ users: 1, codes: 307, sources: 10, selections: 0, codings: 0, notes: 0 });
  });
  test('18 top-level categories with 289 sub-codes', () => {
    // ElementTree: len(findall('CodeBook/Codes/Code')) == 18, every other code one level below
    expect(p.codes.filter((c) => c.parentGuid === null)).toHaveLength(18);
    const guids = new Set(p.codes.map((c) => c.guid));
    expect(p.codes.filter((c) => c.parentGuid !== null).every((c) => guids.has(c.parentGuid ?? ''))).toBe(true);
  });
  test('colours and descriptions', () => {
    expect(p.codes.every((c) => /^#[0-9a-f]{6}$/.test(c.color ?? ''))).toBe(true);
    expect(p.codes.every((c) => c.description.length > 0)).toBe(true);
    const top = codeByName(p, 'Additional Themes and Ideas');
    expect(top.color).toBe('#ef8256');
    expect(top.description.startsWith('This category encompasses a range of specific theoretical concepts')).toBe(true);
    const affinity = codeByName(p, 'THEME - Affinity Spaces (Gee)');
    expect(affinity).toEqual({
      guid: 'c6c1be73-b4f4-4c2d-91f1-90b73bfc5c25',
      name: 'THEME - Affinity Spaces (Gee)',
      color: '#ef8256',
      description: "Apply this code when a study uses Gee's concept of affinity spaces.",
      parentGuid: top.guid,
      isCodable: true,
    });
    expect(codeByName(p, 'Technologies').color).toBe('#a24ef1');
    // 42 codes use #6f4ab0 (Counter over the color attributes)
    expect(p.codes.filter((c) => c.color === '#6f4ab0')).toHaveLength(42);
  });
  test('source text is read from sources/<GUID>.txt (lower-case folder, upper-case GUID)', () => {
    const s = p.sources[0];
    expect(s?.name).toBe('ICLS 2024 3-10');
    expect(s?.guid).toBe('c5e4c960-5296-4fde-8c63-deaba4e17f92');
    expect(s?.text.startsWith('Mapping the Complexity of Learning: A Learning Experience Ne')).toBe(true);
    expect(s?.text.length).toBe(33881); // python: len(open(...).read())
  });
  test('warnings: the 2 sets', () => {
    expect(r.warnings).toEqual(['2 sets ("ICLS 2024", "ICLS 2025") could not be imported: Concord has no sets.']);
  });
});

describe('NVivo for Mac 15 (nvivo-mac-15.qdpx)', () => {
  test('counts: 2 users, 262 codes, 2 sources, docx-only sources are named in warnings', async () => {
    const r = await readQdpx(sample('nvivo-mac-15.qdpx'));
    // grep: 2 × '<User ', 262 × '<Code ', 2 × '<TextSource ' (each .txt is 1 byte "\n", with a .docx beside it)
    expect(count(r.project)).toEqual({ users: 2, codes: 262, sources: 2, selections: 0, codings: 0, notes: 0 });
    expect(r.project.sources.map((s) => s.text)).toEqual(['', '']);
    expect(r.warnings).toHaveLength(2);
    expect(r.warnings[0]).toContain('Source "66653866-6334-3535-3435-366637306566"');
    expect(r.warnings[0]).toContain('d097e6fd-7671-4d95-a8b6-7795fa4a72e1.docx');
    expect(r.warnings[1]).toContain('Source "33663939-3636-3632-3038-613431643463"');
    // the hierarchy: rq1_definition > competencies > programming
    const root = codeByName(r.project, 'rq1_definition');
    const comp = r.project.codes.find((c) => c.name === 'competencies' && c.parentGuid === root.guid);
    expect(comp).toBeDefined();
    expect(r.project.codes.find((c) => c.name === 'programming' && c.parentGuid === comp?.guid)?.guid).toBe(
      '36636563-3863-6264-3638-303637613863',
    );
  });
  test('with an extractDocx hook the Word text is used and no warning is left', async () => {
    const seen: number[] = [];
    const r = await readQdpx(sample('nvivo-mac-15.qdpx'), {
      extractDocx: async (bytes) => {
        seen.push(bytes.length);
        return 'Interviewer: Hello.\r\nTeacher: Hi!';
      },
    });
    expect(seen).toEqual([5066, 5066]); // unzip -l: both .docx are 5066 bytes
    expect(r.project.sources.map((s) => s.text)).toEqual(['Interviewer: Hello.\nTeacher: Hi!', 'Interviewer: Hello.\nTeacher: Hi!']);
    expect(r.warnings).toEqual([]);
  });
});

describe('qc 1.3.2 (qc-demo.qdpx)', async () => {
  const r = await readQdpx(sample('qc-demo.qdpx'));
  const p = r.project;
  test('counts: 1 user, 262 codes, 2 sources, 158 selections, 205 codings', () => {
    // grep: 262 × '<Code ', 2 × '<TextSource ', 158 × '<PlainTextSelection ', 205 × '<Coding ', 1 × '<User '
    expect(count(p)).toEqual({ users: 1, codes: 262, sources: 2, selections: 158, codings: 205, notes: 0 });
    // all 158 selections are in board_2017.txt; admin-1.txt has none
    expect(p.sources.map((s) => [s.name, s.selections.length])).toEqual([
      ['board_2017', 158],
      ['admin-1', 0],
    ]);
  });
  test('plainTextPath without internal:// is found in sources/', () => {
    expect(p.sources[0]?.text.length).toBe(52543); // wc -c sources/board_2017.txt (ASCII)
    expect(p.sources[1]?.text.length).toBe(31906);
  });
  test('spot checks of quoted text (code point slices) and their codes', () => {
    const src = p.sources[0];
    if (!src) throw new Error('missing source');
    const name = (g: string) => p.codes.find((c) => c.guid === g)?.name;
    const check = (i: number, guid: string, start: number, end: number, quote: string, codes: string[]) => {
      const s = src.selections[i];
      expect(s?.guid).toBe(guid);
      expect([s?.start, s?.end]).toEqual([start, end]);
      expect(sliceCodePoints(src.text, start, end)).toBe(quote);
      expect(s?.codes.map((c) => name(c.codeGuid))).toEqual(codes);
      expect(s?.creatorGuid).toBeNull();
      expect(s?.codes[0]?.creatorGuid).toBe('39633935-3331-3962-6632-373436373264');
    };
    check(0, '37323865-3734-6533-3337-623138653238', 320, 400, 'This district goal is engage every student in joyful, purposeful learning that \n', ['fun']);
    check(7, '31323635-3231-6561-6361-666136663837', 3670, 3750, 'presentation is based on the following opinions. One, a well educated adult in \n', [
      'well_educated_adult',
      'rationales',
    ]);
    check(157, '31376439-3134-6130-6633-306337633566', 51547, 51627, 'similar equity issues [inaudible 00:54:11] access to that curriculum, which we \n', ['equity']);
  });
  test('no warnings', () => {
    expect(r.warnings).toEqual([]);
  });
});
