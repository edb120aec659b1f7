import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { Client, makeProject, makeUser, startTestServer } from './helpers.ts';
import type { ConcordServer } from '../src/server.ts';

interface Mail { from: string; to: string[]; raw: string }

/** A real SMTP server that keeps every message it receives. */
async function startSmtp(): Promise<{ server: SMTPServer; port: number; inbox: Mail[]; next: () => Promise<Mail> }> {
  const inbox: Mail[] = [];
  const waiting: ((m: Mail) => void)[] = [];
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const mail: Mail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        };
        const w = waiting.shift();
        if (w) w(mail); else inbox.push(mail);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  const next = () => new Promise<Mail>((resolve) => { const m = inbox.shift(); if (m) resolve(m); else waiting.push(resolve); });
  return { server, port, inbox, next };
}

/** The text of a (possibly quoted-printable) message body with soft line breaks undone. */
function bodyText(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
}

describe('project invitations by e-mail', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  /** Sign-up by invitation only: a project invitation is one. */
  let s: ConcordServer;
  /** Open sign-up, for the tests that need accounts made by `makeUser`. */
  let open: ConcordServer;

  beforeAll(async () => {
    smtp = await startSmtp();
    const mail = { smtpUrl: `smtp://127.0.0.1:${smtp.port}`, mailFrom: 'Concord <concord@uni.example>' };
    s = await startTestServer({ ...mail, signup: 'invite' });
    open = await startTestServer(mail);
  });
  afterAll(async () => {
    await s.close();
    await open.close();
    await new Promise<void>((resolve) => smtp.server.close(() => resolve()));
  });

  it('e-mails a single-use link that creates the account and the membership', async () => {
    // Sign-up is by invitation only here; the owner's account comes from an instance invitation.
    await s.deps.storage.addInvitation('owner-inv@example.org', Date.now());
    const ownerClient = new Client(s.url);
    expect((await ownerClient.req('POST', '/api/auth/signup', { email: 'owner-inv@example.org', password: 'correct horse battery', name: 'Olga' })).status).toBe(201);
    const pid = (await ownerClient.req('POST', '/api/projects', { name: 'Nurses study' })).json.id as string;

    const r = await ownerClient.req('POST', `/api/projects/${pid}/invitations`, { email: 'New.Colleague@Example.org', role: 'coder' });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ email: 'new.colleague@example.org', role: 'coder', emailed: true, expired: false });

    const mail = await smtp.next();
    expect(mail.to).toEqual(['new.colleague@example.org']);
    expect(mail.from).toBe('concord@uni.example');
    const text = bodyText(mail.raw);
    expect(text).toContain('Nurses study');
    expect(text).toContain('Olga');
    const link = /(http:\/\/\S+\/invite\/[a-z0-9]+)/.exec(text)?.[1];
    expect(link).toBe(r.json.link);
    const token = link!.slice(link!.lastIndexOf('/') + 1);

    // The owner sees it pending; the link shows what it is for.
    const pending = await ownerClient.req('GET', `/api/projects/${pid}/invitations`);
    expect(pending.json.invitations.map((i: { email: string }) => i.email)).toEqual(['new.colleague@example.org']);
    const invitee = new Client(s.url);
    const preview = await invitee.req('GET', `/api/invitations/${token}`);
    expect(preview.json).toMatchObject({ projectName: 'Nurses study', email: 'new.colleague@example.org', role: 'coder', invitedBy: 'Olga', accountExists: false });

    // A weak password loses nothing: the link still works.
    expect((await invitee.req('POST', `/api/invitations/${token}/accept`, { name: 'Nia', password: 'password' })).status).toBe(400);
    const accepted = await invitee.req('POST', `/api/invitations/${token}/accept`, { name: 'Nia', password: 'lantern orchard velvet 42' });
    expect(accepted.status).toBe(200);
    expect(accepted.json).toMatchObject({ projectId: pid, role: 'coder', user: { email: 'new.colleague@example.org', name: 'Nia' } });
    // Signed in by the same answer, and in the project with the invited role.
    const project = await invitee.req('GET', `/api/projects/${pid}`);
    expect(project.status).toBe(200);
    expect(project.json.role).toBe('coder');

    // Used once: a second use is refused, and the owner's list is empty.
    const again = await new Client(s.url).req('POST', `/api/invitations/${token}/accept`, { name: 'Mallory', password: 'lantern orchard velvet 43' });
    expect(again.status).toBe(410);
    expect(again.json.error.code).toBe('invitation_invalid');
    expect((await new Client(s.url).req('GET', `/api/invitations/${token}`)).status).toBe(410);
    expect((await ownerClient.req('GET', `/api/projects/${pid}/invitations`)).json.invitations).toEqual([]);
  });

  it('lets an existing account join with its password, and refuses a wrong one', async () => {
    const owner = await makeUser(open.url, 'Owen');
    const pid = await makeProject(owner);
    const colleague = await makeUser(open.url, 'Cleo');
    const r = await owner.client.req('POST', `/api/projects/${pid}/invitations`, { email: colleague.email, role: 'viewer' });
    await smtp.next();
    const token = (r.json.link as string).split('/').pop()!;
    const fresh = new Client(open.url);
    expect((await fresh.req('GET', `/api/invitations/${token}`)).json.accountExists).toBe(true);
    expect((await fresh.req('POST', `/api/invitations/${token}/accept`, { password: 'not the password' })).status).toBe(401);
    expect((await fresh.req('GET', `/api/projects/${pid}`)).status).toBe(401);
    const ok = await fresh.req('POST', `/api/invitations/${token}/accept`, { password: 'correct horse battery' });
    expect(ok.status).toBe(200);
    expect(await open.deps.storage.getRole(pid, colleague.id)).toBe('viewer');
  });

  it('refuses a signed-in user of another address and keeps the link', async () => {
    const owner = await makeUser(open.url, 'Pia');
    const pid = await makeProject(owner);
    const other = await makeUser(open.url, 'Quinn');
    const r = await owner.client.req('POST', `/api/projects/${pid}/invitations`, { email: 'someone-else@example.org', role: 'coder' });
    await smtp.next();
    const token = (r.json.link as string).split('/').pop()!;
    const res = await other.client.req('POST', `/api/invitations/${token}/accept`, {});
    expect(res.status).toBe(403);
    expect(await open.deps.storage.getRole(pid, other.id)).toBeNull();
    expect((await new Client(open.url).req('GET', `/api/invitations/${token}`)).status).toBe(200);
  });

  it('lets only owners invite, list and revoke; a revoked link is refused', async () => {
    const owner = await makeUser(open.url, 'Rosa');
    const pid = await makeProject(owner);
    const coder = await makeUser(open.url, 'Sam');
    await owner.client.req('POST', `/api/projects/${pid}/members`, { email: coder.email, role: 'coder' });
    expect((await coder.client.req('POST', `/api/projects/${pid}/invitations`, { email: 'x@example.org', role: 'owner' })).status).toBe(403);
    expect((await coder.client.req('GET', `/api/projects/${pid}/invitations`)).status).toBe(403);
    expect((await owner.client.req('POST', `/api/projects/${pid}/invitations`, { email: 'not an address', role: 'coder' })).status).toBe(400);
    expect((await owner.client.req('POST', `/api/projects/${pid}/invitations`, { email: 'x@example.org', role: 'admin' })).status).toBe(400);
    const r = await owner.client.req('POST', `/api/projects/${pid}/invitations`, { email: 'x@example.org', role: 'commenter' });
    await smtp.next();
    const token = (r.json.link as string).split('/').pop()!;
    expect((await coder.client.req('DELETE', `/api/projects/${pid}/invitations/${r.json.id}`)).status).toBe(403);
    expect((await owner.client.req('DELETE', `/api/projects/${pid}/invitations/${r.json.id}`)).status).toBe(204);
    expect((await owner.client.req('DELETE', `/api/projects/${pid}/invitations/${r.json.id}`)).status).toBe(404);
    expect((await new Client(open.url).req('POST', `/api/invitations/${token}/accept`, { name: 'X', password: 'lantern orchard velvet 42' })).status).toBe(410);
  });

  it('refuses an expired link', async () => {
    const owner = await makeUser(open.url, 'Tara');
    const pid = await makeProject(owner);
    const r = await owner.client.req('POST', `/api/projects/${pid}/invitations`, { email: 'late@example.org', role: 'coder' });
    await smtp.next();
    const token = (r.json.link as string).split('/').pop()!;
    const inv = (await open.deps.storage.listProjectInvitations(pid))[0]!;
    // Backdate it past its expiry.
    await open.deps.storage.deleteProjectInvitation(pid, inv.id);
    await open.deps.storage.createProjectInvitation({ ...inv, expiresAt: Date.now() - 1 });
    expect((await owner.client.req('GET', `/api/projects/${pid}/invitations`)).json.invitations[0].expired).toBe(true);
    const res = await new Client(open.url).req('POST', `/api/invitations/${token}/accept`, { name: 'Late', password: 'lantern orchard velvet 42' });
    expect(res.status).toBe(410);
    expect(await open.deps.storage.getUserByEmail('late@example.org')).toBeNull();
  });
});

describe('project invitations without SMTP', () => {
  it('returns the link for the owner to pass on', async () => {
    const s = await startTestServer();
    try {
      const owner = await makeUser(s.url, 'Uma');
      const pid = await makeProject(owner);
      const r = await owner.client.req('POST', `/api/projects/${pid}/invitations`, { email: 'v@example.org', role: 'coder' });
      expect(r.status).toBe(201);
      expect(r.json.emailed).toBeNull();
      expect(r.json.link).toMatch(new RegExp(`^${s.url}/invite/[a-z0-9]+$`));
    } finally {
      await s.close();
    }
  });
});
