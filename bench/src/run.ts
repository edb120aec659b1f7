/**
 * `npm run bench [-- --quick] [-- --servers concord,concord-cluster,hocuspocus] [-- --rooms N --clients K]`
 *
 * For each server in turn: start it as child process(es) on loopback (the cluster:
 * two Concord nodes on PostgreSQL + Redis), prepare its data (Concord: user, token,
 * project and N transcripts over HTTP), fork a fresh load process that drives the
 * workload and measures, stop the server. Then
 * write bench/results/<date>-<sha>[-quick].{json,md,svg} and print the table.
 * Raw server and load logs go to bench/results/raw/ (gitignored).
 */
import { execFileSync, fork } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { cpuPercent, readSystemCpu } from './metrics.ts';
import { renderMarkdown, renderSvg } from './report.ts';
import { BENCH_DIR, prepareDeployment, REPO_ROOT, setupConcord, startServer, type RunningServer } from './servers.ts';
import type { BenchOptions, BenchReport, LoadConfig, ServerKind, ServerResult } from './types.ts';
import { isConcord, SERVER_LABELS } from './types.ts';
import { dialectOf } from './workload.ts';

const ALL_SERVERS: ServerKind[] = ['concord', 'concord-pg', 'concord-cluster', 'hocuspocus', 'y-websocket'];

export function parseOptions(argv: string[]): BenchOptions {
  const flag = (name: string) => argv.includes(`--${name}`);
  const value = (name: string): string | undefined => {
    const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    if (i < 0) return undefined;
    const a = argv[i]!;
    return a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[i + 1];
  };
  const num = (name: string, dflt: number, min = Number.MIN_VALUE) => {
    const v = value(name);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ${min === Number.MIN_VALUE ? '> 0' : `≥ ${min}`}, got "${v}"`);
    return n;
  };
  const quick = flag('quick');
  const servers = (value('servers')?.split(',').map((s) => s.trim()) ?? ALL_SERVERS) as ServerKind[];
  for (const s of servers) if (!ALL_SERVERS.includes(s)) throw new Error(`unknown server "${s}" (${ALL_SERVERS.join(', ')})`);
  const base: BenchOptions = quick
    ? {
        quick, rooms: 20, clientsPerRoom: 3, writeRate: 1, codebookRate: 2, awarenessHz: 5, memorySettleS: 1,
        warmupS: 1, measureS: 3, saturationRates: [1, 16], saturationSettleS: 1, saturationStepS: 2, saturationP99Ms: 100,
        stormClients: 40, stormSpreadMs: 1000, stormTimeoutS: 20, churnTimeoutS: 15, servers, quietWaitS: 0, nice: 0,
      }
    : {
        quick, rooms: 300, clientsPerRoom: 4, writeRate: 1, codebookRate: 2, awarenessHz: 5, memorySettleS: 3,
        warmupS: 5, measureS: 20, saturationRates: [1, 2, 4, 8, 16, 32, 64], saturationSettleS: 3, saturationStepS: 8,
        saturationP99Ms: 100, stormClients: 500, stormSpreadMs: 1000, stormTimeoutS: 60, churnTimeoutS: 30, servers, quietWaitS: 180, nice: 0,
      };
  return {
    ...base,
    rooms: Math.round(num('rooms', base.rooms)),
    clientsPerRoom: Math.max(2, Math.round(num('clients', base.clientsPerRoom))),
    measureS: num('measure', base.measureS),
    stormClients: Math.round(num('storm', base.stormClients)),
    quietWaitS: num('quiet-wait', base.quietWaitS, 0),
    nice: Math.round(num('nice', 0, -20)),
    saturationRates: value('steps')?.split(',').map(Number).filter((n) => n > 0) ?? base.saturationRates,
  };
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

function packageVersion(name: string): string {
  for (const dir of [path.join(BENCH_DIR, 'node_modules'), path.join(REPO_ROOT, 'node_modules')]) {
    const file = path.join(dir, name, 'package.json');
    if (fs.existsSync(file)) return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return '?';
}

function seedText(): string {
  const dir = path.join(REPO_ROOT, 'seeds');
  const file = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => f.startsWith('002_')) : undefined;
  if (file) return fs.readFileSync(path.join(dir, file), 'utf8');
  // Fallback: a synthetic interview of similar size.
  const turns: string[] = [];
  for (let i = 0; i < 160; i++) turns.push(`${i % 2 ? 'Interviewee' : 'Interviewer'}: ${'We talked about data quality and model evaluation. '.repeat(3)}`);
  return turns.join('\n\n');
}

function fakeId(i: number, len: number): string {
  return `b${i.toString(36).padStart(len - 1, '0')}`;
}

/**
 * Other work on this machine (tests, builds) skews every number. Waits, at most
 * `maxWaitS`, until the whole machine is below `threshold` % of a core for 3 s;
 * returns the last reading.
 */
async function waitForQuiet(maxWaitS: number, threshold: number): Promise<number> {
  if (maxWaitS <= 0) return 0;
  const end = Date.now() + maxWaitS * 1000;
  for (;;) {
    const a = readSystemCpu();
    await new Promise((r) => setTimeout(r, 3000));
    const busy = cpuPercent(a, readSystemCpu());
    if (busy < threshold || Date.now() >= end) return busy;
    console.error(`machine busy (${busy}% of a core in other processes); waiting for quiet…`);
  }
}

/** Forks the load process for one server and waits for its result. */
function runLoad(config: LoadConfig, logFile: string, timeoutMs: number, nice: number): Promise<ServerResult> {
  const out = fs.createWriteStream(logFile);
  const child = fork(path.join(BENCH_DIR, 'src/load.ts'), [], {
    cwd: BENCH_DIR,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  if (nice !== 0 && child.pid) os.setPriority(child.pid, nice);
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  return new Promise<ServerResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`load process timed out after ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    child.on('message', (msg: { type: string; msg?: string; result?: ServerResult; error?: string }) => {
      if (msg.type === 'log') {
        const line = `[${config.server}] ${msg.msg}`;
        console.error(line);
        out.write(`${line}\n`);
      } else if (msg.type === 'result' && msg.result) {
        clearTimeout(timer);
        resolve(msg.result);
      } else if (msg.type === 'error') {
        clearTimeout(timer);
        reject(new Error(msg.error));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      out.end();
      reject(new Error(`load process exited with ${code}; see ${logFile}`));
    });
    child.send({ type: 'start', config });
  });
}

