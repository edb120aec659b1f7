/**
 * Which API requests the audit log records, decided from the method, the path
 * (under /api) and the answer's status alone, so no route needs to know about
 * the log. Pure: tested without a server.
 */
export interface AuditMatch {
  action: string;
  /** The project of the path; null for account events. */
  projectId: string | null;
  /** A second path id (member, transcript, user), when the path names one. */
  subject: string | null;
  /** A project deletion: recorded without the project id, so nothing of an erased project stays. */
  erasesProject: boolean;
}

interface Rule {
  method: string;
  pattern: RegExp;
  action: string;
  /** Group holding the project id (0: none). */
  project: 0 | 1;
  /** Group holding the subject id (0: none). */
  subject: 0 | 1 | 2;
  erases?: true;
  /** Only as a file download (`?format=csv`): the web app reads the same route as JSON to show it. */
  csvOnly?: true;
}

const ID = '([^/]+)';
const re = (s: string) => new RegExp(`^${s.replaceAll(':id', ID)}$`);

const RULES: readonly Rule[] = [
  { method: 'POST', pattern: re('/projects/:id/members'), action: 'member.added', project: 1, subject: 0 },
  { method: 'PATCH', pattern: re('/projects/:id/members/:id'), action: 'member.role_changed', project: 1, subject: 2 },
  { method: 'DELETE', pattern: re('/projects/:id/members/:id'), action: 'member.removed', project: 1, subject: 2 },
  { method: 'POST', pattern: re('/projects/:id/invitations'), action: 'invitation.created', project: 1, subject: 0 },
  { method: 'DELETE', pattern: re('/projects/:id/invitations/:id'), action: 'invitation.revoked', project: 1, subject: 2 },
  // The path holds the invitation's secret: never recorded; the project comes from the answer.
  { method: 'POST', pattern: re('/invitations/:id/accept'), action: 'invitation.accepted', project: 0, subject: 0 },
  { method: 'PUT', pattern: re('/projects/:id/transcripts/:id/mode'), action: 'transcript.mode_changed', project: 1, subject: 2 },
  { method: 'POST', pattern: re('/projects/:id/transcripts/:id/reveal'), action: 'transcript.revealed', project: 1, subject: 2 },
  { method: 'DELETE', pattern: re('/projects/:id/transcripts/:id'), action: 'transcript.deleted', project: 1, subject: 2 },
  { method: 'POST', pattern: re('/projects/:id/transcripts'), action: 'transcripts.imported', project: 1, subject: 0 },
  { method: 'POST', pattern: re('/projects/:id/import'), action: 'project.imported', project: 1, subject: 0 },
  { method: 'GET', pattern: re('/projects/:id/export'), action: 'project.exported', project: 1, subject: 0 },
  { method: 'GET', pattern: re('/projects/:id/segments'), action: 'segments.exported', project: 1, subject: 0, csvOnly: true },
  { method: 'GET', pattern: re('/projects/:id/agreement/report'), action: 'agreement.exported', project: 1, subject: 0 },
  { method: 'DELETE', pattern: re('/projects/:id'), action: 'project.deleted', project: 1, subject: 0, erases: true },
  { method: 'DELETE', pattern: re('/admin/projects/:id'), action: 'project.deleted', project: 1, subject: 0, erases: true },
  { method: 'POST', pattern: re('/auth/login'), action: 'signin', project: 0, subject: 0 },
  { method: 'POST', pattern: re('/auth/signup'), action: 'signup', project: 0, subject: 0 },
  { method: 'POST', pattern: re('/auth/password'), action: 'password.changed', project: 0, subject: 0 },
  { method: 'POST', pattern: re('/admin/users/:id/disable'), action: 'user.disabled', project: 0, subject: 1 },
  { method: 'POST', pattern: re('/admin/users/:id/enable'), action: 'user.enabled', project: 0, subject: 1 },
  { method: 'POST', pattern: re('/admin/users/:id/sessions/end'), action: 'user.signed_out', project: 0, subject: 1 },
  { method: 'DELETE', pattern: re('/admin/users/:id'), action: 'user.deleted', project: 0, subject: 1 },
];

/**
 * The audit entry a request makes, or null. Successful answers (2xx) are recorded;
 * of failures only a refused sign-in (401 → `signin.failed`).
 */
export function matchAudit(method: string, apiPath: string, status: number, format?: string): AuditMatch | null {
  const ok = status >= 200 && status < 300;
  for (const r of RULES) {
    if (r.method !== method) continue;
    const m = r.pattern.exec(apiPath);
    if (!m) continue;
    if (r.csvOnly && format !== 'csv') return null;
    const action = ok ? r.action : r.action === 'signin' && status === 401 ? 'signin.failed' : null;
    if (!action) return null;
    const group = (i: number) => (i > 0 ? decodeURIComponent(m[i]!) : null);
    return { action, projectId: group(r.project), subject: group(r.subject), erasesProject: r.erases === true };
  }
  return null;
}

/** Whether a request may make an entry at all (cheap check before anything is read). */
export function mayAudit(method: string, apiPath: string): boolean {
  return RULES.some((r) => r.method === method && r.pattern.test(apiPath));
}

/** The request particulars kept in `detail`: these body fields and query parameters, never passwords or secrets. */
export const DETAIL_BODY_FIELDS = ['email', 'role', 'mode', 'expiresInDays', 'readOnly'] as const;
export const DETAIL_QUERY_FIELDS = ['format', 'scope', 'what', 'transcript', 'code', 'coder'] as const;
