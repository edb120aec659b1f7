import * as Y from 'yjs';
import { anchorSpan, resolveSpan, type EncodedSpan } from './anchors.ts';
import { newId } from './ids.ts';
import type { MalformedEntry } from './shapes.ts';

/**
 * The comments document (room `<projectId>/transcripts/<transcriptId>/comments`):
 *
 *   threads: Y.Map<Y.Map>  threadId → {id, start, end (relative positions into the
 *                          transcript body), quote (kept as a fallback), authorId,
 *                          createdAt, resolved, resolvedBy, resolvedAt, codingId,
 *                          comments: Y.Array<Comment>}
 */
export interface Comment {
  id: string;
  authorId: string;
  body: string;
  createdAt: number;
  editedAt: number | null;
  deleted: boolean;
  mentions: string[];
}

export interface ResolvedThread {
  id: string;
  quote: string;
  /** UTF-16 offsets into the transcript body; null when the quote's words were deleted. */
  start: number | null;
  end: number | null;
  detached: boolean;
  authorId: string;
  createdAt: number;
  resolved: boolean;
  resolvedBy: string | null;
  codingId: string | null;
  comments: Comment[];
}

export class CommentsDoc {
  constructor(readonly doc: Y.Doc) {}

  get threads(): Y.Map<Y.Map<unknown>> { return this.doc.getMap('threads'); }

  createThread(
    transcript: Y.Doc,
    input: { start: number; end: number; authorId: string; body: string; mentions?: string[]; codingId?: string | null },
  ): string {
    const body = transcript.getText('body');
    const span = anchorSpan(body, input.start, input.end);
    const id = newId();
    this.doc.transact(() => {
      const t = new Y.Map<unknown>();
      t.set('id', id);
      t.set('start', span.start);
      t.set('end', span.end);
      t.set('quote', body.toString().slice(input.start, input.end));
      t.set('authorId', input.authorId);
      t.set('createdAt', Date.now());
      t.set('resolved', false);
      t.set('resolvedBy', null);
      t.set('codingId', input.codingId ?? null);
      t.set('comments', new Y.Array<Comment>());
      this.threads.set(id, t);
      this.reply(id, { authorId: input.authorId, body: input.body, mentions: input.mentions ?? [] });
    });
    return id;
  }

  reply(threadId: string, input: { authorId: string; body: string; mentions?: string[] }): string {
    const t = this.threads.get(threadId);
    if (!t) throw new Error(`unknown thread ${threadId}`);
    const text = input.body.trim();
    if (!text) throw new Error('a comment cannot be empty');
    const c: Comment = {
      id: newId(), authorId: input.authorId, body: text, createdAt: Date.now(), editedAt: null, deleted: false,
      mentions: input.mentions ?? [],
    };
    (t.get('comments') as Y.Array<Comment>).push([c]);
    return c.id;
  }

  private commentIndex(threadId: string, commentId: string): { arr: Y.Array<Comment>; index: number; c: Comment } {
    const arr = this.threads.get(threadId)?.get('comments') as Y.Array<Comment> | undefined;
    if (!arr) throw new Error(`unknown thread ${threadId}`);
    const index = arr.toArray().findIndex((c) => c.id === commentId);
    if (index < 0) throw new Error(`unknown comment ${commentId}`);
    return { arr, index, c: arr.get(index) };
  }

  /** Replaces a comment's text (and, when given, its mentions: people mentioned by the edit are notified). */
  edit(threadId: string, commentId: string, userId: string, body: string, mentions?: string[]): void {
    const { arr, index, c } = this.commentIndex(threadId, commentId);
    if (c.authorId !== userId) throw new Error('only the author can edit a comment');
    this.doc.transact(() => {
      arr.delete(index, 1);
      arr.insert(index, [{ ...c, body: body.trim(), editedAt: Date.now(), ...(mentions ? { mentions } : {}) }]);
    });
  }

