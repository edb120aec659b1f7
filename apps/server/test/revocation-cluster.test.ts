/**
 * `concord user password` (an administrator's reset, run from another process)
 * ends the account everywhere: on both nodes of a cluster its sockets close with
 * 4401 at once and its access token and session stop working. The nodes' own
 * credential re-check is set to an hour here, so only the revocation the CLI
 * publishes through Redis can close the sockets within the test.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CloseCode, codebookRoom } from '@concord/shared';
import { REPO_ROOT } from '../src/env.ts';
import { Client, closeCodeFor, makeProject, makeUser, type ServerProcess } from './helpers.ts';
import { createPgSchema, killNode, startNodes, TEST_REDIS_URL, type PgSchema } from './cluster.ts';

let schema: PgSchema;
let nodes: ServerProcess[] = [];

beforeAll(async () => {
  schema = await createPgSchema();
  nodes = await startNodes(2, schema.url, TEST_REDIS_URL, { CONCORD_CREDENTIAL_CHECK_S: '3600' });
}, 60_000);
afterAll(async () => {
  await Promise.all(nodes.map(killNode));
  await schema?.drop();
});

/** A socket admitted to `room` (the server's first frame arrived), with the close code to come. */
function admitted(url: string, room: string, opts: { token?: string; cookie?: string }): Promise<{ closed: Promise<number> }> {
  const q = opts.token ? `?token=${encodeURIComponent(opts.token)}` : '';
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/sync/${room}${q}`, { headers: opts.cookie ? { cookie: opts.cookie } : {} });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    ws.once('message', () => resolve({ closed }));
    ws.once('error', reject);
  });
}

const concord = (args: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'apps/server/src/cli/main.ts'), ...args], {
  cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: schema.url, REDIS_URL: TEST_REDIS_URL, CONCORD_LOG: 'silent' },
});

const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> => Promise.race([
  p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} after ${ms / 1000} s`)), ms)),
]);

describe('a password reset on a 2-node cluster', () => {
  it('closes the account\'s sockets on every node (4401) and its token and session fail everywhere', async () => {
    const urls = nodes.map((n) => n.url);
    const u = await makeUser(urls[0]!, 'Intruded');
    const pid = await makeProject(u);
    const room = codebookRoom(pid);
    const sockets = await Promise.all(urls.flatMap((url) => [admitted(url, room, { token: u.token }), admitted(url, room, { cookie: u.client.cookie })]));
    const cli = await concord(['user', 'password', u.email, '--password', 'a brand new passphrase']);
    expect(cli.stdout).toMatch(/access tokens and open connections were ended/);
    const codes = await within(Promise.all(sockets.map((s) => s.closed)), 20_000, 'sockets still open');
    expect(codes).toEqual(Array(4).fill(CloseCode.Unauthorized));
    for (const url of urls) {
      expect((await new Client(url, u.token).req('GET', '/api/me')).status).toBe(401);
      const browser = new Client(url);
      browser.cookie = u.client.cookie;
      expect((await browser.req('GET', '/api/me')).status).toBe(401);
      expect(await closeCodeFor(url, room, { token: u.token })).toBe(CloseCode.Unauthorized);
    }
    // The new password works.
    expect((await new Client(urls[1]!).req('POST', '/api/auth/login', { email: u.email, password: 'a brand new passphrase' })).status).toBe(200);
  }, 60_000);
});

describe('disabling an account on a 2-node cluster', () => {
  it('closes its sockets on every node and refuses its sign-in until enabled', async () => {
    const urls = nodes.map((n) => n.url);
    const u = await makeUser(urls[1]!, 'Leaver');
    const pid = await makeProject(u);
    const sockets = await Promise.all(urls.map((url) => admitted(url, codebookRoom(pid), { token: u.token })));
    expect((await concord(['user', 'disable', u.email])).stdout).toMatch(/is disabled/);
    expect(await within(Promise.all(sockets.map((s) => s.closed)), 20_000, 'sockets still open')).toEqual([CloseCode.Unauthorized, CloseCode.Unauthorized]);
    const login = (url: string) => new Client(url).req('POST', '/api/auth/login', { email: u.email, password: 'correct horse battery' });
    for (const url of urls) expect((await login(url)).status).toBe(401);
    await concord(['user', 'enable', u.email]);
    expect((await login(urls[0]!)).status).toBe(200);
  }, 60_000);
});
