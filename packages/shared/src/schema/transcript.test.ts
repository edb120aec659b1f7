import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { resolvePosition } from './anchors.ts';
import { newId } from './ids.ts';
import { TranscriptDoc, type TurnInput } from './transcript.ts';

/** A transcript of `n` turns alternating between three speakers (one turn without a speaker). */
function sample(n: number): { text: string; turns: TurnInput[] } {
  const parts: string[] = [];
  const turns: TurnInput[] = [];
  let offset = 0;
  for (let i = 0; i < n; i++) {
    if (i > 0) offset += 2;
    const words = `Turn ${i}: the model 🤖 drifted, and quality was a poor proxy.`;
    turns.push({ speaker: i % 7 === 3 ? null : ['Interviewer', 'P1', 'P2'][i % 3]!, start: offset });
    parts.push(words);
    offset += words.length;
  }
  return { text: parts.join('\n\n'), turns };
}

/** The previous algorithm: one turn and one relative position at a time (kept to compare against). */
function initialiseTurnByTurn(doc: Y.Doc, text: string, turns: readonly TurnInput[]): void {
  const t = new TranscriptDoc(doc);
  doc.transact(() => {
    t.body.insert(0, text);
    const ids = new Map<string, string>();
    for (const turn of turns) {
      let speakerId: string | null = null;
      if (turn.speaker !== null) {
        speakerId = ids.get(turn.speaker) ?? newId(10);
        if (!ids.has(turn.speaker)) { ids.set(turn.speaker, speakerId); t.speakers.set(speakerId, { id: speakerId, name: turn.speaker }); }
      }
      const m = new Y.Map<unknown>();
      m.set('id', newId(10));
      m.set('speakerId', speakerId);
      m.set('start', Y.encodeRelativePosition(Y.createRelativePositionFromTypeIndex(t.body, turn.start, 0)));
      t.turns.push([m]);
    }
  });
}

/** What a transcript document says, without its random ids. */
function content(doc: Y.Doc) {
  const t = new TranscriptDoc(doc);
  return {
    body: t.body.toString(),
    turns: t.resolveTurns().map((r) => ({ speaker: r.speaker, start: r.start, end: r.end })),
    anchors: t.turns.toArray().map((m) => resolvePosition(doc, m.get('start') as Uint8Array)),
    speakers: t.listSpeakers().map((s) => s.name),
  };
}

/**
 * Counts the steps Yjs takes along its item lists (reads of `Item.left`/`Item.right`)
 * while `fn` runs: the work of building a document, independent of machine speed.
 */
function countListSteps(fn: () => void): number {
  const proto = Y.Item.prototype as object;
  const slots = new WeakMap<object, { left: unknown; right: unknown }>();
  let steps = 0;
  const slot = (o: object) => { let s = slots.get(o); if (!s) { s = { left: null, right: null }; slots.set(o, s); } return s; };
  for (const key of ['left', 'right'] as const) {
    Object.defineProperty(proto, key, {
      configurable: true,
      get(this: object) { steps++; return slot(this)[key]; },
      set(this: object, v: unknown) { slot(this)[key] = v; },
    });
  }
  try {
    fn();
  } finally {
    delete (proto as Record<string, unknown>).left;
    delete (proto as Record<string, unknown>).right;
  }
  return steps;
}

