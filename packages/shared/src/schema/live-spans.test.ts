import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { resolveSpan } from './anchors.ts';
import { LiveSpans, followSpans, mapOffset } from './live-spans.ts';
import { TranscriptDoc, isCoding, type Coding } from './transcript.ts';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A LiveSpans fed like the app feeds it: the body's deltas and the codings map's changed keys. */
function follow(td: TranscriptDoc): LiveSpans {
  const live = new LiveSpans(td.doc);
  followSpans(td.body, td.codings, (c) => (isCoding(c) ? c : null), live, () => undefined);
  return live;
}

function expectSameAsYjs(td: TranscriptDoc, live: LiveSpans): void {
  for (const c of td.codings.values() as IterableIterator<Coding>) {
    expect(live.get(c.id), `coding ${c.id} in “${td.body.toString()}”`).toEqual(resolveSpan(td.doc, c));
  }
}

describe('mapOffset', () => {
  it('moves a start before text inserted at it, an end not; deleted boundaries land at the deletion', () => {
    expect(mapOffset([{ retain: 5 }, { insert: 'ab' }], 5, true)).toEqual({ pos: 7, deleted: false });
    expect(mapOffset([{ retain: 5 }, { insert: 'ab' }], 5, false)).toEqual({ pos: 5, deleted: false });
    expect(mapOffset([{ retain: 2 }, { delete: 4 }], 3, true)).toEqual({ pos: 2, deleted: true });
    expect(mapOffset([{ retain: 2 }, { delete: 4 }], 6, false)).toEqual({ pos: 2, deleted: true });
    expect(mapOffset([{ retain: 2 }, { delete: 4 }], 6, true)).toEqual({ pos: 2, deleted: false });
    expect(mapOffset([{ retain: 2 }, { delete: 4 }], 2, false)).toEqual({ pos: 2, deleted: false });
    expect(mapOffset([{ delete: 1 }, { retain: 3 }, { insert: 'xyz' }], 9, true)).toEqual({ pos: 11, deleted: false });
  });
});

describe('LiveSpans', () => {
  it.each([7, 11, 23])('gives what Yjs resolution gives through random local and remote edits, undo and redo (fuzz, seed %i)', (seed) => {
    const rand = rng(seed);
    const a = new TranscriptDoc(new Y.Doc());
    a.initialise('The quick brown fox jumps over the lazy dog. '.repeat(12), [{ speaker: 'P', start: 0 }], { name: 't' });
    const b = new TranscriptDoc(new Y.Doc());
    Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(a.doc));
    const sync = (): void => {
      Y.applyUpdate(a.doc, Y.encodeStateAsUpdate(b.doc, Y.encodeStateVector(a.doc)));
      Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(a.doc, Y.encodeStateVector(b.doc)));
    };
    const undo = new Y.UndoManager(a.body, { captureTimeout: 0 });
    const live = follow(a);
    for (let round = 0; round < 400; round++) {
      const doc = rand() < 0.5 ? a : b;
      const len = doc.body.length;
      const r = rand();
      if (r < 0.2 && len > 2) {
        const s = Math.floor(rand() * (len - 1));
        doc.addCoding(doc.codings, { codeId: 'c', coderId: 'u', start: s, end: Math.min(len, s + 1 + Math.floor(rand() * 30)) });
      } else if (r < 0.5) {
        doc.body.insert(Math.floor(rand() * (len + 1)), rand() < 0.5 ? 'x' : 'new words ');
      } else if (r < 0.8 && len > 10) {
        const s = Math.floor(rand() * (len - 1));
        doc.body.delete(s, Math.min(len - s, 1 + Math.floor(rand() * 12)));
      } else if (r < 0.88) {
        undo.undo();
      } else if (r < 0.94) {
        undo.redo();
      } else if (doc.codings.size) {
        const ids = [...doc.codings.keys()];
        doc.codings.delete(ids[Math.floor(rand() * ids.length)]!);
      }
      if (rand() < 0.4) sync();
      expectSameAsYjs(a, live);
    }
    sync();
    expectSameAsYjs(a, live);
    expect(live.size).toBe(a.codings.size);
  });

  it('re-resolves only the spans that changed: a text change does not resolve untouched codings', () => {
    const td = new TranscriptDoc(new Y.Doc());
    td.initialise('one two three four five six seven', [{ speaker: 'P', start: 0 }], { name: 't' });
    for (let i = 0; i < 5; i++) td.addCoding(td.codings, { codeId: 'c', coderId: 'u', start: i * 4, end: i * 4 + 3, id: `k${i}` });
    const live = follow(td);
    const before = live.get('k4');
    td.body.insert(0, '>> ');
    expect(live.get('k0')).toEqual({ start: 3, end: 6 });
    expect(live.get('k4')).toEqual({ start: before!.start + 3, end: before!.end + 3 });
    const v = live.version;
    td.codings.set('k1', { ...td.codings.get('k1')!, codeId: 'other' });
    expect(live.version).toBe(v + 1);
  });
});
