import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { storageContract } from './contract.ts';
import { searchContract } from './search-contract.ts';
import { SqliteStorage } from './sqlite.ts';
import type { Storage } from './types.ts';

const dirs = new Map<SqliteStorage, string>();
const makeSqlite = async (): Promise<SqliteStorage> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'concord-sqlite-'));
  const s = new SqliteStorage(path.join(dir, 'db.sqlite'));
  dirs.set(s, dir);
  return s;
};
const cleanupSqlite = async (s: Storage): Promise<void> => {
  await s.close();
  fs.rmSync(dirs.get(s as SqliteStorage)!, { recursive: true, force: true });
};
storageContract('sqlite', makeSqlite, cleanupSqlite);
searchContract('sqlite', makeSqlite, cleanupSqlite);
