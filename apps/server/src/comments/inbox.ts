import * as Y from 'yjs';
import { transcriptRoom, TranscriptDoc, type Comment } from '@concord/shared';
import type { AppDeps } from '../http/context.ts';
import type { InboxItem } from '../storage/types.ts';
import type { Connection } from '../sync/connection.ts';
import type { Room } from '../sync/room.ts';

interface NewComment {
  threadId: string;
  comment: Comment;
  /** Authors of the thread's earlier comments. */
  participants: string[];
  firstOfThread: boolean;
  /** An edit of an earlier comment: only the people it newly mentions are told. */
  edited: boolean;
  /** People to tell they were mentioned: all of a new comment's, those an edit added. */
  mentions: string[];
}

/** Mentions of the comments this transaction deleted (an edit deletes the old version and inserts the new). */
function mentionsBefore(tr: Y.Transaction): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  Y.iterateDeletedStructs(tr, tr.deleteSet, (s) => {
    if (!(s instanceof Y.Item) || !(s.content instanceof Y.ContentAny)) return;
    for (const c of s.content.getContent() as Partial<Comment>[]) {
      if (c && typeof c.id === 'string') out.set(c.id, new Set(Array.isArray(c.mentions) ? c.mentions : []));
    }
  });
  return out;
}

/** Comments a client's transaction added or edited (deletions are not news). */
export function newComments(doc: Y.Doc, tr: Y.Transaction): NewComment[] {
  const isNew = (item: Y.Item | null) => !!item && item.id.clock >= (tr.beforeState.get(item.id.client) ?? 0);
  const out: NewComment[] = [];
  let before: Map<string, Set<string>> | null = null;
  for (const thread of doc.getMap<Y.Map<unknown>>('threads').values()) {
    const arr = thread.get('comments');
    if (!(arr instanceof Y.Array)) continue;
    const threadNew = isNew(thread._item);
    const all = arr.toArray() as Comment[];
    let index = 0;
    for (let item = arr._start; item; item = item.right) {
      if (item.deleted || !item.countable) continue;
      const fresh = threadNew || isNew(item);
      for (const c of item.content.getContent() as Comment[]) {
        if (fresh && c && !c.deleted) {
          const edited = c.editedAt !== null;
          let mentions = c.mentions ?? [];
          if (edited) {
            before ??= mentionsBefore(tr);
            const had = before.get(c.id);
            mentions = mentions.filter((m) => !had?.has(m));
          }
          out.push({
            threadId: String(thread.get('id')), comment: c, firstOfThread: index === 0 && !edited, edited, mentions,
            participants: [...new Set(all.slice(0, index).map((x) => x.authorId))],
          });
        }
        index++;
      }
    }
  }
  return out;
}

/**
 * Turns new comments into inbox items kept on the server: mentions, replies in
 * threads you took part in, and new threads on transcripts you coded. An edit
 * tells the people it newly mentions (ids `<user>:<comment>:mention`, stored once:
 * mentioning someone again in a later edit does not tell them twice).
 */
export function inboxHook(getDeps: () => AppDeps) {
  return (room: Room, r: { projectId: string; transcriptId: string }, conn: Connection, tr: Y.Transaction): void => {
    const fresh = newComments(room.doc, tr);
    if (fresh.length === 0) return;
    const deps = getDeps();
    void (async () => {
      const members = new Set((await deps.storage.listMembers(r.projectId)).map((m) => m.userId));
      const coders = fresh.some((f) => f.firstOfThread)
        ? await deps.rooms.readDoc(transcriptRoom(r.projectId, r.transcriptId), (d) => new Set(new TranscriptDoc(d).validCodings().map((c) => c.coderId)))
        : new Set<string>();
      const items: InboxItem[] = [];
      for (const f of fresh) {
        const author = f.comment.authorId;
        const seen = new Set<string>([author]);
        const add = (userId: string, kind: InboxItem['kind']) => {
          if (seen.has(userId) || !members.has(userId)) return;
          seen.add(userId);
          items.push({
            id: f.edited ? `${userId}:${f.comment.id}:mention` : `${userId}:${f.comment.id}`, userId, kind, projectId: r.projectId, transcriptId: r.transcriptId,
            threadId: f.threadId, commentId: f.comment.id, actorId: author,
            excerpt: f.comment.body.slice(0, 200), createdAt: f.comment.createdAt || Date.now(), readAt: null,
          });
        };
        for (const m of f.mentions) add(m, 'mention');
        if (f.edited) continue;
        for (const p of f.participants) add(p, 'reply');
        if (f.firstOfThread) for (const c of coders) add(c, 'thread');
      }
      if (items.length > 0) await deps.storage.addInboxItems(items);
    })().catch((err: unknown) => deps.log('warn', 'inbox update failed', { room: room.name, err: String(err), conn: conn.id }));
  };
}
