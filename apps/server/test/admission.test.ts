/**
 * Who gets a socket: unauthenticated upgrades have their own small budget per
 * address and are cut if they never answer the close, so strangers cannot take
 * the slots of the people signed in from the same address; signed-in sockets are
 * counted per account and per address.
 */
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { codebookRoom } from '@concord/shared';
import { loadConfig } from '../src/env.ts';
import type { ConcordServer } from '../src/server.ts';
import { closeCode, openSocket } from './cluster.ts';
import { connect, destroyProviders, makeProject, makeUser, startTestServer, synced, waitFor, addMember } from './helpers.ts';

const DEFAULTS = loadConfig({}).limits;

/**
 * An upgrade request without credentials that never reads, never answers the
 * close frame and never closes: it resolves with the server's status line, and
 * `closed` once the server has cut the TCP connection.
 */
function neverClosingUpgrade(port: number, path: string): { status: Promise<string>; closed: Promise<void> } {
  const s = net.connect(port, '127.0.0.1', () => {
    s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  });
  s.on('error', () => undefined);
  const status = new Promise<string>((resolve) => {
    let got = '';
    s.on('data', (d: Buffer) => {
      if (got.includes('\r\n')) return;
      got += d.toString('latin1');
      if (got.includes('\r\n')) resolve(got.split('\r\n')[0]!);
    });
    s.on('close', () => resolve(got.split('\r\n')[0] ?? ''));
  });
  const closed = new Promise<void>((resolve) => s.on('close', () => resolve()));
  return { status, closed };
}

afterEach(() => destroyProviders());

describe('unauthenticated upgrades', () => {
  let server: ConcordServer;
  beforeAll(async () => {
    server = await startTestServer({ limits: { ...DEFAULTS, unauthenticatedPerIp: 20, closeGraceMs: 1000 } });
  });
  afterAll(async () => { await server.close(); });

  it('200 never-closing upgrades from one address do not stop a signed-in client from that address, and are cut promptly', async () => {
    const owner = await makeUser(server.url, 'Insider');
    const pid = await makeProject(owner);
    const room = codebookRoom(pid);
    const flood = Array.from({ length: 200 }, () => neverClosingUpgrade(server.port, `/sync/${room}`));
    // The signed-in client connects in the middle of the flood.
    const p = connect(server.url, room, owner.token);
    const statuses = await Promise.all(flood.map((f) => f.status));
    await synced(p);
    // Every stranger got the 4401 upgrade (within the budget) or a plain 429…
    expect(statuses.every((s) => s === 'HTTP/1.1 101 Switching Protocols' || s === 'HTTP/1.1 429 Too Many Requests')).toBe(true);
    expect(statuses.filter((s) => s.includes('429')).length).toBeGreaterThan(0);
    // …never more than the budget of them held a socket at once…
    expect(server.sync.connectionCount).toBeLessThanOrEqual(20 + 1);
    // …and the server cut those that never answered the close (ws alone would wait 30 s).
    await Promise.race([
      Promise.all(flood.map((f) => f.closed)),
      new Promise((_, reject) => setTimeout(() => reject(new Error('refused sockets still open after 10 s')), 10_000)),
    ]);
    await waitFor(() => server.sync.connectionCount === 1, 5000, 'only the signed-in socket left');
    expect(p.wsconnected).toBe(true);
  });
});

describe('signed-in sockets', () => {
  let server: ConcordServer;
  beforeAll(async () => {
    server = await startTestServer({ limits: { ...DEFAULTS, connectionsPerUser: 30, connectionsPerIp: 45 } });
  });
  afterAll(async () => { await server.close(); });

  it('are limited per account and per address, and the slot is free again once one closes', async () => {
    const owner = await makeUser(server.url, 'Crowd');
    const other = await makeUser(server.url, 'Neighbour');
    const pid = await makeProject(owner);
    await addMember(owner, pid, other, 'coder');
    const room = codebookRoom(pid);
    const open: WebSocket[] = [];
    try {
      open.push(...await Promise.all(Array.from({ length: 30 }, () => openSocket(server.url, room, owner.token))));
      await expect(openSocket(server.url, room, owner.token)).rejects.toThrow('upgrade refused: 429');
      // Another account at the same address is not refused because of the first one's sockets…
      open.push(...await Promise.all(Array.from({ length: 15 }, () => openSocket(server.url, room, other.token))));
      // …until the address holds its limit.
      await expect(openSocket(server.url, room, other.token)).rejects.toThrow('upgrade refused: 429');
      const gone = open.shift()!;
      const c = closeCode(gone);
      gone.close(1000);
      await c;
      await waitFor(() => server.sync.connectionCount === 44, 5000, 'closed socket released');
      const p = connect(server.url, room, owner.token);
      await synced(p);
    } finally {
      await Promise.all(open.map((ws) => { const c = closeCode(ws); ws.close(1000); return c; }));
    }
  });
});
