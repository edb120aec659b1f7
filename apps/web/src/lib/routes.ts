/**
 * A tiny history router. Routes:
 *   /login, /signup, /                       (projects)
 *   /projects/:pid                           (transcripts, members, import)
 *   /projects/:pid/transcripts/:tid          (coding view; ?thread=<id> opens a comment thread)
 *   /inbox                                   (mentions, replies, new threads)
 *   /projects/:pid/agreement                 (intercoder agreement figures)
 *   /projects/:pid/analysis                  (quotes by code, matrices, charts)
 *   /projects/:pid/search                    (full-text search, code all hits)
 *   /projects/:pid/transcripts/:tid/reconcile?a=<uid>&b=<uid>  (live reconciliation session)
 *   /admin                                   (instance administration: users, projects)
 *   /invite/:token                           (accept an invitation into a project; no session needed)
 */
export type Route =
  | { name: 'login'; next: string | null }
  | { name: 'signup'; next: string | null }
  | { name: 'projects' }
  | { name: 'project'; pid: string }
  | { name: 'transcript'; pid: string; tid: string }
  | { name: 'inbox' }
  | { name: 'agreement'; pid: string }
  | { name: 'analysis'; pid: string }
  | { name: 'search'; pid: string }
  | { name: 'reconcile'; pid: string; tid: string; a: string | null; b: string | null }
  | { name: 'invite'; token: string }
  | { name: 'admin' }
  | { name: 'not-found'; path: string };

export function parsePath(pathname: string, search = ''): Route {
  const params = new URLSearchParams(search);
  const next = params.get('next');
  const parts = pathname.replace(/\/+$/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { name: 'projects' };
  if (parts.length === 1 && parts[0] === 'login') return { name: 'login', next };
  if (parts.length === 1 && parts[0] === 'signup') return { name: 'signup', next };
  if (parts.length === 1 && parts[0] === 'inbox') return { name: 'inbox' };
  if (parts.length === 1 && parts[0] === 'admin') return { name: 'admin' };
  if (parts.length === 2 && parts[0] === 'invite') return { name: 'invite', token: parts[1]! };
  if (parts[0] === 'projects' && parts.length === 2) return { name: 'project', pid: parts[1]! };
  if (parts[0] === 'projects' && parts.length === 3 && parts[2] === 'agreement') return { name: 'agreement', pid: parts[1]! };
  if (parts[0] === 'projects' && parts.length === 3 && parts[2] === 'analysis') return { name: 'analysis', pid: parts[1]! };
  if (parts[0] === 'projects' && parts.length === 3 && parts[2] === 'search') return { name: 'search', pid: parts[1]! };
  if (parts[0] === 'projects' && parts.length === 5 && parts[2] === 'transcripts' && parts[4] === 'reconcile') {
    return { name: 'reconcile', pid: parts[1]!, tid: parts[3]!, a: params.get('a'), b: params.get('b') };
  }
  if (parts[0] === 'projects' && parts.length === 4 && parts[2] === 'transcripts') {
    return { name: 'transcript', pid: parts[1]!, tid: parts[3]! };
  }
  return { name: 'not-found', path: pathname };
}

export function pathOf(route: Route): string {
  const e = encodeURIComponent;
  switch (route.name) {
    case 'login': return route.next ? `/login?next=${e(route.next)}` : '/login';
    case 'signup': return route.next ? `/signup?next=${e(route.next)}` : '/signup';
    case 'projects': return '/';
    case 'project': return `/projects/${e(route.pid)}`;
    case 'transcript': return `/projects/${e(route.pid)}/transcripts/${e(route.tid)}`;
    case 'inbox': return '/inbox';
    case 'agreement': return `/projects/${e(route.pid)}/agreement`;
    case 'analysis': return `/projects/${e(route.pid)}/analysis`;
    case 'search': return `/projects/${e(route.pid)}/search`;
    case 'reconcile': {
      const q = route.a && route.b ? `?a=${e(route.a)}&b=${e(route.b)}` : '';
      return `/projects/${e(route.pid)}/transcripts/${e(route.tid)}/reconcile${q}`;
    }
    case 'admin': return '/admin';
    case 'invite': return `/invite/${e(route.token)}`;
    case 'not-found': return route.path;
  }
}
