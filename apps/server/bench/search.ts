/**
 * Search benchmark (issue 18): a project of N transcripts of about 30 KB each on
 * SQLite, searched over HTTP through the real server.
 *
 *   npm run bench:search -w @concord/server [-- --transcripts 1000 --kb 30 --queries 200]
 *
 * Reports: time to index the project (the first search indexes every transcript
 * never indexed), p50/p95/max of search requests over a mix of common and rare
 * words, phrases, prefixes and accented spellings, and how long after an edit
 * (a WebSocket client inserting a new word) the word is found.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { newId, parseTranscript, TranscriptDoc, transcriptBody, transcriptRoom } from '@concord/shared';
import { loadConfig } from '../src/env.ts';
import { startServer } from '../src/server.ts';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg('transcripts', 1000);
const KB = arg('kb', 30);
const QUERIES = arg('queries', 200);

const seedsDir = path.resolve(import.meta.dirname, '../../../seeds');
const seedTurns = fs.readdirSync(seedsDir).filter((f) => f.endsWith('.txt'))
  .flatMap((f) => parseTranscript(fs.readFileSync(path.join(seedsDir, f), 'utf8'), f).turns)
  .filter((t) => t.text.length > 40);

/** A transcript of about KB kilobytes: seed turns in a random order, two speakers, a few unique words. */
function makeText(i: number): string {
  const lines: string[] = [];
  let size = 0;
  let k = (i * 7919) % seedTurns.length;
  let turn = 0;
  while (size < KB * 1024) {
    const t = seedTurns[k % seedTurns.length]!;
    const extra = turn === 5 ? ` Participant${i} mentioned the café at Zoë's.` : '';
    const line = `${turn % 2 === 0 ? 'Interviewer' : `P${i}`}: ${t.text.replace(/\s+/g, ' ')}${extra}`;
    lines.push(line);
    size += line.length + 2;
    k += 13 + (i % 5);
    turn++;
  }
  return `${lines.join('\n\n')}\n`;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'concord-bench-search-'));
  const cfg = loadConfig({ CONCORD_SIGNUPS_PER_IP: '1000000' }, { port: 0, host: '127.0.0.1', dataDir, demo: false, log: 'silent' });
  const server = await startServer(cfg);
  try {
    const base = server.url;
    const signup = await fetch(`${base}/api/auth/signup`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench@example.org', password: 'correct horse battery', name: 'Bench' }),
    });
    const cookie = signup.headers.getSetCookie()[0]!.split(';')[0]!;
    const userId = ((await signup.json()) as { user: { id: string } }).user.id;
    const api = async (method: string, p: string, body?: unknown) => {
      const r = await fetch(base + p, { method, headers: { cookie, 'content-type': 'application/json' }, body: body === undefined ? null : JSON.stringify(body) });
      return { status: r.status, json: (await r.json()) as Record<string, unknown> };
    };
    const pid = (await api('POST', '/api/projects', { name: 'Bench' })).json.id as string;
    const token = (await api('POST', '/api/tokens', { name: 'bench' })).json.token as string;

    // Transcripts written straight to storage (what an import leaves behind), not yet indexed.
    let bytes = 0;
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const parsed = parseTranscript(makeText(i), `t${i}.txt`);
      const body = transcriptBody(parsed.turns);
      bytes += Buffer.byteLength(body.text);
      const doc = new Y.Doc();
      new TranscriptDoc(doc).initialise(body.text, body.turnRanges.map((r) => ({ speaker: r.speaker, start: r.start })), { name: `Interview ${i}` });
      const id = newId(12);
      await server.deps.storage.appendUpdates(transcriptRoom(pid, id), [Y.encodeStateAsUpdate(doc)]);
      await server.deps.storage.createTranscript({ id, projectId: pid, name: `Interview ${i}`, createdAt: i, turns: 0, codings: 0, mode: 'open', revealed: false });
      doc.destroy();
    }
    console.log(`created ${N} transcripts, ${(bytes / N / 1024).toFixed(1)} KB each on average (${(bytes / 1024 / 1024).toFixed(1)} MB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    void userId;

    const search = async (q: string) => {
      const s = performance.now();
      const r = await api('GET', `/api/projects/${pid}/search?${q}`);
      if (r.status !== 200) throw new Error(`search ${q}: ${r.status} ${JSON.stringify(r.json)}`);
      return { ms: performance.now() - s, hits: (r.json.hits as unknown[]).length, indexing: r.json.indexing === true };
    };
    const first = await search('q=cafe');
    console.log(`first search: answered in ${(first.ms / 1000).toFixed(1)} s with ${first.hits} hits${first.indexing ? ' (still indexing)' : ''}`);
    const indexStart = performance.now() - first.ms;
    for (let r = first; r.indexing;) {
      await new Promise((res) => setTimeout(res, 200));
      r = await search('q=cafe');
    }
    console.log(`every transcript indexed ${((performance.now() - indexStart) / 1000).toFixed(1)} s after the first search`);

    const mix = [
      'q=cafe', 'q=Zo%C3%AB', `q=participant${N - 1}`, 'q=work', 'q=the', 'q=%22I%20think%22', 'q=feel*', 'q=interv*',
      'q=support%20team', 'q=%22at%20the%20end%20of%22', 'q=nurse', 'q=experience*', 'q=caf%C3%A9&speaker=Interviewer', 'q=money%20time',
      `regex=${encodeURIComponent('Participant1\\d\\d mentioned')}&q=mentioned`,
    ];
    const times: number[] = [];
    const per = new Map<string, { ms: number[]; hits: number }>();
    for (let i = 0; i < QUERIES; i++) {
      const q = mix[i % mix.length]!;
      const r = await search(q);
      if (i % 50 === 0) process.stderr.write(`  query ${i}/${QUERIES}\n`);
      times.push(r.ms);
      const e = per.get(q) ?? { ms: [], hits: r.hits };
      e.ms.push(r.ms);
      per.set(q, e);
    }
    for (const [q, e] of per) console.log(`  ${decodeURIComponent(q).padEnd(48)} ${String(e.hits).padStart(4)} hits  median ${e.ms.sort((a, b) => a - b)[e.ms.length >> 1]!.toFixed(1)} ms`);
    // Full-text queries use the index; a regular expression is applied to every candidate turn (bounded), reported apart.
    const summary = (label: string, list: number[]) => {
      const sorted = [...list].sort((a, b) => a - b);
      console.log(`${label}, ${sorted.length} requests: p50 ${pct(sorted, 50).toFixed(1)} ms, p95 ${pct(sorted, 95).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`);
    };
    summary('full-text search over HTTP', [...per].filter(([q]) => !q.includes('regex=')).flatMap(([, e]) => e.ms));
    summary('regular expression over HTTP', [...per].filter(([q]) => q.includes('regex=')).flatMap(([, e]) => e.ms));
    summary('all requests', times);

    // Edit → found: a client inserts a new word; poll the search until it finds it.
    const lags: number[] = [];
    const transcripts = (await api('GET', `/api/projects/${pid}`)).json.transcripts as { id: string }[];
    for (let i = 0; i < 10; i++) {
      const doc = new Y.Doc();
      const p = new WebsocketProvider(`${base.replace(/^http/, 'ws')}/sync`, transcriptRoom(pid, transcripts[i * 37 % transcripts.length]!.id), doc, {
        WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket, disableBc: true, params: { token },
      });
      await new Promise<void>((res) => p.once('sync', () => res()));
      const word = `zebrafish${i}x${Date.now().toString(36)}`;
      const s = performance.now();
      new TranscriptDoc(doc).body.insert(100, ` ${word} `);
      for (;;) {
        if ((await search(`q=${word}`)).hits === 1) break;
        if (performance.now() - s > 30_000) throw new Error(`the edit was not found within 30 s (${word})`);
        await new Promise((res) => setTimeout(res, 10));
      }
      lags.push(performance.now() - s);
      p.destroy();
      doc.destroy();
    }
    lags.sort((a, b) => a - b);
    console.log(`edit → found by search (10 edits): median ${pct(lags, 50).toFixed(0)} ms, max ${lags.at(-1)!.toFixed(0)} ms`);
  } finally {
    await server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
