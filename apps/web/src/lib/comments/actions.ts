import * as Y from 'yjs';
import type { Comment, CommentsDoc } from '@concord/shared';

/** Longest comment the server accepts. */
export const MAX_COMMENT_LENGTH = 20_000;

/**
 * What one user may do in a transcript's comments document. Every change carries
 * the user's own id, as the server requires (it closes the connection on any
 * change to someone else's comment).
 */
export class CommentActions {
  constructor(
    readonly cd: CommentsDoc,
    /** The Y.Doc holding the transcript body the threads are anchored in. */
    readonly transcript: Y.Doc,
    readonly userId: string,
  ) {}

  private check(body: string): string {
    const text = body.trim();
    if (!text) throw new Error('Write something first.');
    if (text.length > MAX_COMMENT_LENGTH) throw new Error(`Comments can have at most ${MAX_COMMENT_LENGTH.toLocaleString()} characters.`);
    return text;
  }

  startThread(input: { start: number; end: number; body: string; mentions: string[]; codingId?: string | null }): string {
    const body = this.check(input.body);
    if (input.end <= input.start) throw new Error('Select the words you want to comment on.');
    return this.cd.createThread(this.transcript, {
      start: input.start, end: input.end, authorId: this.userId, body, mentions: input.mentions, codingId: input.codingId ?? null,
    });
  }

  reply(threadId: string, body: string, mentions: string[]): string {
    return this.cd.reply(threadId, { authorId: this.userId, body: this.check(body), mentions });
  }

  /** Replaces the text (and mentions) of one of your comments. */
  edit(threadId: string, commentId: string, body: string, mentions: string[]): void {
    const text = this.check(body);
    const arr = this.cd.threads.get(threadId)?.get('comments');
    if (!(arr instanceof Y.Array)) throw new Error('This thread no longer exists.');
    const list = arr.toArray() as Comment[];
    const index = list.findIndex((c) => c.id === commentId);
    const c = list[index];
    if (!c) throw new Error('This comment no longer exists.');
    if (c.authorId !== this.userId) throw new Error('Only its author can edit a comment.');
    if (c.body === text && sameIds(c.mentions ?? [], mentions)) return;
    this.cd.doc.transact(() => {
      arr.delete(index, 1);
      arr.insert(index, [{ ...c, body: text, mentions, editedAt: Date.now() }]);
    });
  }

  /**
   * Deletes one of your comments. A thread you started disappears altogether when
   * nothing anybody else wrote is left in it.
   */
  remove(threadId: string, commentId: string): 'comment' | 'thread' {
    const t = this.cd.threads.get(threadId);
    const arr = t?.get('comments');
    if (!t || !(arr instanceof Y.Array)) throw new Error('This thread no longer exists.');
    const list = arr.toArray() as Comment[];
    const target = list.find((c) => c.id === commentId);
    if (!target) throw new Error('This comment no longer exists.');
    if (target.authorId !== this.userId) throw new Error('Only its author can delete a comment.');
    const others = list.filter((c) => c.id !== commentId && !c.deleted);
    if (t.get('authorId') === this.userId && others.length === 0) {
      this.cd.threads.delete(threadId);
      return 'thread';
    }
    this.cd.remove(threadId, commentId, this.userId);
    return 'comment';
  }

  setResolved(threadId: string, resolved: boolean): void {
    this.cd.setResolved(threadId, this.userId, resolved);
  }
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
