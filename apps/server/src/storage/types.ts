import type { Role, TextQuery } from '@concord/shared';

export interface UserRecord {
  id: string;
  email: string;
  name: string;
  passwordHash: string | null;
  createdAt: number;
  /** When an administrator disabled the account (no sign-in, no sessions, no tokens); null or absent when active. */
  disabledAt?: number | null;
  /** An instance administrator (`/api/admin`); absent means no. */
  admin?: boolean;
}

export interface SessionRecord {
  /** SHA-256 of the session token, hex. The token itself is never stored. */
  id: string;
  userId: string;
  expiresAt: number;
}

export interface TokenRecord {
  id: string;
  userId: string;
  name: string;
  createdAt: number;
  /** When it stops working; null or absent: never. */
  expiresAt?: number | null;
  /** Reads only: no HTTP change, read-only sync. */
  readOnly?: boolean;
  /** The one project it reaches; null or absent: every project of its user. Deleted with the project. */
  projectId?: string | null;
}

export interface ProjectRecord {
  id: string;
  name: string;
  createdAt: number;
}

export interface MemberRecord {
  projectId: string;
  userId: string;
  role: Role;
  email: string;
  name: string;
}

/** What the transcript list shows of a transcript's document, kept in step by `transcripts/transcript-index.ts`. */
export interface TranscriptCounts {
  projectId: string;
  id: string;
  turns: number;
  codings: number;
  name: string;
}

export interface TranscriptRecord {
  id: string;
  projectId: string;
  name: string;
  createdAt: number;
  turns: number;
  codings: number;
  mode: 'open' | 'independent';
  revealed: boolean;
}

/** What deciding a user's access to a sync room needs (see `Storage.getRoomAccess`). */
export interface RoomAccessRecord {
  /** The user's role in the project; null when not a member. */
  role: Role | null;
  /** The transcript asked about; null when none was asked or the project has no such transcript. */
  transcript: Pick<TranscriptRecord, 'mode' | 'revealed'> | null;
  /** Whether the coder asked about (a layer's owner) is a member; false when none was asked. */
  coderIsMember: boolean;
}

export interface InboxItem {
  id: string;
  userId: string;
  kind: 'mention' | 'reply' | 'thread';
  projectId: string;
  transcriptId: string;
  threadId: string;
  commentId: string;
  actorId: string;
  excerpt: string;
  createdAt: number;
  readAt: number | null;
}

/** One speaker turn of a transcript as the full-text index holds it. */
export interface SearchTurn {
  /** The turn's position in the transcript (0, 1, …). */
  turn: number;
  speaker: string | null;
  /** Code points from the start of the transcript to the turn's first character. */
  start: number;
  text: string;
}

/** A transcript's turns for the index (`search/search-index.ts`). */
export interface SearchDocText {
  projectId: string;
  transcriptId: string;
  turns: SearchTurn[];
}

/** What `Storage.searchTurns` looks for. */
export interface SearchTurnQuery {
  /** Turns holding every term; null: every turn (a regular expression is applied afterwards). */
  match: TextQuery | null;
  speaker?: string | null;
  transcriptIds?: string[] | null;
  /** Only rows after this one (`SearchTurnRow.id`): the next page. */
  afterId?: number;
  /** At most this many turns, in index order (a transcript's turns together, in order). */
  limit: number;
}

export interface SearchTurnRow extends SearchTurn {
  /** The row's place in the index (pages continue after it). */
  id: number;
  transcriptId: string;
  transcriptName: string;
}

/** An owner's invitation of an e-mail address into a project with a role; only the SHA-256 of its link's token is stored. */
export interface ProjectInvitationRecord {
  id: string;
  tokenHash: string;
  projectId: string;
  email: string;
  role: Role;
  invitedBy: string;
  createdAt: number;
  expiresAt: number;
}

