/** Hand-made archives with the quirks real tools produce, and the features Concord cannot import. */
import { zipSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import { readQdpx, sliceCodePoints } from './index.ts';
import { text } from './fixtures/craft.ts';

const BOM = '\ufeff';
const NS = 'xmlns="urn:QDA-XML:project:1.0"';

function utf16Index(s: string, needle: string): number {
  const i = s.indexOf(needle);
  if (i < 0) throw new Error(needle);
  return i;
}
function cpIndex(s: string, needle: string): number {
  return Array.from(s.slice(0, utf16Index(s, needle))).length;
}

describe('tolerated quirks', () => {
  test('Sources/ folder, BOMs, CRLF, braced upper-case GUIDs, inline text, nested project folder', async () => {
    const raw = 'Line one\r\nSecond line has the word target in it.\r\nThird.';
    // standard positions: code points of the file as written, CRLF = 2
    const start = raw.indexOf('target');
    const end = start + 'target'.length;
    const qde =
      `${BOM}<?xml version="1.0" encoding="utf-8"?>\r\n<Project ${NS} name="Quirks" origin="Some Tool 1.0">\r\n` +
      '<Users><User guid="{AAAAAAAA-0000-4000-8000-00000000000A}" name="Ann" id="ann@example.org"/><User guid="bbbbbbbb-0000-4000-8000-00000000000b" name="Bo" id="B"/></Users>\r\n' +
      '<CodeBook><Codes><Code guid="{C0DE0000-0000-4000-8000-000000000001}" name="Parent" isCodable="false" color="#ABC">' +
      '<Code guid="C0DE0000-0000-4000-8000-000000000002" name="Child" isCodable="1" color="#00FF7F"><Description>Multi\r\nline</Description></Code></Code></Codes></CodeBook>\r\n' +
      '<Sources>' +
      `<TextSource guid="{5AAAAAAA-0000-4000-8000-000000000001}" name="File" plainTextPath="internal://5AAAAAAA-0000-4000-8000-000000000001.TXT">` +
      `<PlainTextSelection guid="{5E100000-0000-4000-8000-000000000001}" startPosition="${start}" endPosition="${end}" creatingUser="{aaaaaaaa-0000-4000-8000-00000000000a}">` +
      '<Coding guid="{C0D10000-0000-4000-8000-000000000001}" creatingUser="AAAAAAAA-0000-4000-8000-00000000000A"><CodeRef targetGUID="{c0de0000-0000-4000-8000-000000000002}"/></Coding>' +
      '<NoteRef targetGUID="{A07E0000-0000-4000-8000-000000000001}"/></PlainTextSelection></TextSource>' +
      '<TextSource guid="5AAAAAAA-0000-4000-8000-000000000002" name="Inline"><PlainTextContent>Inline &amp; text\r\nhere</PlainTextContent>' +
      '<PlainTextSelection guid="5E100000-0000-4000-8000-000000000002" startPosition="0" endPosition="6"/></TextSource>' +
      '</Sources>' +
      `<Notes><Note guid="a07e0000-0000-4000-8000-000000000001" name="N" plainTextPath="internal://note.txt" creatingUser="{AAAAAAAA-0000-4000-8000-00000000000A}"/></Notes>` +
      '</Project>';
    const zip = zipSync({
      'Export/project.qde': text(qde),
      'Export/Sources/5aaaaaaa-0000-4000-8000-000000000001.txt': text(BOM + raw),
      'Export/Sources/note.txt': text(`${BOM}A note\r\nwith CRLF`),
    });
    const { project: p, warnings } = await readQdpx(zip);
    expect(warnings).toEqual([]);
    expect(p.users).toEqual([
      { guid: 'aaaaaaaa-0000-4000-8000-00000000000a', name: 'Ann', email: 'ann@example.org' },
      { guid: 'bbbbbbbb-0000-4000-8000-00000000000b', name: 'Bo' },
    ]);
    expect(p.codes).toEqual([
      { guid: 'c0de0000-0000-4000-8000-000000000001', name: 'Parent', color: '#aabbcc', description: '', parentGuid: null, isCodable: false },
      {
        guid: 'c0de0000-0000-4000-8000-000000000002',
        name: 'Child',
        color: '#00ff7f',
        description: 'Multi\nline',
        parentGuid: 'c0de0000-0000-4000-8000-000000000001',
        isCodable: true,
      },
    ]);
    const [file, inline] = p.sources;
    expect(file?.guid).toBe('5aaaaaaa-0000-4000-8000-000000000001');
    expect(file?.text).toBe('Line one\nSecond line has the word target in it.\nThird.'); // BOM gone, LF only
    const sel = file?.selections[0];
    expect(sliceCodePoints(file?.text ?? '', sel?.start ?? 0, sel?.end ?? 0)).toBe('target');
    expect(sel?.guid).toBe('5e100000-0000-4000-8000-000000000001');
    expect(sel?.creatorGuid).toBe('aaaaaaaa-0000-4000-8000-00000000000a');
    expect(sel?.codes).toEqual([
      { guid: 'c0d10000-0000-4000-8000-000000000001', codeGuid: 'c0de0000-0000-4000-8000-000000000002', creatorGuid: 'aaaaaaaa-0000-4000-8000-00000000000a' },
    ]);
    expect(inline?.text).toBe('Inline & text\nhere');
    expect(inline?.selections[0]).toMatchObject({ start: 0, end: 6 });
    expect(p.notes).toEqual([
      {
        guid: 'a07e0000-0000-4000-8000-000000000001',
        name: 'N',
        text: 'A note\nwith CRLF',
        creatorGuid: 'aaaaaaaa-0000-4000-8000-00000000000a',
        createdAt: null,
        targetGuid: '5e100000-0000-4000-8000-000000000001',
      },
    ]);
  });

  test('UTF-16 positions are detected when a selection does not fit the code point length', async () => {
    const raw = '😀😀😀 Emojis first, then the word world';
    const start = utf16Index(raw, 'world'); // UTF-16 units: each emoji counts 2
    const end = start + 5; // = raw.length, beyond the code point length
    expect(end).toBeGreaterThan(Array.from(raw).length);
    const qde =
      `<Project ${NS} name="u16" origin="Unknown tool"><CodeBook><Codes><Code guid="c0de0000-0000-4000-8000-000000000001" name="C" isCodable="true"/></Codes></CodeBook>` +
      `<Sources><TextSource guid="5aaaaaaa-0000-4000-8000-000000000001" name="S" plainTextPath="internal://s.txt">` +
      `<PlainTextSelection guid="5e100000-0000-4000-8000-000000000001" startPosition="${start}" endPosition="${end}"><Coding guid="c0d10000-0000-4000-8000-000000000001"><CodeRef targetGUID="c0de0000-0000-4000-8000-000000000001"/></Coding></PlainTextSelection>` +
      '</TextSource></Sources></Project>';
    const { project, warnings } = await readQdpx(zipSync({ 'project.qde': text(qde), 'sources/s.txt': text(raw) }));
    const src = project.sources[0];
    const sel = src?.selections[0];
    expect(sliceCodePoints(src?.text ?? '', sel?.start ?? 0, sel?.end ?? 0)).toBe('world');
    expect(sel).toMatchObject({ start: cpIndex(raw, 'world'), end: Array.from(raw).length });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/Source "S": selection positions were read as UTF-16 code units/);
  });

  test('an NVivo for Mac file is named as what it is, not as NVivo for Windows', async () => {
    const raw = '😀 Emoji first, then the word world';
    const start = utf16Index(raw, 'world');
    const qde =
      `<Project ${NS} name="mac" origin="NVivo for Mac 14.23"><CodeBook><Codes><Code guid="c0de0000-0000-4000-8000-000000000001" name="C" isCodable="true"/></Codes></CodeBook>` +
      `<Sources><TextSource guid="5aaaaaaa-0000-4000-8000-000000000001" name="S" plainTextPath="internal://s.txt">` +
      `<PlainTextSelection guid="5e100000-0000-4000-8000-000000000001" startPosition="${start}" endPosition="${start + 5}"><Coding guid="c0d10000-0000-4000-8000-000000000001"><CodeRef targetGUID="c0de0000-0000-4000-8000-000000000001"/></Coding></PlainTextSelection>` +
      '</TextSource></Sources><Sets/></Project>';
    const { warnings } = await readQdpx(zipSync({ 'project.qde': text(qde), 'sources/s.txt': text(raw) }));
    expect(warnings).toEqual([
      'Source "S": selection positions were read as UTF-16 code units, as NVivo for Mac 14.23 wrote them (emoji and other rare characters count twice), because that is how they fit the text; check a few coded passages.',
    ]);
  });

  test('ATLAS.ti counts CRLF as one character', async () => {
    const raw = 'line one\r\nline two\r\nline three';
    const lf = raw.replace(/\r\n/g, '\n');
    const start = lf.indexOf('line three');
    const end = start + 'line three'.length;
    const qde =
      `<Project ${NS} name="a" origin="ATLAS.ti for Windows 23.2"><Sources><TextSource guid="5aaaaaaa-0000-4000-8000-000000000001" name="S" plainTextPath="internal://s.txt">` +
      `<PlainTextSelection guid="5e100000-0000-4000-8000-000000000001" startPosition="${start}" endPosition="${end}"/>` +
      '</TextSource></Sources></Project>';
    const { project, warnings } = await readQdpx(zipSync({ 'project.qde': text(qde), 'Sources/s.txt': text(raw) }));
    const src = project.sources[0];
    const sel = src?.selections[0];
    expect(sliceCodePoints(src?.text ?? '', sel?.start ?? 0, sel?.end ?? 0)).toBe('line three');
    expect(warnings).toEqual([expect.stringMatching(/CR\+LF\) counted once, as ATLAS\.ti does/)]);
  });

  test('standard CRLF positions stay standard even for word-aligned alternatives', async () => {
    const raw = 'aa bb\r\ncc dd\r\nee ff';
    const start = raw.indexOf('ee');
    const qde =
      `<Project ${NS} name="a" origin="MAXQDA 24"><Sources><TextSource guid="5aaaaaaa-0000-4000-8000-000000000001" name="S" plainTextPath="internal://s.txt">` +
      `<PlainTextSelection guid="5e100000-0000-4000-8000-000000000001" startPosition="${start}" endPosition="${start + 5}"/>` +
      '</TextSource></Sources></Project>';
    const { project, warnings } = await readQdpx(zipSync({ 'project.qde': text(qde), 'sources/s.txt': text(raw) }));
    const src = project.sources[0];
    expect(sliceCodePoints(src?.text ?? '', src?.selections[0]?.start ?? 0, src?.selections[0]?.end ?? 0)).toBe('ee ff');
    expect(warnings).toEqual([]);
  });
});

