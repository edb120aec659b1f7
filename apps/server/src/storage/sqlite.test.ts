import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { storageContract } from './contract.ts';
import { SqliteStorage } from './sqlite.ts';

const dirs = new Map<SqliteStorage, string>();
storageContract(
  'sqlite',
  async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'concord-sqlite-'));
    const s = new SqliteStorage(path.join(dir, 'db.sqlite'));
    dirs.set(s, dir);
    return s;
  },
  async (s) => {
    await s.close();
    fs.rmSync(dirs.get(s as SqliteStorage)!, { recursive: true, force: true });
  },
);
