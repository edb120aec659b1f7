import { unzipSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import { isRefiGuid as isGuid, readQdc, readQdpx, RefiError, writeQdc, writeQdpx, type QdaProject } from './index.ts';
import { G, makeProject } from './fixtures/project.ts';

const td = new TextDecoder();

function qde(zip: Uint8Array): string {
  const files = unzipSync(zip);
  const f = files['project.qde'];
  if (!f) throw new Error('no project.qde');
  return td.decode(f);
}

describe('round trip write → read → write', () => {
  test('the read project deep-equals the original and the exports match', async () => {
    const original = makeProject();
    const first = writeQdpx(original, { now: new Date('2025-01-02T03:04:05.678Z') });
    const report = await readQdpx(first);
    expect(report.warnings).toEqual([]);
    expect(report.project).toEqual(original);

    const second = writeQdpx(report.project, { now: new Date('2026-07-08T09:10:11Z') });
    const a = qde(first);
    const b = qde(second);
    expect(a).not.toBe(b); // the timestamps differ …
    const strip = (x: string) => x.replace(/(<Project\b[^>]*?) creationDateTime="[^"]*"/, '$1');
    expect(strip(a)).toBe(strip(b)); // … and nothing else
    expect(a).toContain('creationDateTime="2025-01-02T03:04:05Z"');
  });

  test('archive layout: project.qde + Sources/<guid>.txt in UTF-8 without BOM', () => {
    const p = makeProject();
    const files = unzipSync(writeQdpx(p));
    expect(Object.keys(files).sort()).toEqual(['Sources/' + G.src1 + '.txt', 'Sources/' + G.src2 + '.txt', 'project.qde'].sort());
    const txt = files[`Sources/${G.src1}.txt`];
    expect(txt?.[0]).not.toBe(0xef);
    expect(td.decode(txt)).toBe(p.sources[0]?.text);
    const xml = qde(writeQdpx(p));
    expect(xml).toContain('xmlns="urn:QDA-XML:project:1.0"');
    expect(xml).toContain(`plainTextPath="internal://${G.src1}.txt"`);
    // emoji positions are code points: "👋🏽" is 2 code points, 4 UTF-16 units
    const sel = p.sources[0]?.selections[0];
    expect(xml).toContain(`startPosition="${sel?.start}" endPosition="${sel?.end}"`);
    // notes: inline text, NoteRef on the selection and on the source
    expect(xml).toMatch(new RegExp(`<PlainTextSelection guid="${G.sel1}"[\\s\\S]*?<NoteRef targetGUID="${G.noteSel}"/>[\\s\\S]*?</PlainTextSelection>`));
    expect(xml).toMatch(new RegExp(`<NoteRef targetGUID="${G.noteSrc}"/>\\s*</TextSource>`));
    expect(xml).toContain('<PlainTextContent>Short &amp; sweet.</PlainTextContent>');
  });

  test('ids that are not GUIDs get stable valid GUIDs, and references follow them', async () => {
    const p: QdaProject = {
      name: 'ids',
      origin: 'Concord',
      users: [{ guid: 'user-1', name: 'U' }],
      codes: [
        { guid: 'code-parent', name: 'P', color: null, description: '', parentGuid: null, isCodable: true },
        { guid: 'code-child', name: 'C', color: '#ABC', description: '', parentGuid: 'code-parent', isCodable: true },
      ],
      sources: [
        {
          guid: 'doc:1',
          name: 'D',
          text: 'hello world',
          selections: [{ guid: 'sel#1', start: 0, end: 5, creatorGuid: 'user-1', createdAt: 'not a date', codes: [{ guid: 'c1', codeGuid: 'code-child', creatorGuid: 'user-1' }] }],
        },
      ],
      notes: [{ guid: 'n1', name: 'N', text: 't', creatorGuid: null, createdAt: null, targetGuid: 'sel#1' }],
    };
    const r = await readQdpx(writeQdpx(p));
    const q = r.project;
    const all = [
      ...q.users.map((u) => u.guid),
      ...q.codes.map((c) => c.guid),
      ...q.sources.map((s) => s.guid),
      ...q.sources.flatMap((s) => s.selections.flatMap((x) => [x.guid, ...x.codes.map((c) => c.guid)])),
      ...q.notes.map((n) => n.guid),
    ];
    expect(all.every(isGuid)).toBe(true);
    expect(new Set(all).size).toBe(all.length);
    const [parent, child] = q.codes;
    expect(child?.parentGuid).toBe(parent?.guid);
    expect(child?.color).toBe('#aabbcc'); // #rgb expanded
    const sel = q.sources[0]?.selections[0];
    expect(sel?.codes[0]?.codeGuid).toBe(child?.guid);
    expect(sel?.creatorGuid).toBe(q.users[0]?.guid);
    expect(sel?.createdAt).toBeNull(); // an unparseable date is not exported
    expect(q.notes[0]?.targetGuid).toBe(sel?.guid);
    // the same ids map to the same GUIDs in a second export
    expect((await readQdpx(writeQdpx(p))).project).toEqual(q);
  });
});

describe('codebook .qdc', () => {
  test('writeQdc → readQdc keeps codes, hierarchy, colours and descriptions', () => {
    const codes = makeProject().codes;
    const bytes = writeQdc(codes, makeProject().users, { origin: 'Concord test' });
    const xml = td.decode(bytes);
    expect(xml).toContain('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"');
    expect(xml).not.toContain('<User');
    const r = readQdc(bytes);
    expect(r.warnings).toEqual([]);
    expect(r.origin).toBe('Concord test');
    expect(r.codes).toEqual(codes);
    expect(readQdc(xml).codes).toEqual(codes); // string input too
  });
  test('reads hand-written codebooks: short ids, pretty-printed descriptions, BOM, sets', () => {
    const qdc =
      '\ufeff<?xml version="1.0" encoding="UTF-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0"\n          origin="Some board">\n  <Codes>\n' +
      '    <Code guid="C001" name="Negative" isCodable="false" color="#E57373">\n      <Description>\n        Negative valence.\n      </Description>\n' +
      '      <Code guid="c21" name="Rage" isCodable="true" color="#c95858">\n      </Code>\n    </Code>\n  </Codes>\n' +
      '  <Sets><Set guid="{5E700000-0000-4000-8000-000000000001}" name="Core"><MemberCode guid="c21"/></Set></Sets>\n</CodeBook>';
    const r = readQdc(new TextEncoder().encode(qdc));
    expect(r.origin).toBe('Some board');
    expect(r.codes).toEqual([
      { guid: 'c001', name: 'Negative', color: '#e57373', description: 'Negative valence.', parentGuid: null, isCodable: false },
      { guid: 'c21', name: 'Rage', color: '#c95858', description: '', parentGuid: 'c001', isCodable: true },
    ]);
    expect(r.warnings).toEqual(['1 set ("Core") could not be imported: Concord has no sets.']);
    // exporting them again gives valid GUIDs with the hierarchy intact
    const again = readQdc(writeQdc(r.codes));
    expect(again.codes.every((c) => isGuid(c.guid))).toBe(true);
    expect(again.codes[1]?.parentGuid).toBe(again.codes[0]?.guid);
  });

  test('an empty codebook cannot be exported', () => {
    expect(() => writeQdc([])).toThrow(RefiError);
  });
});
