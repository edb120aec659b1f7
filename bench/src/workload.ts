/**
 * The workload, the same for every server: N transcript rooms × K clients, each
 * client also in the project's codebook room; one writer per room applying
 * codings (codebook: editing code definitions) at a steady rate; awareness
 * cursor updates at 5 Hz per client in its transcript room.
 *
 * Writers put a marker {r: room, s: seq, t} into each update, beside the coding;
 * receivers decode every incoming update, find the markers and record latency
 * against the ledger (same process, same monotonic clock).
 *
 * With several server processes (nodes), client k of room r connects to node
 * (r + k) mod n, both its sockets; so the writer (k = 0) of room r is on node
 * r mod n, rooms are spread evenly, and each room has receivers on the writer's
 * node and on others. Receipts are tagged same-node or cross-node.
 */
import { performance } from 'node:perf_hooks';
import * as Y from 'yjs';
import { CodebookDoc, parseTranscript, TranscriptDoc, transcriptBody } from '@concord/shared';
import { SyncClient, type Dialect } from './client.ts';
import { isMarker, Ledger } from './metrics.ts';
import { isConcord, type ServerKind } from './types.ts';

/** Sockets per loopback source address (real users come from many hosts; Concord's per-address limit is CONCORD_CONNECTIONS_PER_IP). */
const SOCKETS_PER_ADDRESS = 150;

export interface Person {
  index: number;
  room: number;
  k: number;
  transcript: SyncClient;
  codebook: SyncClient;
  /** Whether this person sends awareness (paused while reconnecting). */
  active: boolean;
}

interface Writer {
  room: number;
  client: SyncClient;
  doc: Y.Doc;
  seq: number;
  /** ms between writes; 0 = stopped. */
  period: number;
  next: number;
  /** Positions in the body for codings. */
  bodyLength: number;
}

export function roomUrl(server: ServerKind, wsBase: string, room: string, token: string | null): string {
  if (isConcord(server)) return `${wsBase}/sync/${room}?token=${encodeURIComponent(token ?? '')}`;
  return server === 'hocuspocus' ? `${wsBase}/` : `${wsBase}/${room}`;
}

/** The node client k of room r connects to (see the module comment). */
export function nodeOf(room: number, k: number, nodes: number): number {
  return (room + k) % nodes;
}

export function dialectOf(server: ServerKind): Dialect {
  return server === 'hocuspocus' ? 'hocuspocus' : 'y-websocket';
}

export interface WorkloadParams {
  server: ServerKind;
  /** One per server process. */
  wsBases: readonly string[];
  token: string | null;
  transcriptRooms: string[];
  codebookRoom: string;
  clientsPerRoom: number;
  seedText: string;
}

/** Pulls markers out of an update without a document. */
export function readMarkers(update: Uint8Array): unknown[] {
  const out: unknown[] = [];
  const { structs } = Y.decodeUpdate(update);
  for (const s of structs) {
    if (s instanceof Y.Item && s.content instanceof Y.ContentAny) {
      for (const v of s.content.arr) if (isMarker(v)) out.push(v);
    }
  }
  return out;
}

export class Workload {
  readonly people: Person[] = [];
  readonly writers: Writer[] = [];
  readonly ledger: Ledger;
  readonly codebookIndex: number;
  private ticker: NodeJS.Timeout | null = null;
  private awarenessHz = 0;
  private lastAwarenessSlot = -1;
  private cursor = 0;
  writeLagSkips = 0;

