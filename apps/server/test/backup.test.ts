/**
 * `concord backup` copies the SQLite database while the server runs and writes;
 * `concord restore` checks a backup and puts it back (keeping what it replaced).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/env.ts';
import { Client, makeProject, makeTranscript, makeUser, ServerProcess, tempDir } from './helpers.ts';

async function cli(dataDir: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'apps/server/src/cli/main.ts'), ...args], {
      cwd: REPO_ROOT, env: { ...process.env, CONCORD_DATA: dataDir, DATABASE_URL: '', REDIS_URL: '', ...env },
    });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe('backup and restore (SQLite)', () => {
  const dataDir = tempDir();
  const node = new ServerProcess(dataDir);
  afterAll(async () => { await node.stop(); });

  it('backs up a running server and restores that state after later changes, refusing files that are not backups', async () => {
    const url = await node.start();
    const ada = await makeUser(url, 'Ada');
    const pid = await makeProject(ada, 'Kept study');
    const tid = await makeTranscript(ada, pid, 'Interviewer: Before the backup.\n\nP1: Yes.\n');
    const out = path.join(tempDir(), 'concord-backup.sqlite');
    const backup = await cli(dataDir, ['backup', out]);
    expect(backup.code, backup.out).toBe(0);
    expect(backup.out).toMatch(/1 accounts, 1 projects/);
    expect(backup.out).toMatch(/integrity check/);
    expect((await cli(dataDir, ['backup', out])).out).toMatch(/exists already/);
    // After the backup: another account.
    const late = await makeUser(url, 'Late');
    await node.stop();

    const junk = path.join(tempDir(), 'junk.sqlite');
    fs.writeFileSync(junk, 'not a database at all');
    const refused = await cli(dataDir, ['restore', junk]);
    expect(refused.code).toBe(2);
    expect(refused.out).toMatch(/not a SQLite database/);

    const restored = await cli(dataDir, ['restore', out]);
    expect(restored.code, restored.out).toBe(0);
    expect(restored.out).toMatch(/kept as .*before-restore/);
    const again = await node.start();
    const login = (email: string) => new Client(again).req('POST', '/api/auth/login', { email, password: 'correct horse battery' });
    expect((await login(ada.email)).status).toBe(200);
    expect((await login(late.email)).status).toBe(401);
    const r = await new Client(again, ada.token).req('GET', `/api/projects/${pid}`);
    expect(r.status).toBe(200);
    expect(r.json.transcripts.map((t: { id: string }) => t.id)).toEqual([tid]);
  }, 120_000);

  it('points PostgreSQL users to pg_dump and pg_restore', async () => {
    const r = await cli(tempDir(), ['backup', 'x.dump'], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/pg_dump -Fc/);
  });
});
