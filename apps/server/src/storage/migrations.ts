/**
 * Schema migrations, shared by SQLite and PostgreSQL (SQLite maps BYTEA → BLOB,
 * BIGINT → INTEGER, {{SERIAL_PK}} → an auto-incrementing primary key, {{SEARCH_INDEX}} →
 * each database's own full-text index: `storage/search-sql.ts`). Append only: never edit a migration that has shipped.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT,
    created_at BIGINT NOT NULL
  );
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX sessions_user ON sessions(user_id);
  CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
  );
  CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
  );
  CREATE TABLE members (
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    PRIMARY KEY (project_id, user_id)
  );
  CREATE INDEX members_user ON members(user_id);
  CREATE TABLE transcripts (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    turns INTEGER NOT NULL DEFAULT 0,
    codings INTEGER NOT NULL DEFAULT 0,
    mode TEXT NOT NULL DEFAULT 'open',
    revealed INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX transcripts_project ON transcripts(project_id);
  CREATE TABLE doc_updates (
    seq {{SERIAL_PK}},
    room TEXT NOT NULL,
    data BYTEA NOT NULL
  );
  CREATE INDEX doc_updates_room ON doc_updates(room, seq);
  CREATE TABLE doc_snapshots (
    room TEXT PRIMARY KEY,
    data BYTEA NOT NULL
  );
  CREATE TABLE inbox (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    project_id TEXT NOT NULL,
    transcript_id TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    comment_id TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    excerpt TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT
  );
  CREATE INDEX inbox_user ON inbox(user_id, created_at);
  `,
  `
  ALTER TABLE users ADD COLUMN disabled_at BIGINT;
  CREATE TABLE invitations (
    email TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL
  );
  `,
  // Full-text search (issue 18): the words of every speaker turn, indexed by each
  // database's own engine. search_docs marks which transcripts are indexed.
  `
  CREATE TABLE search_docs (
    transcript_id TEXT PRIMARY KEY REFERENCES transcripts(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    indexed_at BIGINT NOT NULL
  );
  CREATE TABLE search_turns (
    id {{SERIAL_PK}},
    transcript_id TEXT NOT NULL REFERENCES search_docs(transcript_id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    turn INTEGER NOT NULL,
    speaker TEXT,
    start INTEGER NOT NULL,
    text TEXT NOT NULL,
    words TEXT NOT NULL
  );
  CREATE INDEX search_turns_transcript ON search_turns(transcript_id, turn);
  CREATE INDEX search_turns_project ON search_turns(project_id);
  {{SEARCH_INDEX}}
  `,
  `
  CREATE TABLE project_invitations (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    invited_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX project_invitations_project ON project_invitations(project_id);
  `,
  `
  ALTER TABLE users ADD COLUMN is_admin INTEGER NOT NULL DEFAULT 0;
  `,
  `
  ALTER TABLE tokens ADD COLUMN expires_at BIGINT;
  ALTER TABLE tokens ADD COLUMN read_only INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE tokens ADD COLUMN project_id TEXT;
  `,
  `
  CREATE TABLE audit_log (
    seq {{SERIAL_PK}},
    at BIGINT NOT NULL,
    actor_id TEXT,
    actor_email TEXT,
    action TEXT NOT NULL,
    project_id TEXT,
    target TEXT,
    detail TEXT NOT NULL
  );
  CREATE INDEX audit_log_project ON audit_log(project_id, seq);
  `,
];
