import { createHash } from 'node:crypto';
import pg from 'pg';
import { indexWords, toTsQuery, type Role } from '@concord/shared';
import type {
  AuditEntry, InboxItem, MemberRecord, ProjectInvitationRecord, ProjectRecord, RoomAccessRecord, SearchDocText, SearchTurnQuery, SearchTurnRow, SessionRecord,
  Storage, StoredDoc, TokenRecord, TranscriptCounts, TranscriptRecord, UserRecord,
} from './types.ts';
import { MIGRATIONS } from './migrations.ts';
import { POSTGRES_SEARCH_INDEX, SEARCH_ROW_COLUMNS } from './search-sql.ts';
import {
  ALL_PROJECTS_SQL, CREDENTIAL_CHUNK, DELETE_USER_ROWS, liveCredentialsSql, projectPurgeSql, ROOM_ACCESS_SQL, toAudit, toInbox, toMember,
  toProjectInvitation, toProjectWithMembers, toRoomAccess, toSearchRow, toToken, toTranscript, toUser, transcriptPatch,
} from './sqlite.ts';

type Row = Record<string, unknown>;
type Queryable = Pick<pg.PoolClient, 'query'>;

export interface PostgresStorageOptions {
  /**
   * Schema holding Concord's tables (created if missing, then used as the only
   * `search_path` entry of every pooled connection). Default: the server's
   * default search_path (normally `public`).
   */
  schema?: string;
  /** Pool size. Default 10. */
  max?: number;
  /** Where errors of idle pooled connections go (the pool replaces those connections). Default: stderr. */
  log?: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void;
}

/**
 * A stable signed 64-bit advisory-lock key: the first 8 bytes of SHA-256 of a
 * namespaced name. Computed the same way by every node (and any Node version),
 * passed to PostgreSQL as a decimal string cast to bigint.
 */
export function lockKey(name: string): string {
  return createHash('sha256').update(name, 'utf8').digest().readBigInt64BE(0).toString();
}

/** Advisory-lock key of a room's document (shared by appends, exclusive for compaction). */
export function roomLockKey(room: string): string {
  return lockKey(`concord:doc:${room}`);
}

const MIGRATION_LOCK = lockKey('concord:migrations');

/**
 * PostgreSQL storage (node-postgres pool). Several server processes ("nodes")
 * may share one database: migrations are serialised with an advisory lock, and
 * each room's log is guarded by an advisory lock taken shared by appends and
 * exclusively by compaction (see `compactDoc`).
 */
export class PostgresStorage implements Storage {
  readonly kind = 'postgres' as const;
  private closing: Promise<void> | null = null;

  private constructor(private readonly pool: pg.Pool) {}

