/**
 * Hocuspocus 3.4 as a user would run it: `@hocuspocus/server` with
 * `@hocuspocus/extension-sqlite` on a file and the default store debounce
 * (2 s, at most 10 s). Env: PORT (0 = any), HOST (127.0.0.1), BENCH_DATA (directory).
 * Prints `listening on http://<host>:<port>` once ready. Rooms and connections
 * are reported to the bench probe through `globalThis.__benchDebug`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Server } from '@hocuspocus/server';
import { SQLite } from '@hocuspocus/extension-sqlite';

const dataDir = process.env.BENCH_DATA ?? fs.mkdtempSync('/tmp/hocuspocus-');
fs.mkdirSync(dataDir, { recursive: true });
const host = process.env.HOST ?? '127.0.0.1';

const server = new Server({
  port: Number(process.env.PORT ?? 0),
  address: host,
  quiet: true,
  extensions: [new SQLite({ database: path.join(dataDir, 'hocuspocus.sqlite') })],
});

globalThis.__benchDebug = () => ({
  rooms: server.hocuspocus.getDocumentsCount(),
  connections: server.hocuspocus.getConnectionsCount(),
});

await server.listen();
console.log(`listening on http://${host}:${server.address.port}`);
