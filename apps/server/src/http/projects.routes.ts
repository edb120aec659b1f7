import { Hono } from 'hono';
import { CloseCode, MemberBody, MemberRoleBody, newId, ProjectBody, type Role } from '@concord/shared';
import { badRequest, forbidden, notFound } from '../errors.ts';
import { reachesProject } from './token-scope.ts';
import { parseJson, requireRole, requireUser, type AppDeps, type Env } from './context.ts';

export function projectRoutes(deps: AppDeps): Hono<Env> {
  const app = new Hono<Env>();
  const { storage, rooms } = deps;

  /** Closes a user's sockets in a project so they reconnect under their new role (or are refused). */
  const accessChanged = (projectId: string, userId: string) =>
    rooms.revoke({ member: { projectId, userId }, code: CloseCode.AccessChanged, reason: 'access changed' });

  app.get('/projects', async (c) => {
    const p = requireUser(c);
    const list = (await storage.listProjects(p.user.id)).filter((x) => reachesProject(p, x.id));
    return c.json(list.map((x) => ({ id: x.id, name: x.name, role: x.role })));
  });

  app.post('/projects', async (c) => {
    const p = requireUser(c);
    if (p.scope?.projectId) throw forbidden('This access token reaches one project only; it cannot create projects.');
    const body = await parseJson(c, ProjectBody);
    const id = newId(12);
    await storage.createProject({ id, name: body.name, createdAt: Date.now() }, p.user.id);
    return c.json({ id, name: body.name }, 201);
  });

  app.get('/projects/:pid', async (c) => {
    const pid = c.req.param('pid');
    const { role } = await requireRole(deps, c, pid);
    const project = await storage.getProject(pid);
    if (!project) throw notFound('This project');
    const [members, transcripts] = await Promise.all([storage.listMembers(pid), storage.listTranscripts(pid)]);
    return c.json({
      id: project.id, name: project.name, role,
      members: members.map((m) => ({ userId: m.userId, email: m.email, name: m.name, role: m.role })),
      transcripts: transcripts.map((t) => ({ id: t.id, name: t.name, turns: t.turns, codings: t.codings, mode: t.mode, revealed: t.revealed })),
    });
  });

  app.post('/projects/:pid/members', async (c) => {
    const pid = c.req.param('pid');
    await requireRole(deps, c, pid, 'owner');
    const body = await parseJson(c, MemberBody);
    const user = await storage.getUserByEmail(body.email);
    if (!user) throw notFound(`An account for ${body.email}`);
    const before = await storage.getRole(pid, user.id);
    await storage.setMember(pid, user.id, body.role as Role);
    if (before && before !== body.role) accessChanged(pid, user.id);
    return c.json({ userId: user.id, email: user.email, name: user.name, role: body.role }, 201);
  });

  app.patch('/projects/:pid/members/:uid', async (c) => {
    const pid = c.req.param('pid');
    const uid = c.req.param('uid');
    const { principal } = await requireRole(deps, c, pid, 'owner');
    const body = await parseJson(c, MemberRoleBody);
    if (!(await storage.getRole(pid, uid))) throw notFound('This member');
    if (uid === principal.user.id && body.role !== 'owner') await ensureAnotherOwner(pid, uid);
    await storage.setMember(pid, uid, body.role as Role);
    accessChanged(pid, uid);
    return c.json({ userId: uid, role: body.role });
  });

  app.delete('/projects/:pid/members/:uid', async (c) => {
    const pid = c.req.param('pid');
    const uid = c.req.param('uid');
    await requireRole(deps, c, pid, 'owner');
    if ((await storage.getRole(pid, uid)) === 'owner') await ensureAnotherOwner(pid, uid);
    if (!(await storage.removeMember(pid, uid))) throw notFound('This member');
    accessChanged(pid, uid);
    return c.body(null, 204);
  });

  app.get('/projects/:pid/presence', async (c) => {
    const pid = c.req.param('pid');
    await requireRole(deps, c, pid);
    const out: Record<string, { userId: string; name: string }[]> = {};
    const everywhere = deps.presence ? await deps.presence.read(pid) : rooms.presence(`${pid}/transcripts/`);
    for (const [room, users] of everywhere) {
      const m = /^[^/]+\/transcripts\/([^/]+)(?:\/.*)?$/.exec(room);
      if (!m) continue;
      const list = (out[m[1]!] ??= []);
      for (const u of users) if (!list.some((x) => x.userId === u.userId)) list.push(u);
    }
    return c.json({ transcripts: out });
  });

  async function ensureAnotherOwner(pid: string, uid: string): Promise<void> {
    const owners = (await storage.listMembers(pid)).filter((m) => m.role === 'owner' && m.userId !== uid);
    if (owners.length === 0) throw badRequest('A project needs at least one owner.', 'last_owner');
  }

  return app;
}