  constructor(readonly p: WorkloadParams) {
    const n = p.transcriptRooms.length;
    this.codebookIndex = n;
    this.ledger = new Ledger(n + 1, n);
    const dialect = dialectOf(p.server);
    let socket = 0;
    for (let k = 0; k < p.clientsPerRoom; k++) {
      for (let r = 0; r < n; r++) {
        const index = this.people.length;
        const address = `127.0.0.${2 + Math.floor(socket / SOCKETS_PER_ADDRESS)}`;
        socket += 2;
        const isWriter = k === 0;
        const isCodebookWriter = k === 0 && r === 0;
        const tDoc = isWriter ? new Y.Doc() : undefined;
        const cDoc = isCodebookWriter ? new Y.Doc() : undefined;
        const roomName = p.transcriptRooms[r]!;
        const nodes = p.wsBases.length;
        const node = nodeOf(r, k, nodes);
        const wsBase = p.wsBases[node]!;
        // The transcript writer is on node r mod n, the codebook writer (room 0) on node 0.
        const crossTranscript = node !== nodeOf(r, 0, nodes);
        const crossCodebook = node !== 0;
        const transcript = new SyncClient({
          url: roomUrl(p.server, wsBase, roomName, p.token), room: roomName, dialect, token: p.token, localAddress: address,
          ...(tDoc ? { doc: tDoc } : { onUpdate: (u, at) => this.receive(r, u, at, crossTranscript) }),
        });
        const codebook = new SyncClient({
          url: roomUrl(p.server, wsBase, p.codebookRoom, p.token), room: p.codebookRoom, dialect, token: p.token, localAddress: address,
          ...(cDoc ? { doc: cDoc } : { onUpdate: (u, at) => this.receive(n, u, at, crossCodebook) }),
        });
        this.people.push({ index, room: r, k, transcript, codebook, active: false });
        if (tDoc) this.writers.push({ room: r, client: transcript, doc: tDoc, seq: 0, period: 0, next: 0, bodyLength: 0 });
        if (cDoc) this.writers.push({ room: n, client: codebook, doc: cDoc, seq: 0, period: 0, next: 0, bodyLength: 0 });
      }
    }
  }

  get socketCount(): number { return this.people.length * 2; }

  /** Frames received from the server by every client so far. */
  framesIn(): number {
    let n = 0;
    for (const p of this.people) n += p.transcript.messagesIn + p.codebook.messagesIn;
    return n;
  }

  private receive(room: number, update: Uint8Array, at: number, crossNode: boolean): void {
    for (const m of readMarkers(update)) this.ledger.recordReceipt(room, m as { r: number; s: number; t: number }, at, crossNode);
  }

  /** Receivers of a room that are synced now (the writer's echo is not counted). */
  private expectedReceivers(room: number): number {
    let n = 0;
    if (room === this.codebookIndex) {
      for (const person of this.people) if (person.codebook.synced && !person.codebook.opts.doc) n++;
    } else {
      for (let k = 1; k < this.p.clientsPerRoom; k++) {
        const person = this.people[k * this.codebookIndex + room]!;
        if (person.transcript.synced) n++;
      }
    }
    return n;
  }

  private codebookReceivers = 0;

  /** Writers' transcript sockets (the N rooms get loaded, one connection each). */
  writerClients(): SyncClient[] {
    return this.writers.filter((w) => w.room !== this.codebookIndex).map((w) => w.client);
  }

  /** Every other socket, in join order. */
  otherClients(): SyncClient[] {
    const writerSet = new Set(this.writerClients());
    const out: SyncClient[] = [];
    for (const person of this.people) {
      if (!writerSet.has(person.transcript)) out.push(person.transcript);
      out.push(person.codebook);
    }
    return out;
  }

  /**
   * After the writers synced: rooms of servers that start empty get the same
   * transcript Concord imported; the codebook gets a few codes.
   */
  seedDocs(): void {
    const parsed = parseTranscript(this.p.seedText);
    const body = transcriptBody(parsed.turns);
    for (const w of this.writers) {
      if (w.room === this.codebookIndex) {
        const cb = new CodebookDoc(w.doc);
        for (let i = cb.codes.size; i < 12; i++) cb.createCode({ name: `Bench code ${i + 1}`, description: 'A code used by the benchmark.' });
        continue;
      }
      const t = new TranscriptDoc(w.doc);
      if (t.body.length === 0) {
        t.initialise(body.text, body.turnRanges.map((r) => ({ speaker: r.speaker, start: r.start })), { name: `Bench ${w.room}` });
      }
      w.bodyLength = t.body.length;
    }
  }

