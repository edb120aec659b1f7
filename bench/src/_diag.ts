import fs from 'node:fs';
import { startServer, setupConcord } from './servers.ts';
import { Workload } from './workload.ts';
import { percentiles } from './metrics.ts';
const kind = (process.argv[2] ?? 'concord') as 'concord';
const rate = Number(process.argv[3] ?? 8);
const aw = Number(process.argv[4] ?? 0);
const text = fs.readFileSync('../seeds/002_d7997d699528739a.txt', 'utf8');
const s = await startServer(kind, '/tmp/diag-' + Date.now(), '/tmp/diag.log');
import { spawn } from 'node:child_process';
const st = process.env.STRACE ? spawn('strace', ['-f', '-T', '-tt', '-e', 'trace=fsync,fdatasync,futex', '-p', String(s.pid), '-o', '/tmp/strace.out'], { stdio: 'ignore' }) : null;
await new Promise(r => setTimeout(r, 500));
let rooms: string[]; let token: string | null = null; let cb: string;
if (kind === 'concord') { const fx = await setupConcord(s.httpUrl, 20, text); token = fx.token; rooms = fx.transcriptIds.map(i => `${fx.projectId}/transcripts/${i}`); cb = `${fx.projectId}/codebook`; }
else { rooms = Array.from({length: 20}, (_, i) => `p/transcripts/t${i}`); cb = 'p/codebook'; }
const w = new Workload({ server: kind, wsBase: s.wsBase, token, transcriptRooms: rooms, codebookRoom: cb, clientsPerRoom: 3, seedText: text });
for (const c of w.writerClients()) await c.connect(10000);
w.seedDocs();
for (const c of w.otherClients()) await c.connect(10000);
for (const p of w.people) p.active = true;
w.recount(); w.setAwareness(aw); w.setRates(rate, 2); w.start();
await new Promise(r => setTimeout(r, 2000));
const id = w.ledger.openWindow();
await new Promise(r => setTimeout(r, 5000));
w.ledger.closeWindow();
await new Promise(r => setTimeout(r, 1000));
const sum = w.ledger.summary(id);
console.log(kind, 'rate', rate, 'aw', aw, percentiles(sum.transcript), 'lost', sum.lost);
const hist = new Map<number, number>(); for (const v of sum.transcript) { const b = Math.floor(v / 10) * 10; hist.set(b, (hist.get(b) ?? 0) + 1); }
console.log([...hist].sort((a, b) => a[0] - b[0]).map(([b, n]) => `${b}:${n}`).join(' '));
w.stop(); for (const p of w.people) { p.transcript.drop(); p.codebook.drop(); }
st?.kill('SIGINT'); await s.stop(); process.exit(0);
