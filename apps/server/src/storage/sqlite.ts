import Database from 'better-sqlite3';
import { indexWords, toFts5Query, type Role } from '@concord/shared';
import type {
  AuditEntry, InboxItem, MemberRecord, ProjectInvitationRecord, ProjectRecord, RoomAccessRecord, SearchDocText, SearchTurnQuery, SearchTurnRow, SessionRecord,
  Storage, StoredDoc, TokenRecord, TranscriptCounts, TranscriptRecord, UserRecord,
} from './types.ts';
import { MIGRATIONS } from './migrations.ts';
import { SEARCH_ROW_COLUMNS, SQLITE_SEARCH_INDEX } from './search-sql.ts';

type Row = Record<string, unknown>;

/**
 * SQLite storage (better-sqlite3, WAL). better-sqlite3 is synchronous, so each
 * call commits before it returns; the async signatures match the interface.
 */
export class SqliteStorage implements Storage {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;

  constructor(file: string, opts: { synchronous?: 'NORMAL' | 'FULL' } = {}) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode survives a killed process (the kernel holds the WAL
    // pages); FULL also survives power loss at the price of an fsync per commit.
    this.db.pragma(`synchronous = ${opts.synchronous ?? 'NORMAL'}`);
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
  }

  private migrate(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const row = this.db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
    let version = row?.version ?? 0;
    if (!row) this.db.prepare('INSERT INTO schema_version (version) VALUES (0)').run();
    for (; version < MIGRATIONS.length; version++) {
      const sql = MIGRATIONS[version]!.replace(/\bBYTEA\b/g, 'BLOB').replace(/\bBIGINT\b/g, 'INTEGER')
        .replaceAll('{{SERIAL_PK}}', 'INTEGER PRIMARY KEY AUTOINCREMENT').replaceAll('{{SEARCH_INDEX}}', SQLITE_SEARCH_INDEX);
      this.db.transaction(() => {
        this.db.exec(sql);
        this.db.prepare('UPDATE schema_version SET version = ?').run(version + 1);
      })();
    }
  }

  private readonly statements = new Map<string, Database.Statement>();

