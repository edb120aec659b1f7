/**
 * Benchmark probe, preloaded into every server under test the same way:
 *
 *   node --expose-gc --import tsx --import ./bench/servers/probe.ts <server script>
 *
 * It answers `GET /` (and `GET /gc`, which first runs two full garbage
 * collections) on a loopback port of its own with:
 *   - `timers`: live Node timers (setTimeout/setInterval not yet fired or
 *     cleared), counted by wrapping the global timer functions before the server
 *     loads, so unref'd timers count too (process.getActiveResourcesInfo() skips those);
 *   - `resources`: process.getActiveResourcesInfo() grouped by kind (ref'd handles);
 *   - `memory`: process.memoryUsage();
 *   - `loopDelay`: event-loop delay p99 and max (ms) since the last `GET /lag-reset`;
 *   - `debug`: whatever the server script registered as `globalThis.__benchDebug`
 *     (rooms and connections for the Hocuspocus and y-websocket scripts; Concord
 *     reports rooms through its own `/api/health`).
 * The port is printed on stderr as `bench-probe <port>`.
 */
import http from 'node:http';
import { syncBuiltinESMExports } from 'node:module';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import timers from 'node:timers';

type TimerHandle = NodeJS.Timeout & { _destroyed?: boolean };

const live = new Set<TimerHandle>();
let created = 0;

function prune(): void {
  for (const t of live) if (t._destroyed) live.delete(t);
}

function track(t: TimerHandle): void {
  live.add(t);
  if (++created % 4096 === 0) prune();
}

const origSetTimeout = globalThis.setTimeout;
const origSetInterval = globalThis.setInterval;

const wrappedSetTimeout = function (this: unknown, ...args: Parameters<typeof setTimeout>) {
  const t = origSetTimeout.apply(this, args) as TimerHandle;
  track(t);
  return t;
} as typeof setTimeout;
const wrappedSetInterval = function (this: unknown, ...args: Parameters<typeof setInterval>) {
  const t = origSetInterval.apply(this, args) as TimerHandle;
  track(t);
  return t;
} as typeof setInterval;
Object.assign(wrappedSetTimeout, origSetTimeout);
Object.assign(wrappedSetInterval, origSetInterval);

globalThis.setTimeout = wrappedSetTimeout;
globalThis.setInterval = wrappedSetInterval;
timers.setTimeout = wrappedSetTimeout;
timers.setInterval = wrappedSetInterval;
syncBuiltinESMExports();

const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();

export interface ProbeReport {
  timers: { live: number; ref: number };
  loopDelay: { p99: number; max: number };
  resources: Record<string, number>;
  memory: NodeJS.MemoryUsage;
  debug: unknown;
}

declare global {
  // eslint-disable-next-line no-var
  var __benchDebug: (() => unknown) | undefined;
}

function report(): ProbeReport {
  prune();
  let ref = 0;
  for (const t of live) if (t.hasRef()) ref++;
  const resources: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) resources[r] = (resources[r] ?? 0) + 1;
  return {
    timers: { live: live.size, ref },
    loopDelay: { p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 },
    resources,
    memory: process.memoryUsage(),
    debug: globalThis.__benchDebug ? globalThis.__benchDebug() : null,
  };
}

const gc = (globalThis as { gc?: () => void }).gc;

const server = http.createServer((req, res) => {
  if (req.url === '/gc' && gc) {
    gc();
    gc();
  }
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(report()));
  if (req.url === '/lag-reset') lag.reset();
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  if (addr && typeof addr === 'object') process.stderr.write(`bench-probe ${addr.port}\n`);
});
