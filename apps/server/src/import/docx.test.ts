import { describe, expect, it } from 'vitest';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { listSpeakers, parseTranscript, transcriptBody } from '@concord/shared';
import { DocxError, extractDocx, extractDocxText, listZip } from './docx.ts';
import { TEAMS_DOCX_PARAGRAPHS } from '../../../../packages/shared/src/import/fixtures/formats.ts';

const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
  <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
  <Default Extension="xml" ContentType="application/xml"/>
  <Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>`;

const RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
  <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>`;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A minimal .docx: one `<w:p>` per paragraph; a paragraph may be split into several runs. */
function makeDocx(paragraphs: (string | string[])[]): Uint8Array {
  const body = paragraphs
    .map((p) => {
      const runs = (Array.isArray(p) ? p : [p]).map((r) => `<w:r><w:t xml:space="preserve">${esc(r)}</w:t></w:r>`).join('');
      return `<w:p>${runs}</w:p>`;
    })
    .join('');
  const document = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`;
  return zipSync({
    '[Content_Types].xml': strToU8(CONTENT_TYPES),
    '_rels/.rels': strToU8(RELS),
    'word/document.xml': strToU8(document),
  });
}

describe('extractDocxText', () => {
  it('extracts paragraphs that parseTranscript reads as turns', async () => {
    const bytes = makeDocx([
      'Interview 3 – Dana',
      'Interviewer: Hello',
      'P1: Hi',
      ['Interviewer: ', 'What do you ', 'work on?'],
      'P1: Models at Company X: mostly ranking.',
      'And some forecasting.',
      'Interviewer: Thanks & bye.',
    ]);
    const text = await extractDocxText(bytes);
    expect(text).toContain('Interviewer: Hello\n\nP1: Hi\n\n');
    const p = parseTranscript(text, 'interview.docx');
    expect(p.format).toBe('labelled-lines');
    expect(p.title).toBe('Interview 3 – Dana');
    expect(listSpeakers(p.turns)).toEqual(['Interviewer', 'P1']);
    expect(p.turns).toEqual([
      { speaker: 'Interviewer', text: 'Hello' },
      { speaker: 'P1', text: 'Hi' },
      { speaker: 'Interviewer', text: 'What do you work on?' },
      { speaker: 'P1', text: 'Models at Company X: mostly ranking.\nAnd some forecasting.' },
      { speaker: 'Interviewer', text: 'Thanks & bye.' },
    ]);
    expect(transcriptBody(p.turns).text).toBe(
      'Hello\n\nHi\n\nWhat do you work on?\n\nModels at Company X: mostly ranking.\nAnd some forecasting.\n\nThanks & bye.',
    );
  });

  it('a Teams transcript: notices and the meeting date and duration stay out of the speakers\' words', async () => {
    const p = parseTranscript(await extractDocxText(makeDocx(TEAMS_DOCX_PARAGRAPHS)), 'Project interview 4.docx');
    expect(p.turns.map((t) => [t.speaker, t.startMs])).toEqual([['Jane Doe', 3000], ['Tomás García', 10000], ['Jane Doe', 31000]]);
    expect(p.turns.map((t) => t.text).join('\n')).not.toMatch(/transcription|2024|45m/);
  });

  it('NVivo\'s transcript table exported to Word: one turn per row, with its time span', async () => {
    const cell = (t: string) => `<w:tc><w:p><w:r><w:t xml:space="preserve">${esc(t)}</w:t></w:r></w:p></w:tc>`;
    const row = (...cells: string[]) => `<w:tr>${cells.map(cell).join('')}</w:tr>`;
    const table = `<w:tbl>${row('Timespan', 'Speaker', 'Content')}${row('0:00:00.0 - 0:00:07.4', 'Interviewer', 'Thank you & welcome.')}${row('0:00:07.4 - 0:00:21.9', '王芳', '我负责数据质量。')}</w:tbl>`;
    const bytes = makeDocx(['Interview 7 transcript']);
    const files = unzipSync(bytes);
    const doc = strFromU8(files['word/document.xml']!).replace('<w:body>', `<w:body>${table}`);
    const p = parseTranscript(await extractDocxText(zipSync({ ...files, 'word/document.xml': strToU8(doc) })), 'Interview 7.docx');
    expect(p.format).toBe('nvivo-table');
    expect(p.turns).toEqual([
      { speaker: 'Interviewer', text: 'Thank you & welcome.', startMs: 0, endMs: 7400 },
      { speaker: '王芳', text: '我负责数据质量。', startMs: 7400, endMs: 21900 },
    ]);
  });

  it('reads the ZIP directory', () => {
    const listing = listZip(makeDocx(['x']));
    expect(listing?.names.sort()).toEqual(['[Content_Types].xml', '_rels/.rels', 'word/document.xml']);
  });

  it('refuses what is not a readable .docx', async () => {
    await expect(extractDocxText(new Uint8Array(0))).rejects.toMatchObject({ code: 'empty' });
    await expect(extractDocxText(strToU8('Interviewer: plain text, not a docx'))).rejects.toMatchObject({ code: 'unreadable' });
    const notWord = zipSync({ 'hello.txt': strToU8('hi') });
    await expect(extractDocxText(notWord)).rejects.toMatchObject({ code: 'unreadable' });
    await expect(extractDocxText(makeDocx([]))).rejects.toMatchObject({ code: 'empty' });
    await expect(extractDocxText(makeDocx(['Interviewer: hi']), { maxFileBytes: 100 })).rejects.toMatchObject({ code: 'too-large' });
    await expect(extractDocxText(makeDocx(['Interviewer: hi']), { maxUncompressedBytes: 100 })).rejects.toMatchObject({ code: 'too-large' });
    await expect(extractDocxText(makeDocx(['Interviewer: hi there']), { maxTextLength: 5 })).rejects.toBeInstanceOf(DocxError);
    // A corrupt document part: the ZIP directory is fine, mammoth fails.
    const broken = zipSync({
      '[Content_Types].xml': strToU8(CONTENT_TYPES),
      '_rels/.rels': strToU8(RELS),
      'word/document.xml': strToU8('<w:document><w:body><w:p>'),
    });
    await expect(extractDocx(broken)).rejects.toMatchObject({ code: 'unreadable' });
  });
});
