/**
 * Does a large import stall everyone else? Starts one Concord server (its own
 * process, fresh data directory), connects two clients to one transcript and
 * measures how long an edit of one takes to reach the other (sent through the
 * server), first idle, then while the largest allowed transcript is uploaded,
 * then while ten are uploaded at once. Prints p50/p99/max per phase.
 *
 *   npm run bench:import                       # this checkout, from TypeScript sources (tsx)
 *   npm run bench:import -- --built            # the compiled server (apps/server/dist, `npm start` builds it)
 *   npm run bench:import -- --root /tmp/other  # another checkout (e.g. before a change), from its sources
 *   npm run bench:import -- --nice=-10         # server and clients ahead of other work on a shared machine
 *
 * Needs only the root install (ws, yjs, y-websocket), not `npm run bench:install`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { LIMITS } from '@concord/shared';
import { largeTranscript } from './large-transcript.ts';

const { values: opts } = parseArgs({
  options: {
    root: { type: 'string' }, built: { type: 'boolean', default: false },
    idle: { type: 'string', default: '5' }, interval: { type: 'string', default: '20' }, nice: { type: 'string', default: '0' },
  },
});
const ROOT = path.resolve(opts.root ?? path.join(import.meta.dirname, '../../..'));
const IDLE_S = Number(opts.idle);
const INTERVAL_MS = Number(opts.interval);
/** Scheduling priority of the server and this process (e.g. -10 on a shared machine; negative needs root). */
const NICE = Number(opts.nice);

/** The uploading thread: one JSON body built once, each job posts it under its own name. */
const UPLOADER = `
const { parentPort, workerData } = require('node:worker_threads');
const { base, pid, token, text } = workerData;
const prefix = '{"text":' + JSON.stringify(text) + ',"name":';
parentPort.postMessage('ready');
parentPort.on('message', async ({ job, name }) => {
  try {
    const res = await fetch(base + '/api/projects/' + pid + '/transcripts', {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token },
      body: prefix + JSON.stringify(name) + '}',
    });
    parentPort.postMessage({ job, status: res.status, body: await res.text() });
  } catch (err) {
    parentPort.postMessage({ job, status: 0, body: String(err) });
  }
});
`;

interface Server { url: string; stop: () => Promise<void> }

