import type { MiddlewareHandler } from 'hono';
import type { Principal } from '../auth/auth.service.ts';
import { HttpError, notFound } from '../errors.ts';
import type { Env } from './context.ts';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Refuses every change made with a read-only access token (403 `read_only_token`). */
export const readOnlyTokens: MiddlewareHandler<Env> = async (c, next) => {
  const p = c.get('principal');
  if (p?.scope?.readOnly && !READS.has(c.req.method)) {
    throw new HttpError(403, 'read_only_token', 'This access token may only read. Create one without "read only" to make changes.');
  }
  await next();
};

/** Whether the principal's access token reaches this project (sessions and unscoped tokens reach all). */
export function reachesProject(p: Principal, projectId: string): boolean {
  return !p.scope?.projectId || p.scope.projectId === projectId;
}

/** 404 for a project outside the token's one project, as for a project one is not a member of. */
export function requireReach(p: Principal, projectId: string): void {
  if (!reachesProject(p, projectId)) throw notFound('This project');
}
