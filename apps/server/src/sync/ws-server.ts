import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type Server as WsServer } from 'ws';
import { CloseCode, LIMITS } from '@concord/shared';
import type { AuthService } from '../auth/auth.service.ts';
import type { Storage } from '../storage/types.ts';
import { SESSION_COOKIE, readCookie } from '../http/cookies.ts';
import { isAllowedOrigin } from '../http/origin.ts';
import { authorizeRoom } from './authorize.ts';
import { Connection } from './connection.ts';
import type { Room } from './room.ts';
import type { RoomManager } from './room-manager.ts';
import type { SyncSocket } from './socket.ts';

export interface SyncServerOptions {
  rooms: RoomManager;
  auth: AuthService;
  storage: Storage;
  origins: string[];
  log: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void;
  /** Path prefix of sync URLs. */
  prefix?: string;
}

/** The server's bookkeeping that a closing socket updates. */
interface Registry {
  readonly perIp: Map<string, IpSlot>;
  /** Every upgraded socket until it closes (ws's own client tracking costs a closure per socket). */
  readonly sockets: Set<SyncWebSocket>;
}

/**
 * The sockets one address has open. Every socket from that address shares the
 * slot (and its `ip` string); the slot leaves the table with its last socket.
 */
class IpSlot {
  n = 0;
  constructor(readonly ip: string, readonly registry: Registry) {}

  release(): void {
    if (--this.n <= 0 && this.registry.perIp.get(this.ip) === this) this.registry.perIp.delete(this.ip);
  }
}

/**
 * Equal strings that many connections keep (user and project ids, names,
 * credential ids) are stored once: each join reads fresh copies from storage.
 * Interning by value cannot go stale; the pool is emptied when it grows large.
 */
class StringPool {
  private readonly pool = new Map<string, string>();
  constructor(private readonly max: number) {}

  get(s: string): string {
    const known = this.pool.get(s);
    if (known !== undefined) return known;
    if (this.pool.size >= this.max) this.pool.clear();
    this.pool.set(s, s);
    return s;
  }
}

/** What `EventEmitter` keeps its listeners in (a Node internal, see fastListenerTable). */
interface ListenerTable { _events?: unknown; _eventsCount?: number }

/**
 * A server-side WebSocket that carries its own sync state. An idle connection
 * then costs the `ws` objects, one Connection and nothing else: no closures, no
 * adapter object and no map entries per socket. The listeners below are shared by
 * every socket and find the state on `this`; listeners are only ever added (a
 * removed one would turn the socket's listener table into a slow dictionary).
 * The socket itself is the Connection's `SyncSocket`.
 */
export class SyncWebSocket extends WebSocket implements SyncSocket {
  /** Set once the socket is authorised and in its room; frames go to `room` from then on. */
  conn: Connection | null = null;
  room: Room | null = null;
  /** Frames that arrived while the socket was being authorised, handled in order once it joins. */
  early: Buffer[] | null = null;
  /** Answered the last ping (or was opened since). */
  alive = true;
  /** Its address's connection count, released when the socket closes; null once closed. */
  slot: IpSlot | null = null;
}

/**
 * EventEmitter starts every emitter with a null-prototype listener table, which V8
 * keeps as a hash table (~280 bytes per socket). Node's own streams start theirs
 * with the events they use as fast properties; do the same for the events `ws`
 * emits on a server socket, before any listener is added.
 */
function fastListenerTable(ws: WebSocket): void {
  const table = ws as unknown as ListenerTable;
  if (table._eventsCount === 0 && table._events !== null && typeof table._events === 'object') {
    table._events = { message: undefined, close: undefined, error: undefined, ping: undefined, pong: undefined };
  }
}

// The listeners: `ws` types a listener's `this` as its own WebSocket; they are only added to SyncWebSockets.

