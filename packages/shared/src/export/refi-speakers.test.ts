import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DOMParser } from '@xmldom/xmldom';
import JSZip from 'jszip';
import { validateXML } from 'xmllint-wasm';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { parseTranscript, transcriptBody } from '../import/index.ts';
import { readQdpx, writeQdpx } from '../refi/index.ts';
import { CodebookDoc } from '../schema/codebook.ts';
import { TranscriptDoc } from '../schema/transcript.ts';
import { coderNames } from './coder-names.ts';
import { fillTranscriptFromQda, importQdaCodes, projectToQda } from './qda-bridge.ts';
import { labelTurns, unlabelTurns } from './speaker-labels.ts';

const SEEDS = fileURLToPath(new URL('../../../../seeds/', import.meta.url));
const seed000 = readdirSync(SEEDS).find((f) => f.startsWith('000_'))!;

/**
 * An independent reader of a .qdpx, written from how QualCoder's REFI import
 * (src/qualcoder/refi.py, `load_text_source` / `load_codings_for_text` /
 * `parse_users`) reads one: another zip library and XML parser than Concord's;
 * the source text is the whole `Sources/<file>` named by `plainTextPath`; a
 * selection's text is `fulltext[startPosition:endPosition]` in code points (a
 * Python string); its owner is the name of the `<User>` its `creatingUser` names.
 */
async function readLikeQualCoder(bytes: Uint8Array) {
  const zip = await JSZip.loadAsync(bytes);
  const xml = await zip.file('project.qde')!.async('string');
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const NS = 'urn:QDA-XML:project:1.0';
  const users = new Map<string, string>();
  for (const u of Array.from(doc.getElementsByTagNameNS(NS, 'User'))) users.set(u.getAttribute('guid')!, u.getAttribute('name')!);
  const codes = new Map<string, string>();
  for (const c of Array.from(doc.getElementsByTagNameNS(NS, 'Code'))) codes.set(c.getAttribute('guid')!, c.getAttribute('name')!);
  const sources = [];
  for (const s of Array.from(doc.getElementsByTagNameNS(NS, 'TextSource'))) {
    const path = s.getAttribute('plainTextPath')!.split('internal:/')[1]!;
    const fulltext = await zip.file(`Sources${path}`)!.async('string');
    const cps = [...fulltext];
    const codings = Array.from(s.getElementsByTagNameNS(NS, 'PlainTextSelection')).flatMap((sel) => {
      const pos0 = Number(sel.getAttribute('startPosition'));
      const pos1 = Number(sel.getAttribute('endPosition'));
      const owner = users.get(sel.getAttribute('creatingUser') ?? '') ?? 'default';
      return Array.from(sel.getElementsByTagNameNS(NS, 'CodeRef')).map((ref) => ({
        code: codes.get(ref.getAttribute('targetGUID')!) ?? '?', owner, seltext: cps.slice(pos0, pos1).join(''),
      }));
    });
    sources.push({ name: s.getAttribute('name'), fulltext, codings });
  }
  return { users: [...users.values()], sources };
}

function seedProject() {
  const parsed = parseTranscript(readFileSync(SEEDS + seed000, 'utf8'), seed000);
  const body = transcriptBody(parsed.turns);
  const tdoc = new Y.Doc();
  const t = new TranscriptDoc(tdoc);
  t.initialise(body.text, body.turnRanges, { name: 'Interview 000' });
  const codebook = new Y.Doc();
  const code = new CodebookDoc(codebook).createCode({ name: 'Data quality' });
  const turns = t.resolveTurns();
  // Code the whole second turn (its label must stay outside the quote) and words inside the fifth.
  const second = turns[1]!;
  const fifth = turns[4]!;
  const inner = { start: fifth.start + 4, end: fifth.start + 30 };
  t.addCoding(t.codings, { codeId: code, coderId: 'ada', start: second.start, end: second.end });
  t.addCoding(t.codings, { codeId: code, coderId: 'refi:guest', start: inner.start, end: inner.end });
  coderNames(tdoc).set('refi:guest', 'Grace Hopper');
  return { tdoc, t, codebook, text: body.text, turns, quotes: [body.text.slice(second.start, second.end), body.text.slice(inner.start, inner.end)] };
}

const members = [{ id: 'ada', name: 'Ada Lovelace', email: 'ada@uni.edu' }];