function failedResult(server: ServerKind, error: string): ServerResult {
  const zero = { rss: 0, heap: 0 };
  return {
    server, label: SERVER_LABELS[server], nodes: 0, ok: false, error, smoke: { ok: false, ms: 0, error }, setupMs: 0,
    connect: { sockets: 0, totalMs: 0, perSocket: { count: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 }, failed: 0 },
    memory: { baseline: zero, roomsLoaded: zero, allConnected: zero, rooms: 0, idleConnections: 0, perIdleConnection: zero, perLoadedRoom: zero },
    defaultLoad: null, saturation: [], saturationUpdatesPerS: null, saturationLastGood: null, storm: null, churn: null,
    loadProcess: { cpuPctDefault: 0 },
  };
}

async function benchServer(kind: ServerKind, o: BenchOptions, text: string, rawDir: string, tmp: string): Promise<ServerResult> {
  const deployment = await prepareDeployment(kind);
  const nodes: RunningServer[] = [];
  try {
    let token: string | null = null;
    const projectId = fakeId(1, 12);
    let transcriptRooms = Array.from({ length: o.rooms }, (_, i) => `${projectId}/transcripts/${fakeId(i, 12)}`);
    let codebookRoom = `${projectId}/codebook`;
    let setupMs = 0;
    const dataDir = (i: number) => path.join(tmp, `${kind}-${i + 1}`);
    if (isConcord(kind)) {
      // Made over HTTP in a first process; the measured processes start fresh on the same data,
      // so their baseline memory does not carry the imports (the others start empty too).
      const setup = await startServer(kind, dataDir(0), path.join(rawDir, `${kind}-setup.log`), 0, deployment.nodeEnv[0]);
      try {
        console.error(`[${kind}] creating user, token, project and ${o.rooms} transcripts over HTTP`);
        const fx = await setupConcord(setup.httpUrl, o.rooms, text);
        token = fx.token;
        transcriptRooms = fx.transcriptIds.map((id) => `${fx.projectId}/transcripts/${id}`);
        codebookRoom = `${fx.projectId}/codebook`;
        setupMs = fx.setupMs;
      } finally {
        await setup.stop();
      }
    }
    // One at a time: on two cores parallel start-ups only slow each other down.
    for (const [i, env] of deployment.nodeEnv.entries()) {
      const logName = deployment.nodeEnv.length > 1 ? `${kind}-server-${i + 1}.log` : `${kind}-server.log`;
      nodes.push(await startServer(kind, dataDir(i), path.join(rawDir, logName), o.nice, env));
    }
    console.error(`[${kind}] started, ${nodes.map((n) => `pid ${n.pid} ${n.httpUrl}`).join(', ')}`);
    const config: LoadConfig = {
      server: kind, dialect: dialectOf(kind), token, transcriptRooms, codebookRoom, seedText: text, options: o,
      nodes: nodes.map((n) => ({
        wsBase: n.wsBase, pid: n.pid, probeUrl: n.probeUrl, healthUrl: isConcord(kind) ? `${n.httpUrl}/api/health` : null,
      })),
    };
    const died = Promise.race(nodes.map((n, i) => n.exited.then((code) => {
      throw new Error(`${kind} server${nodes.length > 1 ? ` ${i + 1}` : ''} exited with ${code} during the run`);
    })));
    const result = await Promise.race([runLoad(config, path.join(rawDir, `${kind}-load.log`), (o.quick ? 5 : 40) * 60_000, o.nice), died]);
    result.setupMs = setupMs;
    return result;
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    await deployment.cleanup().catch((err: unknown) => console.error(`[${kind}] cleanup: ${String(err)}`));
  }
}

