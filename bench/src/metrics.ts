/**
 * Measuring: latency samples and percentiles, the server's CPU and memory from
 * /proc/<pid>, the bench probe inside the server, and the write/receive ledger
 * that turns marker timestamps into latencies and losses.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import type { MemorySample, Percentiles, ProbeSnapshot } from './types.ts';

// ---- percentiles ---------------------------------------------------------------

export const EMPTY_PERCENTILES: Percentiles = { count: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 };

/** Nearest-rank percentiles of `values` (sorted in place). */
export function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { ...EMPTY_PERCENTILES };
  values.sort((a, b) => a - b);
  const at = (p: number) => values[Math.min(values.length - 1, Math.max(0, Math.ceil(p * values.length) - 1))]!;
  let sum = 0;
  for (const v of values) sum += v;
  return {
    count: values.length,
    p50: round(at(0.5)),
    p95: round(at(0.95)),
    p99: round(at(0.99)),
    max: round(values[values.length - 1]!),
    mean: round(sum / values.length),
  };
}

export function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

// ---- /proc -----------------------------------------------------------------------

let clockTicks = 0;
function ticksPerSecond(): number {
  if (clockTicks) return clockTicks;
  try {
    clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    clockTicks = 100;
  }
  return clockTicks;
}

export interface CpuReading { cpuSeconds: number; at: number }

function processCpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces; fields resume after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  } catch {
    return 0; // gone (a PostgreSQL backend that ended)
  }
}

/** utime + stime of processes (all their threads) together, in seconds. */
export function readCpu(pids: number | readonly number[]): CpuReading {
  let cpuSeconds = 0;
  for (const pid of typeof pids === 'number' ? [pids] : pids) cpuSeconds += processCpuSeconds(pid);
  return { cpuSeconds, at: performance.now() };
}

/**
 * The local PostgreSQL and Redis processes (every backend of the one and the other).
 * Their CPU is part of the cost of the PostgreSQL and cluster runs; for the others it is
 * machine noise. Backends come and go, so this is read again for each window.
 */
export function infraPids(): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (comm === 'postgres' || comm.startsWith('redis-server')) out.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/** Busy time of the whole machine (all CPUs, all processes), in seconds. */
export function readSystemCpu(): CpuReading {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal ...: busy = all but idle and iowait.
  const busy = v.reduce((a, b) => a + b, 0) - (v[3] ?? 0) - (v[4] ?? 0);
  return { cpuSeconds: busy / ticksPerSecond(), at: performance.now() };
}

/** Percent of one core used between two readings. */
export function cpuPercent(a: CpuReading, b: CpuReading): number {
  const wall = (b.at - a.at) / 1000;
  return wall > 0 ? round(((b.cpuSeconds - a.cpuSeconds) / wall) * 100, 1) : 0;
}

/** VmRSS in bytes, summed over `pids`. */
export function readRss(pids: number | readonly number[]): number {
  let sum = 0;
  for (const pid of typeof pids === 'number' ? [pids] : pids) {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    sum += m ? Number(m[1]) * 1024 : 0;
  }
  return sum;
}

/** This process's CPU use as percent of one core since `since`. */
export class SelfCpu {
  private last = process.cpuUsage();
  private lastAt = performance.now();
  reset(): void {
    this.last = process.cpuUsage();
    this.lastAt = performance.now();
  }
  percent(): number {
    const d = process.cpuUsage(this.last);
    const wall = (performance.now() - this.lastAt) * 1000;
    return wall > 0 ? round(((d.user + d.system) / wall) * 100, 1) : 0;
  }
}

/** Samples the summed RSS of a server's processes once a second while running. */
export class RssSampler {
  max = 0;
  private timer: NodeJS.Timeout | null = null;
  constructor(private readonly pid: readonly number[]) {}
  start(): void {
    this.max = readRss(this.pid);
    this.timer = setInterval(() => { this.max = Math.max(this.max, readRss(this.pid)); }, 1000);
  }
  stop(): number {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.max = Math.max(this.max, readRss(this.pid));
    return this.max;
  }
}

/** Event-loop delay of this process (the load generator). */
export class LoopLag {
  private h: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  constructor() { this.h.enable(); }
  reset(): void { this.h.reset(); }
  p99Ms(): number { return round(this.h.percentile(99) / 1e6, 1); }
  stop(): void { this.h.disable(); }
}

