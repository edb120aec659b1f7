/** "just now", "5 minutes ago", "3 hours ago", "yesterday", "12 Mar", "12 Mar 2024". */
export function timeAgo(t: number, now = Date.now()): string {
  const s = Math.round((now - t) / 1000);
  if (s < 45) return 'just now';
  if (s < 90) return 'a minute ago';
  const m = Math.round(s / 60);
  if (m < 45) return `${m} minutes ago`;
  const h = Math.round(m / 60);
  if (h < 24) return h === 1 ? 'an hour ago' : `${h} hours ago`;
  const d = Math.round(h / 24);
  if (d === 1) return 'yesterday';
  if (d < 7) return `${d} days ago`;
  const date = new Date(t);
  const sameYear = date.getFullYear() === new Date(now).getFullYear();
  return date.toLocaleDateString(undefined, sameYear ? { day: 'numeric', month: 'short' } : { day: 'numeric', month: 'short', year: 'numeric' });
}

export type InboxKind = 'mention' | 'reply' | 'thread';

/** What an inbox item says happened. */
export function inboxHeadline(kind: InboxKind, actorName: string): string {
  const who = actorName || 'Someone';
  switch (kind) {
    case 'mention': return `${who} mentioned you`;
    case 'reply': return `${who} replied in a thread you are in`;
    case 'thread': return `${who} commented on a transcript you coded`;
  }
}

/** The unread count as the header badge shows it. */
export function badgeText(n: number): string {
  return n > 99 ? '99+' : String(n);
}
