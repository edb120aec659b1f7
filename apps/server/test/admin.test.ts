import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCommands } from '../src/cli/admin-commands.ts';
import type { CliContext } from '../src/cli/main.ts';
import type { ConcordServer } from '../src/server.ts';
import { Client, makeProject, makeUser, startTestServer, type TestUser } from './helpers.ts';

describe('instance administrators', () => {
  let s: ConcordServer;
  let admin: TestUser;
  let bea: TestUser;

  beforeAll(async () => {
    s = await startTestServer();
    admin = await makeUser(s.url, 'Ada');
    bea = await makeUser(s.url, 'Bea');
  });
  afterAll(async () => { await s.close(); });

  it('the first account to sign up is one; later ones are not, and are refused /api/admin', async () => {
    expect((await admin.client.req('GET', '/api/me')).json.admin).toBe(true);
    expect((await bea.client.req('GET', '/api/me')).json.admin).toBe(false);
    for (const [m, p] of [['GET', '/api/admin/users'], ['GET', '/api/admin/projects'], ['POST', `/api/admin/users/${admin.id}/disable`], ['DELETE', `/api/admin/users/${admin.id}`]] as const) {
      expect((await bea.client.req(m, p)).status).toBe(403);
    }
    expect((await new Client(s.url).req('GET', '/api/admin/users')).status).toBe(401);
    const users = (await admin.client.req('GET', '/api/admin/users')).json.users as { email: string; admin: boolean; disabled: boolean }[];
    expect(users.map((u) => [u.email, u.admin, u.disabled])).toEqual([[admin.email, true, false], [bea.email, false, false]]);
  });

  it('disables and enables an account, ending its sessions and tokens', async () => {
    const carl = await makeUser(s.url, 'Carl');
    expect((await admin.client.req('POST', `/api/admin/users/${carl.id}/disable`)).json.disabled).toBe(true);
    expect((await carl.client.req('GET', '/api/me')).status).toBe(401);
    expect((await new Client(s.url, carl.token).req('GET', '/api/projects')).status).toBe(401);
    const again = new Client(s.url);
    expect((await again.req('POST', '/api/auth/login', { email: carl.email, password: 'correct horse battery' })).status).toBe(401);
    expect((await admin.client.req('POST', `/api/admin/users/${carl.id}/enable`)).json.disabled).toBe(false);
    expect((await again.req('POST', '/api/auth/login', { email: carl.email, password: 'correct horse battery' })).status).toBe(200);
    expect((await admin.client.req('POST', `/api/admin/users/${admin.id}/disable`)).status).toBe(400);
    expect((await admin.client.req('POST', '/api/admin/users/nobody/disable')).status).toBe(404);
  });

  it('ends all sessions of an account, which may sign in again', async () => {
    const dan = await makeUser(s.url, 'Dan');
    expect((await admin.client.req('POST', `/api/admin/users/${dan.id}/sessions/end`)).status).toBe(204);
    expect((await dan.client.req('GET', '/api/me')).status).toBe(401);
    expect((await new Client(s.url, dan.token).req('GET', '/api/projects')).status).toBe(401);
    expect((await new Client(s.url).req('POST', '/api/auth/login', { email: dan.email, password: 'correct horse battery' })).status).toBe(200);
  });

  it('deletes an account with its memberships', async () => {
    const eve = await makeUser(s.url, 'Eve');
    const pid = await makeProject(bea);
    await bea.client.req('POST', `/api/projects/${pid}/members`, { email: eve.email, role: 'coder' });
    expect((await admin.client.req('DELETE', `/api/admin/users/${admin.id}`)).status).toBe(400);
    expect((await admin.client.req('DELETE', `/api/admin/users/${eve.id}`)).status).toBe(204);
    expect((await admin.client.req('DELETE', `/api/admin/users/${eve.id}`)).status).toBe(404);
    expect(await s.deps.storage.getUser(eve.id)).toBeNull();
    expect((await bea.client.req('GET', `/api/projects/${pid}`)).json.members.map((m: { email: string }) => m.email)).toEqual([bea.email]);
    expect((await eve.client.req('GET', '/api/me')).status).toBe(401);
    expect((await new Client(s.url).req('POST', '/api/auth/login', { email: eve.email, password: 'correct horse battery' })).status).toBe(401);
  });

  it('lists every project and deletes any, also ones the administrator is not in', async () => {
    const a = await makeProject(bea, 'Bea study');
    const b = await makeProject(bea, 'Bea pilot');
    const list = (await admin.client.req('GET', '/api/admin/projects')).json.projects as { id: string; name: string; members: number }[];
    expect(list.filter((p) => p.id === a || p.id === b).map((p) => [p.name, p.members])).toEqual([['Bea study', 1], ['Bea pilot', 1]]);
    expect((await admin.client.req('DELETE', `/api/admin/projects/${a}`)).status).toBe(204);
    expect((await admin.client.req('DELETE', `/api/projects/${b}`)).status).toBe(204);
    expect((await bea.client.req('GET', `/api/projects/${a}`)).status).toBe(404);
    expect((await bea.client.req('GET', `/api/projects/${b}`)).status).toBe(404);
    expect((await admin.client.req('DELETE', `/api/admin/projects/${a}`)).status).toBe(404);
  });

  it('`concord admin grant|revoke|list` sets administrators', async () => {
    const lines: string[] = [];
    const ctx = {
      deps: s.deps, out: (l: string) => lines.push(l),
      userByEmail: async (email: string) => { const u = await s.deps.storage.getUserByEmail(email); if (!u) throw new Error('no account'); return u; },
    } as CliContext;
    const cmd = adminCommands.find((c) => c.name === 'admin')!;
    await cmd.run(ctx, ['grant', bea.email], {});
    expect((await bea.client.req('GET', '/api/admin/users')).status).toBe(200);
    await cmd.run(ctx, ['list'], {});
    expect(lines.filter((l) => l.includes('\t')).map((l) => l.split('\t')[0])).toEqual([admin.email, bea.email]);
    await cmd.run(ctx, ['revoke', bea.email], {});
    expect((await bea.client.req('GET', '/api/admin/users')).status).toBe(403);
    await expect(cmd.run(ctx, ['promote', bea.email], {})).rejects.toThrow('usage');
  });
});