// ---- the probe inside the server ---------------------------------------------------

export async function probe(url: string, action: 'gc' | 'lag-reset' | null = null, timeoutMs = 30_000): Promise<ProbeSnapshot> {
  const res = await fetch(action ? `${url}/${action}` : url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`probe answered ${res.status}`);
  return (await res.json()) as ProbeSnapshot;
}

/** The probe under load: an overloaded server (or generator) may not answer in time; that is a result, not a failure. */
export async function tryProbe(url: string, action: 'lag-reset' | null = null): Promise<ProbeSnapshot | null> {
  try {
    return await probe(url, action, 15_000);
  } catch {
    return null;
  }
}

/** Memory after two forced collections, summed over the server's processes: RSS from /proc and heapUsed + external from each probe. */
export async function memorySample(nodes: readonly { pid: number; probeUrl: string }[]): Promise<MemorySample> {
  const snaps = await Promise.all(nodes.map((n) => probe(n.probeUrl, 'gc')));
  return {
    rss: readRss(nodes.map((n) => n.pid)),
    heap: snaps.reduce((sum, s) => sum + s.memory.heapUsed + s.memory.external, 0),
  };
}

// ---- the ledger ------------------------------------------------------------------------

/** The marker a writer puts into each update, next to the coding it applies. */
export interface Marker { r: number; s: number; t: number }

export function isMarker(v: unknown): v is Marker {
  return typeof v === 'object' && v !== null && typeof (v as Marker).s === 'number'
    && typeof (v as Marker).t === 'number' && typeof (v as Marker).r === 'number';
}

interface WriteRecord { t: number; expected: number; received: number; window: number }

interface WindowSamples {
  transcript: number[];
  /** Transcript samples split by whether the receiver is on the writer's node. */
  sameNode: number[];
  crossNode: number[];
  codebook: number[];
  writes: number;
  deliveries: number;
}

/**
 * Every write (room, seq) with its send time and how many receivers should get
 * it; every receipt adds a latency sample to the window the write was sent in.
 */
export class Ledger {
  private readonly writes: WriteRecord[][];
  private readonly windows: WindowSamples[] = [];
  private current = -1;
  duplicates = 0;
  unknown = 0;
  misrouted = 0;

  constructor(rooms: number, readonly codebookIndex: number) {
    this.writes = Array.from({ length: rooms }, () => []);
  }

  /** Starts attributing writes to a new window; returns its id. */
  openWindow(): number {
    this.windows.push({ transcript: [], sameNode: [], crossNode: [], codebook: [], writes: 0, deliveries: 0 });
    this.current = this.windows.length - 1;
    return this.current;
  }

  closeWindow(): void { this.current = -1; }

  recordWrite(room: number, seq: number, t: number, expected: number): void {
    this.writes[room]![seq] = { t, expected, received: 0, window: this.current };
    if (this.current >= 0) this.windows[this.current]!.writes++;
  }

  /** `crossNode`: the receiver is connected to another server process than the writer. */
  recordReceipt(room: number, m: Marker, at: number, crossNode = false): void {
    if (m.r !== room) { this.misrouted++; return; }
    const w = this.writes[room]?.[m.s];
    if (!w) { this.unknown++; return; }
    if (w.received >= w.expected) { this.duplicates++; return; }
    w.received++;
    if (w.window < 0) return;
    const win = this.windows[w.window]!;
    win.deliveries++;
    const latency = at - w.t;
    if (room === this.codebookIndex) {
      win.codebook.push(latency);
    } else {
      win.transcript.push(latency);
      (crossNode ? win.crossNode : win.sameNode).push(latency);
    }
  }

  /** Latency samples of a window plus, for deliveries still missing, their age so far (a lower bound). */
  samplesWithPending(id: number, now: number): number[] {
    const out = [...this.windows[id]!.transcript];
    for (const room of this.writes) {
      for (const w of room) {
        if (!w || w.window !== id) continue;
        for (let i = w.received; i < w.expected; i++) out.push(now - w.t);
      }
    }
    return out;
  }

  summary(id: number): WindowSamples & { expected: number; lost: number } {
    const win = this.windows[id]!;
    let expected = 0;
    let received = 0;
    for (const room of this.writes) {
      for (const w of room) {
        if (!w || w.window !== id) continue;
        expected += w.expected;
        received += w.received;
      }
    }
    return { ...win, expected, lost: expected - received };
  }
}
