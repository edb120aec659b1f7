import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode, CommentsDoc, commentsRoom, TranscriptDoc, transcriptRoom } from '@concord/shared';
import { addMember, connect, makeCodes, destroyProviders, makeProject, makeTranscript, makeUser, startTestServer, synced, waitFor, type TestUser } from './helpers.ts';
import type { ConcordServer } from '../src/server.ts';

let server: ConcordServer;
let owner: TestUser;
let commenter: TestUser;
let coder: TestUser;
let pid: string;
let tid: string;
const TEXT = 'Interviewer: Why?\n\nP12: The metrics are a poor proxy of quality in our team.';

beforeAll(async () => {
  server = await startTestServer();
  owner = await makeUser(server.url, 'Owner');
  commenter = await makeUser(server.url, 'Carla');
  coder = await makeUser(server.url, 'Ben');
  pid = await makeProject(owner);
  await makeCodes(server, pid, ['ME']);
  await addMember(owner, pid, commenter, 'commenter');
  await addMember(owner, pid, coder, 'coder');
  tid = await makeTranscript(owner, pid, TEXT);
});
afterEach(() => destroyProviders());
afterAll(async () => { await server.close(); });

async function open(user: TestUser) {
  const t = connect(server.url, transcriptRoom(pid, tid), user.token);
  const c = connect(server.url, commentsRoom(pid, tid), user.token);
  await Promise.all([synced(t), synced(c)]);
  return { t: new TranscriptDoc(t.doc), c: new CommentsDoc(c.doc), tp: t, cp: c };
}

