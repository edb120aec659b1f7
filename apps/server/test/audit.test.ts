import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConcordServer } from '../src/server.ts';
import { Client, makeCodes, makeProject, makeTranscript, makeUser, startTestServer, type TestUser } from './helpers.ts';

interface Entry { action: string; actorEmail: string | null; projectId: string | null; target: string | null; detail: Record<string, unknown> }

describe('audit log', () => {
  let s: ConcordServer;
  let admin: TestUser;
  let owner: TestUser;
  let coder: TestUser;
  let pid: string;

  beforeAll(async () => {
    s = await startTestServer();
    admin = await makeUser(s.url, 'Ada');
    owner = await makeUser(s.url, 'Olu');
    coder = await makeUser(s.url, 'Cy');
    pid = await makeProject(owner, 'Audited');
  });
  afterAll(async () => { await s.close(); });

  const projectLog = async (p = pid): Promise<Entry[]> => (await owner.client.req('GET', `/api/projects/${p}/audit`)).json.entries;
  const adminLog = async (): Promise<Entry[]> => (await admin.client.req('GET', '/api/admin/audit')).json.entries;
  /** The newest entry of this action. */
  const last = (entries: Entry[], action: string) => entries.find((e) => e.action === action);

  it('records member and role changes', async () => {
    await owner.client.req('POST', `/api/projects/${pid}/members`, { email: coder.email, role: 'viewer' });
    await owner.client.req('PATCH', `/api/projects/${pid}/members/${coder.id}`, { role: 'coder' });
    const log = await projectLog();
    expect(last(log, 'member.added')).toMatchObject({ actorEmail: owner.email, projectId: pid, target: coder.email, detail: { email: coder.email, role: 'viewer' } });
    expect(last(log, 'member.role_changed')).toMatchObject({ actorEmail: owner.email, target: coder.id, detail: { role: 'coder' } });
    // A refused change is not recorded.
    expect((await coder.client.req('PATCH', `/api/projects/${pid}/members/${owner.id}`, { role: 'viewer' })).status).toBe(403);
    expect((await projectLog()).filter((e) => e.action === 'member.role_changed')).toHaveLength(1);
  });

  it('records coding-mode switches and reveals', async () => {
    const tid = await makeTranscript(owner, pid);
    expect((await owner.client.req('PUT', `/api/projects/${pid}/transcripts/${tid}/mode`, { mode: 'independent' })).status).toBe(200);
    expect((await owner.client.req('POST', `/api/projects/${pid}/transcripts/${tid}/reveal`)).status).toBe(200);
    const log = await projectLog();
    expect(last(log, 'transcript.mode_changed')).toMatchObject({ target: tid, detail: { mode: 'independent' } });
    expect(last(log, 'transcript.revealed')).toMatchObject({ actorEmail: owner.email, target: tid });
    expect(last(log, 'transcripts.imported')).toMatchObject({ actorEmail: owner.email, detail: { transcripts: ['Interview'] } });
  });

  it('records exports and imports', async () => {
    await makeCodes(s, pid, ['c1']);
    const qdc = await owner.client.req('GET', `/api/projects/${pid}/export?format=qdc`);
    expect(qdc.status).toBe(200);
    expect((await owner.client.req('GET', `/api/projects/${pid}/segments?format=json`)).status).toBe(200);
    expect((await owner.client.req('GET', `/api/projects/${pid}/segments?format=csv`)).status).toBe(200);
    const form = new FormData();
    form.set('file', new File([qdc.text], 'codebook.qdc'));
    expect((await owner.client.req('POST', `/api/projects/${pid}/import`, form)).status).toBe(201);
    const log = await projectLog();
    expect(last(log, 'project.exported')).toMatchObject({ actorEmail: owner.email, detail: { format: 'qdc' } });
    expect(log.filter((e) => e.action === 'segments.exported').map((e) => e.detail.format)).toEqual(['csv']);
    expect(last(log, 'project.imported')).toMatchObject({ actorEmail: owner.email, projectId: pid });
  });

  it('records invitations and their acceptance, never the link', async () => {
    const r = await owner.client.req('POST', `/api/projects/${pid}/invitations`, { email: 'guest@example.org', role: 'commenter' });
    const token = (r.json.link as string).split('/').pop()!;
    const guest = new Client(s.url);
    expect((await guest.req('POST', `/api/invitations/${token}/accept`, { name: 'Guest', password: 'lantern orchard velvet 42' })).status).toBe(200);
    const log = await projectLog();
    expect(last(log, 'invitation.created')).toMatchObject({ target: 'guest@example.org', detail: { role: 'commenter' } });
    expect(last(log, 'invitation.accepted')).toMatchObject({ actorEmail: 'guest@example.org', projectId: pid, detail: { role: 'commenter' } });
    expect(JSON.stringify(await adminLog())).not.toContain(token);
  });

  it('records sign-ins, refused sign-ins and deletions; owners see their project, administrators everything', async () => {
    await new Client(s.url).req('POST', '/api/auth/login', { email: coder.email, password: 'correct horse battery' });
    await new Client(s.url).req('POST', '/api/auth/login', { email: coder.email, password: 'wrong wrong wrong' });
    const tid = await makeTranscript(owner, pid, 'A: one\n', 'Second');
    await owner.client.req('DELETE', `/api/projects/${pid}/transcripts/${tid}`);
    await owner.client.req('DELETE', `/api/projects/${pid}/members/${coder.id}`);
    const doomed = await makeProject(owner, 'Doomed');
    await owner.client.req('DELETE', `/api/projects/${doomed}`);
    const victim = await makeUser(s.url, 'Vic');
    await admin.client.req('DELETE', `/api/admin/users/${victim.id}`);

    const log = await adminLog();
    expect(last(log, 'signin')).toMatchObject({ actorEmail: coder.email, projectId: null });
    expect(last(log, 'signin.failed')).toMatchObject({ actorEmail: null, target: coder.email, detail: {} });
    expect(last(log, 'transcript.deleted')).toMatchObject({ projectId: pid, target: tid });
    expect(last(log, 'member.removed')).toMatchObject({ projectId: pid, target: coder.id });
    // A deleted project is named, but its id is gone with it.
    expect(last(log, 'project.deleted')).toMatchObject({ actorEmail: owner.email, projectId: null, target: 'Doomed' });
    expect(JSON.stringify(log)).not.toContain(doomed);
    expect(last(log, 'user.deleted')).toMatchObject({ actorEmail: admin.email, target: victim.id });

    // Owners see only their project's entries; others are refused.
    expect((await projectLog()).every((e) => e.projectId === pid)).toBe(true);
    expect((await coder.client.req('GET', `/api/projects/${pid}/audit`)).status).toBe(404);
    expect((await owner.client.req('GET', '/api/admin/audit')).status).toBe(403);
  });

  it('downloads as CSV', async () => {
    const r = await owner.client.req('GET', `/api/projects/${pid}/audit?format=csv`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/csv');
    expect(r.headers.get('content-disposition')).toContain(`audit-${pid}.csv`);
    const lines = r.text.trim().split('\r\n');
    expect(lines[0]).toBe('time,actor,action,project,target,detail');
    expect(lines.some((l) => l.includes(',member.added,') && l.includes(owner.email))).toBe(true);
    expect((await admin.client.req('GET', '/api/admin/audit?format=csv')).text).toContain(',signin.failed,');
  });
});