  /** Sets codings/s per transcript room and edits/s in the codebook; staggers the writers over one period. */
  setRates(perRoom: number, codebook: number): void {
    const now = performance.now();
    const n = this.writers.length;
    this.writers.forEach((w, i) => {
      const rate = w.room === this.codebookIndex ? codebook : perRoom;
      const period = rate > 0 ? 1000 / rate : 0;
      if (period === 0) { w.period = 0; return; }
      // Keep the phase when changing rate; stagger on start.
      w.next = w.period === 0 ? now + (i / n) * period : Math.min(w.next, now + period);
      w.period = period;
    });
  }

  setAwareness(hz: number): void {
    this.awarenessHz = hz;
  }

  /** Starts the 5 ms scheduler for writes and awareness. */
  start(): void {
    if (this.ticker) return;
    this.codebookReceivers = this.expectedReceivers(this.codebookIndex);
    this.ticker = setInterval(() => this.tick(), 5);
  }

  stop(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    this.setRates(0, 0);
    this.awarenessHz = 0;
  }

  private tick(): void {
    const now = performance.now();
    for (const w of this.writers) {
      if (w.period === 0 || !w.client.synced) continue;
      if (now - w.next > 1000) {
        // The generator fell a second behind: skip instead of bursting.
        this.writeLagSkips += Math.floor((now - w.next) / w.period);
        w.next = now;
      }
      let burst = 0;
      while (w.next <= now && burst++ < 50) {
        this.write(w);
        w.next += w.period;
      }
    }
    if (this.awarenessHz > 0) this.tickAwareness(now);
  }

  /** Each person sends a cursor update once per 1/hz s, spread over slots of 10 ms. */
  private tickAwareness(now: number): void {
    const slots = Math.max(1, Math.round(1000 / this.awarenessHz / 10));
    const slot = Math.floor(now / 10);
    if (this.lastAwarenessSlot < 0 || slot - this.lastAwarenessSlot > slots) this.lastAwarenessSlot = slot - 1;
    for (let s = this.lastAwarenessSlot + 1; s <= slot; s++) {
      const bucket = s % slots;
      for (let i = bucket; i < this.people.length; i += slots) {
        const person = this.people[i]!;
        if (!person.active || !person.transcript.synced) continue;
        this.cursor = (this.cursor + 7919) % 20000;
        person.transcript.sendAwareness(JSON.stringify({
          user: { name: `Coder ${person.index}`, color: '#0072B2' },
          cursor: { anchor: this.cursor, head: this.cursor + (person.index % 40) },
        }));
      }
    }
    this.lastAwarenessSlot = slot;
  }

  private write(w: Writer): void {
    const seq = w.seq++;
    const isCodebook = w.room === this.codebookIndex;
    const expected = isCodebook ? this.codebookReceivers : this.expectedReceivers(w.room);
    const t = performance.now();
    this.ledger.recordWrite(w.room, seq, t, expected);
    const marker = { r: w.room, s: seq, t };
    w.doc.transact(() => {
      if (isCodebook) {
        const codes = [...new CodebookDoc(w.doc).codes.values()];
        const code = codes[seq % Math.max(1, codes.length)];
        const def = code?.get('definition');
        if (def instanceof Y.Text) def.insert(Math.min(def.length, (seq * 13) % 200), 'word ');
      } else {
        const doc = new TranscriptDoc(w.doc);
        const span = 20 + (seq % 200);
        const start = Math.floor(Math.random() * Math.max(1, w.bodyLength - span));
        doc.addCoding(doc.codings, { codeId: `code-${seq % 24}`, coderId: 'bench-writer', start, end: start + span });
      }
      w.doc.getMap('bench').set('m', marker);
    });
  }

  /** Refreshes the codebook receiver count (after joins and leaves). */
  recount(): void {
    this.codebookReceivers = this.expectedReceivers(this.codebookIndex);
  }

  /** People chosen for the reconnect storm: non-writers, spread over rooms. */
  stormPeople(count: number): Person[] {
    return this.people.filter((p) => p.k > 0).slice(0, count);
  }
}
