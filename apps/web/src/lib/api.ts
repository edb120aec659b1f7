import type { ApiErrorBody, Member, ProjectSummary, TranscriptSummary, User } from '@concord/shared';

/** An error answered by the Concord API (`{"error": {"code", "message"}}`) or by the network. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ProjectDetail {
  id: string;
  name: string;
  role: string;
  members: Member[];
  transcripts: TranscriptSummary[];
}

export interface UploadResult {
  transcripts: TranscriptSummary[];
  errors: { file: string; code: string; message: string }[];
}

export interface PresenceAnswer {
  transcripts: Record<string, { userId: string; name: string }[]>;
}

export interface CodebookAnswer {
  codes: { id: string; name: string; parentId: string | null; color: string; abbreviation: string | null; description: string; usage?: { codings: number } }[];
}

/** Listeners told when any request answers 401, so the app can send the user to sign in. */
const unauthorizedListeners = new Set<() => void>();
export function onUnauthorized(fn: () => void): () => void {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

function isErrorBody(v: unknown): v is ApiErrorBody {
  return !!v && typeof v === 'object' && 'error' in v && !!(v as ApiErrorBody).error && typeof (v as ApiErrorBody).error.message === 'string';
}

export async function errorFrom(res: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    /* not JSON */
  }
  if (isErrorBody(body)) return new ApiError(res.status, body.error.code, body.error.message);
  return new ApiError(res.status, `http_${res.status}`, res.statusText || `request failed (${res.status})`);
}

export async function request<T>(method: string, path: string, body?: unknown, opts: { quiet401?: boolean } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'The server could not be reached. Check your connection and try again.');
  }
  if (!res.ok) {
    const err = await errorFrom(res);
    if (res.status === 401 && !opts.quiet401) for (const fn of unauthorizedListeners) fn();
    throw err;
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

const enc = encodeURIComponent;

export const api = {
  me: () => request<{ user: User; admin?: boolean }>('GET', '/api/me', undefined, { quiet401: true }),
  signup: (body: { email: string; password: string; name: string }) => request<{ user: User }>('POST', '/api/auth/signup', body, { quiet401: true }),
  login: (body: { email: string; password: string }) => request<{ user: User }>('POST', '/api/auth/login', body, { quiet401: true }),
  logout: () => request<void>('POST', '/api/auth/logout'),
  projects: () => request<ProjectSummary[]>('GET', '/api/projects'),
  createProject: (name: string) => request<{ id: string; name: string }>('POST', '/api/projects', { name }),
  project: (pid: string) => request<ProjectDetail>('GET', `/api/projects/${enc(pid)}`),
  addMember: (pid: string, email: string, role: string) => request<unknown>('POST', `/api/projects/${enc(pid)}/members`, { email, role }),
  removeMember: (pid: string, userId: string) => request<void>('DELETE', `/api/projects/${enc(pid)}/members/${enc(userId)}`),
  presence: (pid: string) => request<PresenceAnswer>('GET', `/api/projects/${enc(pid)}/presence`),
  codebook: (pid: string) => request<CodebookAnswer>('GET', `/api/projects/${enc(pid)}/codebook`),
  /** Codings per code over the whole project (`?usage=1`). */
  codeUsage: async (pid: string): Promise<Map<string, number>> => {
    const { codes } = await request<CodebookAnswer>('GET', `/api/projects/${enc(pid)}/codebook?usage=1`);
    return new Map(codes.map((c) => [c.id, c.usage?.codings ?? 0]));
  },
  addTranscriptText: (pid: string, name: string, text: string) =>
    request<UploadResult>('POST', `/api/projects/${enc(pid)}/transcripts`, { name, text }),
  removeMedia: (pid: string, tid: string) => request<void>('DELETE', `/api/projects/${enc(pid)}/transcripts/${enc(tid)}/media`),
};