function onMessage(this: WebSocket, data: Buffer): void {
  const ws = this as SyncWebSocket;
  const conn = ws.conn;
  if (conn === null) {
    const early = (ws.early ??= []);
    // The token bucket would refuse the frame past the burst when replayed; refuse it now.
    if (early.length >= LIMITS.messageBurst) ws.close(CloseCode.RateLimited, 'too many messages');
    else early.push(data);
    return;
  }
  deliver(ws.room!, conn, data);
}

function deliver(room: Room, conn: Connection, data: Buffer): void {
  if (conn.closed) return;
  if (!conn.takeToken()) {
    conn.close(CloseCode.RateLimited, 'too many messages');
    return;
  }
  room.receive(conn, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

function onPong(this: WebSocket): void {
  (this as SyncWebSocket).alive = true;
}

function onError(this: WebSocket): void {
  this.terminate();
}

function onClose(this: WebSocket): void {
  const ws = this as SyncWebSocket;
  const slot = ws.slot;
  if (slot !== null) {
    ws.slot = null;
    slot.registry.sockets.delete(ws);
    slot.release();
  }
  ws.early = null;
  const conn = ws.conn;
  if (conn !== null) {
    conn.closed = true;
    ws.room!.leave(conn);
  }
}

/**
 * The WebSocket side: `/sync/<room>` upgrades are checked (Origin, credentials,
 * room shape, membership) and then handed to the room manager. Refusals are
 * made after the upgrade with a 44xx close code, so y-websocket clients see why.
 */
export class SyncServer {
  private readonly wss: WsServer<typeof SyncWebSocket>;
  private readonly prefix: string;
  private readonly registry: Registry = { perIp: new Map(), sockets: new Set() };
  private readonly strings = new StringPool(10_000);
  private readonly pingTimer: NodeJS.Timeout;

  constructor(private readonly opts: SyncServerOptions) {
    this.prefix = opts.prefix ?? '/sync/';
    this.wss = new WebSocketServer<typeof SyncWebSocket>({
      noServer: true,
      WebSocket: SyncWebSocket,
      clientTracking: false,
      maxPayload: LIMITS.maxFrameBytes,
      perMessageDeflate: false,
    });
    this.pingTimer = setInterval(() => this.ping(), LIMITS.pingIntervalMs);
    this.pingTimer.unref();
  }

  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.handleUpgrade(req, socket, head);
    });
  }

  private handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
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
    let slot = this.registry.perIp.get(ip);
    if (slot && slot.n >= LIMITS.connectionsPerIp) {
      socket.end('HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\n\r\n');
      return;
    }
    if (!slot) {
      slot = new IpSlot(ip, this.registry);
      this.registry.perIp.set(ip, slot);
    }
    slot.n++;

    let roomName: string;
    try {
      roomName = decodeURIComponent(url.pathname.slice(this.prefix.length));
    } catch {
      roomName = '';
    }
    const bearer = url.searchParams.get('token') ?? bearerFrom(req.headers.authorization);
    const cookieToken = bearer ? null : readCookie(req.headers.cookie, SESSION_COOKIE);

    // ws answers synchronously (no verifyClient): either the socket is upgraded, or the
    // handshake was refused and the socket is closing; its slot is held until it has closed.
    let upgraded = null as SyncWebSocket | null;
    this.wss.handleUpgrade(req, socket, head, (client) => { upgraded = client; });
    const ws = upgraded;
    if (!ws) {
      const held = slot;
      if (socket.closed) held.release();
      else socket.once('close', () => held.release());
      return;
    }
    ws.slot = slot;
    this.registry.sockets.add(ws);
    fastListenerTable(ws);
    // Frames that arrive while we authenticate and load are kept in `early`; none are dropped.
    ws.on('message', onMessage);
    ws.on('pong', onPong);
    ws.on('error', onError);
    ws.on('close', onClose);
    this.admit(ws, roomName, bearer, cookieToken).catch((err: unknown) => {
      this.opts.log('error', 'sync connection failed', { err: String(err) });
      ws.close(CloseCode.RoomFailed, 'server error');
    });
  }

  /** Authenticates and authorises an upgraded socket, then joins it to its room. */
  private async admit(ws: SyncWebSocket, roomName: string, bearer: string | null, cookieToken: string | null): Promise<void> {
    const rooms = this.opts.rooms;
    const since = rooms.beginAdmission();
    let ended = false;
    try {
      const principal = await this.opts.auth.authenticate({ cookieToken, bearer }).catch(() => null);
      if (!principal) return ws.close(CloseCode.Unauthorized, 'sign in required');
      const decision = await authorizeRoom(this.opts.storage, roomName, principal.user.id).catch(() => null);
      if (!decision) return ws.close(CloseCode.RoomFailed, 'server error');
      if (!decision.ok) return ws.close(decision.code, decision.reason);
      if (ws.readyState !== WebSocket.OPEN || !ws.slot) return;
      const s = this.strings;
      const conn = new Connection(
        ws, s.get(principal.user.id), s.get(principal.user.name), decision.access === 'read', s.get(decision.room.projectId),
        ws.slot.ip, s.get(principal.credentialId),
      );
      const room = await rooms.join(roomName, conn);
      ended = true;
      // Revoked (signed out, token deleted, membership changed) while we read storage: closed and left.
      if (!rooms.endAdmission(since, conn, room)) return;
      if (ws.readyState !== WebSocket.OPEN) {
        // Closed while joining: its close listener saw no connection, so leave here.
        conn.closed = true;
        room.leave(conn);
        return;
      }
      conn.sessionExpiresAt = principal.expiresAt;
      ws.room = room;
      ws.conn = conn;
      const early = ws.early;
      ws.early = null;
      if (early) for (const d of early) deliver(room, conn, d);
    } finally {
      if (!ended) rooms.endAdmission(since);
    }
  }

  /**
   * Sessions end (30 days after their last use) while sockets opened with them stay
   * open. Sockets past their session's end as last seen are checked in storage, one
   * read per session: if the session slid forward (it was used over HTTP) the socket
   * keeps going with the new end; if it is over or gone, the socket is closed (4401).
   * Runs with the pings; returns the sockets closed.
   */
  async checkSessions(now = Date.now()): Promise<number> {
    const due = new Map<string, SyncWebSocket[]>();
    for (const ws of this.registry.sockets) {
      const conn = ws.conn;
      if (!conn || conn.closed || conn.sessionExpiresAt === null || conn.credentialId === null || now < conn.sessionExpiresAt) continue;
      const list = due.get(conn.credentialId);
      if (list) list.push(ws);
      else due.set(conn.credentialId, [ws]);
    }
    let closed = 0;
    for (const [sessionId, sockets] of due) {
      const expiresAt = await this.opts.auth.sessionExpiry(sessionId).catch(() => undefined);
      if (expiresAt === undefined) continue; // storage unavailable: try again at the next round
      for (const ws of sockets) {
        const conn = ws.conn;
        if (!conn || conn.closed) continue;
        if (expiresAt !== null) { conn.sessionExpiresAt = expiresAt; continue; }
        conn.close(CloseCode.Unauthorized, 'session expired');
        ws.room?.leave(conn);
        closed++;
      }
    }
    return closed;
  }

  private ping(): void {
    void this.checkSessions().catch((err: unknown) => this.opts.log('warn', 'session check failed', { err: String(err) }));
    for (const ws of this.registry.sockets) {
      if (!ws.alive) {
        ws.terminate();
        continue;
      }
      ws.alive = false;
      try { ws.ping(); } catch { ws.terminate(); }
    }
  }

  get connectionCount(): number { return this.registry.sockets.size; }

  /** Client addresses with at least one socket open (or still closing). */
  get addressCount(): number { return this.registry.perIp.size; }

  async close(): Promise<void> {
    clearInterval(this.pingTimer);
    const open = [...this.registry.sockets];
    const closed = open.map((ws) => new Promise<void>((resolve) => ws.once('close', () => resolve())));
    for (const ws of open) ws.terminate();
    await Promise.all(closed);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

function bearerFrom(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  return m ? m[1]! : null;
}
