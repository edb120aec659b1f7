/**
 * A lightweight sync client: raw `ws` plus y-protocols message encoding, no
 * provider, no awareness object. It speaks two dialects of the same messages:
 *   - `y-websocket` (Concord and the reference server): `[type][payload]`, one room per socket;
 *   - `hocuspocus`: every message is prefixed with the document name, and the
 *     first message must be an auth message (Hocuspocus' own provider does the same).
 * A receiver keeps no document: it answers sync step 1 with an empty update and
 * hands every incoming update to `onUpdate`. A writer has a Y.Doc, syncs it and
 * sends its local changes.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

export type Dialect = 'y-websocket' | 'hocuspocus';

const MSG_SYNC = 0;
const MSG_AWARENESS = 1;
const MSG_AUTH = 2;
const HP_SYNC_REPLY = 4;
const SYNC_STEP1 = 0;
const SYNC_STEP2 = 1;
const SYNC_UPDATE = 2;
const HP_AUTH_TOKEN = 0;
const HP_AUTH_DENIED = 1;

/** Transaction origin of updates that came from the server. */
export const ORIGIN_REMOTE = Symbol('remote');

const EMPTY_STATE_VECTOR = new Uint8Array([0]);
const EMPTY_UPDATE = new Uint8Array([0, 0]);

export interface ClientOptions {
  url: string;
  room: string;
  dialect: Dialect;
  /** Sent as the Hocuspocus auth token (Concord takes its token in the URL). */
  token: string | null;
  /** Loopback source address (spreads sockets over 127.0.0.x, as users on many hosts would be). */
  localAddress: string;
  /** A writer's document; receivers have none. */
  doc?: Y.Doc;
  onUpdate?: (update: Uint8Array, at: number) => void;
}

export type ClientState = 'idle' | 'connecting' | 'synced' | 'closed';

export class SyncClient {
  readonly awarenessId = (Math.random() * 0x7fffffff) >>> 0;
  state: ClientState = 'idle';
  updatesIn = 0;
  awarenessIn = 0;
  messagesIn = 0;
  bytesIn = 0;
  lastClose: number | null = null;
  private ws: WebSocket | null = null;
  private awarenessClock = 0;
  private awarenessAnnounced = false;

