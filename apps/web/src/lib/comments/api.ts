import { request } from '../api.ts';
import type { InboxKind } from './format.ts';

/** One inbox entry (`GET /api/inbox`). */
export interface InboxItem {
  id: string;
  kind: InboxKind;
  projectId: string;
  projectName: string;
  transcriptId: string;
  transcriptName: string;
  threadId: string;
  commentId: string;
  actorName: string;
  excerpt: string;
  createdAt: number;
  readAt: number | null;
}

export const inboxApi = {
  list: (limit = 200) => request<{ unread: number; items: InboxItem[] }>('GET', `/api/inbox?limit=${limit}`),
  unread: () => request<{ unread: number }>('GET', '/api/inbox/unread', undefined, { quiet401: true }),
  markRead: (ids: string[] | 'all') => request<{ unread: number }>('POST', '/api/inbox/read', { ids }),
};

/** Where an inbox item leads: the transcript, with the thread to open. */
export function threadHref(p: { projectId: string; transcriptId: string; threadId: string }): string {
  const e = encodeURIComponent;
  return `/projects/${e(p.projectId)}/transcripts/${e(p.transcriptId)}?thread=${e(p.threadId)}`;
}
