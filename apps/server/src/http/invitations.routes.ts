import { Hono } from 'hono';
import { AcceptInvitationBody, MemberBody, type InvitationPreview, type Role, type User } from '@concord/shared';
import { checkPasswordStrength } from '../auth/password-strength.ts';
import { badRequest, forbidden, HttpError, notFound } from '../errors.ts';
import { InvitationService } from '../invitations/invitation.service.ts';
import { createMailer } from '../mail/mailer.ts';
import { clientIp, setSessionCookie, waitIfLimited } from './auth.routes.ts';
import { parseJson, requireRole, type AppDeps, type Ctx, type Env } from './context.ts';

const GONE = 'This invitation link is not valid any more: it was used, revoked or has expired. Ask the project owner for a new one.';
const gone = () => new HttpError(410, 'invitation_invalid', GONE);

/**
 * Invitations into a project (`/api/projects/:pid/invitations`, owners) and the
 * link's own routes (`/api/invitations/:token`, anyone holding it).
 */
export function invitationRoutes(deps: AppDeps): Hono<Env> {
  const app = new Hono<Env>();
  const { storage, config: cfg } = deps;
  const invitations = new InvitationService(storage, createMailer(cfg.smtpUrl, cfg.mailFrom), cfg.invitationDays, deps.log);

  app.post('/projects/:pid/invitations', async (c) => {
    const pid = c.req.param('pid');
    const { principal } = await requireRole(deps, c, pid, 'owner');
    const body = await parseJson(c, MemberBody);
    const project = await storage.getProject(pid);
    if (!project) throw notFound('This project');
    const created = await invitations.create({
      projectId: pid, projectName: project.name, email: body.email, role: body.role as Role,
      inviter: { id: principal.user.id, name: principal.user.name }, baseUrl: cfg.publicUrl ?? new URL(c.req.url).origin,
    });
    return c.json({ ...created.invitation, link: created.link, emailed: created.emailed }, 201);
  });

  app.get('/projects/:pid/invitations', async (c) => {
    const pid = c.req.param('pid');
    await requireRole(deps, c, pid, 'owner');
    return c.json({ invitations: await invitations.list(pid) });
  });

  app.delete('/projects/:pid/invitations/:id', async (c) => {
    const pid = c.req.param('pid');
    await requireRole(deps, c, pid, 'owner');
    if (!(await storage.deleteProjectInvitation(pid, c.req.param('id')))) throw notFound('This invitation');
    return c.body(null, 204);
  });

  app.get('/invitations/:token', async (c) => {
    const inv = await invitations.find(c.req.param('token'));
    if (!inv) throw gone();
    const [project, inviter, account] = await Promise.all([
      storage.getProject(inv.projectId), storage.getUser(inv.invitedBy), storage.getUserByEmail(inv.email),
    ]);
    if (!project) throw gone();
    const preview: InvitationPreview = {
      projectName: project.name, email: inv.email, role: inv.role, invitedBy: inviter?.name ?? 'A project owner',
      expiresAt: inv.expiresAt, accountExists: account !== null,
    };
    return c.json(preview);
  });

  app.post('/invitations/:token/accept', async (c) => {
    const token = c.req.param('token');
    const inv = await invitations.find(token);
    if (!inv) throw gone();
    const body = await parseJson(c, AcceptInvitationBody);
    const user = await whoAccepts(c, inv.email, body);
    // Only now is the link used up, and only one request can use it.
    const taken = await invitations.take(token);
    if (!taken) throw gone();
    const before = await storage.getRole(taken.projectId, user.id);
    // Someone already in the project keeps their role; the invitation only lets people in.
    if (!before) await storage.setMember(taken.projectId, user.id, taken.role);
    if (!c.get('principal')) {
      const s = await deps.auth.createSession(user.id);
      setSessionCookie(deps, c, s.token, s.expiresAt);
    }
    return c.json({ user, projectId: taken.projectId, role: before ?? taken.role });
  });

  /** The signed-in user when it is the invited address; else the account the password opens, or a new one. */
  async function whoAccepts(c: Ctx, email: string, body: { password?: string | undefined; name?: string | undefined }): Promise<User> {
    const principal = c.get('principal');
    if (principal) {
      if (principal.user.email !== email) {
        throw forbidden(`This invitation is for ${email}, but you are signed in as ${principal.user.email}. Sign out and open the link again.`);
      }
      return principal.user;
    }
    if (!body.password) throw badRequest('Enter your password to accept the invitation.', 'password_required');
    const ip = clientIp(deps, c);
    const existing = await storage.getUserByEmail(email);
    if (existing) {
      const account = `${email} ${ip}`;
      await waitIfLimited(c, [[deps.authLimits.ip, ip], [deps.authLimits.account, account]], 'Too many failed sign-in attempts.');
      const user = await deps.auth.login(email, body.password, existing);
      if (!user) {
        await Promise.all([deps.authLimits.ip.hit(ip), deps.authLimits.account.hit(account)]);
        throw new HttpError(401, 'invalid_credentials', `The password for ${email} is not right.`);
      }
      return user;
    }
    if (cfg.signup === 'off') throw forbidden('Accounts are created by an administrator here. Ask yours for one, then open the link again.');
    if (!body.name) throw badRequest('Enter your name to create your account.', 'name_required');
    if (body.password.length < 8) throw badRequest('Passwords need at least 8 characters.', 'weak_password');
    const strength = await checkPasswordStrength(body.password, cfg.passwordMinScore, [email, body.name]);
    if (!strength.ok) throw badRequest(strength.message, 'weak_password');
    const user = await deps.auth.signup(email, body.password, body.name);
    // Lost a race with another sign-up of this address: that account's password decides, so try again.
    if (!user) throw new HttpError(409, 'signup_refused', `An account for ${email} was just created. Open the link again and sign in.`);
    return user;
  }

  return app;
}