describe('what cannot be imported is reported, not dropped silently', () => {
  test('sets, variables, cases, links, graphs, non-text sources, dangling references', async () => {
    const G = (n: number) => `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;
    const qde =
      `<Project ${NS} name="everything" origin="Tool"><Users><User guid="${G(1)}" name="U"/></Users>` +
      `<CodeBook><Codes><Code guid="${G(2)}" name="Known" isCodable="true" color="red"><NoteRef targetGUID="${G(90)}"/></Code></Codes></CodeBook>` +
      `<Variables><Variable guid="${G(3)}" name="Age" typeOfVariable="Integer"/></Variables>` +
      `<Cases><Case guid="${G(4)}" name="Case A"/></Cases>` +
      '<Sources>' +
      `<TextSource guid="${G(10)}" name="Doc" plainTextPath="internal://doc.txt"><Description>About the doc</Description>` +
      `<PlainTextSelection guid="${G(11)}" startPosition="0" endPosition="5"><Coding guid="${G(12)}"><CodeRef targetGUID="${G(999)}"/></Coding></PlainTextSelection>` +
      `<PlainTextSelection guid="${G(13)}" startPosition="2" endPosition="500"/>` +
      `<PlainTextSelection guid="${G(14)}" startPosition="x" endPosition="3"/>` +
      `<Coding guid="${G(15)}"><CodeRef targetGUID="${G(2)}"/></Coding>` +
      `<VariableValue><VariableRef targetGUID="${G(3)}"/><IntegerValue>40</IntegerValue></VariableValue></TextSource>` +
      `<PDFSource guid="${G(20)}" name="Paper.pdf" path="internal://p.pdf"><PDFSelection guid="${G(21)}" page="1" firstX="0" firstY="0" secondX="1" secondY="1"/></PDFSource>` +
      `<PDFSource guid="${G(22)}" name="With text.pdf" path="internal://q.pdf"><Representation guid="${G(23)}" plainTextPath="internal://q.txt"/></PDFSource>` +
      `<PictureSource guid="${G(30)}" name="Photo" path="internal://a.jpg"/>` +
      `<AudioSource guid="${G(40)}" name="Recording" path="internal://a.m4a"><Transcript guid="${G(41)}" name="T"><PlainTextContent>Hello there</PlainTextContent>` +
      `<SyncPoint guid="${G(42)}" position="6"/><SyncPoint guid="${G(43)}" position="11"/>` +
      `<TranscriptSelection guid="${G(44)}" fromSyncPoint="${G(42)}" toSyncPoint="${G(43)}"><Coding guid="${G(45)}"><CodeRef targetGUID="${G(2)}"/></Coding></TranscriptSelection>` +
      `</Transcript><AudioSelection guid="${G(46)}" begin="0" end="10"/></AudioSource>` +
      '</Sources>' +
      `<Notes><Note guid="${G(90)}" name="Code memo"><PlainTextContent>on a code</PlainTextContent></Note></Notes>` +
      `<Links><Link guid="${G(50)}" originGUID="${G(2)}" targetGUID="${G(10)}"/></Links>` +
      `<Sets><Set guid="${G(60)}" name="Set 1"/></Sets>` +
      `<Graphs><Graph guid="${G(70)}"/></Graphs>` +
      '<Description>Project memo</Description>' +
      '</Project>';
    const zip = zipSync({
      'project.qde': text(qde),
      'sources/doc.txt': text('Hello world'),
      'sources/q.txt': text('PDF text'),
      'sources/p.pdf': text('%PDF'),
      'sources/stray.bin': text('x'),
    });
    const { project, warnings } = await readQdpx(zip);
    expect(project.sources.map((s) => s.name)).toEqual(['Doc', 'With text.pdf', 'T']);
    expect(project.sources[1]?.text).toBe('PDF text');
    expect(project.sources[2]).toMatchObject({ text: 'Hello there', selections: [{ start: 6, end: 11, codes: [{ codeGuid: G(2) }] }] });
    // the selection with a missing code is kept (it is a valid passage), without the coding
    expect(project.sources[0]?.selections.map((s) => [s.guid, s.codes.length])).toEqual([[G(11), 0]]);
    expect(project.codes[0]?.color).toBeNull();
    expect(project.notes.map((n) => [n.name, n.targetGuid])).toEqual([
      ['Code memo', null],
      ['Project description', null],
      ['Description of Doc', G(10)],
    ]);
    const all = warnings.join('\n');
    for (const expected of [
      /Code "Known": its colour "red" is not a #rrggbb colour/,
      /Source "Doc": 1 selection with missing or reversed positions/,
      /Source "Doc": 1 selection \(.*\) lies outside the source text/,
      /Source "Doc": 1 coding refers to a code that is not in the codebook \("00000000-0000-4000-8000-000000000999"\)/,
      /Source "Doc": 1 coding of the whole document/,
      /Source "Doc": 1 variable value could not be imported/,
      /Source "Paper.pdf" \(PDF\): PDF documents cannot be imported \(with 1 coded area\)/,
      /Source "With text.pdf" \(PDF\): imported as its plain-text version/,
      /Source "Photo" \(picture\): pictures cannot be imported/,
      /Source "Recording" \(audio\): the recording \(internal:\/\/a\.m4a\) is not in the archive; its transcript was imported without it\./,
      /Source "Recording" \(audio\): 1 coded time segment of the recording could not be imported/,
      /Note "Code memo": its link to Code "Known" could not be kept/,
      /1 set \("Set 1"\) could not be imported/,
      /1 variable \("Age"\) could not be imported/,
      /1 case \("Case A"\) could not be imported/,
      /1 link between items could not be imported/,
      /1 graph \(network views\) could not be imported/,
      /1 file in the archive that the project does not refer to was ignored: "sources\/stray.bin"/,
    ]) {
      expect(all).toMatch(expected);
    }
    expect(warnings).toHaveLength(18);
  });
});