describe('TranscriptDoc.initialise', () => {
  it('builds the same transcript as adding one turn at a time', () => {
    const { text, turns } = sample(300);
    const fast = new Y.Doc();
    new TranscriptDoc(fast).initialise(text, turns, { name: 'Interview' });
    const slow = new Y.Doc();
    initialiseTurnByTurn(slow, text, turns);
    const a = content(fast);
    expect(a).toEqual(content(slow));
    expect(a.turns).toHaveLength(300);
    expect(a.anchors).toEqual(turns.map((t) => t.start));
    expect(a.turns[3]).toMatchObject({ speaker: null });
    expect(a.speakers).toEqual(['Interviewer', 'P1', 'P2']);
    // And the same after a round trip through an update, as a client receives it.
    const copy = new Y.Doc();
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(fast));
    expect(content(copy)).toEqual(a);
  });

  it('in parts: the same transcript, as several updates, with no surrogate pair cut in two', () => {
    const { text, turns } = sample(300);
    const whole = new Y.Doc();
    new TranscriptDoc(whole).initialise(text, turns, { name: 'Interview' });
    const inParts = new Y.Doc();
    const updates: Uint8Array[] = [];
    inParts.on('update', (u: Uint8Array) => updates.push(u));
    // 🤖 is two UTF-16 units: 7 splits some of them at a part boundary.
    new TranscriptDoc(inParts).initialise(text, turns, { name: 'Interview' }, { chars: 7, turns: 40 });
    expect(updates.length).toBeGreaterThan(text.length / 7);
    const received = new Y.Doc();
    for (const u of updates) Y.applyUpdate(received, u);
    expect(content(received)).toEqual(content(whole));
    expect(new TranscriptDoc(received).body.toString()).toBe(text);
  });

  it('anchors keep following their words after edits', () => {
    const { text, turns } = sample(20);
    const doc = new Y.Doc();
    const t = new TranscriptDoc(doc);
    t.initialise(text, turns, { name: 'Interview' });
    const before = t.resolveTurns();
    t.body.insert(0, 'Preamble. ');
    t.body.delete(before[5]!.start + 10, 3);
    const after = t.resolveTurns();
    expect(after[0]!.start).toBe(10); // the first turn's anchor sticks to its first word
    expect(after[1]!.start).toBe(before[1]!.start + 10);
    expect(after[6]!.start).toBe(before[6]!.start + 10 - 3);
  });

  it('keeps optional start and end times (seconds) on each turn', () => {
    const doc = new Y.Doc();
    const t = new TranscriptDoc(doc);
    t.initialise('Hello.\n\nHi there.\n\nBye.', [
      { speaker: 'A', start: 0, startTime: 1.5, endTime: 4 },
      { speaker: 'B', start: 8, startTime: 4.25 },
      { speaker: 'A', start: 19, startTime: Number.NaN, endTime: -1 },
    ], { name: 't' });
    expect(t.resolveTurns().map(({ speaker, startTime, endTime }) => ({ speaker, startTime, endTime }))).toEqual([
      { speaker: 'A', startTime: 1.5, endTime: 4 },
      { speaker: 'B', startTime: 4.25, endTime: null },
      { speaker: 'A', startTime: null, endTime: null },
    ]);
    expect(t.turns.get(2).has('startTime')).toBe(false);
  });

  it('refuses a document that already has text', () => {
    const doc = new Y.Doc();
    const t = new TranscriptDoc(doc);
    t.initialise('One.', [{ speaker: null, start: 0 }], { name: 't' });
    expect(() => t.initialise('Two.', [], { name: 't' })).toThrow(/not empty/);
  });

  it('takes work linear in its turns (list steps counted, not time)', () => {
    const steps = (n: number) => {
      const { text, turns } = sample(n);
      return countListSteps(() => new TranscriptDoc(new Y.Doc()).initialise(text, turns, { name: 't' }));
    };
    const small = steps(1_000);
    const large = steps(4_000);
    expect(small).toBeGreaterThan(0);
    // Linear: 4x the turns, about 4x the steps. Turn by turn it was about 16x (quadratic).
    expect(large / small).toBeLessThan(5);
    const slowSmall = countListSteps(() => initialiseTurnByTurn(new Y.Doc(), sample(1_000).text, sample(1_000).turns));
    const slowLarge = countListSteps(() => initialiseTurnByTurn(new Y.Doc(), sample(4_000).text, sample(4_000).turns));
    expect(slowLarge / slowSmall).toBeGreaterThan(10); // the counter does see the quadratic walk
  });
});
