import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CodebookDoc } from './codebook.ts';
import { CommentsDoc, malformedThreads } from './comments.ts';
import { codeProblem, codingProblem, isColor } from './shapes.ts';
import { TranscriptDoc } from './transcript.ts';

const pos = () => Y.encodeRelativePosition(Y.createRelativePositionFromTypeIndex(new Y.Doc().getText('body'), 0));

describe('entry shapes (what the server accepts from clients)', () => {
  it('colours are #rgb or #rrggbb only', () => {
    for (const ok of ['#fff', '#E69F00', '#0072b2']) expect(isColor(ok), ok).toBe(true);
    for (const bad of ['red', '#ggg', '#12345', 'url(x)', '#fff;background:red', null, 3]) expect(isColor(bad), String(bad)).toBe(false);
  });

  it('a code is a map whose id is its key, with a name and a colour', () => {
    const doc = new Y.Doc();
    const cb = new CodebookDoc(doc);
    const id = cb.createCode({ name: 'Metrics' });
    expect(codeProblem(id, cb.codes.get(id))).toBeNull();
    expect(codeProblem('other', cb.codes.get(id))).toMatch(/id must be its key/);
    expect(codeProblem('x', 'not a map')).toMatch(/must be a map/);
    cb.codes.get(id)!.set('color', 'red');
    expect(codeProblem(id, cb.codes.get(id))).toMatch(/colour/);
  });

  it('a coding has ids, encoded positions and createdAt', () => {
    const ok = { id: 'c', codeId: 'k', coderId: 'u', start: pos(), end: pos(), createdAt: 1 };
    expect(codingProblem('c', ok)).toBeNull();
    expect(codingProblem('c', { ...ok, memo: 'why' })).toBeNull();
    expect(codingProblem('d', ok)).toMatch(/id must be its key/);
    expect(codingProblem('c', { ...ok, start: 'x' })).toMatch(/start/);
    expect(codingProblem('c', { ...ok, memo: 5 })).toMatch(/memo/);
    expect(codingProblem('c', null)).toMatch(/object/);
  });
});

describe('readers skip entries stored in a bad shape and report them', () => {
  it('CodebookDoc', () => {
    const doc = new Y.Doc();
    const cb = new CodebookDoc(doc);
    const good = cb.createCode({ name: 'Good' });
    cb.codes.set('junk', 'text' as unknown as Y.Map<unknown>);
    cb.codes.set('nul', null as unknown as Y.Map<unknown>);
    expect(cb.list().map((c) => c.id)).toEqual([good]);
    expect(cb.get('junk')).toBeNull();
    expect(cb.text('junk', 'definition')).toBeNull();
    expect(cb.findByName('Good')?.id).toBe(good);
    expect(cb.descendants(good)).toEqual([good]);
    expect(cb.malformed().map((m) => m.key).sort()).toEqual(['junk', 'nul']);
  });

  it('descendants stop at a parent cycle', () => {
    const cb = new CodebookDoc(new Y.Doc());
    const a = cb.createCode({ name: 'A' });
    const b = cb.createCode({ name: 'B', parentId: a });
    cb.codes.get(a)!.set('parentId', b);
    expect(cb.descendants(a).sort()).toEqual([a, b].sort());
  });

  it('TranscriptDoc', () => {
    const doc = new Y.Doc();
    const td = new TranscriptDoc(doc);
    td.initialise('Interviewer: Why?\n\nP1: Because.', [{ speaker: 'Interviewer', start: 0 }, { speaker: 'P1', start: 19 }], { name: 'T' });
    td.addCoding(td.codings, { id: 'ok', codeId: 'k', coderId: 'u', start: 0, end: 5 });
    td.codings.set('junk', 'x' as never);
    td.turns.push(['not a turn' as never]);
    td.speakers.set('bad', 7 as never);
    td.decisions.push([null as never]);
    expect(td.resolveTurns().map((t) => t.speaker)).toEqual(['Interviewer', 'P1']);
    expect(td.listSpeakers().map((s) => s.name).sort()).toEqual(['Interviewer', 'P1']);
    expect(td.resolveCodings().map((c) => c.id)).toEqual(['ok']);
    expect(td.validCodings().map((c) => c.id)).toEqual(['ok']);
    expect(td.listDecisions()).toEqual([]);
    expect(td.malformed().map((m) => m.part).sort()).toEqual(['codings', 'decisions', 'speakers', 'turns']);
  });

  it('CommentsDoc', () => {
    const transcript = new Y.Doc();
    transcript.getText('body').insert(0, 'Some words here');
    const cd = new CommentsDoc(new Y.Doc());
    const id = cd.createThread(transcript, { start: 0, end: 4, authorId: 'u', body: 'Look' });
    cd.threads.set('junk', 'x' as never);
    (cd.threads.get(id)!.get('comments') as Y.Array<unknown>).push([null]);
    const threads = cd.resolve(transcript);
    expect(threads.map((t) => t.id)).toEqual([id]);
    expect(threads[0]!.comments.map((c) => c.body)).toEqual(['Look']);
    expect(malformedThreads(cd).map((m) => m.part).sort()).toEqual(['comments', 'threads']);
  });
});