/** `--render results/<stem>.json`: re-renders the Markdown and SVG of a finished run (after report changes). */
function render(file: string): void {
  const report = JSON.parse(fs.readFileSync(file, 'utf8')) as BenchReport;
  const stem = file.replace(/\.json$/, '');
  const md = renderMarkdown(report);
  fs.writeFileSync(`${stem}.md`, `${md}\n\n![latency against load](./${path.basename(stem)}.svg)\n`);
  fs.writeFileSync(`${stem}.svg`, `${renderSvg(report)}\n`);
  console.log(md);
}

/** The comparison servers are installed on request only (`npm run bench:install`). */
function requireBenchInstall(): void {
  const require = createRequire(import.meta.url);
  for (const pkg of ['@hocuspocus/server', '@hocuspocus/provider', 'y-websocket-server-2/package.json']) {
    try {
      require.resolve(pkg);
    } catch {
      console.error(`The benchmark's servers are not installed (${pkg} is missing). Run \`npm run bench:install\` once, then \`npm run bench\` again.`);
      process.exit(1);
    }
  }
}

async function main(): Promise<void> {
  const renderAt = process.argv.indexOf('--render');
  if (renderAt >= 0) return render(path.resolve(process.argv[renderAt + 1] ?? ''));
  requireBenchInstall();
  const o = parseOptions(process.argv.slice(2));
  const date = new Date().toISOString().slice(0, 10);
  const sha = git(['rev-parse', '--short', 'HEAD']) || 'nogit';
  const dirty = git(['status', '--porcelain']).length > 0;
  const fullSize = o.rooms === 300 && o.clientsPerRoom === 4;
  // Runs with a subset of servers or changed phases never overwrite a complete run's files.
  const partial = ['--servers', '--steps', '--measure', '--storm'].some((f) => process.argv.some((a) => a.startsWith(f)));
  const stem = `${date}-${sha}${o.quick ? '-quick' : fullSize ? '' : `-n${o.rooms}k${o.clientsPerRoom}`}${partial ? '-partial' : ''}`;
  const resultsDir = path.join(BENCH_DIR, 'results');
  const rawDir = path.join(resultsDir, 'raw', stem);
  fs.mkdirSync(rawDir, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'concord-bench-'));
  const text = seedText();
  console.error(`bench ${o.quick ? '(quick) ' : ''}→ ${path.relative(REPO_ROOT, resultsDir)}/${stem}.*; raw logs in ${path.relative(REPO_ROOT, rawDir)}/`);

  const results: ServerResult[] = [];
  const notes: string[] = [];
  try {
    for (const kind of o.servers) {
      try {
        const busy = await waitForQuiet(o.quietWaitS, 30);
        if (busy >= 30) notes.push(`${SERVER_LABELS[kind]} started while other processes used ${busy}% of a core.`);
        results.push(await benchServer(kind, o, text, rawDir, tmp));
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        console.error(`[${kind}] FAILED: ${msg}`);
        results.push(failedResult(kind, msg));
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  const cpus = os.cpus();
  const report: BenchReport = {
    date, gitSha: sha, gitDirty: dirty, quick: o.quick,
    machine: {
      cpus: cpus.length, cpuModel: cpus[0]?.model ?? '?', memGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version, platform: `${os.platform()} ${os.release()}`,
    },
    versions: {
      yjs: packageVersion('yjs'), 'y-protocols': packageVersion('y-protocols'), lib0: packageVersion('lib0'), ws: packageVersion('ws'),
      '@hocuspocus/server': packageVersion('@hocuspocus/server'), 'y-websocket (ref server)': packageVersion('y-websocket-server-2'),
      'better-sqlite3': packageVersion('better-sqlite3'), sqlite3: packageVersion('sqlite3'),
    },
    options: o,
    results,
    notes: [
      'Each server runs alone, in turn, in its own process; the load generator is a separate, freshly forked process per server.',
      'Clients connect from 127.0.0.2… (150 sockets per address): Concord allows 200 WebSocket connections per IP, and real users come from many hosts.',
      'Memory per idle connection = (memory with all sockets joined − memory with one writer per room) / sockets added; ' +
        'per loaded room = (memory with one writer per room − baseline − those writers\' connections) / rooms. RSS from /proc/<pid>/status, ' +
        'heap = heapUsed + external after two forced GCs (the probe).',
      'Rooms left: Concord from /api/health `rooms`; Hocuspocus and the reference server from the probe (`getDocumentsCount()`, `docs.size`). ' +
        'Timers left: live setTimeout/setInterval handles (unref\'d included) counted by the probe preloaded into each server, after minus before.',
      'A window\'s p99 counts deliveries still missing after the grace second at their age so far, so lost updates raise p99 instead of hiding.',
      '"other CPU" is what every other process on the machine used during a window (from /proc/stat): this machine is shared, so compare runs with little of it.',
      ...(o.nice !== 0 ? [`Server and load processes ran at nice ${o.nice} (ahead of other work on the machine).`] : []),
      ...notes,
    ],
  };

  const md = renderMarkdown(report);
  fs.writeFileSync(path.join(resultsDir, `${stem}.json`), `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(path.join(resultsDir, `${stem}.md`), `${md}\n\n![latency against load](./${stem}.svg)\n`);
  fs.writeFileSync(path.join(resultsDir, `${stem}.svg`), `${renderSvg(report)}\n`);
  console.log(md);
  const bad = results.filter((r) => !r.ok);
  if (bad.length) {
    console.error(`\n${bad.length} server run(s) had problems: ${bad.map((r) => `${r.server}: ${r.error}`).join('; ')}`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : String(err));
  process.exit(1);
});
