import { describe, expect, it, beforeEach, afterEach } from 'vitest';
import * as Y from 'yjs';
import type { Storage } from './types.ts';
import { mergeStoredDoc } from '../sync/room.ts';

/**
 * The storage contract: every implementation (SQLite, PostgreSQL) must pass it.
 * `make` returns a fresh, empty storage; `cleanup` disposes of it.
 */
export function storageContract(name: string, make: () => Promise<Storage>, cleanup?: (s: Storage) => Promise<void>): void {
  describe(`storage contract: ${name}`, () => {
    let s: Storage;
    beforeEach(async () => { s = await make(); });
    afterEach(async () => { if (cleanup) await cleanup(s); else await s.close(); });

    const room = () => `p${Math.random().toString(36).slice(2, 10)}/codebook`;

    it('loads an unknown room as empty', async () => {
      expect(await s.loadDoc(room())).toEqual({ snapshot: null, updates: [] });
    });

    it('appends updates in order and loads them back byte for byte', async () => {
      const r = room();
      const doc = new Y.Doc();
      const updates: Uint8Array[] = [];
      doc.on('update', (u: Uint8Array) => updates.push(u));
      for (let i = 0; i < 5; i++) doc.getText('t').insert(i, String(i));
      await s.appendUpdates(r, updates.slice(0, 2));
      await s.appendUpdates(r, updates.slice(2));
      const loaded = await s.loadDoc(r);
      expect(loaded.updates.map((u) => Array.from(u))).toEqual(updates.map((u) => Array.from(u)));
      expect(await s.countUpdates(r)).toBe(5);
      const copy = new Y.Doc();
      for (const u of loaded.updates) Y.applyUpdate(copy, u);
      expect(copy.getText('t').toString()).toBe('01234');
    });

    it('appends a batch of rooms in one go, each room in order', async () => {
      const a = room();
      const b = room();
      await s.appendBatch([
        { room: a, updates: [new Uint8Array([1]), new Uint8Array([2])] },
        { room: b, updates: [new Uint8Array([9])] },
        { room: `${a}-empty`, updates: [] },
      ]);
      await s.appendBatch([{ room: a, updates: [new Uint8Array([3])] }]);
      await s.appendBatch([]);
      expect((await s.loadDoc(a)).updates.map((u) => Array.from(u))).toEqual([[1], [2], [3]]);
      expect((await s.loadDoc(b)).updates.map((u) => Array.from(u))).toEqual([[9]]);
      expect(await s.countUpdates(`${a}-empty`)).toBe(0);
    });

    it('keeps rooms apart', async () => {
      const a = room();
      const b = room();
      await s.appendUpdates(a, [new Uint8Array([1, 2, 3])]);
      expect((await s.loadDoc(b)).updates).toEqual([]);
    });

    it('compacts the log into one snapshot without losing anything', async () => {
      const r = room();
      const doc = new Y.Doc();
      doc.on('update', (u: Uint8Array) => void s.appendUpdates(r, [u]));
      for (let i = 0; i < 20; i++) doc.getText('t').insert(0, 'x');
      await new Promise((res) => setTimeout(res, 50));
      await s.compactDoc(r, mergeStoredDoc);
      const after = await s.loadDoc(r);
      expect(after.updates).toEqual([]);
      expect(after.snapshot).not.toBeNull();
      expect(await s.countUpdates(r)).toBe(0);
      // Updates after compaction are appended to the new snapshot.
      doc.getText('t').insert(0, 'y');
      await new Promise((res) => setTimeout(res, 50));
      const later = await s.loadDoc(r);
      const copy = new Y.Doc();
      Y.applyUpdate(copy, later.snapshot!);
      for (const u of later.updates) Y.applyUpdate(copy, u);
      expect(copy.getText('t').toString()).toBe('y' + 'x'.repeat(20));
    });

    it('a compaction that throws changes nothing', async () => {
      const r = room();
      await s.appendUpdates(r, [new Uint8Array([0, 0])]);
      await expect(s.compactDoc(r, () => { throw new Error('boom'); })).rejects.toThrow('boom');
      expect((await s.loadDoc(r)).updates).toHaveLength(1);
    });

    it('deletes a document', async () => {
      const r = room();
      await s.appendUpdates(r, [new Uint8Array([0, 0])]);
      await s.deleteDoc(r);
      expect(await s.loadDoc(r)).toEqual({ snapshot: null, updates: [] });
    });

    it('stores users, sessions and tokens', async () => {
      const id = `u${Math.random().toString(36).slice(2)}`;
      const email = `${id}@example.org`;
      await s.createUser({ id, email, name: 'Ada', passwordHash: 'h', createdAt: 1 });
      await expect(s.createUser({ id: id + 'x', email, name: 'Dup', passwordHash: null, createdAt: 1 })).rejects.toThrow();
      expect(await s.getUserByEmail(email)).toMatchObject({ id, name: 'Ada', passwordHash: 'h' });
      expect(await s.getUser(id)).toMatchObject({ email });
      await s.setPasswordHash(id, 'h2');
      expect((await s.getUser(id))?.passwordHash).toBe('h2');
      await s.createSession({ id: `s-${id}`, userId: id, expiresAt: 100 });
      expect(await s.getSession(`s-${id}`)).toEqual({ id: `s-${id}`, userId: id, expiresAt: 100 });
      await s.updateSessionExpiry(`s-${id}`, 200);
      expect((await s.getSession(`s-${id}`))?.expiresAt).toBe(200);
      await s.deleteUserSessions(id);
      expect(await s.getSession(`s-${id}`)).toBeNull();
      await s.createToken({ id: `t-${id}`, userId: id, name: 'script', createdAt: 5 });
      expect(await s.getToken(`t-${id}`)).toEqual({ id: `t-${id}`, userId: id, name: 'script', createdAt: 5, expiresAt: null, readOnly: false, projectId: null });
      await s.createToken({ id: `r-${id}`, userId: id, name: 'read', createdAt: 6, expiresAt: 50, readOnly: true, projectId: 'p1' });
      expect(await s.getToken(`r-${id}`)).toEqual({ id: `r-${id}`, userId: id, name: 'read', createdAt: 6, expiresAt: 50, readOnly: true, projectId: 'p1' });
      expect([...await s.liveCredentials([`r-${id}`], 49)]).toEqual([`r-${id}`]);
      expect([...await s.liveCredentials([`r-${id}`], 50)]).toEqual([]);
      expect(await s.deleteToken(`r-${id}`, id)).toBe(true);
      expect(await s.listTokens(id)).toHaveLength(1);
      expect(await s.deleteToken(`t-${id}`, 'someone-else')).toBe(false);
      expect(await s.deleteToken(`t-${id}`, id)).toBe(true);
      expect(await s.getToken(`t-${id}`)).toBeNull();
    });

    it('tells which sessions and tokens still authenticate, and disables accounts', async () => {
      const id = `u${Math.random().toString(36).slice(2)}`;
      await s.createUser({ id, email: `${id}@example.org`, name: 'Lin', passwordHash: 'h', createdAt: 1 });
      expect((await s.getUser(id))?.disabledAt).toBeNull();
      await s.createSession({ id: `live-${id}`, userId: id, expiresAt: 1000 });
      await s.createSession({ id: `over-${id}`, userId: id, expiresAt: 10 });
      await s.createToken({ id: `tok-${id}`, userId: id, name: 'a', createdAt: 1 });
      const many = Array.from({ length: 1200 }, (_, i) => `none-${i}`);
      const asked = [`live-${id}`, `over-${id}`, `tok-${id}`, 'unknown', ...many];
      expect([...await s.liveCredentials(asked, 500)].sort()).toEqual([`live-${id}`, `tok-${id}`]);
      expect(await s.liveCredentials([], 500)).toEqual(new Set());
      await s.setUserDisabled(id, 77);
      expect((await s.getUser(id))?.disabledAt).toBe(77);
      expect(await s.liveCredentials(asked, 500)).toEqual(new Set());
      await s.setUserDisabled(id, null);
      await s.deleteUserTokens(id);
      expect([...await s.liveCredentials(asked, 500)]).toEqual([`live-${id}`]);
    });

    it('keeps invitations to sign up until they are used', async () => {
      const email = `inv${Math.random().toString(36).slice(2)}@example.org`;
      expect(await s.takeInvitation(email)).toBe(false);
      await s.addInvitation(email, 1);
      await s.addInvitation(email, 2);
      expect(await s.takeInvitation(email)).toBe(true);
      expect(await s.takeInvitation(email)).toBe(false);
    });

    it('keeps project invitations until one caller takes them', async () => {
      const u = `u${Math.random().toString(36).slice(2)}`;
      await s.createUser({ id: u, email: `${u}@x.org`, name: 'Owner', passwordHash: null, createdAt: 1 });
      const pid = `p${u}`;
      await s.createProject({ id: pid, name: 'Study', createdAt: 2 }, u);
      const inv = { id: `i${u}`, tokenHash: `h${u}`, projectId: pid, email: 'a@x.org', role: 'coder' as const, invitedBy: u, createdAt: 3, expiresAt: 9 };
      await s.createProjectInvitation(inv);
      await s.createProjectInvitation({ ...inv, id: `j${u}`, tokenHash: `k${u}`, createdAt: 4 });
      await expect(s.createProjectInvitation({ ...inv, id: `z${u}` })).rejects.toThrow();
      expect((await s.listProjectInvitations(pid)).map((i) => i.id)).toEqual([`j${u}`, `i${u}`]);
      expect(await s.getProjectInvitation(`h${u}`)).toEqual(inv);
      const taken = await Promise.all([s.takeProjectInvitation(`h${u}`), s.takeProjectInvitation(`h${u}`)]);
      expect(taken.filter(Boolean)).toEqual([inv]);
      expect(await s.getProjectInvitation(`h${u}`)).toBeNull();
      expect(await s.deleteProjectInvitation('other', `j${u}`)).toBe(false);
      expect(await s.deleteProjectInvitation(pid, `j${u}`)).toBe(true);
      expect(await s.listProjectInvitations(pid)).toEqual([]);
    });

    it('keeps administrators, lists every account and project, and deletes an account with what is its own', async () => {
      const u = `u${Math.random().toString(36).slice(2)}`;
      const v = `${u}v`;
      await s.createUser({ id: u, email: `${u}@x.org`, name: 'Admin', passwordHash: null, createdAt: 1 });
      await s.createUser({ id: v, email: `${v}@x.org`, name: 'Member', passwordHash: null, createdAt: 2 });
      expect((await s.getUser(u))?.admin).toBe(false);
      await s.setUserAdmin(u, true);
      expect((await s.getUser(u))?.admin).toBe(true);
      expect(await s.hasAdmin()).toBe(true);
      expect((await s.listUsers()).filter((x) => x.id === u || x.id === v).map((x) => [x.id, x.admin])).toEqual([[u, true], [v, false]]);
      const pid = `p${u}`;
      await s.createProject({ id: pid, name: 'Study', createdAt: 3 }, u);
      await s.setMember(pid, v, 'coder');
      expect((await s.listAllProjects()).find((p) => p.id === pid)).toEqual({ id: pid, name: 'Study', createdAt: 3, members: 2 });
      await s.createSession({ id: `s-${v}`, userId: v, expiresAt: 100 });
      await s.addInboxItems([{ id: `i-${v}`, userId: v, kind: 'mention', projectId: pid, transcriptId: 't', threadId: 'th', commentId: 'c', actorId: u, excerpt: 'x', createdAt: 1, readAt: null }]);
      await s.createProjectInvitation({ id: `inv-${v}`, tokenHash: `h-${v}`, projectId: pid, email: 'n@x.org', role: 'viewer', invitedBy: v, createdAt: 1, expiresAt: 2 });
      expect(await s.deleteUser(v)).toBe(true);
      expect(await s.deleteUser(v)).toBe(false);
      expect(await s.getUser(v)).toBeNull();
      expect(await s.getSession(`s-${v}`)).toBeNull();
      expect(await s.getRole(pid, v)).toBeNull();
      expect(await s.countUnread(v)).toBe(0);
      expect(await s.listProjectInvitations(pid)).toEqual([]);
      await s.setUserAdmin(u, false);
      expect((await s.getUser(u))?.admin).toBe(false);
    });

    it('keeps an audit log, newest first, per project or all', async () => {
      const pid = `p${Math.random().toString(36).slice(2)}`;
      const e = { at: 1, actorId: 'u', actorEmail: 'u@x.org', action: 'member.added', projectId: pid, target: 'v@x.org', detail: '{"role":"coder"}' };
      await s.addAudit(e);
      await s.addAudit({ ...e, action: 'signin', projectId: null, target: null, detail: '{}' });
      await s.addAudit({ ...e, action: 'transcript.revealed', at: 2 });
      expect((await s.listAudit({ projectId: pid, limit: 10 })).map((x) => x.action)).toEqual(['transcript.revealed', 'member.added']);
      expect((await s.listAudit({ projectId: pid, limit: 1 }))[0]).toMatchObject({ ...e, action: 'transcript.revealed', at: 2 });
      expect((await s.listAudit({ limit: 3 })).map((x) => x.action)).toEqual(['transcript.revealed', 'signin', 'member.added']);
    });

    it('stores projects, members and transcripts', async () => {
      const u = `u${Math.random().toString(36).slice(2)}`;
      const v = `${u}v`;
      await s.createUser({ id: u, email: `${u}@x.org`, name: 'Owner', passwordHash: null, createdAt: 1 });
      await s.createUser({ id: v, email: `${v}@x.org`, name: 'Coder', passwordHash: null, createdAt: 1 });
      const pid = `p${u}`;
      await s.createProject({ id: pid, name: 'Study', createdAt: 2 }, u);
      expect(await s.getRole(pid, u)).toBe('owner');
      expect(await s.listProjects(u)).toEqual([{ id: pid, name: 'Study', createdAt: 2, role: 'owner' }]);
      await s.setMember(pid, v, 'viewer');
      await s.setMember(pid, v, 'coder');
      expect(await s.getRole(pid, v)).toBe('coder');
      expect((await s.listMembers(pid)).map((m) => [m.name, m.role])).toEqual([['Coder', 'coder'], ['Owner', 'owner']]);
      expect(await s.removeMember(pid, v)).toBe(true);
      expect(await s.getRole(pid, v)).toBeNull();
      await s.createTranscript({ id: `t${u}`, projectId: pid, name: 'Interview 1', createdAt: 3, turns: 4, codings: 0, mode: 'open', revealed: false });
      await s.updateTranscript(pid, `t${u}`, { codings: 7, mode: 'independent', revealed: true });
      expect(await s.getTranscript(pid, `t${u}`)).toMatchObject({ name: 'Interview 1', turns: 4, codings: 7, mode: 'independent', revealed: true });
      expect(await s.getTranscript('other', `t${u}`)).toBeNull();
      expect(await s.listTranscripts(pid)).toHaveLength(1);
      await s.createTranscript({ id: `t2${u}`, projectId: pid, name: 'Interview 2', createdAt: 4, turns: 1, codings: 0, mode: 'open', revealed: false });
      await s.updateTranscriptCounts([
        { projectId: pid, id: `t${u}`, turns: 12, codings: 30, name: 'Interview 1 (renamed)' },
        { projectId: pid, id: `t2${u}`, turns: 5, codings: 2, name: 'Interview 2' },
        { projectId: pid, id: 'no-such-transcript', turns: 1, codings: 1, name: 'x' },
      ]);
      await s.updateTranscriptCounts([]);
      expect(await s.getTranscript(pid, `t${u}`)).toMatchObject({ name: 'Interview 1 (renamed)', turns: 12, codings: 30, mode: 'independent', revealed: true });
      expect(await s.getTranscript(pid, `t2${u}`)).toMatchObject({ turns: 5, codings: 2 });
      await s.deleteTranscript(pid, `t2${u}`);
      await s.deleteTranscript(pid, `t${u}`);
      expect(await s.listTranscripts(pid)).toHaveLength(0);
    });

    it('reads what a socket join checks in one call', async () => {
      const u = `u${Math.random().toString(36).slice(2)}`;
      const v = `${u}v`;
      const w = `${u}w`;
      for (const id of [u, v, w]) await s.createUser({ id, email: `${id}@x.org`, name: id, passwordHash: null, createdAt: 1 });
      const pid = `p${u}`;
      const other = `q${u}`;
      await s.createProject({ id: pid, name: 'Study', createdAt: 2 }, u);
      await s.createProject({ id: other, name: 'Other', createdAt: 2 }, w);
      await s.setMember(pid, v, 'viewer');
      const tid = `t${u}`;
      await s.createTranscript({ id: tid, projectId: pid, name: 'Interview', createdAt: 3, turns: 1, codings: 0, mode: 'open', revealed: false });
      const foreign = `f${u}`;
      await s.createTranscript({ id: foreign, projectId: other, name: 'Elsewhere', createdAt: 3, turns: 1, codings: 0, mode: 'open', revealed: false });

      expect(await s.getRoomAccess(`missing${u}`, u, null, null)).toBeNull();
      expect(await s.getRoomAccess(pid, u, null, null)).toEqual({ role: 'owner', transcript: null, coderIsMember: false });
      expect(await s.getRoomAccess(pid, w, tid, null)).toEqual({ role: null, transcript: { mode: 'open', revealed: false }, coderIsMember: false });
      expect(await s.getRoomAccess(pid, v, tid, u)).toEqual({ role: 'viewer', transcript: { mode: 'open', revealed: false }, coderIsMember: true });
      expect((await s.getRoomAccess(pid, v, tid, w))?.coderIsMember).toBe(false);
      // A transcript of another project is not this project's.
      expect((await s.getRoomAccess(pid, u, foreign, null))?.transcript).toBeNull();
      expect((await s.getRoomAccess(pid, u, `nope${u}`, null))?.transcript).toBeNull();
      await s.updateTranscript(pid, tid, { mode: 'independent', revealed: true });
      await s.setMember(pid, v, 'coder');
      expect(await s.getRoomAccess(pid, v, tid, v)).toEqual({ role: 'coder', transcript: { mode: 'independent', revealed: true }, coderIsMember: true });
      await s.removeMember(pid, v);
      expect(await s.getRoomAccess(pid, v, tid, v)).toEqual({ role: null, transcript: { mode: 'independent', revealed: true }, coderIsMember: false });
    });

    it('keeps an inbox with unread counts', async () => {
      const u = `u${Math.random().toString(36).slice(2)}`;
      const item = (id: string, createdAt: number) => ({
        id: `${u}-${id}`, userId: u, kind: 'mention' as const, projectId: 'p', transcriptId: 't', threadId: 'th', commentId: 'c',
        actorId: 'a', excerpt: 'hello', createdAt, readAt: null,
      });
      await s.addInboxItems([item('1', 1), item('2', 2), item('3', 3)]);
      await s.addInboxItems([item('1', 1)]); // idempotent
      expect(await s.countUnread(u)).toBe(3);
      expect((await s.listInbox(u, 2)).map((i) => i.id)).toEqual([`${u}-3`, `${u}-2`]);
      await s.markInboxRead(u, [`${u}-2`], 10);
      expect(await s.countUnread(u)).toBe(2);
      await s.markInboxRead(u, 'all', 11);
      expect(await s.countUnread(u)).toBe(0);
    });
  });
}