/** One entry of the audit log (see `audit/audit-rules.ts`). */
export interface AuditEntry {
  at: number;
  /** Who did it; null when unknown (a failed sign-in names only the address tried, in `target`). */
  actorId: string | null;
  actorEmail: string | null;
  /** e.g. `member.added`, `transcript.mode`, `project.exported`, `signin`. */
  action: string;
  /** The project it happened in; null for account events and project deletions (so an erased project leaves no id). */
  projectId: string | null;
  /** What it was done to: a user id or address, a transcript id, a project name. */
  target: string | null;
  /** JSON object with the particulars (role, mode, format…). */
  detail: string;
}

export interface StoredDoc {
  snapshot: Uint8Array | null;
  updates: Uint8Array[];
}

/**
 * Everything Concord keeps. Every implementation must pass the contract suite in
 * `contract.ts`. Document methods take a room name (see `@concord/shared` rooms).
 */
export interface Storage {
  readonly kind: 'sqlite' | 'postgres';
  close(): Promise<void>;

  // Documents: an append-only log of Yjs updates per room plus one snapshot.
  loadDoc(room: string): Promise<StoredDoc>;
  /** Durably appends updates (one transaction); resolves when committed. */
  appendUpdates(room: string, updates: Uint8Array[]): Promise<void>;
  /**
   * Appends several rooms' updates in ONE transaction (all or nothing), each room's
   * in the order given: the node-wide group commit (`sync/commit-batcher.ts`).
   */
  appendBatch(batch: { room: string; updates: Uint8Array[] }[]): Promise<void>;
  /** Number of updates in the log since the last compaction. */
  countUpdates(room: string): Promise<number>;
  /**
   * Atomically replaces the snapshot and all logged updates of a room with
   * `merge(snapshot, updates)`, holding off concurrent appends of other writers.
   */
  compactDoc(room: string, merge: (doc: StoredDoc) => Uint8Array): Promise<void>;
  deleteDoc(room: string): Promise<void>;

  // Users, sessions, tokens.
  createUser(user: UserRecord): Promise<void>;
  getUserByEmail(email: string): Promise<UserRecord | null>;
  getUser(id: string): Promise<UserRecord | null>;
  setPasswordHash(userId: string, hash: string): Promise<void>;
  createSession(session: SessionRecord): Promise<void>;
  getSession(id: string): Promise<SessionRecord | null>;
  updateSessionExpiry(id: string, expiresAt: number): Promise<void>;
  deleteSession(id: string): Promise<void>;
  deleteUserSessions(userId: string): Promise<void>;
  createToken(token: TokenRecord): Promise<void>;
  getToken(id: string): Promise<TokenRecord | null>;
  listTokens(userId: string): Promise<TokenRecord[]>;
  deleteToken(id: string, userId: string): Promise<boolean>;
  deleteUserTokens(userId: string): Promise<void>;
  /** Disables (a time) or enables (null) an account. */
  setUserDisabled(userId: string, disabledAt: number | null): Promise<void>;
  /**
   * Of these session and access-token ids, the ones that still authenticate at `now`:
   * an unexpired session or an existing token, of an account that is not disabled.
   * Open sockets re-check their credential with it.
   */
  liveCredentials(ids: string[], now: number): Promise<Set<string>>;
  /** Invitations to sign up (`CONCORD_SIGNUP=invite`), by lower-case email. */
  addInvitation(email: string, at: number): Promise<void>;
  /** Removes the invitation of `email`; false when there was none. */
  takeInvitation(email: string): Promise<boolean>;

  // Projects and members.
  createProject(project: ProjectRecord, ownerId: string): Promise<void>;
  getProject(id: string): Promise<ProjectRecord | null>;
  listProjects(userId: string): Promise<(ProjectRecord & { role: Role })[]>;
  getRole(projectId: string, userId: string): Promise<Role | null>;
  setMember(projectId: string, userId: string, role: Role): Promise<void>;
  removeMember(projectId: string, userId: string): Promise<boolean>;
  listMembers(projectId: string): Promise<MemberRecord[]>;
  /**
   * Everything a socket join checks, in one read: `userId`'s role, the transcript
   * (when `transcriptId` is given) and whether `coderId` is a member (when given).
   * Null when the project does not exist.
   */
  getRoomAccess(projectId: string, userId: string, transcriptId: string | null, coderId: string | null): Promise<RoomAccessRecord | null>;

