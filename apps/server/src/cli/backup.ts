import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../storage/migrations.ts';

/** A backup or restore that cannot go ahead, with what to do instead. */
export class BackupError extends Error {}

export interface BackupSummary {
  file: string;
  bytes: number;
  users: number;
  projects: number;
  documents: number;
}

/**
 * Copies the SQLite database to `out` with SQLite's online backup API
 * (better-sqlite3 `backup()`): safe while the server runs and writes, and the
 * copy holds everything committed when it finished. The copy is checked before
 * this returns.
 */
export async function backupSqlite(dbFile: string, out: string): Promise<BackupSummary> {
  if (!fs.existsSync(dbFile)) throw new BackupError(`There is no database at ${dbFile} (check CONCORD_DATA).`);
  const target = path.resolve(out);
  if (fs.existsSync(target)) throw new BackupError(`${target} exists already; choose a new file name.`);
  const db = new Database(dbFile, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    await db.backup(target);
  } finally {
    db.close();
  }
  return inspect(target);
}

/**
 * Replaces the database with a backup. The server must be stopped. The backup is
 * checked first (a Concord database, intact, not from a newer version); the
 * current database is kept beside it as `concord.sqlite.before-restore-<time>`.
 */
export async function restoreSqlite(dbFile: string, backup: string): Promise<BackupSummary & { previous: string | null }> {
  const source = path.resolve(backup);
  if (!fs.existsSync(source)) throw new BackupError(`There is no file ${source}.`);
  const summary = inspect(source);
  let previous: string | null = null;
  if (fs.existsSync(dbFile)) {
    previous = `${dbFile}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    const current = new Database(dbFile, { fileMustExist: true });
    try { await current.backup(previous); } finally { current.close(); }
  }
  fs.mkdirSync(path.dirname(dbFile), { recursive: true });
  const src = new Database(source, { readonly: true, fileMustExist: true });
  try { await src.backup(dbFile); } finally { src.close(); }
  return { ...summary, file: dbFile, previous };
}

/** Opens a backup read-only and checks it is an intact Concord database this version can use. */
function inspect(file: string): BackupSummary {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('schema_version');
  } catch {
    throw new BackupError(`${file} is not a SQLite database.`);
  }
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new BackupError(`${file} is damaged (SQLite integrity check: ${String(integrity)}).`);
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
    if (!tables.has('schema_version') || !tables.has('users') || !tables.has('doc_updates')) throw new BackupError(`${file} is not a Concord database.`);
    const version = (db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined)?.version ?? 0;
    if (version > MIGRATIONS.length) throw new BackupError(`${file} was made by a newer Concord (schema ${version}, this one knows ${MIGRATIONS.length}); upgrade Concord first.`);
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    return {
      file, bytes: fs.statSync(file).size,
      users: count('SELECT COUNT(*) AS n FROM users'),
      projects: count('SELECT COUNT(*) AS n FROM projects'),
      documents: count('SELECT COUNT(*) AS n FROM (SELECT room FROM doc_snapshots UNION SELECT room FROM doc_updates)'),
    };
  } finally {
    db.close();
  }
}
