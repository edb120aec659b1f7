import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type Server as WsServer } from 'ws';
import { CloseCode, LIMITS } from '@concord/shared';
import type { AuthService, Principal } from '../auth/auth.service.ts';
import type { Limits } from '../env.ts';
import type { AddressResolver } from '../http/client-address.ts';
import type { Storage } from '../storage/types.ts';
import { SESSION_COOKIE, readCookie } from '../http/cookies.ts';
import { isAllowedOrigin } from '../http/origin.ts';
import { authorizeRoom } from './authorize.ts';
import { Connection } from './connection.ts';
import type { Room } from './room.ts';
import type { RoomManager } from './room-manager.ts';
import type { SyncSocket } from './socket.ts';
import { Slot, SlotTable } from './slots.ts';

export interface SyncServerOptions {
  rooms: RoomManager;
  auth: AuthService;
  storage: Storage;
  origins: string[];
  log: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void;
  /** Per-address and per-account limits (`env.ts`). */
  limits: Limits;
  /** The client's address of an upgrade request (trusted proxies, `http/client-address.ts`). */
  clientAddress: AddressResolver;
  /** Path prefix of sync URLs. */
  prefix?: string;
}

/**
 * What the server counts, each released when its socket closes: authenticated
 * sockets per address and per account, and refused (unauthenticated) sockets per
 * address, which have their own small budget so that strangers cannot take the
 * slots of the people signed in from the same address.
 */
interface Registry {
  readonly perIp: SlotTable;
  readonly perUser: SlotTable;
  readonly refusedPerIp: SlotTable;
  /** Every upgraded socket until it closes (ws's own client tracking costs a closure per socket). */
  readonly sockets: Set<SyncWebSocket>;
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
  /** Its address's count (authenticated or refused), released when the socket closes; null once closed. */
  slot: Slot | null = null;
  /** Its account's count, released when the socket closes. */
  userSlot: Slot | null = null;
  /** Registry it is in, to leave when it closes. */
  registry: Registry | null = null;
  /** A socket the server closes gets this long to answer the close frame before it is cut. */
  graceMs = 1000;

  /**
   * Closes, and cuts the connection if the client has not completed the closing
   * handshake within `graceMs`: a client that never answers must not hold its
   * slot for ws's 30 s close timeout.
   */
  override close(code?: number, reason?: string | Buffer): void {
    super.close(code, reason);
    if (this.readyState === WebSocket.CLOSED) return;
    setTimeout(() => { if (this.readyState !== WebSocket.CLOSED) this.terminate(); }, this.graceMs).unref();
  }
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
    ws.registry?.sockets.delete(ws);
    slot.release();
    ws.userSlot?.release();
    ws.userSlot = null;
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
  private readonly registry: Registry;
  private readonly strings = new StringPool(10_000);
  private readonly pingTimer: NodeJS.Timeout;
  private readonly credentialTimer: NodeJS.Timeout;

