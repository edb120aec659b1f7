import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode, LIMITS } from '@concord/shared';
import type { AuthService } from '../auth/auth.service.ts';
import type { Storage } from '../storage/types.ts';
import { SESSION_COOKIE, readCookie } from '../http/cookies.ts';
import { isAllowedOrigin } from '../http/origin.ts';
import { authorizeRoom } from './authorize.ts';
import { Connection } from './connection.ts';
import type { RoomManager } from './room-manager.ts';

export interface SyncServerOptions {
  rooms: RoomManager;
  auth: AuthService;
  storage: Storage;
  origins: string[];
  log: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void;
  /** Path prefix of sync URLs. */
  prefix?: string;
}

/**
 * The WebSocket side: `/sync/<room>` upgrades are checked (Origin, credentials,
 * room shape, membership) and then handed to the room manager. Refusals are
 * made after the upgrade with a 44xx close code, so y-websocket clients see why.
 */
export class SyncServer {
  private readonly wss: WebSocketServer;
  private readonly prefix: string;
  private readonly perIp = new Map<string, number>();
  private readonly pingTimer: NodeJS.Timeout;
  private readonly alive = new WeakMap<WebSocket, boolean>();

  constructor(private readonly opts: SyncServerOptions) {
    this.prefix = opts.prefix ?? '/sync/';
    this.wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.maxFrameBytes, perMessageDeflate: false });
    this.pingTimer = setInterval(() => this.ping(), LIMITS.pingIntervalMs);
    this.pingTimer.unref();
  }

  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.handleUpgrade(req, socket, head);
    });
  }

  private async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith(this.prefix)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    // Cross-site WebSocket hijacking: a browser always sends Origin; refuse foreign ones before upgrading.
    const origin = req.headers.origin;
    if (origin && !isAllowedOrigin(origin, req.headers.host, this.opts.origins)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\nforeign origin');
      return;
    }
    const ip = req.socket.remoteAddress ?? 'unknown';
    if ((this.perIp.get(ip) ?? 0) >= LIMITS.connectionsPerIp) {
      socket.end('HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\n\r\n');
      return;
    }
    this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const n = (this.perIp.get(ip) ?? 1) - 1;
      if (n <= 0) this.perIp.delete(ip);
      else this.perIp.set(ip, n);
    };
    socket.once('close', release);

    let roomName: string;
    try {
      roomName = decodeURIComponent(url.pathname.slice(this.prefix.length));
    } catch {
      roomName = '';
    }
    const bearer = url.searchParams.get('token') ?? bearerFrom(req.headers.authorization);
    const cookieToken = readCookie(req.headers.cookie, SESSION_COOKIE);

    this.wss.handleUpgrade(req, socket, head, (ws) => {
      ws.binaryType = 'nodebuffer';
      // Buffer frames that arrive while we authenticate and load; none are dropped.
      const early: Buffer[] = [];
      const onEarly = (data: Buffer) => early.push(data);
      ws.on('message', onEarly);
      ws.on('error', () => ws.terminate());
      void (async () => {
        const principal = await this.opts.auth.authenticate({ cookieToken, bearer }).catch(() => null);
        if (!principal) return ws.close(CloseCode.Unauthorized, 'sign in required');
        const decision = await authorizeRoom(this.opts.storage, roomName, principal.user.id).catch(() => null);
        if (!decision) return ws.close(CloseCode.RoomFailed, 'server error');
        if (!decision.ok) return ws.close(decision.code, decision.reason);
        if (ws.readyState !== ws.OPEN) return;
        const conn = new Connection(
          { send: (d) => ws.send(d), close: (c, r) => ws.close(c, r), get bufferedAmount() { return ws.bufferedAmount; } },
          principal.user.id, principal.user.name, decision.access === 'read', decision.room.projectId, ip, principal.credentialId,
        );
        const room = await this.opts.rooms.join(roomName, conn);
        this.alive.set(ws, true);
        ws.on('pong', () => this.alive.set(ws, true));
        ws.off('message', onEarly);
        const onMessage = (data: Buffer) => {
          if (!conn.takeToken()) {
            conn.close(CloseCode.RateLimited, 'too many messages');
            return;
          }
          room.receive(conn, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        };
        ws.on('message', onMessage);
        ws.on('close', () => {
          conn.closed = true;
          room.leave(conn);
        });
        if (ws.readyState !== ws.OPEN) {
          conn.closed = true;
          room.leave(conn);
          return;
        }
        for (const d of early) onMessage(d);
      })().catch((err: unknown) => {
        this.opts.log('error', 'sync connection failed', { err: String(err) });
        ws.close(CloseCode.RoomFailed, 'server error');
      });
    });
  }

  private ping(): void {
    for (const ws of this.wss.clients) {
      if (this.alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      this.alive.set(ws, false);
      try { ws.ping(); } catch { ws.terminate(); }
    }
  }

  get connectionCount(): number { return this.wss.clients.size; }

  async close(): Promise<void> {
    clearInterval(this.pingTimer);
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

function bearerFrom(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  return m ? m[1]! : null;
}
