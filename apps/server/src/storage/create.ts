import path from 'node:path';
import type { Config } from '../env.ts';
import { SqliteStorage } from './sqlite.ts';
import type { Storage } from './types.ts';

/** SQLite in the data dir by default; PostgreSQL when DATABASE_URL is set. */
export async function createStorage(cfg: Config, log?: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void): Promise<Storage> {
  if (cfg.databaseUrl) {
    const { PostgresStorage } = await import('./postgres.ts');
    return PostgresStorage.connect(cfg.databaseUrl, log ? { log } : {});
  }
  return new SqliteStorage(path.join(cfg.dataDir, 'concord.sqlite'), { synchronous: cfg.sqliteSync });
}