  constructor(private readonly opts: SyncServerOptions) {
    this.prefix = opts.prefix ?? '/sync/';
    const l = opts.limits;
    this.registry = { perIp: new SlotTable(l.connectionsPerIp), perUser: new SlotTable(l.connectionsPerUser), refusedPerIp: new SlotTable(l.unauthenticatedPerIp), sockets: new Set() };
    this.wss = new WebSocketServer<typeof SyncWebSocket>({
      noServer: true,
      WebSocket: SyncWebSocket,
      clientTracking: false,
      maxPayload: LIMITS.maxFrameBytes,
      perMessageDeflate: false,
    });
    this.pingTimer = setInterval(() => this.ping(), LIMITS.pingIntervalMs);
    this.pingTimer.unref();
    this.credentialTimer = setInterval(() => {
      void this.checkCredentials().catch((err: unknown) => this.opts.log('warn', 'credential check failed', { err: String(err) }));
    }, l.credentialCheckMs);
    this.credentialTimer.unref();
  }

  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.handleUpgrade(req, socket, head);
    });
  }

  private handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Node's HTTP server removed its own error listener when it handed the socket over;
    // a client resetting the connection while it is refused or checked must not crash the process.
    socket.on('error', ignoreError);
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
    let roomName: string;
    try {
      roomName = decodeURIComponent(url.pathname.slice(this.prefix.length));
    } catch {
      roomName = '';
    }
    const bearer = url.searchParams.get('token') ?? bearerFrom(req.headers.authorization);
    const cookieToken = bearer ? null : readCookie(req.headers.cookie, SESSION_COOKIE);
    const ip = this.opts.clientAddress(req.socket.remoteAddress, req.headers);
    const since = this.opts.rooms.beginAdmission();
    let admitting = false;
    // Credentials are checked before the upgrade, so a signed-in client never waits
    // behind (or is counted with) strangers from its address.
    const authenticated = bearer || cookieToken ? this.opts.auth.authenticate({ cookieToken, bearer }).catch(() => null) : Promise.resolve(null);
    authenticated.then((principal) => {
      if (!principal) return this.refuse(req, socket, head, ip);
      const r = this.registry;
      if (r.perIp.full(ip) || r.perUser.full(principal.user.id)) {
        return void socket.end('HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\n\r\n');
      }
      const ws = this.upgrade(req, socket, head, r.perIp.take(ip)!);
      if (!ws) return;
      ws.userSlot = r.perUser.take(principal.user.id);
      admitting = true;
      return this.admit(ws, roomName, principal, ip, since);
    }).catch((err: unknown) => {
      this.opts.log('error', 'sync connection failed', { err: String(err) });
      if (!socket.destroyed) socket.destroy();
    }).finally(() => {
      if (!admitting) this.opts.rooms.endAdmission(since);
    });
  }

  /**
   * A client without valid credentials: upgraded and closed with 4401 (so a
   * y-websocket client stops retrying), within its address's small budget of
   * refused sockets, and cut if it does not answer the close promptly. Past the
   * budget it gets a plain 429 without an upgrade.
   */
  private refuse(req: IncomingMessage, socket: Duplex, head: Buffer, ip: string): void {
    const slot = this.registry.refusedPerIp.take(ip);
    if (!slot) return void socket.end('HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\n\r\n');
    const ws = this.upgrade(req, socket, head, slot);
    ws?.close(CloseCode.Unauthorized, 'sign in required');
  }

  /** Upgrades with `slot` held until the socket closes; null (slot released when closed) if ws refused the handshake. */
  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, slot: Slot): SyncWebSocket | null {
    // ws answers synchronously (no verifyClient): either the socket is upgraded, or the
    // handshake was refused and the socket is closing; its slot is held until it has closed.
    let upgraded = null as SyncWebSocket | null;
    this.wss.handleUpgrade(req, socket, head, (client) => { upgraded = client; });
    const ws = upgraded;
    if (!ws) {
      if (socket.closed) slot.release();
      else socket.once('close', () => slot.release());
      return null;
    }
    ws.slot = slot;
    ws.registry = this.registry;
    ws.graceMs = this.opts.limits.closeGraceMs;
    this.registry.sockets.add(ws);
    fastListenerTable(ws);
    // Frames that arrive while we authorise and load are kept in `early`; none are dropped.
    ws.on('message', onMessage);
    ws.on('pong', onPong);
    ws.on('error', onError);
    ws.on('close', onClose);
    return ws;
  }

  /** Authorises an authenticated, upgraded socket, then joins it to its room. */
  private async admit(ws: SyncWebSocket, roomName: string, principal: Principal, ip: string, since: number): Promise<void> {
    const rooms = this.opts.rooms;
    let ended = false;
    try {
      const decision = await authorizeRoom(this.opts.storage, roomName, principal.user.id).catch(() => null);
      if (!decision) return ws.close(CloseCode.RoomFailed, 'server error');
      if (!decision.ok) return ws.close(decision.code, decision.reason);
      // An access token for one project reaches no other (as a non-member: 4403).
      if (principal.scope?.projectId && principal.scope.projectId !== decision.room.projectId) return ws.close(CloseCode.Forbidden, 'this access token is for another project');
      if (ws.readyState !== WebSocket.OPEN || !ws.slot) return;
      const s = this.strings;
      const conn = new Connection(
        ws, s.get(principal.user.id), s.get(principal.user.name), decision.access === 'read' || principal.scope?.readOnly === true, s.get(decision.room.projectId),
        s.get(ip), s.get(principal.credentialId),
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
      ws.room = room;
      ws.conn = conn;
      const early = ws.early;
      ws.early = null;
      if (early) for (const d of early) deliver(room, conn, d);
    } catch (err) {
      this.opts.log('error', 'sync connection failed', { err: String(err) });
      ws.close(CloseCode.RoomFailed, 'server error');
    } finally {
      if (!ended) rooms.endAdmission(since);
    }
  }

  /**
   * Every open socket's session or access token is looked up in storage again
   * (one read per 500 credentials): a session that ended or was deleted, a token
   * deleted, or an account disabled or given a new password (which ends both),
   * closes its sockets with 4401, whichever process changed the database.
   * Runs every `limits.credentialCheckMs`; returns the sockets closed.
   */
  async checkCredentials(now = Date.now()): Promise<number> {
    const byCredential = new Map<string, SyncWebSocket[]>();
    for (const ws of this.registry.sockets) {
      const id = ws.conn?.credentialId;
      if (!id || ws.conn!.closed) continue;
      const list = byCredential.get(id);
      if (list) list.push(ws);
      else byCredential.set(id, [ws]);
    }
    if (byCredential.size === 0) return 0;
    const live = await this.opts.storage.liveCredentials([...byCredential.keys()], now);
    let closed = 0;
    for (const [id, sockets] of byCredential) {
      if (live.has(id)) continue;
      for (const ws of sockets) {
        const conn = ws.conn;
        if (!conn || conn.closed) continue;
        conn.close(CloseCode.Unauthorized, 'session ended');
        ws.room?.leave(conn);
        closed++;
      }
    }
    return closed;
  }

  private ping(): void {
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
  get addressCount(): number {
    const r = this.registry;
    return new Set([...r.perIp.keys(), ...r.refusedPerIp.keys()]).size;
  }

  async close(): Promise<void> {
    clearInterval(this.pingTimer);
    clearInterval(this.credentialTimer);
    const open = [...this.registry.sockets];
    const closed = open.map((ws) => new Promise<void>((resolve) => ws.once('close', () => resolve())));
    for (const ws of open) ws.terminate();
    await Promise.all(closed);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

function ignoreError(): void { /* the socket is being refused or closed anyway; ws adds its own listener once upgraded */ }

function bearerFrom(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  return m ? m[1]! : null;
}