  constructor(readonly opts: ClientOptions) {
    opts.doc?.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== ORIGIN_REMOTE) this.sendSync(SYNC_UPDATE, update);
    });
  }

  get synced(): boolean { return this.state === 'synced'; }

  /** Opens the socket and resolves with the milliseconds until the server's sync step 2 arrived. */
  connect(timeoutMs: number): Promise<number> {
    if (this.ws) this.drop();
    const t0 = performance.now();
    this.state = 'connecting';
    this.awarenessAnnounced = false;
    const ws = new WebSocket(this.opts.url, {
      localAddress: this.opts.localAddress,
      perMessageDeflate: false,
      handshakeTimeout: timeoutMs,
    });
    this.ws = ws;
    return new Promise<number>((resolve, reject) => {
      let settled = false;
      const settle = (err: Error | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(performance.now() - t0);
      };
      const timer = setTimeout(() => {
        settle(new Error(`sync of ${this.opts.room} timed out after ${timeoutMs} ms`));
        if (this.ws === ws) this.drop();
      }, timeoutMs);
      ws.on('open', () => {
        if (this.opts.dialect === 'hocuspocus') {
          this.send((enc) => {
            encoding.writeVarUint(enc, MSG_AUTH);
            encoding.writeVarUint(enc, HP_AUTH_TOKEN);
            encoding.writeVarString(enc, this.opts.token ?? 'bench');
          });
        }
        const sv = this.opts.doc ? Y.encodeStateVector(this.opts.doc) : EMPTY_STATE_VECTOR;
        this.sendSync(SYNC_STEP1, sv);
      });
      ws.on('message', (data: Buffer) => {
        try {
          if (this.handle(data) && this.state === 'connecting') {
            this.state = 'synced';
            settle(null);
          }
        } catch (err) {
          settle(err instanceof Error ? err : new Error(String(err)));
          this.drop();
        }
      });
      ws.on('error', (err) => settle(err));
      ws.on('unexpected-response', (_req, res) => {
        settle(new Error(`HTTP ${res.statusCode} on upgrade`));
        ws.terminate();
      });
      ws.on('close', (code) => {
        this.lastClose = code;
        if (this.ws === ws) {
          this.ws = null;
          this.state = 'closed';
        }
        settle(new Error(`closed with ${code} before sync`));
      });
    });
  }

  /** Handles one frame; true when it was the server's sync step 2. */
  private handle(data: Buffer): boolean {
    this.messagesIn++;
    this.bytesIn += data.byteLength;
    const dec = decoding.createDecoder(data);
    if (this.opts.dialect === 'hocuspocus') decoding.readVarString(dec);
    const type = decoding.readVarUint(dec);
    if (type === MSG_SYNC || (type === HP_SYNC_REPLY && this.opts.dialect === 'hocuspocus')) {
      const sub = decoding.readVarUint(dec);
      const payload = decoding.readVarUint8Array(dec);
      if (sub === SYNC_STEP1) {
        this.sendSync(SYNC_STEP2, this.opts.doc ? Y.encodeStateAsUpdate(this.opts.doc, payload) : EMPTY_UPDATE);
      } else if (sub === SYNC_STEP2) {
        if (this.opts.doc) Y.applyUpdate(this.opts.doc, payload, ORIGIN_REMOTE);
        return true;
      } else if (sub === SYNC_UPDATE) {
        this.updatesIn++;
        // A writer is its room's only writer: what comes back is its own echo.
        if (!this.opts.doc) this.opts.onUpdate?.(payload, performance.now());
      }
    } else if (type === MSG_AWARENESS) {
      this.awarenessIn++;
    } else if (type === MSG_AUTH && this.opts.dialect === 'hocuspocus') {
      if (decoding.readVarUint(dec) === HP_AUTH_DENIED) throw new Error(`permission denied: ${decoding.readVarString(dec)}`);
    }
    return false;
  }

  /** Sends an awareness update for this client (a JSON state, or `null` to leave). */
  sendAwareness(stateJson: string): void {
    if (this.state !== 'synced') return;
    this.awarenessAnnounced = stateJson !== 'null';
    const inner = encoding.createEncoder();
    encoding.writeVarUint(inner, 1);
    encoding.writeVarUint(inner, this.awarenessId);
    encoding.writeVarUint(inner, ++this.awarenessClock);
    encoding.writeVarString(inner, stateJson);
    const body = encoding.toUint8Array(inner);
    this.send((enc) => {
      encoding.writeVarUint(enc, MSG_AWARENESS);
      encoding.writeVarUint8Array(enc, body);
    });
  }

  /** Leaves as a provider does: awareness state removed, then a normal close. */
  leave(): void {
    const ws = this.ws;
    if (!ws) return;
    if (this.awarenessAnnounced) this.sendAwareness('null');
    this.ws = null;
    this.state = 'closed';
    ws.close(1000);
  }

  /** Drops the connection abruptly (network loss): no close handshake. */
  drop(): void {
    const ws = this.ws;
    if (!ws) return;
    this.ws = null;
    this.state = 'closed';
    ws.terminate();
  }

  private sendSync(sub: number, payload: Uint8Array): void {
    this.send((enc) => {
      encoding.writeVarUint(enc, MSG_SYNC);
      encoding.writeVarUint(enc, sub);
      encoding.writeVarUint8Array(enc, payload);
    });
  }

  private send(write: (enc: encoding.Encoder) => void): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    const enc = encoding.createEncoder();
    if (this.opts.dialect === 'hocuspocus') encoding.writeVarString(enc, this.opts.room);
    write(enc);
    ws.send(encoding.toUint8Array(enc));
  }
}
