import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { TranscriptDoc, layerCodings } from './transcript.ts';

const TEXT = 'We had data quality issues in production every week, honestly.';

function doc(): TranscriptDoc {
  const td = new TranscriptDoc(new Y.Doc());
  td.initialise(TEXT, [{ speaker: 'P1', start: 0 }], { name: 't' });
  return td;
}

describe('coding mutations of TranscriptDoc', () => {
  it('adjustCoding re-anchors a coding to new words and keeps everything else', () => {
    const td = doc();
    const start = TEXT.indexOf('data');
    td.addCoding(td.codings, { codeId: 'c1', coderId: 'u1', start, end: start + 4, id: 'k1', memo: 'first' });
    const to = TEXT.indexOf('issues') + 'issues'.length;
    expect(td.adjustCoding(td.codings, 'k1', start, to)).toBe(true);
    const [c] = td.resolveCodings();
    expect(c).toMatchObject({ id: 'k1', codeId: 'c1', coderId: 'u1', text: 'data quality issues', memo: 'first' });
    // and it follows its words through a later edit before it
    td.body.insert(0, 'So, ');
    expect(td.resolveCodings()[0]?.text).toBe('data quality issues');
  });

  it('adjustCoding refuses an empty span or an unknown coding, and throws outside the text', () => {
    const td = doc();
    td.addCoding(td.codings, { codeId: 'c1', coderId: 'u1', start: 0, end: 2, id: 'k1' });
    expect(td.adjustCoding(td.codings, 'k1', 5, 5)).toBe(false);
    expect(td.adjustCoding(td.codings, 'nope', 0, 4)).toBe(false);
    expect(() => td.adjustCoding(td.codings, 'k1', 0, TEXT.length + 10)).toThrow(RangeError);
    expect(td.resolveCodings()[0]?.text).toBe('We');
  });

  it('recodeCoding and setCodingMemo change one field, in a coder’s layer too', () => {
    const td = doc();
    const layer = layerCodings(new Y.Doc());
    // a layer document anchors into the transcript's body
    td.addCoding(layer, { codeId: 'c1', coderId: 'u1', start: 3, end: 6, id: 'k1' });
    expect(td.recodeCoding(layer, 'k1', 'c2')).toBe(true);
    expect(td.setCodingMemo(layer, 'k1', '  why this matters  ')).toBe(true);
    expect(layer.get('k1')).toMatchObject({ codeId: 'c2', memo: 'why this matters', coderId: 'u1' });
    expect(td.setCodingMemo(layer, 'k1', '   ')).toBe(true);
    expect(layer.get('k1')).not.toHaveProperty('memo');
    expect(td.resolveCodings(layer)[0]).toMatchObject({ codeId: 'c2', text: 'had' });
    expect(td.recodeCoding(layer, 'missing', 'c2')).toBe(false);
    expect(td.setCodingMemo(layer, 'missing', 'x')).toBe(false);
  });
});
