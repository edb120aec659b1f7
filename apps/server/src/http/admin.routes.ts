import { Hono } from 'hono';
import { CloseCode } from '@concord/shared';
import { deleteProjectEverywhere } from '../admin/project-deletion.ts';
import { mediaStore } from '../media/media-store.ts';
import type { Principal } from '../auth/auth.service.ts';
import { badRequest, forbidden, notFound } from '../errors.ts';
import type { UserRecord } from '../storage/types.ts';
import { requireUser, type AppDeps, type Ctx, type Env } from './context.ts';

/** Whether the signed-in user is an instance administrator. */
export async function isAdmin(deps: AppDeps, p: Principal): Promise<boolean> {
  return (await deps.storage.getUser(p.user.id))?.admin === true;
}

/** The first account created through sign-up on an instance without an administrator becomes one. */
export async function grantFirstAdmin(deps: AppDeps, userId: string): Promise<void> {
  if (!(await deps.storage.hasAdmin())) await deps.storage.setUserAdmin(userId, true);
}

const userView = (u: UserRecord) => ({
  id: u.id, email: u.email, name: u.name, createdAt: u.createdAt, disabled: !!u.disabledAt, admin: u.admin === true,
});

/** `DELETE /api/projects/:pid` (owners and administrators) and the administrators' `/api/admin` routes. */
export function adminRoutes(deps: AppDeps): Hono<Env> {
  const app = new Hono<Env>();
  const { storage, rooms } = deps;

  async function requireAdmin(c: Ctx): Promise<Principal> {
    const p = requireUser(c);
    if (!(await isAdmin(deps, p))) throw forbidden('This needs an instance administrator.');
    return p;
  }

  async function userOr404(uid: string): Promise<UserRecord> {
    const u = await storage.getUser(uid);
    if (!u) throw notFound('This user');
    return u;
  }

  app.delete('/projects/:pid', async (c) => {
    const pid = c.req.param('pid');
    const p = requireUser(c);
    const role = await storage.getRole(pid, p.user.id);
    if (role !== 'owner' && !(await isAdmin(deps, p))) {
      // Like every project route: non-members learn nothing about the project.
      if (!role) throw notFound('This project');
      throw forbidden(`Deleting a project needs the owner role; you are a ${role}.`);
    }
    if (!(await deleteProjectEverywhere(storage, rooms, mediaStore(deps.config), pid))) throw notFound('This project');
    deps.log('info', 'project deleted', { projectId: pid, by: p.user.id });
    return c.body(null, 204);
  });

  app.get('/admin/users', async (c) => {
    await requireAdmin(c);
    return c.json({ users: (await storage.listUsers()).map(userView) });
  });

  app.post('/admin/users/:uid/disable', async (c) => {
    const p = await requireAdmin(c);
    const u = await userOr404(c.req.param('uid'));
    if (u.id === p.user.id) throw badRequest('You cannot disable your own account.', 'self');
    await storage.setUserDisabled(u.id, Date.now());
    await deps.auth.endAllCredentials(u.id);
    rooms.revoke({ userId: u.id, code: CloseCode.Unauthorized, reason: 'account disabled' });
    return c.json(userView({ ...u, disabledAt: Date.now() }));
  });

  app.post('/admin/users/:uid/enable', async (c) => {
    await requireAdmin(c);
    const u = await userOr404(c.req.param('uid'));
    await storage.setUserDisabled(u.id, null);
    return c.json(userView({ ...u, disabledAt: null }));
  });

  app.post('/admin/users/:uid/sessions/end', async (c) => {
    await requireAdmin(c);
    const u = await userOr404(c.req.param('uid'));
    await deps.auth.endAllCredentials(u.id);
    rooms.revoke({ userId: u.id, code: CloseCode.Unauthorized, reason: 'signed out by an administrator' });
    return c.body(null, 204);
  });

  app.delete('/admin/users/:uid', async (c) => {
    const p = await requireAdmin(c);
    const uid = c.req.param('uid');
    if (uid === p.user.id) throw badRequest('You cannot delete your own account.', 'self');
    if (!(await storage.deleteUser(uid))) throw notFound('This user');
    rooms.revoke({ userId: uid, code: CloseCode.Unauthorized, reason: 'account deleted' });
    deps.log('info', 'user deleted', { userId: uid, by: p.user.id });
    return c.body(null, 204);
  });

  app.get('/admin/projects', async (c) => {
    await requireAdmin(c);
    const list = await storage.listAllProjects();
    return c.json({ projects: list.map((x) => ({ id: x.id, name: x.name, createdAt: x.createdAt, members: x.members })) });
  });

  app.delete('/admin/projects/:pid', async (c) => {
    const p = await requireAdmin(c);
    const pid = c.req.param('pid');
    if (!(await deleteProjectEverywhere(storage, rooms, mediaStore(deps.config), pid))) throw notFound('This project');
    deps.log('info', 'project deleted', { projectId: pid, by: p.user.id });
    return c.body(null, 204);
  });

  return app;
}
