import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { TranscriptDoc } from './transcript.ts';

/** Two replicas exchanging updates, as two clients of one room do through the server. */
function pair(text: string): [TranscriptDoc, TranscriptDoc, () => void] {
  const a = new Y.Doc();
  const b = new Y.Doc();
  new TranscriptDoc(a).initialise(text, [{ speaker: 'P1', start: 0 }], { name: 't' });
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
  const sync = () => {
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  };
  return [new TranscriptDoc(a), new TranscriptDoc(b), sync];
}

const TEXT = 'We had data quality issues in production every week, honestly.';
const QUOTE = 'data quality issues';

describe('codings anchored with relative positions', () => {
  it('keep covering the same words through concurrent edits before, inside and after the span', () => {
    const [a, b, sync] = pair(TEXT);
    const start = TEXT.indexOf(QUOTE);
    a.addCoding(a.codings, { codeId: 'c1', coderId: 'u1', start, end: start + QUOTE.length, id: 'k1' });
    sync();
    // Concurrently: A inserts before and deletes after; B inserts inside and at both boundaries.
    a.body.insert(0, 'Honestly, ');
    a.body.delete(a.body.toString().indexOf(' every week'), ' every week'.length);
    b.body.insert(b.body.toString().indexOf('quality'), 'bad ');
    b.body.insert(b.body.toString().indexOf('data'), '[');       // at the start boundary: outside
    b.body.insert(b.body.toString().indexOf('issues') + 6, ']'); // at the end boundary: outside
    sync();
    expect(a.body.toString()).toBe(b.body.toString());
    expect(a.body.toString()).toBe('Honestly, We had [data bad quality issues] in production, honestly.');
    for (const doc of [a, b]) {
      const [c] = doc.resolveCodings();
      expect(c?.text).toBe('data bad quality issues');
    }
  });

  it('shrinks with deletions inside and vanishes when all its words are deleted', () => {
    const [a, b, sync] = pair(TEXT);
    const start = TEXT.indexOf(QUOTE);
    a.addCoding(a.codings, { codeId: 'c1', coderId: 'u1', start, end: start + QUOTE.length });
    sync();
    b.body.delete(b.body.toString().indexOf(' quality'), ' quality'.length);
    sync();
    expect(a.resolveCodings()[0]?.text).toBe('data issues');
    a.body.delete(a.body.toString().indexOf('data issues'), 'data issues'.length);
    sync();
    expect(b.resolveCodings()).toEqual([]);
  });

  it('codings may span several turns and follow speaker renames', () => {
    const doc = new Y.Doc();
    const t = new TranscriptDoc(doc);
    const text = 'Hello.\n\nHi there.\n\nSo, quality?';
    t.initialise(text, [{ speaker: 'Interviewer', start: 0 }, { speaker: 'Rached', start: 8 }, { speaker: 'Interviewer', start: 19 }], { name: 't' });
    t.addCoding(t.codings, { codeId: 'c', coderId: 'u', start: 0, end: 16 });
    expect(t.resolveCodings()[0]?.text).toBe('Hello.\n\nHi there');
    const rached = t.listSpeakers().find((s) => s.name === 'Rached')!;
    t.renameSpeaker(rached.id, 'P9');
    expect(t.resolveTurns().map((x) => x.speaker)).toEqual(['Interviewer', 'P9', 'Interviewer']);
    expect(t.speakerAt(10)).toBe('P9');
  });

  it('refuses a span outside the text', () => {
    const doc = new Y.Doc();
    const t = new TranscriptDoc(doc);
    t.initialise('short', [], { name: 't' });
    expect(() => t.addCoding(t.codings, { codeId: 'c', coderId: 'u', start: 2, end: 99 })).toThrow(RangeError);
  });
});