async function startServer(): Promise<Server> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'concord-import-stall-'));
  // BENCH_SERVER_NODE_FLAGS: extra flags for the server's node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
  const extra = (process.env.BENCH_SERVER_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const args = [...extra, ...(opts.built ? [path.join(ROOT, 'apps/server/dist/main.js')] : ['--import', 'tsx', path.join(ROOT, 'apps/server/src/main.ts')])];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', CONCORD_DATA: dataDir, CONCORD_DEMO: '0', CONCORD_LOG: 'silent' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (NICE !== 0 && child.pid) os.setPriority(child.pid, NICE);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Concord listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!.replace('localhost', '127.0.0.1'));
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
  return {
    url,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function api(base: string, method: string, p: string, body: unknown, token?: string): Promise<{ status: number; json: any }> {
  const res = await fetch(base + p, {
    method,
    headers: { 'content-type': 'application/json', origin: base, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  if (NICE !== 0) os.setPriority(NICE);
  const server = await startServer();
  try {
    const email = `bench-${Date.now()}@example.org`;
    const signup = await fetch(`${server.url}/api/auth/signup`, {
      method: 'POST', headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ email, password: 'correct horse battery staple', name: 'Bench' }),
    });
    const cookie = signup.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const tokenRes = await fetch(`${server.url}/api/tokens`, {
      method: 'POST', headers: { 'content-type': 'application/json', origin: server.url, cookie }, body: JSON.stringify({ name: 'bench' }),
    });
    const token = ((await tokenRes.json()) as { token: string }).token;
    const pid = (await api(server.url, 'POST', '/api/projects', { name: 'Import stall' }, token)).json.id as string;
    const tid = (await api(server.url, 'POST', `/api/projects/${pid}/transcripts`, { name: 'Live', text: 'Interviewer: Hello.\n\nP1: Hi.\n' }, token)).json.transcripts[0].id as string;

    // Two clients on one transcript: the writer appends "[n]", the reader notes when it arrives.
    const room = `${pid}/transcripts/${tid}`;
    const wsUrl = `${server.url.replace(/^http/, 'ws')}/sync`;
    const connect = (doc: Y.Doc) => new WebsocketProvider(wsUrl, room, doc, {
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket, disableBc: true, params: { token },
    });
    const writerDoc = new Y.Doc();
    const readerDoc = new Y.Doc();
    const writer = connect(writerDoc);
    const reader = connect(readerDoc);
    await Promise.all([writer, reader].map((p) => new Promise<void>((resolve) => { if (p.synced) resolve(); else p.once('sync', () => resolve()); })));
    const sentAt = new Map<number, number>();
    let samples: number[] = [];
    readerDoc.getText('body').observe((e) => {
      const now = performance.now();
      for (const d of e.delta) {
        if (typeof d.insert !== 'string') continue;
        for (const m of d.insert.matchAll(/\[(\d+)\]/g)) {
          const t = sentAt.get(Number(m[1]));
          if (t !== undefined) samples.push(now - t);
        }
      }
    });
    let seq = 0;
    const tick = setInterval(() => {
      const body = writerDoc.getText('body');
      sentAt.set(++seq, performance.now());
      body.insert(body.length, `[${seq}]`);
    }, INTERVAL_MS);

    const results: { phase: string; n: number; p50: number; p99: number; max: number; seconds: number; lost: number }[] = [];
    const phase = async (name: string, work: () => Promise<void>) => {
      samples = [];
      const firstSeq = seq + 1;
      const t0 = performance.now();
      await work();
      const seconds = (performance.now() - t0) / 1000;
      const lastSeq = seq;
      await new Promise((resolve) => setTimeout(resolve, 500)); // let the last edits arrive
      const got = samples.slice().sort((a, b) => a - b);
      results.push({
        phase: name, n: got.length, seconds,
        p50: percentile(got, 50), p99: percentile(got, 99), max: got[got.length - 1] ?? Number.NaN,
        lost: Math.max(0, lastSeq - firstSeq + 1 - got.length),
      });
      const r = results[results.length - 1]!;
      console.log(`${name}: ${seconds.toFixed(1)} s, ${r.n} edits, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms${failedUploads ? `, ${failedUploads} uploads failed so far` : ''}`);
    };

    // Uploads go from a worker thread: serialising and sending 5 MB bodies must not
    // delay this thread's clients, whose timing is what is measured.
    const largest = largeTranscript(LIMITS.maxTranscriptBytes, LIMITS.maxTranscriptTurns);
    const uploader = new Worker(UPLOADER, { eval: true, workerData: { base: server.url, pid, token, text: largest } });
    await new Promise((resolve) => uploader.once('message', resolve));
    let nextJob = 0;
    let failedUploads = 0;
    const upload = (name: string) => new Promise<void>((resolve) => {
      const job = ++nextJob;
      const onMessage = (m: { job: number; status: number; body: string }) => {
        if (m.job !== job) return;
        uploader.off('message', onMessage);
        if (m.status !== 201) {
          failedUploads++;
          console.error(`upload ${name} failed: ${m.status} ${m.body.slice(0, 300)}`);
        }
        resolve();
      };
      uploader.on('message', onMessage);
      uploader.postMessage({ job, name });
    });
    await phase('idle', () => new Promise((resolve) => setTimeout(resolve, IDLE_S * 1000)));
    await phase(`one upload (${(Buffer.byteLength(largest) / 1e6).toFixed(1)} MB, ${LIMITS.maxTranscriptTurns} turns)`, () => upload('largest'));
    await phase('ten uploads at once', async () => { await Promise.all(Array.from({ length: 10 }, (_, i) => upload(`largest-${i}`))); });
    clearInterval(tick);
    await uploader.terminate();
    writer.destroy();
    reader.destroy();

    console.log(`\nEdit round trip (writer → server → reader), one edit every ${INTERVAL_MS} ms; ${opts.built ? 'built' : 'sources'} at ${ROOT}\n`);
    console.log('| phase | duration | edits | p50 ms | p99 ms | max ms |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const r of results) {
      console.log(`| ${r.phase} | ${r.seconds.toFixed(1)} s | ${r.n}${r.lost ? ` (${r.lost} late)` : ''} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(1)} |`);
    }
  } finally {
    await server.stop();
  }
}

main().then(() => process.exit(0), (err: unknown) => { console.error(err); process.exit(1); });
