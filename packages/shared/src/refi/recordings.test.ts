/** REFI-QDA 1.5 recordings: AudioSource/VideoSource, their Transcript and its SyncPoints. */
import { readFileSync } from 'node:fs';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { readQdpx, writeQdpx, type QdaProject } from './index.ts';
import { G, makeProject } from './fixtures/project.ts';
import { makeWav } from '../media/fixtures/wav.ts';

const projectXsd = readFileSync(new URL('./fixtures/Project.xsd', import.meta.url), 'utf8');
const MEDIA = '3e0c7a52-5d1b-4f2a-8c9e-0b1d2e3f4a5b';

function withRecording(): QdaProject {
  const p = makeProject();
  const src = p.sources[0]!;
  src.syncPoints = [
    { guid: '11111111-2222-4333-8444-555555555501', position: 0, timeMs: 1500 },
    { guid: '11111111-2222-4333-8444-555555555502', position: 33, timeMs: 4250 },
    { guid: '11111111-2222-4333-8444-555555555503', position: 34, timeMs: 5000 },
  ];
  src.media = { kind: 'audio', guid: MEDIA, fileName: 'interview 1.wav', bytes: makeWav(1) };
  return p;
}

describe('a transcript with its recording', () => {
  test('round trip: the text source keeps its codings, and gains its recording and sync points, once', async () => {
    const original = withRecording();
    const zip = writeQdpx(original);
    const files = unzipSync(zip);
    expect(files[`Sources/${MEDIA}.wav`]).toEqual(original.sources[0]!.media!.bytes);
    const qde = new TextDecoder().decode(files['project.qde']);
    expect(qde).toContain(`<AudioSource guid="${MEDIA}" name="interview 1.wav" path="internal://${MEDIA}.wav">`);
    expect(qde).toContain(`plainTextPath="internal://${G.src1}.txt"`);
    expect(qde).toContain('<SyncPoint guid="11111111-2222-4333-8444-555555555502" timeStamp="4250" position="33"/>');

    const report = await readQdpx(zip);
    expect(report.warnings).toEqual([]);
    expect(report.project.sources).toHaveLength(2); // the transcript is not a second copy of the text
    expect(report.project).toEqual(original);
  });

  test('the exported project.qde is valid against Project.xsd, also a video and times without a recording', async () => {
    const p = withRecording();
    p.sources[0]!.media = { kind: 'video', guid: MEDIA, fileName: 'clip.mp4', bytes: new Uint8Array([0, 0, 0, 24, 0x66, 0x74, 0x79, 0x70]) };
    p.sources[1]!.syncPoints = [{ guid: '11111111-2222-4333-8444-555555555504', position: 0, timeMs: 0 }];
    const qde = new TextDecoder().decode(unzipSync(writeQdpx(p))['project.qde']);
    expect(qde).toContain('<VideoSource');
    const r = await validateXML({ xml: [{ fileName: 'project.qde', contents: qde }], schema: [projectXsd], maxMemoryPages: 4096 });
    expect(r.errors.map((e) => e.message)).toEqual([]);
    expect(r.valid).toBe(true);
  });

  test('another tool\'s AudioSource with only a transcript: text, times, recording and coded passages come in', async () => {
    const wav = makeWav(1);
    const qde =
      '<Project xmlns="urn:QDA-XML:project:1.0" name="maxqda" origin="MAXQDA 24">' +
      '<CodeBook><Codes><Code guid="c0de0000-0000-4000-8000-000000000001" name="Delay" isCodable="true"/></Codes></CodeBook>' +
      '<Sources><AudioSource guid="a0d10000-0000-4000-8000-000000000001" name="Interview 3" path="internal://a0d10000-0000-4000-8000-000000000001.wav">' +
      '<Transcript guid="7a000000-0000-4000-8000-000000000001" name="Interview 3 transcript">' +
      '<PlainTextContent>I: Why late?\n\nR: The labels.</PlainTextContent>' +
      '<SyncPoint guid="5e000000-0000-4000-8000-000000000001" position="0" timeStamp="0"/>' +
      '<SyncPoint guid="5e000000-0000-4000-8000-000000000002" position="14" timeStamp="2600"/>' +
      '<SyncPoint guid="5e000000-0000-4000-8000-000000000003" position="27" timeStamp="4100"/>' +
      '<TranscriptSelection guid="5e100000-0000-4000-8000-000000000001" fromSyncPoint="5e000000-0000-4000-8000-000000000002" toSyncPoint="5e000000-0000-4000-8000-000000000003">' +
      '<Coding guid="c0d10000-0000-4000-8000-000000000001"><CodeRef targetGUID="c0de0000-0000-4000-8000-000000000001"/></Coding></TranscriptSelection>' +
      '</Transcript><AudioSelection guid="a5000000-0000-4000-8000-000000000001" begin="0" end="1000"/></AudioSource></Sources></Project>';
    const { project, warnings } = await readQdpx(zipSync({ 'project.qde': strToU8(qde), 'sources/a0d10000-0000-4000-8000-000000000001.wav': wav }));
    expect(project.sources).toHaveLength(1);
    const s = project.sources[0]!;
    expect(s).toMatchObject({ name: 'Interview 3 transcript', text: 'I: Why late?\n\nR: The labels.' });
    expect(s.syncPoints?.map((p) => [p.position, p.timeMs])).toEqual([[0, 0], [14, 2600], [27, 4100]]);
    expect(s.media).toMatchObject({ kind: 'audio', fileName: 'Interview 3.wav' });
    expect(s.media?.bytes).toEqual(wav);
    expect(s.selections.map((x) => [x.start, x.end, x.codes.map((c) => c.codeGuid)])).toEqual([[14, 27, ['c0de0000-0000-4000-8000-000000000001']]]);
    expect(warnings).toEqual(['Source "Interview 3" (audio): 1 coded time segment of the recording could not be imported (codings of the transcript\'s text were).']);
  });
});
