import * as Y from 'yjs';
import { parseRoom, transcriptRoom, TranscriptDoc, type Comment } from '@concord/shared';
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
}

/** Comments a client's transaction added (edits and deletions are not news). */
export function newComments(doc: Y.Doc, tr: Y.Transaction): NewComment[] {
  const isNew = (item: Y.Item | null) => !!item && item.id.clock >= (tr.beforeState.get(item.id.client) ?? 0);
  const out: NewComment[] = [];
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
        if (fresh && c && !c.deleted && c.editedAt === null) {
          out.push({
            threadId: String(thread.get('id')), comment: c, firstOfThread: index === 0,
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
 * threads you took part in, and new threads on transcripts you coded.
 */
export function inboxHook(getDeps: () => AppDeps) {
  return (room: Room, conn: Connection, tr: Y.Transaction): void => {
    const r = parseRoom(room.name);
    if (r?.kind !== 'comments') return;
    const fresh = newComments(room.doc, tr);
    if (fresh.length === 0) return;
    const deps = getDeps();
    void (async () => {
      const members = new Set((await deps.storage.listMembers(r.projectId)).map((m) => m.userId));
      const coders = fresh.some((f) => f.firstOfThread)
        ? await deps.rooms.readDoc(transcriptRoom(r.projectId, r.transcriptId), (d) => new Set([...new TranscriptDoc(d).codings.values()].map((c) => c.coderId)))
        : new Set<string>();
      const items: InboxItem[] = [];
      for (const f of fresh) {
        const author = f.comment.authorId;
        const seen = new Set<string>([author]);
        const add = (userId: string, kind: InboxItem['kind']) => {
          if (seen.has(userId) || !members.has(userId)) return;
          seen.add(userId);
          items.push({
            id: `${userId}:${f.comment.id}`, userId, kind, projectId: r.projectId, transcriptId: r.transcriptId,
            threadId: f.threadId, commentId: f.comment.id, actorId: author,
            excerpt: f.comment.body.slice(0, 200), createdAt: f.comment.createdAt || Date.now(), readAt: null,
          });
        };
        for (const m of f.comment.mentions ?? []) add(m, 'mention');
        for (const p of f.participants) add(p, 'reply');
        if (f.firstOfThread) for (const c of coders) add(c, 'thread');
      }
      if (items.length > 0) await deps.storage.addInboxItems(items);
    })().catch((err: unknown) => deps.log('warn', 'inbox update failed', { room: room.name, err: String(err), conn: conn.id }));
  };
}