  /** Prepared statements are compiled once and reused. */
  private stmt(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  async close(): Promise<void> { this.db.close(); }

  // Documents
  async loadDoc(room: string): Promise<StoredDoc> {
    return this.db.transaction(() => this.readDoc(room))();
  }

  private readDoc(room: string): StoredDoc {
    const snap = this.stmt('SELECT data FROM doc_snapshots WHERE room = ?').get(room) as { data: Buffer } | undefined;
    const rows = this.stmt('SELECT data FROM doc_updates WHERE room = ? ORDER BY seq').all(room) as { data: Buffer }[];
    return { snapshot: snap ? toBytes(snap.data) : null, updates: rows.map((r) => toBytes(r.data)) };
  }

  async appendUpdates(room: string, updates: Uint8Array[]): Promise<void> {
    return this.appendBatch([{ room, updates }]);
  }

  async appendBatch(batch: { room: string; updates: Uint8Array[] }[]): Promise<void> {
    if (batch.every((b) => b.updates.length === 0)) return;
    const ins = this.stmt('INSERT INTO doc_updates (room, data) VALUES (?, ?)');
    this.db.transaction(() => {
      for (const { room, updates } of batch) for (const u of updates) ins.run(room, Buffer.from(u.buffer, u.byteOffset, u.byteLength));
    })();
  }

  async countUpdates(room: string): Promise<number> {
    return (this.stmt('SELECT COUNT(*) AS n FROM doc_updates WHERE room = ?').get(room) as { n: number }).n;
  }

  async compactDoc(room: string, merge: (doc: StoredDoc) => Uint8Array): Promise<void> {
    // IMMEDIATE takes the write lock first, so no other writer appends between the read and the replace.
    this.db.transaction(() => {
      const doc = this.readDoc(room);
      const maxSeq = (this.stmt('SELECT MAX(seq) AS m FROM doc_updates WHERE room = ?').get(room) as { m: number | null }).m;
      const merged = merge(doc);
      this.stmt(
        'INSERT INTO doc_snapshots (room, data) VALUES (?, ?) ON CONFLICT (room) DO UPDATE SET data = excluded.data',
      ).run(room, Buffer.from(merged));
      if (maxSeq !== null) this.stmt('DELETE FROM doc_updates WHERE room = ? AND seq <= ?').run(room, maxSeq);
    }).immediate();
  }

  async deleteDoc(room: string): Promise<void> {
    this.db.transaction(() => {
      this.stmt('DELETE FROM doc_updates WHERE room = ?').run(room);
      this.stmt('DELETE FROM doc_snapshots WHERE room = ?').run(room);
    })();
  }

  // Users, sessions, tokens
  async createUser(u: UserRecord): Promise<void> {
    this.stmt('INSERT INTO users (id, email, name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(u.id, u.email, u.name, u.passwordHash, u.createdAt);
  }
  async getUserByEmail(email: string): Promise<UserRecord | null> {
    return toUser(this.stmt('SELECT * FROM users WHERE email = ?').get(email) as Row | undefined);
  }
  async getUser(id: string): Promise<UserRecord | null> {
    return toUser(this.stmt('SELECT * FROM users WHERE id = ?').get(id) as Row | undefined);
  }
  async setPasswordHash(userId: string, hash: string): Promise<void> {
    this.stmt('UPDATE users SET password_hash = ? WHERE id = ?').run(hash, userId);
  }
  async createSession(s: SessionRecord): Promise<void> {
    this.stmt('INSERT INTO sessions (id, user_id, expires_at) VALUES (?, ?, ?)').run(s.id, s.userId, s.expiresAt);
  }
  async getSession(id: string): Promise<SessionRecord | null> {
    const r = this.stmt('SELECT * FROM sessions WHERE id = ?').get(id) as Row | undefined;
    return r ? { id: String(r.id), userId: String(r.user_id), expiresAt: Number(r.expires_at) } : null;
  }
  async updateSessionExpiry(id: string, expiresAt: number): Promise<void> {
    this.stmt('UPDATE sessions SET expires_at = ? WHERE id = ?').run(expiresAt, id);
  }
  async deleteSession(id: string): Promise<void> { this.stmt('DELETE FROM sessions WHERE id = ?').run(id); }
  async deleteUserSessions(userId: string): Promise<void> { this.stmt('DELETE FROM sessions WHERE user_id = ?').run(userId); }
  async createToken(t: TokenRecord): Promise<void> {
    this.stmt('INSERT INTO tokens (id, user_id, name, created_at, expires_at, read_only, project_id) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(t.id, t.userId, t.name, t.createdAt, t.expiresAt ?? null, t.readOnly ? 1 : 0, t.projectId ?? null);
  }
  async getToken(id: string): Promise<TokenRecord | null> {
    const r = this.stmt('SELECT * FROM tokens WHERE id = ?').get(id) as Row | undefined;
    return r ? toToken(r) : null;
  }
  async listTokens(userId: string): Promise<TokenRecord[]> {
    return (this.stmt('SELECT * FROM tokens WHERE user_id = ? ORDER BY created_at').all(userId) as Row[]).map(toToken);
  }
  async deleteToken(id: string, userId: string): Promise<boolean> {
    return this.stmt('DELETE FROM tokens WHERE id = ? AND user_id = ?').run(id, userId).changes > 0;
  }
  async deleteUserTokens(userId: string): Promise<void> { this.stmt('DELETE FROM tokens WHERE user_id = ?').run(userId); }
  async setUserDisabled(userId: string, disabledAt: number | null): Promise<void> {
    this.stmt('UPDATE users SET disabled_at = ? WHERE id = ?').run(disabledAt, userId);
  }
  async liveCredentials(ids: string[], now: number): Promise<Set<string>> {
    const live = new Set<string>();
    for (let i = 0; i < ids.length; i += CREDENTIAL_CHUNK) {
      const chunk = ids.slice(i, i + CREDENTIAL_CHUNK);
      const marks = chunk.map(() => '?').join(',');
      const rows = this.db.prepare(liveCredentialsSql(marks, '?', marks)).all(...chunk, now, ...chunk, now) as Row[];
      for (const r of rows) live.add(String(r.id));
    }
    return live;
  }
  async addInvitation(email: string, at: number): Promise<void> {
    this.stmt('INSERT INTO invitations (email, created_at) VALUES (?, ?) ON CONFLICT (email) DO UPDATE SET created_at = excluded.created_at').run(email, at);
  }
  async takeInvitation(email: string): Promise<boolean> {
    return this.stmt('DELETE FROM invitations WHERE email = ?').run(email).changes > 0;
  }

  // Projects and members
  async createProject(p: ProjectRecord, ownerId: string): Promise<void> {
    this.db.transaction(() => {
      this.stmt('INSERT INTO projects (id, name, created_at) VALUES (?, ?, ?)').run(p.id, p.name, p.createdAt);
      this.stmt('INSERT INTO members (project_id, user_id, role) VALUES (?, ?, ?)').run(p.id, ownerId, 'owner');
    })();
  }
  async getProject(id: string): Promise<ProjectRecord | null> {
    const r = this.stmt('SELECT * FROM projects WHERE id = ?').get(id) as Row | undefined;
    return r ? { id: String(r.id), name: String(r.name), createdAt: Number(r.created_at) } : null;
  }
  async listProjects(userId: string): Promise<(ProjectRecord & { role: Role })[]> {
    const rows = this.stmt(
      'SELECT p.*, m.role FROM projects p JOIN members m ON m.project_id = p.id WHERE m.user_id = ? ORDER BY p.created_at',
    ).all(userId) as Row[];
    return rows.map((r) => ({ id: String(r.id), name: String(r.name), createdAt: Number(r.created_at), role: r.role as Role }));
  }
  async getRole(projectId: string, userId: string): Promise<Role | null> {
    const r = this.stmt('SELECT role FROM members WHERE project_id = ? AND user_id = ?').get(projectId, userId) as Row | undefined;
    return r ? (r.role as Role) : null;
  }
  async setMember(projectId: string, userId: string, role: Role): Promise<void> {
    this.stmt(
      'INSERT INTO members (project_id, user_id, role) VALUES (?, ?, ?) ON CONFLICT (project_id, user_id) DO UPDATE SET role = excluded.role',
    ).run(projectId, userId, role);
  }
  async removeMember(projectId: string, userId: string): Promise<boolean> {
    return this.stmt('DELETE FROM members WHERE project_id = ? AND user_id = ?').run(projectId, userId).changes > 0;
  }
  async listMembers(projectId: string): Promise<MemberRecord[]> {
    const rows = this.stmt(
      'SELECT m.project_id, m.user_id, m.role, u.email, u.name FROM members m JOIN users u ON u.id = m.user_id WHERE m.project_id = ? ORDER BY u.name',
    ).all(projectId) as Row[];
    return rows.map(toMember);
  }

  async getRoomAccess(projectId: string, userId: string, transcriptId: string | null, coderId: string | null): Promise<RoomAccessRecord | null> {
    return toRoomAccess(this.stmt(ROOM_ACCESS_SQLITE).get(userId, coderId, transcriptId, projectId) as Row | undefined);
  }

  // Transcripts
  async createTranscript(t: TranscriptRecord): Promise<void> {
    this.stmt(
      'INSERT INTO transcripts (id, project_id, name, created_at, turns, codings, mode, revealed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(t.id, t.projectId, t.name, t.createdAt, t.turns, t.codings, t.mode, t.revealed ? 1 : 0);
  }
  async getTranscript(projectId: string, id: string): Promise<TranscriptRecord | null> {
    const r = this.stmt('SELECT * FROM transcripts WHERE project_id = ? AND id = ?').get(projectId, id) as Row | undefined;
    return r ? toTranscript(r) : null;
  }
  async listTranscripts(projectId: string): Promise<TranscriptRecord[]> {
    return (this.stmt('SELECT * FROM transcripts WHERE project_id = ? ORDER BY created_at, name').all(projectId) as Row[]).map(toTranscript);
  }
  async updateTranscript(projectId: string, id: string, patch: Partial<Pick<TranscriptRecord, 'name' | 'turns' | 'codings' | 'mode' | 'revealed'>>): Promise<void> {
    const cols = transcriptPatch(patch);
    if (cols.length === 0) return;
    this.stmt(`UPDATE transcripts SET ${cols.map(([c]) => `${c} = ?`).join(', ')} WHERE project_id = ? AND id = ?`)
      .run(...cols.map(([, v]) => v), projectId, id);
  }
  async updateTranscriptCounts(items: TranscriptCounts[]): Promise<void> {
    if (items.length === 0) return;
    const upd = this.stmt('UPDATE transcripts SET turns = ?, codings = ?, name = ? WHERE project_id = ? AND id = ?');
    this.db.transaction(() => { for (const t of items) upd.run(t.turns, t.codings, t.name, t.projectId, t.id); })();
  }
  async deleteTranscript(projectId: string, id: string): Promise<void> {
    this.stmt('DELETE FROM transcripts WHERE project_id = ? AND id = ?').run(projectId, id);
  }

  // Full-text search
  async writeSearchText(items: SearchDocText[]): Promise<void> {
    const mark = this.stmt(
      `INSERT INTO search_docs (transcript_id, project_id, indexed_at) SELECT id, project_id, ? FROM transcripts WHERE id = ? AND project_id = ?
       ON CONFLICT (transcript_id) DO UPDATE SET indexed_at = excluded.indexed_at`,
    );
    const clear = this.stmt('DELETE FROM search_turns WHERE transcript_id = ?');
    const ins = this.stmt('INSERT INTO search_turns (transcript_id, project_id, turn, speaker, start, text, words) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const now = Date.now();
    this.db.transaction(() => {
      for (const d of items) {
        if (mark.run(now, d.transcriptId, d.projectId).changes === 0) continue;
        clear.run(d.transcriptId);
        for (const t of d.turns) ins.run(d.transcriptId, d.projectId, t.turn, t.speaker, t.start, t.text, indexWords(t.text));
      }
    })();
  }
  async unindexedTranscripts(projectId: string): Promise<string[]> {
    const rows = this.stmt(
      'SELECT t.id FROM transcripts t LEFT JOIN search_docs d ON d.transcript_id = t.id WHERE t.project_id = ? AND d.transcript_id IS NULL ORDER BY t.created_at',
    ).all(projectId) as Row[];
    return rows.map((r) => String(r.id));
  }
  async searchTurns(projectId: string, q: SearchTurnQuery): Promise<SearchTurnRow[]> {
    const where: string[] = ['s.project_id = ?'];
    const params: unknown[] = [projectId];
    let from = 'search_turns s';
    // FTS5 yields its matches in rowid order: ordering (and paging) by its rowid needs no sort.
    let order = 's.id';
    if (q.match) {
      order = 'f.rowid';
      from = 'search_fts f JOIN search_turns s ON s.id = f.rowid';
      where.push('search_fts MATCH ?');
      params.push(toFts5Query(q.match));
    }
    if (q.speaker) { where.push('s.speaker = ?'); params.push(q.speaker); }
    if (q.transcriptIds) {
      where.push(`s.transcript_id IN (${q.transcriptIds.map(() => '?').join(',') || 'NULL'})`);
      params.push(...q.transcriptIds);
    }
    if (q.afterId !== undefined) { where.push(`${order} > ?`); params.push(q.afterId); }
    const rows = this.db.prepare(
      `SELECT ${SEARCH_ROW_COLUMNS} FROM ${from} JOIN transcripts t ON t.id = s.transcript_id
       WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?`,
    ).all(...params, q.limit) as Row[];
    return rows.map(toSearchRow);
  }

  // Inbox
  async addInboxItems(items: InboxItem[]): Promise<void> {
    const ins = this.stmt(
      `INSERT INTO inbox (id, user_id, kind, project_id, transcript_id, thread_id, comment_id, actor_id, excerpt, created_at, read_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
    this.db.transaction(() => {
      for (const i of items) ins.run(i.id, i.userId, i.kind, i.projectId, i.transcriptId, i.threadId, i.commentId, i.actorId, i.excerpt, i.createdAt, i.readAt);
    })();
  }
  async listInbox(userId: string, limit: number): Promise<InboxItem[]> {
    return (this.stmt('SELECT * FROM inbox WHERE user_id = ? ORDER BY created_at DESC LIMIT ?').all(userId, limit) as Row[]).map(toInbox);
  }
  async markInboxRead(userId: string, ids: string[] | 'all', at: number): Promise<void> {
    if (ids === 'all') {
      this.stmt('UPDATE inbox SET read_at = ? WHERE user_id = ? AND read_at IS NULL').run(at, userId);
      return;
    }
    const upd = this.stmt('UPDATE inbox SET read_at = ? WHERE user_id = ? AND id = ? AND read_at IS NULL');
    this.db.transaction(() => { for (const id of ids) upd.run(at, userId, id); })();
  }
  async countUnread(userId: string): Promise<number> {
    return (this.stmt('SELECT COUNT(*) AS n FROM inbox WHERE user_id = ? AND read_at IS NULL').get(userId) as { n: number }).n;
  }

  // Project invitations
  async createProjectInvitation(i: ProjectInvitationRecord): Promise<void> {
    this.stmt('INSERT INTO project_invitations (id, token_hash, project_id, email, role, invited_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(i.id, i.tokenHash, i.projectId, i.email, i.role, i.invitedBy, i.createdAt, i.expiresAt);
  }
  async listProjectInvitations(projectId: string): Promise<ProjectInvitationRecord[]> {
    return (this.stmt('SELECT * FROM project_invitations WHERE project_id = ? ORDER BY created_at DESC, id').all(projectId) as Row[]).map(toProjectInvitation);
  }
  async getProjectInvitation(tokenHash: string): Promise<ProjectInvitationRecord | null> {
    const r = this.stmt('SELECT * FROM project_invitations WHERE token_hash = ?').get(tokenHash) as Row | undefined;
    return r ? toProjectInvitation(r) : null;
  }
  async deleteProjectInvitation(projectId: string, id: string): Promise<boolean> {
    return this.stmt('DELETE FROM project_invitations WHERE project_id = ? AND id = ?').run(projectId, id).changes > 0;
  }
  async takeProjectInvitation(tokenHash: string): Promise<ProjectInvitationRecord | null> {
    const r = this.stmt('DELETE FROM project_invitations WHERE token_hash = ? RETURNING *').get(tokenHash) as Row | undefined;
    return r ? toProjectInvitation(r) : null;
  }

  // Audit log
  async addAudit(e: AuditEntry): Promise<void> {
    this.stmt('INSERT INTO audit_log (at, actor_id, actor_email, action, project_id, target, detail) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(e.at, e.actorId, e.actorEmail, e.action, e.projectId, e.target, e.detail);
  }
  async listAudit(opts: { projectId?: string; limit: number }): Promise<(AuditEntry & { seq: number })[]> {
    const rows = opts.projectId === undefined
      ? this.stmt('SELECT * FROM audit_log ORDER BY seq DESC LIMIT ?').all(opts.limit)
      : this.stmt('SELECT * FROM audit_log WHERE project_id = ? ORDER BY seq DESC LIMIT ?').all(opts.projectId, opts.limit);
    return (rows as Row[]).map(toAudit);
  }

  // Administration
  async listUsers(): Promise<UserRecord[]> {
    return (this.stmt('SELECT * FROM users ORDER BY created_at, id').all() as Row[]).map((r) => toUser(r)!);
  }
  async setUserAdmin(userId: string, admin: boolean): Promise<void> {
    this.stmt('UPDATE users SET is_admin = ? WHERE id = ?').run(admin ? 1 : 0, userId);
  }
  async hasAdmin(): Promise<boolean> {
    return this.stmt('SELECT 1 FROM users WHERE is_admin = 1 LIMIT 1').get() !== undefined;
  }
  async deleteUser(userId: string): Promise<boolean> {
    return this.db.transaction(() => {
      for (const sql of DELETE_USER_ROWS) this.stmt(sql.replace(/\$1/g, '?')).run(userId);
      return this.stmt('DELETE FROM users WHERE id = ?').run(userId).changes > 0;
    })();
  }
  async listAllProjects(): Promise<(ProjectRecord & { members: number })[]> {
    return (this.stmt(ALL_PROJECTS_SQL).all() as Row[]).map(toProjectWithMembers);
  }
  async deleteProject(projectId: string): Promise<boolean> {
    const tables = this.db.prepare("SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'").all() as { t: string; c: string }[];
    return this.db.transaction(() => {
      const found = this.stmt('DELETE FROM projects WHERE id = ?').run(projectId).changes > 0;
      for (const sql of projectPurgeSql(tables, '@pid')) this.db.prepare(sql).run({ pid: projectId });
      return found;
    })();
  }
  async deleteProjectRooms(projectId: string): Promise<void> {
    const tables = this.db.prepare("SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND p.name = 'room'").all() as { t: string; c: string }[];
    this.db.transaction(() => { for (const sql of projectPurgeSql(tables, '@pid')) this.db.prepare(sql).run({ pid: projectId }); })();
  }
}

export function toBytes(b: Buffer | Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export function transcriptPatch(patch: Partial<Pick<TranscriptRecord, 'name' | 'turns' | 'codings' | 'mode' | 'revealed'>>): [string, unknown][] {
  const cols: [string, unknown][] = [];
  if (patch.name !== undefined) cols.push(['name', patch.name]);
  if (patch.turns !== undefined) cols.push(['turns', patch.turns]);
  if (patch.codings !== undefined) cols.push(['codings', patch.codings]);
  if (patch.mode !== undefined) cols.push(['mode', patch.mode]);
  if (patch.revealed !== undefined) cols.push(['revealed', patch.revealed ? 1 : 0]);
  return cols;
}

export function toUser(r: Row | undefined): UserRecord | null {
  if (!r) return null;
  return {
    id: String(r.id), email: String(r.email), name: String(r.name),
    passwordHash: (r.password_hash as string | null) ?? null, createdAt: Number(r.created_at),
    disabledAt: r.disabled_at === null || r.disabled_at === undefined ? null : Number(r.disabled_at),
    admin: Number(r.is_admin) === 1 || r.is_admin === true,
  };
}
/** Ids per credential query (under both databases' parameter limits). */
export const CREDENTIAL_CHUNK = 500;

/** Sessions unexpired and tokens, of accounts not disabled, among the ids given (placeholders for sessions, now, tokens). */
export function liveCredentialsSql(sessionIds: string, now: string, tokenIds: string): string {
  return `SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id IN (${sessionIds}) AND s.expires_at > ${now} AND u.disabled_at IS NULL
    UNION ALL SELECT t.id FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.id IN (${tokenIds}) AND u.disabled_at IS NULL
      AND (t.expires_at IS NULL OR t.expires_at > ${now})`;
}

export function toToken(r: Row): TokenRecord {
  return {
    id: String(r.id), userId: String(r.user_id), name: String(r.name), createdAt: Number(r.created_at),
    expiresAt: r.expires_at === null || r.expires_at === undefined ? null : Number(r.expires_at),
    readOnly: Number(r.read_only) === 1, projectId: r.project_id === null || r.project_id === undefined ? null : String(r.project_id),
  };
}
export function toMember(r: Row): MemberRecord {
  return { projectId: String(r.project_id), userId: String(r.user_id), role: r.role as Role, email: String(r.email), name: String(r.name) };
}
/**
 * One row when the project exists: the user's role, the transcript's mode (NULL
 * when no transcript was asked or there is none) and whether the coder is a member.
 * Parameters: $1 user, $2 coder, $3 transcript, $4 project.
 */
export const ROOM_ACCESS_SQL = `SELECT
  (SELECT role FROM members WHERE project_id = p.id AND user_id = $1) AS role,
  t.mode AS mode, t.revealed AS revealed,
  (SELECT COUNT(*) FROM members WHERE project_id = p.id AND user_id = $2) AS coder
FROM projects p LEFT JOIN transcripts t ON t.project_id = p.id AND t.id = $3
WHERE p.id = $4`;

/** The same with SQLite's positional parameters ($1…$4 appear in order). */
const ROOM_ACCESS_SQLITE = ROOM_ACCESS_SQL.replace(/\$\d/g, '?');

export function toRoomAccess(r: Row | undefined): RoomAccessRecord | null {
  if (!r) return null;
  return {
    role: (r.role as Role | null) ?? null,
    transcript: r.mode === null || r.mode === undefined ? null : {
      mode: r.mode === 'independent' ? 'independent' : 'open',
      revealed: Number(r.revealed) === 1 || r.revealed === true,
    },
    coderIsMember: Number(r.coder) > 0,
  };
}

export function toTranscript(r: Row): TranscriptRecord {
  return {
    id: String(r.id), projectId: String(r.project_id), name: String(r.name), createdAt: Number(r.created_at),
    turns: Number(r.turns), codings: Number(r.codings), mode: r.mode === 'independent' ? 'independent' : 'open',
    revealed: Number(r.revealed) === 1 || r.revealed === true,
  };
}
export function toSearchRow(r: Row): SearchTurnRow {
  return {
    id: Number(r.id), transcriptId: String(r.transcript_id), transcriptName: String(r.transcript_name), turn: Number(r.turn),
    speaker: r.speaker === null || r.speaker === undefined ? null : String(r.speaker), start: Number(r.start), text: String(r.text),
  };
}
export function toInbox(r: Row): InboxItem {
  return {
    id: String(r.id), userId: String(r.user_id), kind: r.kind as InboxItem['kind'], projectId: String(r.project_id),
    transcriptId: String(r.transcript_id), threadId: String(r.thread_id), commentId: String(r.comment_id),
    actorId: String(r.actor_id), excerpt: String(r.excerpt), createdAt: Number(r.created_at),
    readAt: r.read_at === null || r.read_at === undefined ? null : Number(r.read_at),
  };
}
export function toProjectInvitation(r: Row): ProjectInvitationRecord {
  return {
    id: String(r.id), tokenHash: String(r.token_hash), projectId: String(r.project_id), email: String(r.email), role: r.role as Role,
    invitedBy: String(r.invited_by), createdAt: Number(r.created_at), expiresAt: Number(r.expires_at),
  };
}

/** What deleting an account removes besides its row (sessions, tokens and memberships go by foreign key). */
export const DELETE_USER_ROWS = [
  'DELETE FROM inbox WHERE user_id = $1',
  'DELETE FROM project_invitations WHERE invited_by = $1',
];

export const ALL_PROJECTS_SQL = `SELECT p.id, p.name, p.created_at, (SELECT COUNT(*) FROM members m WHERE m.project_id = p.id) AS members
  FROM projects p ORDER BY p.created_at, p.id`;

export function toProjectWithMembers(r: Row): ProjectRecord & { members: number } {
  return { id: String(r.id), name: String(r.name), createdAt: Number(r.created_at), members: Number(r.members) };
}

/**
 * The deletes that remove a project's rows from every table given as (table,
 * column) pairs: rows whose `project_id` is the project, and rows whose `room`
 * names one of its rooms (`<projectId>/…`). Found from the schema at the time, so
 * tables added later are covered. `param` is the one parameter (`@pid`, `$1`).
 */
export function projectPurgeSql(columns: { t: string; c: string }[], param: string): string[] {
  const out: string[] = [];
  for (const { t, c } of columns) {
    const table = `"${t.replaceAll('"', '""')}"`;
    if (c === 'project_id' && t !== 'projects') out.push(`DELETE FROM ${table} WHERE project_id = ${param}`);
    if (c === 'room') out.push(`DELETE FROM ${table} WHERE substr(room, 1, length(${param}) + 1) = ${param} || '/'`);
  }
  return out;
}

export function toAudit(r: Row): AuditEntry & { seq: number } {
  const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return {
    seq: Number(r.seq), at: Number(r.at), actorId: str(r.actor_id), actorEmail: str(r.actor_email), action: String(r.action),
    projectId: str(r.project_id), target: str(r.target), detail: String(r.detail),
  };
}