  remove(threadId: string, commentId: string, userId: string): void {
    const { arr, index, c } = this.commentIndex(threadId, commentId);
    if (c.authorId !== userId) throw new Error('only the author can delete a comment');
    this.doc.transact(() => {
      arr.delete(index, 1);
      arr.insert(index, [{ ...c, body: '', deleted: true, editedAt: Date.now() }]);
    });
  }

  setResolved(threadId: string, userId: string, resolved: boolean): void {
    const t = this.threads.get(threadId);
    if (!t) throw new Error(`unknown thread ${threadId}`);
    this.doc.transact(() => {
      t.set('resolved', resolved);
      t.set('resolvedBy', resolved ? userId : null);
      t.set('resolvedAt', resolved ? Date.now() : null);
    });
  }

  /**
   * Threads with their anchors resolved against the transcript document (or, with
   * `at`, where a LiveSpans following them says they are). The quote is the words
   * now between the anchors (corrections show); the kept quote only stands in for
   * detached threads.
   */
  resolve(transcript: Y.Doc, at?: (threadId: string) => { start: number; end: number } | null): ResolvedThread[] {
    const out: ResolvedThread[] = [];
    let text: string | null = null;
    for (const t of this.threads.values()) {
      // A thread stored in a bad shape is skipped (see `malformed`).
      if (!(t instanceof Y.Map)) continue;
      const span = at ? at(String(t.get('id'))) : resolveThreadSpan(transcript, t);
      out.push({
        id: String(t.get('id')),
        quote: span ? (text ??= transcript.getText('body').toString()).slice(span.start, span.end) : String(t.get('quote') ?? ''),
        start: span?.start ?? null,
        end: span?.end ?? null,
        detached: !span,
        authorId: String(t.get('authorId') ?? ''),
        createdAt: Number(t.get('createdAt') ?? 0),
        resolved: t.get('resolved') === true,
        resolvedBy: (t.get('resolvedBy') as string | null | undefined) ?? null,
        codingId: (t.get('codingId') as string | null | undefined) ?? null,
        comments: readComments(t.get('comments')),
      });
    }
    out.sort((a, b) => (a.start ?? Number.MAX_SAFE_INTEGER) - (b.start ?? Number.MAX_SAFE_INTEGER) || a.createdAt - b.createdAt);
    return out;
  }
}

function isComment(v: unknown): v is Comment {
  if (!v || typeof v !== 'object') return false;
  const c = v as Comment;
  return typeof c.id === 'string' && typeof c.authorId === 'string' && typeof c.body === 'string';
}

/** A thread's comments, skipping entries in a bad shape. */
function readComments(v: unknown): Comment[] {
  if (!(v instanceof Y.Array)) return [];
  return (v.toArray() as unknown[]).filter(isComment).map((c) => ({ ...c, mentions: Array.isArray(c.mentions) ? c.mentions : [] }));
}

/** Threads and comments of a comments document that readers skip, and why. */
export function malformedThreads(doc: CommentsDoc): MalformedEntry[] {
  const out: MalformedEntry[] = [];
  for (const [key, t] of doc.threads.entries()) {
    if (!(t instanceof Y.Map)) { out.push({ part: 'threads', key, problem: 'not a map' }); continue; }
    const comments = t.get('comments');
    if (!(comments instanceof Y.Array)) { out.push({ part: 'threads', key, problem: 'no comments list' }); continue; }
    comments.forEach((c: unknown, i: number) => {
      if (!isComment(c)) out.push({ part: 'comments', key: `${key}/${i}`, problem: 'not a comment' });
    });
  }
  return out;
}

/** A thread's anchors (the encoded relative positions it keeps), or null. */
export function threadAnchors(thread: Y.Map<unknown> | undefined): EncodedSpan | null {
  const start = thread?.get('start');
  const end = thread?.get('end');
  return start instanceof Uint8Array && end instanceof Uint8Array ? { start, end } : null;
}

function resolveThreadSpan(transcript: Y.Doc, thread: Y.Map<unknown>): { start: number; end: number } | null {
  const span = threadAnchors(thread);
  return span ? resolveSpan(transcript, span) : null;
}
