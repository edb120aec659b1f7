import { Hono, type MiddlewareHandler } from 'hono';
import { toCsv } from '@concord/shared';
import { DETAIL_BODY_FIELDS, DETAIL_QUERY_FIELDS, matchAudit, mayAudit } from '../audit/audit-rules.ts';
import type { AuditEntry } from '../storage/types.ts';
import { isAdmin } from './admin.routes.ts';
import { requireRole, requireUser, type AppDeps, type Ctx, type Env } from './context.ts';
import { forbidden } from '../errors.ts';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null);

/**
 * Records the audited API requests (`audit/audit-rules.ts`) after they are
 * answered. A failure to record is logged and never fails the request.
 */
export function auditTrail(deps: AppDeps): MiddlewareHandler<Env> {
  return async (c, next) => {
    const apiPath = c.req.path.replace(/^\/api(?=\/)/, '');
    if (!mayAudit(c.req.method, apiPath)) return next();
    // A deleted project is named in its entry, read while it still exists.
    const pre = matchAudit(c.req.method, apiPath, 200);
    const projectName = pre?.erasesProject && pre.projectId ? (await deps.storage.getProject(pre.projectId))?.name ?? null : null;
    await next();
    const match = matchAudit(c.req.method, apiPath, c.res.status, c.req.query('format'));
    if (!match) return;
    try {
      await deps.storage.addAudit(await entryOf(c, match, projectName));
    } catch (err) {
      deps.log('error', 'audit entry not recorded', { action: match.action, err: err instanceof Error ? err.message : String(err) });
    }
  };
}

async function entryOf(c: Ctx, match: NonNullable<ReturnType<typeof matchAudit>>, projectName: string | null): Promise<AuditEntry> {
  const body = (c.req.header('content-type') ?? '').includes('application/json') ? obj(await c.req.json().catch(() => null)) : null;
  const answer = (c.res.headers.get('content-type') ?? '').includes('application/json') ? obj(await c.res.clone().json().catch(() => null)) : null;
  const detail: Json = {};
  for (const k of DETAIL_BODY_FIELDS) if (body && body[k] !== undefined) detail[k] = body[k];
  for (const k of DETAIL_QUERY_FIELDS) { const v = c.req.query(k); if (v !== undefined) detail[k] = v; }
  // Who: the signed-in user, else the account the answer names (sign-in, sign-up, accepted invitation).
  const p = c.get('principal');
  const answerUser = obj(answer?.user);
  const actorId = p?.user.id ?? (typeof answerUser?.id === 'string' ? answerUser.id : null);
  const actorEmail = p?.user.email ?? (typeof answerUser?.email === 'string' ? answerUser.email : null);
  let projectId = match.projectId;
  let target = match.subject ?? (typeof body?.email === 'string' ? body.email : null);
  if (match.action === 'invitation.accepted' && typeof answer?.projectId === 'string') {
    projectId = answer.projectId;
    detail.role = answer.role;
  }
  if (match.action === 'transcripts.imported' && Array.isArray(answer?.transcripts)) {
    detail.transcripts = answer.transcripts.map((t) => obj(t)?.name).filter((n) => typeof n === 'string');
  }
  if (match.erasesProject) {
    projectId = null;
    target = projectName;
  }
  if (match.action === 'signin.failed') delete detail.email;
  return { at: Date.now(), actorId, actorEmail, action: match.action, projectId, target, detail: JSON.stringify(detail) };
}

const COLUMNS = ['time', 'actor', 'action', 'project', 'target', 'detail'] as const;

/** `GET /api/projects/:pid/audit` (owners) and `GET /api/admin/audit` (administrators); `?format=csv` downloads it. */
export function auditRoutes(deps: AppDeps): Hono<Env> {
  const app = new Hono<Env>();

  const answer = (c: Ctx, entries: (AuditEntry & { seq: number })[], file: string) => {
    const rows = entries.map((e) => ({
      time: new Date(e.at).toISOString(), actor: e.actorEmail ?? '', action: e.action, project: e.projectId ?? '', target: e.target ?? '', detail: e.detail,
    }));
    if (c.req.query('format') === 'csv') {
      c.header('Content-Type', 'text/csv; charset=utf-8');
      c.header('Content-Disposition', `attachment; filename="${file}"`);
      return c.body(toCsv(rows, COLUMNS));
    }
    return c.json({ entries: entries.map((e) => ({ ...e, detail: JSON.parse(e.detail) as unknown })) });
  };
  const limitOf = (c: Ctx) => Math.min(Math.max(Number(c.req.query('limit') ?? 1000) || 1000, 1), 10_000);

  app.get('/projects/:pid/audit', async (c) => {
    const pid = c.req.param('pid');
    await requireRole(deps, c, pid, 'owner');
    return answer(c, await deps.storage.listAudit({ projectId: pid, limit: limitOf(c) }), `audit-${pid}.csv`);
  });

  app.get('/admin/audit', async (c) => {
    if (!(await isAdmin(deps, requireUser(c)))) throw forbidden('This needs an instance administrator.');
    return answer(c, await deps.storage.listAudit({ limit: limitOf(c) }), 'audit.csv');
  });

  return app;
}
