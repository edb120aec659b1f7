import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { CommentsDoc, TranscriptDoc } from '@concord/shared';
import { CommentActions } from './actions.ts';

function setup() {
  const transcript = new Y.Doc();
  new TranscriptDoc(transcript).body.insert(0, 'We want to guide future work on quality.');
  const cd = new CommentsDoc(new Y.Doc());
  return { transcript, cd, ada: new CommentActions(cd, transcript, 'ada'), ben: new CommentActions(cd, transcript, 'ben') };
}

describe('CommentActions', () => {
  it('starts a thread on a span, replies, resolves and reopens', () => {
    const { transcript, cd, ada, ben } = setup();
    const id = ada.startThread({ start: 3, end: 7, body: '  Why "want"?  ', mentions: ['ben'] });
    ben.reply(id, 'Intent, I think.', []);
    ben.setResolved(id, true);
    let [t] = cd.resolve(transcript);
    expect(t).toMatchObject({ id, quote: 'want', start: 3, end: 7, resolved: true, resolvedBy: 'ben', authorId: 'ada' });
    expect(t!.comments.map((c) => [c.authorId, c.body, c.mentions])).toEqual([['ada', 'Why "want"?', ['ben']], ['ben', 'Intent, I think.', []]]);
    ada.setResolved(id, false);
    [t] = cd.resolve(transcript);
    expect(t!.resolved).toBe(false);
  });

  it('edits only your own comments, keeping their place and updating mentions', () => {
    const { transcript, cd, ada, ben } = setup();
    const id = ada.startThread({ start: 0, end: 2, body: 'first', mentions: [] });
    const reply = ben.reply(id, 'second', []);
    ada.reply(id, 'third', []);
    ben.edit(id, reply, 'second, @Ada', ['ada']);
    const c = cd.resolve(transcript)[0]!.comments;
    expect(c.map((x) => x.body)).toEqual(['first', 'second, @Ada', 'third']);
    expect(c[1]!.mentions).toEqual(['ada']);
    expect(c[1]!.editedAt).not.toBeNull();
    expect(() => ada.edit(id, reply, 'hijack', [])).toThrow(/author/);
    expect(() => ada.edit(id, reply, '   ', [])).toThrow(/Write something/);
  });

  it('deleting leaves a placeholder, or removes a thread you started when nothing else is left', () => {
    const { transcript, cd, ada, ben } = setup();
    const id = ada.startThread({ start: 0, end: 2, body: 'first', mentions: [] });
    const r = ben.reply(id, 'reply', []);
    const first = cd.resolve(transcript)[0]!.comments[0]!.id;
    expect(ada.remove(id, first)).toBe('comment');
    expect(cd.resolve(transcript)[0]!.comments[0]).toMatchObject({ deleted: true, body: '' });
    expect(() => ada.remove(id, r)).toThrow();
    expect(ben.remove(id, r)).toBe('comment');
    // only deleted comments remain: the author's delete removes the thread
    expect(ada.remove(id, first)).toBe('thread');
    expect(cd.resolve(transcript)).toEqual([]);
  });

  it('threads are detached when their words are deleted, and keep the quote', () => {
    const { transcript, cd, ada } = setup();
    ada.startThread({ start: 3, end: 7, body: 'on want', mentions: [] });
    new TranscriptDoc(transcript).body.delete(0, 12);
    const [t] = cd.resolve(transcript);
    expect(t).toMatchObject({ detached: true, quote: 'want', start: null });
  });

  it('refuses empty spans and overlong comments', () => {
    const { ada } = setup();
    expect(() => ada.startThread({ start: 3, end: 3, body: 'x', mentions: [] })).toThrow(/Select/);
    expect(() => ada.startThread({ start: 0, end: 3, body: 'x'.repeat(20_001), mentions: [] })).toThrow(/at most/);
  });
});
