/**
 * The load process: forked by run.ts once per server, so the load generator is
 * a separate process from the server and starts fresh for each one. It runs
 * every phase against one server and sends back a ServerResult over IPC.
 *
 * Phases: smoke check with real providers → baseline memory → writers join (rooms
 * loaded) → everyone joins (idle connections) → default load → saturation steps →
 * reconnect storm under default load → everyone leaves → rooms and timers left.
 */
import { performance } from 'node:perf_hooks';
import type { SyncClient } from './client.ts';
import {
  cpuPercent, infraPids, LoopLag, memorySample, percentiles, probe, readCpu, tryProbe, readRss, readSystemCpu, round, RssSampler, SelfCpu,
} from './metrics.ts';
import { smokeCheck } from './smoke.ts';
import type { ChurnResult, LoadConfig, MemorySample, Percentiles, ProbeSnapshot, ServerResult, StormResult, WindowResult } from './types.ts';
import { SERVER_LABELS } from './types.ts';
import { Workload, type Person } from './workload.ts';

type ToParent =
  | { type: 'log'; msg: string }
  | { type: 'result'; result: ServerResult }
  | { type: 'error'; error: string };

function send(msg: ToParent, then?: () => void): void {
  if (process.send) process.send(msg, undefined, {}, () => then?.());
  else then?.();
}

function log(msg: string): void { send({ type: 'log', msg }); }

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function connectAll(clients: SyncClient[], concurrency: number, timeoutMs: number): Promise<{ times: number[]; failed: number; totalMs: number }> {
  const t0 = performance.now();
  const times: number[] = [];
  let failed = 0;
  let next = 0;
  const worker = async () => {
    while (next < clients.length) {
      const c = clients[next++]!;
      let ok = false;
      for (let attempt = 0; attempt < 3 && !ok; attempt++) {
        try {
          times.push(await c.connect(timeoutMs));
          ok = true;
        } catch {
          await sleep(100 * (attempt + 1));
        }
      }
      if (!ok) failed++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, clients.length) }, worker));
  return { times, failed, totalMs: Math.round(performance.now() - t0) };
}

class Runner {
  readonly w: Workload;
  private readonly lag = new LoopLag();
  private readonly self = new SelfCpu();
  private readonly n: number;

  constructor(readonly cfg: LoadConfig) {
    this.w = new Workload({
      server: cfg.server, wsBases: cfg.nodes.map((n) => n.wsBase), token: cfg.token, transcriptRooms: cfg.transcriptRooms,
      codebookRoom: cfg.codebookRoom, clientsPerRoom: cfg.options.clientsPerRoom, seedText: cfg.seedText,
    });
    this.n = cfg.transcriptRooms.length;
  }

  private get o() { return this.cfg.options; }

  private get pids(): number[] { return this.cfg.nodes.map((n) => n.pid); }

  /** Every node's probe; null where one did not answer. */
  private probeAll(action: 'gc' | 'lag-reset' | null = null): Promise<(ProbeSnapshot | null)[]> {
    return Promise.all(this.cfg.nodes.map((n) => (action === 'gc' ? probe(n.probeUrl, 'gc').catch(() => null) : tryProbe(n.probeUrl, action))));
  }

  offered(perRoom: number): number { return perRoom * this.n + this.o.codebookRate; }

  /** Rooms loaded on all nodes together. */
  async rooms(): Promise<number | null> {
    try {
      const counts = await Promise.all(this.cfg.nodes.map(async (node) => {
        if (node.healthUrl) {
          const res = await fetch(node.healthUrl, { signal: AbortSignal.timeout(5000) });
          return ((await res.json()) as { rooms?: number }).rooms ?? null;
        }
        return (await probe(node.probeUrl, null, 5000)).debug?.rooms ?? null;
      }));
      return counts.some((c) => c === null) ? null : counts.reduce((a: number, b) => a + b!, 0);
    } catch {
      return null;
    }
  }

  async waitRooms(timeoutMs: number): Promise<{ rooms: number | null; waited: number }> {
    const t0 = performance.now();
    let rooms = await this.rooms();
    while (rooms !== 0 && performance.now() - t0 < timeoutMs) {
      await sleep(200);
      rooms = await this.rooms();
    }
    return { rooms, waited: Math.round(performance.now() - t0) };
  }

  memory(): Promise<MemorySample> { return memorySample(this.cfg.nodes); }

