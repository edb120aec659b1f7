import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CodebookDoc, codebookRoom } from '@concord/shared';
import type { ConcordServer } from '../src/server.ts';
import { connect, destroyProviders, makeProject, makeUser, startTestServer, synced, waitFor } from './helpers.ts';

const value = (text: string, name: string): number => {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
};

afterEach(() => destroyProviders());

describe('/metrics', () => {
  let server: ConcordServer;
  beforeAll(async () => { server = await startTestServer({ trustProxy: ['loopback'] }); });
  afterAll(async () => { await server.close(); });

  it('counts rooms, sockets, committed updates, commit latency and event-loop delay in Prometheus format', async () => {
    const u = await makeUser(server.url, 'Measured');
    const pid = await makeProject(u);
    const p = connect(server.url, codebookRoom(pid), u.token);
    await synced(p);
    const before = value(await (await fetch(`${server.url}/metrics`)).text(), 'concord_updates_committed_total');
    for (let i = 0; i < 5; i++) new CodebookDoc(p.doc).createCode({ name: `Code ${i}` });
    let text = '';
    const poll = setInterval(async () => { text = await (await fetch(`${server.url}/metrics`)).text(); }, 50);
    try {
      await waitFor(() => value(text, 'concord_updates_committed_total') >= before + 5, 10_000, 'updates counted');
    } finally { clearInterval(poll); }
    const r = await fetch(`${server.url}/metrics`);
    expect(r.headers.get('content-type')).toMatch(/text\/plain/);
    text = await r.text();
    expect(value(text, 'concord_rooms')).toBe(1);
    expect(value(text, 'concord_sockets')).toBe(1);
    expect(value(text, 'concord_commit_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds\{node="[^"]+"\} [\d.e+-]+$/m);
  });

  it('is for this machine only without a token, as trusted proxies report the client', async () => {
    expect((await fetch(`${server.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } })).status).toBe(403);
  });
});

describe('/metrics with a token', () => {
  let server: ConcordServer;
  beforeAll(async () => { server = await startTestServer({ metricsToken: 's3cret-token' }); });
  afterAll(async () => { await server.close(); });

  it('needs the token, even from this machine', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const ok = await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer s3cret-token' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('concord_sockets');
  });
});
