import { request } from './api.ts';

export interface AdminUser { id: string; email: string; name: string; createdAt: number; disabled: boolean; admin: boolean }
export interface AdminProject { id: string; name: string; createdAt: number; members: number }

const enc = encodeURIComponent;

/** The administrators' `/api/admin` routes and project deletion. */
export const adminApi = {
  users: () => request<{ users: AdminUser[] }>('GET', '/api/admin/users'),
  disable: (uid: string) => request<AdminUser>('POST', `/api/admin/users/${enc(uid)}/disable`),
  enable: (uid: string) => request<AdminUser>('POST', `/api/admin/users/${enc(uid)}/enable`),
  endSessions: (uid: string) => request<void>('POST', `/api/admin/users/${enc(uid)}/sessions/end`),
  deleteUser: (uid: string) => request<void>('DELETE', `/api/admin/users/${enc(uid)}`),
  projects: () => request<{ projects: AdminProject[] }>('GET', '/api/admin/projects'),
  deleteProject: (pid: string) => request<void>('DELETE', `/api/projects/${enc(pid)}`),
};