  /** Measures one window at the current rates; waits a grace second before counting losses. */
  async window(name: string, perRoom: number, seconds: number): Promise<WindowResult> {
    const pid = this.pids;
    const rss = new RssSampler(pid);
    const infra = infraPids();
    const cpu0 = readCpu(pid);
    const infra0 = readCpu(infra);
    const sys0 = readSystemCpu();
    this.self.reset();
    this.lag.reset();
    rss.start();
    await this.probeAll('lag-reset');
    const frames0 = this.w.framesIn();
    const id = this.w.ledger.openWindow();
    const t0 = performance.now();
    await sleep(seconds * 1000);
    this.w.ledger.closeWindow();
    const durationS = (performance.now() - t0) / 1000;
    const snaps = await this.probeAll();
    const lagSnap = snaps.every((x) => x !== null) ? snaps : null;
    const cpu1 = readCpu(pid);
    const infra1 = readCpu(infra);
    const sys1 = readSystemCpu();
    const frames = this.w.framesIn() - frames0;
    const loadCpuPct = this.self.percent();
    const serverCpuPct = cpuPercent(cpu0, cpu1);
    const infraCpuPct = cpuPercent(infra0, infra1);
    const otherCpuPct = round(Math.max(0, cpuPercent(sys0, sys1) - serverCpuPct - loadCpuPct - infraCpuPct), 1);
    const loadLagP99 = this.lag.p99Ms();
    const serverRssMax = rss.stop();
    await sleep(1000);
    const s = this.w.ledger.summary(id);
    const latency = percentiles(this.w.ledger.samplesWithPending(id, performance.now()));
    const several = this.cfg.nodes.length > 1;
    const split = (v: number[]): Percentiles | null => (several ? percentiles(v) : null);
    // Several nodes: the worst node's event-loop delay.
    const lag = (pick: (x: ProbeSnapshot) => number) => (lagSnap ? round(Math.max(...lagSnap.map((x) => pick(x!))), 1) : null);
    return {
      name, ratePerRoom: perRoom, offered: this.offered(perRoom),
      achieved: round(s.writes / durationS, 1), delivered: round(s.deliveries / durationS, 1),
      latency, sameNodeLatency: split(s.sameNode), crossNodeLatency: split(s.crossNode),
      codebookLatency: percentiles(s.codebook), expected: s.expected, lost: s.lost,
      serverCpuPct, infraCpuPct, serverUsPerFrame: round(((cpu1.cpuSeconds - cpu0.cpuSeconds) * 1e6) / Math.max(1, frames), 1),
      serverLagP99: lag((x) => x.loopDelay.p99), serverLagMax: lag((x) => x.loopDelay.max), serverRssMax, loadCpuPct, otherCpuPct, loadLagP99, durationS: round(durationS, 1),
    };
  }