  static async connect(url: string, opts: PostgresStorageOptions = {}): Promise<PostgresStorage> {
    const config: pg.PoolConfig = { connectionString: url, max: opts.max ?? 10 };
    if (opts.schema !== undefined) config.options = `-c search_path=${quoteIdent(opts.schema)}`;
    const pool = new pg.Pool(config);
    // An idle client whose server connection dies emits 'error' on the pool; without
    // a listener that would crash the process. The pool discards the client itself.
    const log = opts.log ?? ((level, msg, extra) => console.error(JSON.stringify({ t: new Date().toISOString(), level, msg, ...extra })));
    pool.on('error', (err) => log('warn', 'postgres idle client error', { err: String(err) }));
    const storage = new PostgresStorage(pool);
    try {
      await storage.migrate(opts.schema);
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
    return storage;
  }

  /**
   * Applies pending migrations, one transaction each. The session-level advisory
   * lock makes nodes starting at the same time take turns: the second one waits,
   * then finds the schema current and does nothing.
   */
  private async migrate(schema: string | undefined): Promise<void> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK]);
      try {
        if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
        await client.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
        const res = await client.query<{ version: number }>('SELECT version FROM schema_version');
        let version = res.rows[0]?.version ?? 0;
        if (res.rows.length === 0) await client.query('INSERT INTO schema_version (version) VALUES (0)');
        for (; version < MIGRATIONS.length; version++) {
          const sql = MIGRATIONS[version]!.replaceAll('{{SERIAL_PK}}', 'BIGSERIAL PRIMARY KEY').replaceAll('{{SEARCH_INDEX}}', POSTGRES_SEARCH_INDEX);
          await client.query('BEGIN');
          try {
            await client.query(sql);
            await client.query('UPDATE schema_version SET version = $1', [version + 1]);
            await client.query('COMMIT');
          } catch (err) {
            await client.query('ROLLBACK').catch(() => undefined);
            throw err;
          }
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK]).catch((err: unknown) => {
          // The lock dies with the session: make sure this connection is not reused.
          broken = err instanceof Error ? err : new Error(String(err));
        });
      }
    } finally {
      client.release(broken);
    }
  }

  close(): Promise<void> {
    return (this.closing ??= this.pool.end());
  }

  /** Runs `fn` in one transaction on one pooled connection; rolls back on any error. */
  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        // Connection is in an unknown state: destroy it rather than return it to the pool.
        broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }

  private async rows(sql: string, params: unknown[] = [], q: Queryable = this.pool): Promise<Row[]> {
    return (await q.query<Row>(sql, params)).rows;
  }

  private async one(sql: string, params: unknown[] = []): Promise<Row | undefined> {
    return (await this.rows(sql, params))[0];
  }

  // ---- documents --------------------------------------------------------------

  async loadDoc(room: string): Promise<StoredDoc> {
    const { snapshot, updates } = await this.readDoc(this.pool, room);
    return { snapshot, updates };
  }

  /**
   * Snapshot and log in ONE statement, so both come from the same MVCC snapshot
   * even outside a transaction: read separately, a compaction committing between
   * the two reads would yield the old snapshot with an already-emptied log.
   */
  private async readDoc(q: Queryable, room: string): Promise<StoredDoc & { maxSeq: string | null }> {
    const rows = await this.rows(
      `SELECT 0 AS part, NULL::bigint AS seq, data FROM doc_snapshots WHERE room = $1
       UNION ALL
       SELECT 1 AS part, seq, data FROM doc_updates WHERE room = $1
       ORDER BY part, seq`,
      [room], q,
    );
    let snapshot: Uint8Array | null = null;
    const updates: Uint8Array[] = [];
    let maxSeq: string | null = null;
    for (const r of rows) {
      if (Number(r.part) === 0) snapshot = fromBytea(r.data);
      else {
        updates.push(fromBytea(r.data));
        maxSeq = String(r.seq);
      }
    }
    return { snapshot, updates, maxSeq };
  }

  async appendUpdates(room: string, updates: Uint8Array[]): Promise<void> {
    return this.appendBatch([{ room, updates }]);
  }

  /**
   * One statement, so one round trip and no transaction left open between
   * statements (under load the event loop answers late, and an open transaction
   * would hold its pooled connection and the rooms' locks meanwhile). Run on its
   * own it is its own transaction. The SHARED lock of every room in the batch is
   * taken first (the aggregate must finish before the INSERT gets its one input
   * row) and held until commit; shared locks never wait for each other, and a
   * compaction holds one room's exclusive lock and waits for nothing else, so no
   * deadlock. Rows are inserted in array order, so seq follows each room's order.
   */
  async appendBatch(batch: { room: string; updates: Uint8Array[] }[]): Promise<void> {
    const rooms: string[] = [];
    const data: Buffer[] = [];
    for (const { room, updates } of batch) for (const u of updates) { rooms.push(room); data.push(toBytea(u)); }
    if (data.length === 0) return;
    const keys = [...new Set(batch.filter((b) => b.updates.length > 0).map((b) => roomLockKey(b.room)))];
    await this.pool.query(
      `WITH room_locks AS (SELECT count(pg_advisory_xact_lock_shared(k)) AS n FROM unnest($1::bigint[]) AS k)
       INSERT INTO doc_updates (room, data)
       SELECT u.room, u.data FROM room_locks, unnest($2::text[], $3::bytea[]) WITH ORDINALITY AS u(room, data, i) ORDER BY u.i`,
      [keys, rooms, data],
    );
  }

  async countUpdates(room: string): Promise<number> {
    return Number((await this.one('SELECT COUNT(*) AS n FROM doc_updates WHERE room = $1', [room]))?.n ?? 0);
  }

  /**
   * Read, merge and replace under the room's EXCLUSIVE advisory lock, in one
   * transaction. Appends hold the SHARED lock from before their INSERT until their
   * COMMIT, so while we hold the exclusive lock no append is in flight: the rows we
   * read are exactly the rows that exist when we delete.
   *
   * Why the lock (and not just "DELETE … WHERE seq <= max seq read"): a BIGSERIAL
   * value is taken when a row is INSERTed, not when its transaction commits, and
   * nextval() is never rolled back. Append A can take seq 10, append B seq 11, and B
   * commit first. A compaction reading then sees seq 11 but not 10 (uncommitted).
   * If A commits before the DELETE — and under READ COMMITTED every statement
   * takes a fresh snapshot — `seq <= 11` deletes row 10, which was never merged
   * into the snapshot: an acknowledged edit silently lost. Seq order is not commit
   * order, so no bound on seq alone is safe; excluding in-flight appends is.
   */
  async compactDoc(room: string, merge: (doc: StoredDoc) => Uint8Array): Promise<void> {
    await this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1::bigint)', [roomLockKey(room)]);
      const { snapshot, updates, maxSeq } = await this.readDoc(c, room);
      if (maxSeq === null) return; // nothing logged since the last compaction
      const merged = merge({ snapshot, updates });
      await c.query(
        'INSERT INTO doc_snapshots (room, data) VALUES ($1, $2) ON CONFLICT (room) DO UPDATE SET data = excluded.data',
        [room, toBytea(merged)],
      );
      await c.query('DELETE FROM doc_updates WHERE room = $1 AND seq <= $2::bigint', [room, maxSeq]);
    });
  }

  async deleteDoc(room: string): Promise<void> {
    await this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1::bigint)', [roomLockKey(room)]);
      await c.query('DELETE FROM doc_updates WHERE room = $1', [room]);
      await c.query('DELETE FROM doc_snapshots WHERE room = $1', [room]);
    });
  }

  // ---- users, sessions, tokens -------------------------------------------------

  async createUser(u: UserRecord): Promise<void> {
    await this.pool.query(
      'INSERT INTO users (id, email, name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)',
      [u.id, u.email, u.name, u.passwordHash, u.createdAt],
    );
  }
  async getUserByEmail(email: string): Promise<UserRecord | null> {
    return toUser(await this.one('SELECT * FROM users WHERE email = $1', [email]));
  }
  async getUser(id: string): Promise<UserRecord | null> {
    return toUser(await this.one('SELECT * FROM users WHERE id = $1', [id]));
  }
  async setPasswordHash(userId: string, hash: string): Promise<void> {
    await this.pool.query('UPDATE users SET password_hash = $1 WHERE id = $2', [hash, userId]);
  }
  async createSession(s: SessionRecord): Promise<void> {
    await this.pool.query('INSERT INTO sessions (id, user_id, expires_at) VALUES ($1, $2, $3)', [s.id, s.userId, s.expiresAt]);
  }
  async getSession(id: string): Promise<SessionRecord | null> {
    const r = await this.one('SELECT * FROM sessions WHERE id = $1', [id]);
    return r ? { id: String(r.id), userId: String(r.user_id), expiresAt: Number(r.expires_at) } : null;
  }
  async updateSessionExpiry(id: string, expiresAt: number): Promise<void> {
    await this.pool.query('UPDATE sessions SET expires_at = $1 WHERE id = $2', [expiresAt, id]);
  }
  async deleteSession(id: string): Promise<void> {
    await this.pool.query('DELETE FROM sessions WHERE id = $1', [id]);
  }
  async deleteUserSessions(userId: string): Promise<void> {
    await this.pool.query('DELETE FROM sessions WHERE user_id = $1', [userId]);
  }
  async createToken(t: TokenRecord): Promise<void> {
    await this.pool.query('INSERT INTO tokens (id, user_id, name, created_at, expires_at, read_only, project_id) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [t.id, t.userId, t.name, t.createdAt, t.expiresAt ?? null, t.readOnly ? 1 : 0, t.projectId ?? null]);
  }
  async getToken(id: string): Promise<TokenRecord | null> {
    const r = await this.one('SELECT * FROM tokens WHERE id = $1', [id]);
    return r ? toToken(r) : null;
  }
  async listTokens(userId: string): Promise<TokenRecord[]> {
    return (await this.rows('SELECT * FROM tokens WHERE user_id = $1 ORDER BY created_at, id', [userId])).map(toToken);
  }
  async deleteToken(id: string, userId: string): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM tokens WHERE id = $1 AND user_id = $2', [id, userId])).rowCount ?? 0) > 0;
  }
  async deleteUserTokens(userId: string): Promise<void> {
    await this.pool.query('DELETE FROM tokens WHERE user_id = $1', [userId]);
  }
  async setUserDisabled(userId: string, disabledAt: number | null): Promise<void> {
    await this.pool.query('UPDATE users SET disabled_at = $1 WHERE id = $2', [disabledAt, userId]);
  }
  async liveCredentials(ids: string[], now: number): Promise<Set<string>> {
    const live = new Set<string>();
    for (let i = 0; i < ids.length; i += CREDENTIAL_CHUNK) {
      const chunk = ids.slice(i, i + CREDENTIAL_CHUNK);
      for (const r of await this.rows(liveCredentialsSql('SELECT unnest($1::text[])', '$2', 'SELECT unnest($1::text[])'), [chunk, now])) live.add(String(r.id));
    }
    return live;
  }
  async addInvitation(email: string, at: number): Promise<void> {
    await this.pool.query('INSERT INTO invitations (email, created_at) VALUES ($1, $2) ON CONFLICT (email) DO UPDATE SET created_at = excluded.created_at', [email, at]);
  }
  async takeInvitation(email: string): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM invitations WHERE email = $1', [email])).rowCount ?? 0) > 0;
  }

  // ---- projects and members ------------------------------------------------------

  async createProject(p: ProjectRecord, ownerId: string): Promise<void> {
    await this.tx(async (c) => {
      await c.query('INSERT INTO projects (id, name, created_at) VALUES ($1, $2, $3)', [p.id, p.name, p.createdAt]);
      await c.query('INSERT INTO members (project_id, user_id, role) VALUES ($1, $2, $3)', [p.id, ownerId, 'owner']);
    });
  }
  async getProject(id: string): Promise<ProjectRecord | null> {
    const r = await this.one('SELECT * FROM projects WHERE id = $1', [id]);
    return r ? { id: String(r.id), name: String(r.name), createdAt: Number(r.created_at) } : null;
  }
  async listProjects(userId: string): Promise<(ProjectRecord & { role: Role })[]> {
    const rows = await this.rows(
      'SELECT p.*, m.role FROM projects p JOIN members m ON m.project_id = p.id WHERE m.user_id = $1 ORDER BY p.created_at, p.id',
      [userId],
    );
    return rows.map((r) => ({ id: String(r.id), name: String(r.name), createdAt: Number(r.created_at), role: r.role as Role }));
  }
  async getRole(projectId: string, userId: string): Promise<Role | null> {
    const r = await this.one('SELECT role FROM members WHERE project_id = $1 AND user_id = $2', [projectId, userId]);
    return r ? (r.role as Role) : null;
  }
  async setMember(projectId: string, userId: string, role: Role): Promise<void> {
    await this.pool.query(
      'INSERT INTO members (project_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT (project_id, user_id) DO UPDATE SET role = excluded.role',
      [projectId, userId, role],
    );
  }
  async removeMember(projectId: string, userId: string): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM members WHERE project_id = $1 AND user_id = $2', [projectId, userId])).rowCount ?? 0) > 0;
  }
  async listMembers(projectId: string): Promise<MemberRecord[]> {
    const rows = await this.rows(
      'SELECT m.project_id, m.user_id, m.role, u.email, u.name FROM members m JOIN users u ON u.id = m.user_id WHERE m.project_id = $1 ORDER BY u.name, u.id',
      [projectId],
    );
    return rows.map(toMember);
  }

  // ---- transcripts ----------------------------------------------------------------

  async createTranscript(t: TranscriptRecord): Promise<void> {
    await this.pool.query(
      'INSERT INTO transcripts (id, project_id, name, created_at, turns, codings, mode, revealed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [t.id, t.projectId, t.name, t.createdAt, t.turns, t.codings, t.mode, t.revealed ? 1 : 0],
    );
  }
  async getRoomAccess(projectId: string, userId: string, transcriptId: string | null, coderId: string | null): Promise<RoomAccessRecord | null> {
    return toRoomAccess(await this.one(ROOM_ACCESS_SQL, [userId, coderId, transcriptId, projectId]));
  }
  async getTranscript(projectId: string, id: string): Promise<TranscriptRecord | null> {
    const r = await this.one('SELECT * FROM transcripts WHERE project_id = $1 AND id = $2', [projectId, id]);
    return r ? toTranscript(r) : null;
  }
  async listTranscripts(projectId: string): Promise<TranscriptRecord[]> {
    return (await this.rows('SELECT * FROM transcripts WHERE project_id = $1 ORDER BY created_at, name', [projectId])).map(toTranscript);
  }
  async updateTranscript(
    projectId: string, id: string, patch: Partial<Pick<TranscriptRecord, 'name' | 'turns' | 'codings' | 'mode' | 'revealed'>>,
  ): Promise<void> {
    const cols = transcriptPatch(patch);
    if (cols.length === 0) return;
    const sets = cols.map(([c], i) => `${c} = $${i + 1}`).join(', ');
    await this.pool.query(
      `UPDATE transcripts SET ${sets} WHERE project_id = $${cols.length + 1} AND id = $${cols.length + 2}`,
      [...cols.map(([, v]) => v), projectId, id],
    );
  }
  async updateTranscriptCounts(items: TranscriptCounts[]): Promise<void> {
    if (items.length === 0) return;
    await this.pool.query(
      `UPDATE transcripts AS t SET turns = v.turns, codings = v.codings, name = v.name
       FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::text[]) AS v(project_id, id, turns, codings, name)
       WHERE t.project_id = v.project_id AND t.id = v.id`,
      [items.map((t) => t.projectId), items.map((t) => t.id), items.map((t) => t.turns), items.map((t) => t.codings), items.map((t) => t.name)],
    );
  }
  async deleteTranscript(projectId: string, id: string): Promise<void> {
    await this.pool.query('DELETE FROM transcripts WHERE project_id = $1 AND id = $2', [projectId, id]);
  }

  // Full-text search
  async writeSearchText(items: SearchDocText[]): Promise<void> {
    if (items.length === 0) return;
    await this.tx(async (c) => {
      for (const d of items) {
        // The upsert locks the transcript's row: two nodes indexing it take turns.
        const marked = await c.query(
          `INSERT INTO search_docs (transcript_id, project_id, indexed_at) SELECT id, project_id, $3 FROM transcripts WHERE id = $1 AND project_id = $2
           ON CONFLICT (transcript_id) DO UPDATE SET indexed_at = excluded.indexed_at`,
          [d.transcriptId, d.projectId, Date.now()],
        );
        if (marked.rowCount === 0) continue;
        await c.query('DELETE FROM search_turns WHERE transcript_id = $1', [d.transcriptId]);
        if (d.turns.length === 0) continue;
        await c.query(
          `INSERT INTO search_turns (transcript_id, project_id, turn, speaker, start, text, words)
           SELECT $1, $2, v.turn, v.speaker, v.start, v.text, v.words FROM unnest($3::int[], $4::text[], $5::int[], $6::text[], $7::text[]) AS v(turn, speaker, start, text, words)`,
          [d.transcriptId, d.projectId, d.turns.map((t) => t.turn), d.turns.map((t) => t.speaker), d.turns.map((t) => t.start),
            d.turns.map((t) => t.text), d.turns.map((t) => indexWords(t.text))],
        );
      }
    });
  }
  async unindexedTranscripts(projectId: string): Promise<string[]> {
    const rows = await this.rows(
      'SELECT t.id FROM transcripts t LEFT JOIN search_docs d ON d.transcript_id = t.id WHERE t.project_id = $1 AND d.transcript_id IS NULL ORDER BY t.created_at',
      [projectId],
    );
    return rows.map((r) => String(r.id));
  }
  async searchTurns(projectId: string, q: SearchTurnQuery): Promise<SearchTurnRow[]> {
    const params: unknown[] = [projectId];
    const where: string[] = ['s.project_id = $1'];
    if (q.match) { params.push(toTsQuery(q.match)); where.push(`to_tsvector('simple', s.words) @@ to_tsquery('simple', $${params.length})`); }
    if (q.speaker) { params.push(q.speaker); where.push(`s.speaker = $${params.length}`); }
    if (q.transcriptIds) { params.push(q.transcriptIds); where.push(`s.transcript_id = ANY($${params.length}::text[])`); }
    if (q.afterId !== undefined) { params.push(q.afterId); where.push(`s.id > $${params.length}`); }
    params.push(q.limit);
    const rows = await this.rows(
      `SELECT ${SEARCH_ROW_COLUMNS} FROM search_turns s JOIN transcripts t ON t.id = s.transcript_id
       WHERE ${where.join(' AND ')} ORDER BY s.id LIMIT $${params.length}`,
      params,
    );
    return rows.map(toSearchRow);
  }

  // ---- inbox ------------------------------------------------------------------------

  async addInboxItems(items: InboxItem[]): Promise<void> {
    if (items.length === 0) return;
    await this.tx(async (c) => {
      for (const i of items) {
        await c.query(
          `INSERT INTO inbox (id, user_id, kind, project_id, transcript_id, thread_id, comment_id, actor_id, excerpt, created_at, read_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING`,
          [i.id, i.userId, i.kind, i.projectId, i.transcriptId, i.threadId, i.commentId, i.actorId, i.excerpt, i.createdAt, i.readAt],
        );
      }
    });
  }
  async listInbox(userId: string, limit: number): Promise<InboxItem[]> {
    return (await this.rows('SELECT * FROM inbox WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2', [userId, limit])).map(toInbox);
  }
  async markInboxRead(userId: string, ids: string[] | 'all', at: number): Promise<void> {
    if (ids === 'all') {
      await this.pool.query('UPDATE inbox SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL', [at, userId]);
      return;
    }
    if (ids.length === 0) return;
    await this.pool.query('UPDATE inbox SET read_at = $1 WHERE user_id = $2 AND id = ANY($3::text[]) AND read_at IS NULL', [at, userId, ids]);
  }
  async countUnread(userId: string): Promise<number> {
    return Number((await this.one('SELECT COUNT(*) AS n FROM inbox WHERE user_id = $1 AND read_at IS NULL', [userId]))?.n ?? 0);
  }

  // ---- project invitations ------------------------------------------------------

  async createProjectInvitation(i: ProjectInvitationRecord): Promise<void> {
    await this.pool.query('INSERT INTO project_invitations (id, token_hash, project_id, email, role, invited_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [i.id, i.tokenHash, i.projectId, i.email, i.role, i.invitedBy, i.createdAt, i.expiresAt]);
  }
  async listProjectInvitations(projectId: string): Promise<ProjectInvitationRecord[]> {
    return (await this.rows('SELECT * FROM project_invitations WHERE project_id = $1 ORDER BY created_at DESC, id', [projectId])).map(toProjectInvitation);
  }
  async getProjectInvitation(tokenHash: string): Promise<ProjectInvitationRecord | null> {
    const r = await this.one('SELECT * FROM project_invitations WHERE token_hash = $1', [tokenHash]);
    return r ? toProjectInvitation(r) : null;
  }
  async deleteProjectInvitation(projectId: string, id: string): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM project_invitations WHERE project_id = $1 AND id = $2', [projectId, id])).rowCount ?? 0) > 0;
  }
  async takeProjectInvitation(tokenHash: string): Promise<ProjectInvitationRecord | null> {
    const r = await this.one('DELETE FROM project_invitations WHERE token_hash = $1 RETURNING *', [tokenHash]);
    return r ? toProjectInvitation(r) : null;
  }

  // ---- audit log ----------------------------------------------------------------

  async addAudit(e: AuditEntry): Promise<void> {
    await this.pool.query('INSERT INTO audit_log (at, actor_id, actor_email, action, project_id, target, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [e.at, e.actorId, e.actorEmail, e.action, e.projectId, e.target, e.detail]);
  }
  async listAudit(opts: { projectId?: string; limit: number }): Promise<(AuditEntry & { seq: number })[]> {
    const rows = opts.projectId === undefined
      ? await this.rows('SELECT * FROM audit_log ORDER BY seq DESC LIMIT $1', [opts.limit])
      : await this.rows('SELECT * FROM audit_log WHERE project_id = $1 ORDER BY seq DESC LIMIT $2', [opts.projectId, opts.limit]);
    return rows.map(toAudit);
  }

  // ---- administration -----------------------------------------------------------

  async listUsers(): Promise<UserRecord[]> {
    return (await this.rows('SELECT * FROM users ORDER BY created_at, id')).map((r) => toUser(r)!);
  }
  async setUserAdmin(userId: string, admin: boolean): Promise<void> {
    await this.pool.query('UPDATE users SET is_admin = $1 WHERE id = $2', [admin ? 1 : 0, userId]);
  }
  async hasAdmin(): Promise<boolean> {
    return (await this.one('SELECT 1 AS x FROM users WHERE is_admin = 1 LIMIT 1')) !== undefined;
  }
  async deleteUser(userId: string): Promise<boolean> {
    return this.tx(async (c) => {
      for (const sql of DELETE_USER_ROWS) await c.query(sql, [userId]);
      return ((await c.query('DELETE FROM users WHERE id = $1', [userId])).rowCount ?? 0) > 0;
    });
  }
  async listAllProjects(): Promise<(ProjectRecord & { members: number })[]> {
    return (await this.rows(ALL_PROJECTS_SQL)).map(toProjectWithMembers);
  }
  async deleteProject(projectId: string): Promise<boolean> {
    return this.tx(async (c) => {
      const found = ((await c.query('DELETE FROM projects WHERE id = $1', [projectId])).rowCount ?? 0) > 0;
      for (const sql of projectPurgeSql(await this.projectColumns(c, ['project_id', 'room']), '$1')) await c.query(sql, [projectId]);
      return found;
    });
  }
  async deleteProjectRooms(projectId: string): Promise<void> {
    await this.tx(async (c) => {
      for (const sql of projectPurgeSql(await this.projectColumns(c, ['room']), '$1')) await c.query(sql, [projectId]);
    });
  }
  /** The tables of this schema with these columns, as (table, column) pairs. */
  private async projectColumns(c: Queryable, names: string[]): Promise<{ t: string; c: string }[]> {
    const rows = await this.rows(`SELECT table_name AS t, column_name AS c FROM information_schema.columns
      WHERE table_schema = current_schema() AND column_name = ANY($1::text[])
        AND table_name IN (SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE')`, [names], c);
    return rows.map((r) => ({ t: String(r.t), c: String(r.c) }));
  }
}

/** BYTEA → a Uint8Array that owns exactly these bytes (pg may hand out views into a shared pool buffer). */
function fromBytea(v: unknown): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new Error('expected a BYTEA value');
  return new Uint8Array(v);
}

/** Uint8Array → Buffer over the same bytes (no copy), which pg sends as BYTEA. */
function toBytea(u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
