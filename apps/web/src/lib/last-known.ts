import type { Member, ProjectSummary, TranscriptSummary, User } from '@concord/shared';
import type { ProjectDetail } from './api.ts';

/**
 * What the app last heard from the server about who is signed in and their
 * projects, kept in this browser so that a page reloaded without a network
 * (the service worker serves the app itself) can still open the transcripts
 * whose documents are in IndexedDB. Only used when the server cannot be
 * reached; forgotten on signing out or when the server says the session ended.
 * The service worker never caches /api/ answers: this is the app's own copy.
 */

const USER_KEY = 'concord:last-user';
const PROJECTS_PREFIX = 'concord:last-projects:';
const PROJECT_PREFIX = 'concord:last-project:';

/** Local storage, or null where it is unavailable (private modes, tests in Node). */
function store(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

function read(key: string): unknown {
  try {
    const raw = store()?.getItem(key);
    return raw ? (JSON.parse(raw) as unknown) : null;
  } catch {
    return null;
  }
}

function write(key: string, value: unknown): void {
  try {
    store()?.setItem(key, JSON.stringify(value));
  } catch {
    /* full or unavailable: offline start is best effort */
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';

export function isUser(v: unknown): v is User {
  return isObj(v) && isStr(v.id) && isStr(v.email) && isStr(v.name);
}

function isMember(v: unknown): v is Member {
  return isObj(v) && isStr(v.userId) && isStr(v.email) && isStr(v.name) && isStr(v.role);
}

function isTranscript(v: unknown): v is TranscriptSummary {
  return isObj(v) && isStr(v.id) && isStr(v.name) && typeof v.turns === 'number' && typeof v.codings === 'number';
}

function isSummary(v: unknown): v is ProjectSummary {
  return isObj(v) && isStr(v.id) && isStr(v.name) && isStr(v.role);
}

export function isProjectDetail(v: unknown): v is ProjectDetail {
  return isObj(v) && isSummary(v) && Array.isArray(v.members) && v.members.every(isMember) && Array.isArray(v.transcripts) && v.transcripts.every(isTranscript);
}

export function rememberUser(user: User): void {
  write(USER_KEY, { id: user.id, email: user.email, name: user.name });
}

export function lastUser(): User | null {
  const v = read(USER_KEY);
  return isUser(v) ? v : null;
}

export function rememberProjects(userId: string, projects: ProjectSummary[]): void {
  write(PROJECTS_PREFIX + userId, projects.map((p) => ({ id: p.id, name: p.name, role: p.role })));
}

export function lastProjects(userId: string): ProjectSummary[] | null {
  const v = read(PROJECTS_PREFIX + userId);
  return Array.isArray(v) && v.every(isSummary) ? v : null;
}

export function rememberProject(userId: string, project: ProjectDetail): void {
  write(`${PROJECT_PREFIX}${userId}:${project.id}`, project);
}

export function lastProject(userId: string, pid: string): ProjectDetail | null {
  const v = read(`${PROJECT_PREFIX}${userId}:${pid}`);
  return isProjectDetail(v) && v.id === pid ? v : null;
}

/** Forgets everything above (signing out, or the server said the session is over). */
export function forgetAll(): void {
  const s = store();
  if (!s) return;
  const keys: string[] = [];
  for (let i = 0; i < s.length; i++) {
    const k = s.key(i);
    if (k && (k === USER_KEY || k.startsWith(PROJECTS_PREFIX) || k.startsWith(PROJECT_PREFIX))) keys.push(k);
  }
  for (const k of keys) s.removeItem(k);
}

/** True for an error that means "the server could not be reached" (not a refusal). */
export function isNetworkError(e: unknown): boolean {
  return !!e && typeof e === 'object' && 'status' in e && (e as { status: unknown }).status === 0;
}