  async storm(): Promise<StormResult> {
    const o = this.o;
    const chosen = this.w.stormPeople(o.stormClients);
    const bystanders = this.w.ledger.openWindow();
    const t0 = performance.now();
    for (const p of chosen) {
      p.active = false;
      p.transcript.drop();
      p.codebook.drop();
    }
    this.w.recount();
    let retries = 0;
    let failed = 0;
    const done: number[] = [];
    const perClient: number[] = [];
    const reconnect = async (p: Person, i: number) => {
      await sleep((i / chosen.length) * o.stormSpreadMs);
      const start = performance.now();
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          await Promise.all([
            p.transcript.synced ? Promise.resolve(0) : p.transcript.connect(10_000),
            p.codebook.synced ? Promise.resolve(0) : p.codebook.connect(10_000),
          ]);
          const end = performance.now();
          perClient.push(end - start);
          done.push(end - t0);
          p.active = true;
          return;
        } catch {
          retries++;
          await sleep(100 + 100 * attempt);
        }
      }
      failed++;
    };
    const all = Promise.all(chosen.map(reconnect));
    const deadline = sleep(o.stormTimeoutS * 1000).then(() => 'timeout' as const);
    const outcome = await Promise.race([all.then(() => 'done' as const), deadline]);
    if (outcome === 'timeout') failed = chosen.length - perClient.length;
    this.w.ledger.closeWindow();
    this.w.recount();
    await sleep(1000);
    return {
      clients: chosen.length,
      sockets: chosen.length * 2,
      allSyncedMs: done.length ? Math.round(Math.max(...done)) : 0,
      perClient: percentiles(perClient),
      failed,
      retries,
      bystanderLatency: percentiles(this.w.ledger.summary(bystanders).transcript),
    };
  }

  async churn(before: { live: number; ref: number; resources: Record<string, number>; rss: number }): Promise<ChurnResult> {
    this.w.stop();
    await sleep(500);
    this.w.people.forEach((p, i) => {
      for (const c of [p.transcript, p.codebook]) {
        if (i % 2 === 0) c.leave();
        else c.drop();
      }
    });
    const { rooms, waited } = await this.waitRooms(this.o.churnTimeoutS * 1000);
    // Let timers due shortly after the last leave (index updates, unloads) run out.
    await sleep(2500);
    // A server still working off a backlog may answer late: try a few times before giving up.
    let after: { timers: { live: number; ref: number }; resources: Record<string, number> } | null = null;
    for (let i = 0; i < 4 && !after; i++) after = sumProbes(await this.probeAll('gc'));
    // Pools close idle connections on their own timers (node-postgres after 10 s idle):
    // what is still there after the churn timeout is left over, not what is on its way out.
    const settleStart = performance.now();
    while (after && after.timers.live > before.live && performance.now() - settleStart < this.o.churnTimeoutS * 1000) {
      await sleep(1000);
      after = sumProbes(await this.probeAll(null)) ?? after;
    }
    if (after && performance.now() - settleStart >= 1000) after = sumProbes(await this.probeAll('gc')) ?? after;
    const timersSettledMs = Math.round(performance.now() - settleStart);
    const grown: Record<string, number> = {};
    for (const [k, v] of Object.entries(after?.resources ?? {})) {
      const d = v - (before.resources[k] ?? 0);
      if (d > 0) grown[k] = d;
    }
    return {
      roomsLeft: rooms,
      timersLeft: after ? after.timers.live - before.live : null,
      refTimersLeft: after ? after.timers.ref - before.ref : null,
      timersBefore: before.live,
      timersAfter: after ? after.timers.live : null,
      resourcesGrown: grown,
      waitedMs: waited,
      timersSettledMs,
      rssBefore: before.rss,
      rssAfter: readRss(this.pids),
    };
  }

  async run(): Promise<ServerResult> {
    const cfg = this.cfg;
    const o = this.o;
    const w = this.w;
    const label = SERVER_LABELS[cfg.server];

    log('smoke check with real providers');
    const smoke = await smokeCheck(cfg.server, cfg.nodes.map((n) => n.wsBase), cfg.transcriptRooms[0]!, cfg.token);
    if (!smoke.ok) log(`smoke check FAILED: ${smoke.error}`);
    await this.waitRooms(10_000);
    // Let timers the smoke check left due (Concord's 1 s transcript-index update) run out before the baseline.
    await sleep(1500);

    const baselineProbe = sumProbes(await this.probeAll('gc'));
    if (!baselineProbe) throw new Error('a server did not answer its probe before the load');
    const baseline = await this.memory();
    const before = { live: baselineProbe.timers.live, ref: baselineProbe.timers.ref, resources: baselineProbe.resources, rss: baseline.rss };

    log(`writers join ${this.n} rooms`);
    const writers = w.writerClients();
    const a = await connectAll(writers, 50, 20_000);
    w.seedDocs();
    await sleep(o.memorySettleS * 1000);
    const roomsLoaded = await this.memory();

    const others = w.otherClients();
    log(`${others.length} more sockets join (${w.socketCount} in all)`);
    const b = await connectAll(others, 50, 20_000);
    await sleep(o.memorySettleS * 1000);
    const allConnected = await this.memory();
    const idle = others.length - b.failed;
    const perConn: MemorySample = {
      rss: Math.round((allConnected.rss - roomsLoaded.rss) / Math.max(1, idle)),
      heap: Math.round((allConnected.heap - roomsLoaded.heap) / Math.max(1, idle)),
    };
    const writerConns = writers.length - a.failed;
    const perRoom: MemorySample = {
      rss: Math.round((roomsLoaded.rss - baseline.rss - writerConns * perConn.rss) / this.n),
      heap: Math.round((roomsLoaded.heap - baseline.heap - writerConns * perConn.heap) / this.n),
    };

    for (const p of w.people) p.active = true;
    w.recount();
    w.setAwareness(o.awarenessHz);
    w.setRates(o.writeRate, o.codebookRate);
    w.start();
    log(`default load: ${this.offered(o.writeRate)} updates/s, awareness ${o.awarenessHz} Hz × ${w.people.length} clients`);
    await sleep(o.warmupS * 1000);
    const defaultLoad = await this.window('default', o.writeRate, o.measureS);
    log(`default: p50 ${defaultLoad.latency.p50} p99 ${defaultLoad.latency.p99} ms, server CPU ${defaultLoad.serverCpuPct}%, load CPU ${defaultLoad.loadCpuPct}%`);

    const saturation: WindowResult[] = [defaultLoad];
    for (const rate of o.saturationRates.filter((r) => r > o.writeRate)) {
      w.setRates(rate, o.codebookRate);
      await sleep(o.saturationSettleS * 1000);
      const step = await this.window(`step-${rate}`, rate, o.saturationStepS);
      saturation.push(step);
      log(`step ${step.offered}/s: achieved ${step.achieved}/s, p50 ${step.latency.p50} p99 ${step.latency.p99} ms, lost ${step.lost}, server CPU ${step.serverCpuPct}%, load CPU ${step.loadCpuPct}%`);
      if (step.latency.p99 > o.saturationP99Ms || step.lost > step.expected * 0.01) break;
    }
    const { crossing, lastGood } = saturationPoint(saturation, o.saturationP99Ms);

    w.setRates(o.writeRate, o.codebookRate);
    await sleep(3000);
    log(`reconnect storm: ${o.stormClients} clients within ${o.stormSpreadMs} ms`);
    const storm = await this.storm();
    log(`storm: all synced after ${storm.allSyncedMs} ms, per client p99 ${storm.perClient.p99} ms, failed ${storm.failed}`);

    log('everyone leaves');
    const churn = await this.churn(before);
    log(`after churn: rooms ${churn.roomsLeft}, timers left ${churn.timersLeft}`);
    this.lag.stop();

    return {
      server: cfg.server, label, nodes: cfg.nodes.length, ok: smoke.ok, ...(smoke.ok ? {} : { error: `smoke: ${smoke.error}` }), smoke, setupMs: 0,
      connect: {
        sockets: writers.length + others.length, totalMs: a.totalMs + b.totalMs,
        perSocket: percentiles([...a.times, ...b.times]), failed: a.failed + b.failed,
      },
      memory: {
        baseline, roomsLoaded, allConnected, rooms: this.n, idleConnections: idle,
        perIdleConnection: perConn, perLoadedRoom: perRoom,
      },
      defaultLoad, saturation, saturationUpdatesPerS: crossing, saturationLastGood: lastGood,
      storm, churn, loadProcess: { cpuPctDefault: defaultLoad.loadCpuPct },
    };
  }
}