  // Transcript index (content lives in the transcript's document).
  createTranscript(t: TranscriptRecord): Promise<void>;
  getTranscript(projectId: string, id: string): Promise<TranscriptRecord | null>;
  listTranscripts(projectId: string): Promise<TranscriptRecord[]>;
  updateTranscript(projectId: string, id: string, patch: Partial<Pick<TranscriptRecord, 'name' | 'turns' | 'codings' | 'mode' | 'revealed'>>): Promise<void>;
  /** Writes the list counts (and names) of several transcripts at once; unknown ones are skipped. */
  updateTranscriptCounts(items: TranscriptCounts[]): Promise<void>;
  deleteTranscript(projectId: string, id: string): Promise<void>;

  // Full-text search index (kept in step with the documents by `search/search-index.ts`).
  /** Replaces the indexed turns of each transcript (one transaction); transcripts not listed in the project are skipped. */
  writeSearchText(items: SearchDocText[]): Promise<void>;
  /** Ids of the project's transcripts that have never been indexed. */
  unindexedTranscripts(projectId: string): Promise<string[]>;
  /** Turns of a project's transcripts matching a query, in index order (each transcript's turns together and in order). */
  searchTurns(projectId: string, q: SearchTurnQuery): Promise<SearchTurnRow[]>;

  // Inbox.
  addInboxItems(items: InboxItem[]): Promise<void>;
  listInbox(userId: string, limit: number): Promise<InboxItem[]>;
  markInboxRead(userId: string, ids: string[] | 'all', at: number): Promise<void>;
  countUnread(userId: string): Promise<number>;

  // Project invitations (single-use links; see `invitations/invitation.service.ts`).
  createProjectInvitation(inv: ProjectInvitationRecord): Promise<void>;
  /** A project's pending invitations, newest first (expired ones included; callers show their state). */
  listProjectInvitations(projectId: string): Promise<ProjectInvitationRecord[]>;
  getProjectInvitation(tokenHash: string): Promise<ProjectInvitationRecord | null>;
  /** Revokes one invitation of a project; false when there was none. */
  deleteProjectInvitation(projectId: string, id: string): Promise<boolean>;
  /** Removes and returns the invitation of this token in one step, so only one caller ever gets it. */
  takeProjectInvitation(tokenHash: string): Promise<ProjectInvitationRecord | null>;

  // Administration.
  /** Every account, oldest first. */
  listUsers(): Promise<UserRecord[]>;
  setUserAdmin(userId: string, admin: boolean): Promise<void>;
  hasAdmin(): Promise<boolean>;
  /** Deletes an account with its sessions, tokens, memberships, inbox and the invitations it sent; false when there was none. */
  deleteUser(userId: string): Promise<boolean>;
  /** Every project with its number of members, oldest first. */
  listAllProjects(): Promise<(ProjectRecord & { members: number })[]>;
  /**
   * Deletes a project and everything of it in one transaction: its row (members,
   * transcripts and invitations go with it), the rows of every table with a
   * `project_id` column, and every stored document (log and snapshot) of a room
   * under `<projectId>/`. False when there was no such project.
   */
  deleteProject(projectId: string): Promise<boolean>;
  /** Deletes the stored documents of every room under `<projectId>/` (rooms stored after `deleteProject`). */
  deleteProjectRooms(projectId: string): Promise<void>;

  // Audit log.
  addAudit(entry: AuditEntry): Promise<void>;
  /** Newest first; only one project's entries when `projectId` is given. */
  listAudit(opts: { projectId?: string; limit: number }): Promise<(AuditEntry & { seq: number })[]>;
}
