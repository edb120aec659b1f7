/**
 * The y-websocket 2.1.0 reference server (`bin/utils.cjs` `setupWSConnection`,
 * as its own `bin/server.cjs` wires it) with a small persistence adapter:
 * every update is appended to a SQLite file (better-sqlite3, WAL,
 * synchronous=NORMAL — the same settings as Concord) as it is applied; when the
 * last client leaves, the room is compacted into one row and unloaded.
 * Env: PORT (0 = any), HOST (127.0.0.1), BENCH_DATA (directory).
 * Prints `listening on http://<host>:<port>` once ready. Rooms and connections
 * are reported to the bench probe through `globalThis.__benchDebug`.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import Database from 'better-sqlite3';
import { WebSocketServer } from 'ws';
import type { Doc } from 'yjs';

interface SharedDoc extends Doc {
  name: string;
  conns: Map<object, Set<number>>;
}
interface Persistence {
  bindState(name: string, doc: SharedDoc): void;
  writeState(name: string, doc: SharedDoc): Promise<void>;
  provider: unknown;
}
interface YWebsocketUtils {
  setupWSConnection(conn: unknown, req: http.IncomingMessage, opts?: { docName?: string; gc?: boolean }): void;
  setPersistence(p: Persistence | null): void;
  docs: Map<string, SharedDoc>;
}

const require = createRequire(import.meta.url);
const utils = require('y-websocket-server-2/bin/utils') as YWebsocketUtils;
// The CommonJS build of yjs, the one utils.cjs uses (importing the ES build too would load a second copy).
const Y = require('yjs') as typeof import('yjs');

const dataDir = process.env.BENCH_DATA ?? fs.mkdtempSync('/tmp/y-websocket-');
fs.mkdirSync(dataDir, { recursive: true });
const host = process.env.HOST ?? '127.0.0.1';

const db = new Database(path.join(dataDir, 'y-websocket.sqlite'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec('CREATE TABLE IF NOT EXISTS updates (id INTEGER PRIMARY KEY AUTOINCREMENT, doc TEXT NOT NULL, data BLOB NOT NULL)');
db.exec('CREATE INDEX IF NOT EXISTS updates_doc ON updates (doc, id)');
const selectDoc = db.prepare<[string], { data: Buffer }>('SELECT data FROM updates WHERE doc = ? ORDER BY id');
const insert = db.prepare<[string, Uint8Array]>('INSERT INTO updates (doc, data) VALUES (?, ?)');
const clear = db.prepare<[string]>('DELETE FROM updates WHERE doc = ?');
const compact = db.transaction((name: string, state: Uint8Array) => {
  clear.run(name);
  insert.run(name, state);
});

utils.setPersistence({
  provider: db,
  bindState(name, doc) {
    const rows = selectDoc.all(name);
    Y.transact(doc, () => {
      for (const r of rows) Y.applyUpdate(doc, r.data);
    }, 'load');
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== 'load') insert.run(name, update);
    });
  },
  async writeState(name, doc) {
    compact(name, Y.encodeStateAsUpdate(doc));
  },
});

const wss = new WebSocketServer({ noServer: true });
wss.on('connection', (ws, req: http.IncomingMessage) => utils.setupWSConnection(ws, req));

const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('okay');
});
server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
});

globalThis.__benchDebug = () => {
  let connections = 0;
  for (const d of utils.docs.values()) connections += d.conns.size;
  return { rooms: utils.docs.size, connections };
};

const stop = () => {
  server.close();
  for (const ws of wss.clients) ws.terminate();
  db.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

server.listen(Number(process.env.PORT ?? 0), host, () => {
  const addr = server.address();
  const port = addr && typeof addr === 'object' ? addr.port : 0;
  console.log(`listening on http://${host}:${port}`);
});