/** Timers and handles of all nodes together; null if any node did not answer. */
function sumProbes(snaps: (ProbeSnapshot | null)[]): { timers: { live: number; ref: number }; resources: Record<string, number> } | null {
  if (snaps.some((x) => x === null)) return null;
  const out = { timers: { live: 0, ref: 0 }, resources: {} as Record<string, number> };
  for (const x of snaps as ProbeSnapshot[]) {
    out.timers.live += x.timers.live;
    out.timers.ref += x.timers.ref;
    for (const [k, v] of Object.entries(x.resources)) out.resources[k] = (out.resources[k] ?? 0) + v;
  }
  return out;
}

/** Offered rate where p99 crosses `limit`, interpolated on log scales between the last good and first bad step. */
export function saturationPoint(steps: WindowResult[], limit: number): { crossing: number | null; lastGood: number | null } {
  let lastGood: WindowResult | null = null;
  for (const s of steps) {
    if (s.latency.p99 <= limit && s.lost <= s.expected * 0.01) { lastGood = s; continue; }
    if (!lastGood) return { crossing: s.offered, lastGood: null };
    const x0 = Math.log(lastGood.offered), x1 = Math.log(s.offered);
    const y0 = Math.log(Math.max(lastGood.latency.p99, 0.01)), y1 = Math.log(Math.max(s.latency.p99, limit));
    const f = y1 > y0 ? (Math.log(limit) - y0) / (y1 - y0) : 1;
    return { crossing: Math.round(Math.exp(x0 + Math.min(1, Math.max(0, f)) * (x1 - x0))), lastGood: lastGood.offered };
  }
  return { crossing: null, lastGood: lastGood?.offered ?? null };
}

process.on('message', (msg: { type: 'start'; config: LoadConfig }) => {
  if (msg.type !== 'start') return;
  new Runner(msg.config).run().then(
    (result) => send({ type: 'result', result }, () => process.exit(0)),
    (err: unknown) => send({ type: 'error', error: err instanceof Error ? err.stack ?? err.message : String(err) }, () => process.exit(1)),
  );
});
