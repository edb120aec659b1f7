import * as Y from 'yjs';
import type { Comment } from '@concord/shared';
import type { Connection } from '../sync/connection.ts';
import type { Room } from '../sync/room.ts';

/**
 * Per-author rules of a comments room, enforced by the server (a modified client
 * cannot get around them): a new thread or comment carries its sender's id; only
 * the author may edit or delete a comment (edits replace the comment, so both
 * show up as a deletion of the author's comment); only the thread's author may
 * delete a whole thread. Resolving and reopening is open to every commenter.
 *
 * Part of the comments rooms' policy (sync/room-policy.ts). The update is tried on a copy of the document first; comments documents are
 * small, so the copy is cheap, and the real document is only touched when the
 * update passes.
 */
export function checkCommentsUpdate(room: Room, conn: Connection, update: Uint8Array): string | null {
  const copy = new Y.Doc();
  try {
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(room.doc));
    let problem: string | null = null;
    const threads = copy.getMap<Y.Map<unknown>>('threads');
    threads.observeDeep((events) => {
      for (const ev of events) {
        if (problem) return;
        problem = checkEvent(ev, conn.userId);
      }
    });
    Y.applyUpdate(copy, update);
    return problem;
  } finally {
    copy.destroy();
  }
}

function checkEvent(ev: Y.YEvent<Y.AbstractType<unknown>>, userId: string): string | null {
  if (ev.target instanceof Y.Map && ev.path.length === 0) {
    // Top-level threads map: threads added or removed.
    for (const [key, change] of ev.changes.keys) {
      if (change.action === 'add') {
        const t = (ev.target as Y.Map<Y.Map<unknown>>).get(key);
        if (!(t instanceof Y.Map) || t.get('authorId') !== userId) return 'a new thread must be yours';
        const comments = t.get('comments');
        if (!(comments instanceof Y.Array)) return 'a thread needs its comments list';
        for (const c of comments.toArray() as Comment[]) {
          if (!c || typeof c !== 'object' || c.authorId !== userId) return 'a comment must be yours';
        }
      } else if (change.action === 'delete') {
        const old = change.oldValue as unknown;
        if (old instanceof Y.Map && old.get('authorId') !== userId) return 'only its author can delete a thread';
      } else return 'threads cannot be replaced';
    }
    return null;
  }
  if (ev.target instanceof Y.Map) {
    // A thread's own fields.
    for (const [key] of ev.changes.keys) {
      if (['start', 'end', 'quote', 'authorId', 'createdAt', 'comments', 'id'].includes(key) && ev.changes.keys.get(key)?.action !== 'add') {
        return `a thread's ${key} cannot be changed`;
      }
    }
    return null;
  }
  if (ev.target instanceof Y.Array) {
    for (const item of ev.changes.added) {
      for (const c of item.content.getContent() as Comment[]) {
        if (!c || typeof c !== 'object' || c.authorId !== userId) return 'a comment must be yours';
        if (typeof c.body !== 'string' || c.body.length > 20_000) return 'a comment must be text of at most 20,000 characters';
      }
    }
    for (const item of ev.changes.deleted) {
      for (const c of item.content.getContent() as Comment[]) {
        if (c && typeof c === 'object' && c.authorId !== userId) return 'only its author can change a comment';
      }
    }
    return null;
  }
  return null;
}