describe('REFI-QDA export shows who said what', () => {
  it('seed 000 read back by an independent reader: speaker labels at turn starts, quotes and coder names unchanged', async () => {
    const { tdoc, codebook, turns, quotes } = seedProject();
    const bytes = writeQdpx(projectToQda({ name: 'Study', members, codebook, transcripts: [{ id: 't0', name: 'Interview 000', doc: tdoc, layers: new Map(), comments: null }] }));
    const read = await readLikeQualCoder(bytes);
    const src = read.sources[0]!;
    const paragraphs = src.fulltext.split('\n\n');
    expect(paragraphs).toHaveLength(turns.length);
    paragraphs.forEach((p, i) => expect(p.startsWith(`${turns[i]!.speaker}: `)).toBe(true));
    expect(paragraphs[0]).toMatch(/^Interviewer 1: /);
    expect(new Set(paragraphs.map((p) => p.slice(0, p.indexOf(': '))))).toEqual(new Set(['Interviewer 1', 'Interviewee']));
    expect(src.codings.map((c) => [c.seltext, c.owner, c.code])).toEqual([
      [quotes[0], 'Ada Lovelace', 'Data quality'],
      [quotes[1], 'Grace Hopper', 'Data quality'],
    ]);
    expect(read.users).not.toContain('Imported coder');
    // The speakers' declaration is a valid TextSource <Description> (other tools show it as the source's memo).
    const xml = await (await JSZip.loadAsync(bytes)).file('project.qde')!.async('string');
    expect(xml).toContain('<Description>Concord transcript: each speaker turn starts');
    const xsd = readFileSync(new URL('../refi/fixtures/Project.xsd', import.meta.url), 'utf8');
    const v = await validateXML({ xml: [{ fileName: 'project.qde', contents: xml }], schema: [xsd], maxMemoryPages: 4096 });
    expect(v.errors.map((e) => e.message)).toEqual([]);
  });

  it('export → import → export keeps the text, the turns and their speakers, the codings and the coder names', async () => {
    const { tdoc, codebook, text, turns } = seedProject();
    const first = projectToQda({ name: 'Study', members, codebook, transcripts: [{ id: 't0', name: 'Interview 000', doc: tdoc, layers: new Map(), comments: null }] });
    const { project } = await readQdpx(writeQdpx(first));
    // Into another project where nobody is a member: every coder becomes an imported coder, with a name.
    const cb2 = new Y.Doc();
    const { ids } = importQdaCodes(cb2, project.codes, 'me');
    const doc2 = new Y.Doc();
    const r = fillTranscriptFromQda(doc2, project.sources[0]!, ids, (g) => `refi:${g}`, project.users);
    expect(r).toEqual({ codings: 2, skipped: [] });
    const t2 = new TranscriptDoc(doc2);
    expect(t2.body.toString()).toBe(text);
    expect(t2.resolveTurns().map((x) => [x.speaker, x.start, x.end])).toEqual(turns.map((x) => [x.speaker, x.start, x.end]));
    const again = projectToQda({ name: 'Study', members: [], codebook: cb2, transcripts: [{ id: 't0', name: 'Interview 000', doc: doc2, layers: new Map(), comments: null }] });
    expect(again.sources[0]!.text).toBe(first.sources[0]!.text);
    expect(again.sources[0]!.selections.map((s) => [s.start, s.end])).toEqual(first.sources[0]!.selections.map((s) => [s.start, s.end]));
    expect(again.users.map((u) => u.name).sort()).toEqual(['Ada Lovelace', 'Grace Hopper']);
  });
});

describe('speaker labels', () => {
  it('shift spans so a span at a turn start begins after the label and one ending there stays before it', () => {
    const text = 'Hello there\n\nYes indeed';
    const l = labelTurns(text, [{ start: 0, speaker: 'A' }, { start: 13, speaker: 'Bo' }]);
    expect(l.text).toBe('A: Hello there\n\nBo: Yes indeed');
    expect(l.text.slice(l.shift(0, 'start'), l.shift(11, 'end'))).toBe('Hello there');
    expect(l.text.slice(l.shift(13, 'start'), l.shift(23, 'end'))).toBe('Yes indeed');
    const back = unlabelTurns(l.text, ['A', 'Bo']);
    expect(back.text).toBe(text);
    expect(back.turns).toEqual([{ speaker: 'A', start: 0 }, { speaker: 'Bo', start: 13 }]);
    expect(back.back(l.shift(13, 'start'))).toBe(13);
    expect(back.back(16)).toBe(13); // inside the label "Bo: ": where the turn's words start
  });

  it('a text without declared speakers keeps its paragraphs as turns, verbatim', () => {
    const r = unlabelTurns('Q: one\n\ntwo', []);
    expect(r.text).toBe('Q: one\n\ntwo');
    expect(r.turns).toEqual([{ speaker: null, start: 0 }, { speaker: null, start: 8 }]);
  });
});