describe('comment threads', () => {
  it('stay on their words through edits from another client, and show as detached with the kept quote when the words go', async () => {
    const carla = await open(commenter);
    const ben = await open(coder);
    const body = carla.t.body.toString();
    const quote = 'a poor proxy of quality';
    const start = body.indexOf(quote);
    const id = carla.c.createThread(carla.t.doc, { start, end: start + quote.length, authorId: commenter.id, body: 'Is this really ME-metrics?' });
    await waitFor(() => ben.c.threads.has(id), 5000, 'thread reaches Ben');
    // Ben edits around and inside the quote.
    ben.t.body.insert(0, '[00:01] ');
    ben.t.body.insert(ben.t.body.toString().indexOf('proxy'), 'very ');
    ben.t.body.delete(ben.t.body.toString().indexOf(' in our team'), ' in our team'.length);
    await waitFor(() => carla.t.body.toString() === ben.t.body.toString(), 5000, 'edits reach Carla');
    const [th] = carla.c.resolve(carla.t.doc);
    expect(th?.detached).toBe(false);
    expect(carla.t.body.toString().slice(th!.start!, th!.end!)).toBe('a poor very proxy of quality');
    // Ben deletes the quoted words entirely.
    const s = ben.t.body.toString().indexOf('a poor very proxy of quality');
    ben.t.body.delete(s, 'a poor very proxy of quality'.length);
    await waitFor(() => carla.t.body.toString() === ben.t.body.toString(), 5000, 'deletion reaches Carla');
    const [gone] = carla.c.resolve(carla.t.doc);
    expect(gone).toMatchObject({ detached: true, quote, start: null });
    expect(gone?.comments[0]?.body).toBe('Is this really ME-metrics?');
  });

  it('a commenter may comment, but the server refuses their change to codings', async () => {
    const carla = await open(commenter);
    const ownerView = await open(owner);
    carla.t.addCoding(carla.t.codings, { codeId: 'x', coderId: commenter.id, start: 0, end: 5, id: 'sneaky' });
    ownerView.t.body.insert(0, 'sentinel ');
    await waitFor(() => carla.t.body.toString().startsWith('sentinel '), 5000);
    await new Promise((r) => setTimeout(r, 200));
    expect(ownerView.t.codings.has('sneaky')).toBe(false);
    expect(server.deps.rooms.rooms.get(transcriptRoom(pid, tid))?.doc.getMap('codings').has('sneaky')).toBe(false);
  });

  it('refuses a comment written in someone else\'s name, or an edit of someone else\'s comment', async () => {
    const ben = await open(coder);
    const body = ben.t.body.toString();
    const threadId = ben.c.createThread(ben.t.doc, { start: 0, end: 5, authorId: coder.id, body: 'mine' });
    await waitFor(() => server.deps.rooms.rooms.get(commentsRoom(pid, tid))?.doc.getMap('threads').has(threadId) === true);
    // A forged reply in the owner's name from Carla's connection.
    const carla = await open(commenter);
    await waitFor(() => carla.c.threads.has(threadId));
    const closed = new Promise<number>((resolve) => carla.cp.on('connection-close', (e) => resolve(e?.code ?? 0)));
    carla.c.reply(threadId, { authorId: owner.id, body: 'I, the owner, agree' });
    expect(await closed).toBe(CloseCode.RefusedChange);
    const serverDoc = new CommentsDoc(server.deps.rooms.rooms.get(commentsRoom(pid, tid))!.doc);
    expect(serverDoc.resolve(ben.t.doc).find((t) => t.id === threadId)?.comments.map((c) => c.body)).toEqual(['mine']);
    // Editing Ben's comment through raw Yjs from the owner's connection is refused too.
    const own = await open(owner);
    await waitFor(() => own.c.threads.has(threadId));
    const arr = own.c.threads.get(threadId)!.get('comments') as Y.Array<{ body: string }>;
    const closed2 = new Promise<number>((resolve) => own.cp.on('connection-close', (e) => resolve(e?.code ?? 0)));
    own.c.doc.transact(() => { const first = arr.get(0); arr.delete(0, 1); arr.insert(0, [{ ...first, body: 'rewritten' }]); });
    expect(await closed2).toBe(CloseCode.RefusedChange);
    expect(serverDoc.resolve(ben.t.doc).find((t) => t.id === threadId)?.comments.map((c) => c.body)).toEqual(['mine']);
  });

  it('mentions and replies reach the inbox, kept on the server with unread counts', async () => {
    const ben = await open(coder);
    // Ben has coded this transcript, so new threads on it reach him too.
    ben.t.addCoding(ben.t.codings, { codeId: 'ME', coderId: coder.id, start: 0, end: 5 });
    const carla = await open(commenter);
    await waitFor(() => carla.t.codings.size > 0);
    const threadId = carla.c.createThread(carla.t.doc, { start: 0, end: 5, authorId: commenter.id, body: '@Owner see how P12 says the same', mentions: [owner.id] });
    let inbox: any;
    await waitFor(() => { void owner.client.req('GET', '/api/inbox').then((r) => { inbox = r.json; }); return inbox?.items?.length === 1; }, 5000, 'owner inbox');
    expect(inbox.items[0]).toMatchObject({ kind: 'mention', actorName: 'Carla', excerpt: '@Owner see how P12 says the same', threadId });
    expect(inbox.unread).toBe(1);
    let benInbox: any;
    await waitFor(() => { void coder.client.req('GET', '/api/inbox').then((r) => { benInbox = r.json; }); return benInbox?.items?.some((i: { kind: string; threadId: string }) => i.kind === 'thread' && i.threadId === threadId); }, 5000, 'coder inbox');
    // The owner replies; Carla, who took part, gets a reply item.
    const own = await open(owner);
    await waitFor(() => own.c.threads.has(threadId));
    own.c.reply(threadId, { authorId: owner.id, body: 'Agreed, merging.' });
    let carlaInbox: any;
    await waitFor(() => { void commenter.client.req('GET', '/api/inbox').then((r) => { carlaInbox = r.json; }); return carlaInbox?.items?.some((i: { kind: string }) => i.kind === 'reply'); }, 5000, 'reply in inbox');
    expect((await owner.client.req('POST', '/api/inbox/read', { ids: 'all' })).json.unread).toBe(0);
    expect((await owner.client.req('GET', '/api/inbox/unread')).json.unread).toBe(0);
  });

  it('a mention added by editing a comment reaches the inbox once, also for someone told of the thread before', async () => {
    const carla = await open(commenter);
    // Ben coded this transcript (first test), so he is told of the new thread...
    const threadId = carla.c.createThread(carla.t.doc, { start: 0, end: 5, authorId: commenter.id, body: 'A first thought' });
    const cid = (carla.c.threads.get(threadId)!.get('comments') as Y.Array<{ id: string }>).get(0).id;
    const items = async (user: TestUser) => ((await user.client.req('GET', '/api/inbox')).json.items as { kind: string; commentId: string; excerpt: string }[])
      .filter((i) => i.commentId === cid);
    let benItems: { kind: string; excerpt: string }[] = [];
    await waitFor(() => { void items(coder).then((x) => { benItems = x; }); return benItems.length > 0; }, 5000, 'thread in Ben\'s inbox');
    expect(benItems.map((i) => i.kind)).toEqual(['thread']);
    // ...and then told he was mentioned when Carla edits the comment to mention him.
    carla.c.edit(threadId, cid, commenter.id, 'A first thought, @Ben what do you think?', [coder.id]);
    await waitFor(() => { void items(coder).then((x) => { benItems = x; }); return benItems.length > 1; }, 5000, 'mention by edit in Ben\'s inbox');
    expect(benItems.find((i) => i.kind === 'mention')).toMatchObject({ excerpt: 'A first thought, @Ben what do you think?' });
    // Editing again with the same mention tells Ben nothing new; adding the owner tells only the owner.
    carla.c.edit(threadId, cid, commenter.id, '@Ben and @Owner: what do you think?', [coder.id, owner.id]);
    let ownerItems: { kind: string }[] = [];
    await waitFor(() => { void items(owner).then((x) => { ownerItems = x; }); return ownerItems.length > 0; }, 5000, 'mention by second edit');
    expect(ownerItems.map((i) => i.kind)).toEqual(['mention']);
    expect(await items(coder)).toHaveLength(2);
    // Deleting the comment tells no one.
    carla.c.remove(threadId, cid, commenter.id);
    await new Promise((r) => setTimeout(r, 300));
    expect(await items(coder)).toHaveLength(2);
    expect(await items(owner)).toHaveLength(1);
  });
});
