import type { Invitation, InvitationPreview, User } from '@concord/shared';
import { request } from './api.ts';

const enc = encodeURIComponent;

/** What `POST /api/projects/:pid/invitations` answers: the invitation, its link (shown once) and whether it was e-mailed. */
export interface CreatedInvitation extends Invitation { link: string; emailed: boolean | null }

/** Invitations into a project (owners) and the invitation link's own calls (anyone holding it). */
export const invitationsApi = {
  create: (pid: string, email: string, role: string) => request<CreatedInvitation>('POST', `/api/projects/${enc(pid)}/invitations`, { email, role }),
  list: (pid: string) => request<{ invitations: Invitation[] }>('GET', `/api/projects/${enc(pid)}/invitations`),
  revoke: (pid: string, id: string) => request<void>('DELETE', `/api/projects/${enc(pid)}/invitations/${enc(id)}`),
  preview: (token: string) => request<InvitationPreview>('GET', `/api/invitations/${enc(token)}`, undefined, { quiet401: true }),
  accept: (token: string, body: { password?: string; name?: string }) =>
    request<{ user: User; projectId: string; role: string }>('POST', `/api/invitations/${enc(token)}/accept`, body, { quiet401: true }),
};
