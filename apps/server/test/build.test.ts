import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/env.ts';
import { tempDir } from './helpers.ts';

const run = promisify(execFile);

/**
 * The production build (`npm start`): the server compiled to JavaScript starts
 * without tsx and imports through its worker (dist/import-worker.js), and a second
 * build with nothing changed does nothing.
 */
describe('the compiled server', () => {
  it('builds only when its sources changed, starts from dist/ and imports the demo in its worker', async () => {
    const build = () => run(process.execPath, [path.join(REPO_ROOT, 'scripts/build.mjs'), 'server'], { cwd: REPO_ROOT });
    await build();
    const stamp = path.join(REPO_ROOT, 'apps/server/dist/.build-hash');
    const builtAt = fs.statSync(path.join(REPO_ROOT, 'apps/server/dist/main.js')).mtimeMs;
    const again = await build();
    expect(again.stdout).toContain('server: up to date');
    expect(fs.statSync(path.join(REPO_ROOT, 'apps/server/dist/main.js')).mtimeMs).toBe(builtAt);
    expect(fs.readFileSync(stamp, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);

    const dataDir = tempDir();
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'apps/server/dist/main.js')], {
      cwd: REPO_ROOT,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', CONCORD_DATA: dataDir, CONCORD_DEMO: '1', CONCORD_LOG: 'silent', NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /Concord listening on (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
        child.once('exit', (code) => reject(new Error(`the built server exited (${code}): ${out}`)));
      });
      expect(out).toContain('created with 5 transcripts');
      const health = await fetch(`${url}/api/health`);
      expect(health.status).toBe(200);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
