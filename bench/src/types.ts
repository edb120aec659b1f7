/** Types shared by the orchestrator (run.ts), the load process (load.ts) and the report. */
import type { Dialect } from './client.ts';

export type ServerKind = 'concord' | 'concord-pg' | 'concord-cluster' | 'hocuspocus' | 'y-websocket';

export const SERVER_LABELS: Record<ServerKind, string> = {
  concord: 'Concord',
  'concord-pg': 'Concord, PostgreSQL',
  'concord-cluster': 'Concord, 2 nodes + Redis',
  hocuspocus: 'Hocuspocus 3.4',
  'y-websocket': 'y-websocket 2.1 ref',
};

/** Server processes per kind: the cluster runs two Concord nodes sharing PostgreSQL and Redis. */
export const NODE_COUNT: Record<ServerKind, number> = {
  concord: 1, 'concord-pg': 1, 'concord-cluster': 2, hocuspocus: 1, 'y-websocket': 1,
};

export function isConcord(kind: ServerKind): boolean {
  return kind === 'concord' || kind === 'concord-pg' || kind === 'concord-cluster';
}

export interface BenchOptions {
  quick: boolean;
  /** Transcript rooms (N). */
  rooms: number;
  /** Clients per transcript room (K); each also joins the codebook room. */
  clientsPerRoom: number;
  /** Codings per second per transcript room at the default load. */
  writeRate: number;
  /** Edits per second in the codebook room (fixed through every phase). */
  codebookRate: number;
  /** Awareness (cursor) updates per second per client. */
  awarenessHz: number;
  /** Wait before each memory reading (lets debounced stores run). */
  memorySettleS: number;
  warmupS: number;
  measureS: number;
  /** Per-room write rates stepped through to find saturation (the default rate is the first point). */
  saturationRates: number[];
  saturationSettleS: number;
  saturationStepS: number;
  /** p99 above which a step counts as saturated (ms). */
  saturationP99Ms: number;
  stormClients: number;
  stormSpreadMs: number;
  stormTimeoutS: number;
  churnTimeoutS: number;
  servers: ServerKind[];
  /** Longest wait for other processes to go quiet before each server (s). */
  quietWaitS: number;
  /** Scheduling priority (nice) for the server and load processes; negative = ahead of other work on the machine. */
  nice: number;
}

/** One server process under test. */
export interface NodeEndpoint {
  /** ws://127.0.0.1:<port> */
  wsBase: string;
  pid: number;
  probeUrl: string;
  /** Concord's /api/health (reports the node's loaded `rooms`); null for the others. */
  healthUrl: string | null;
}

/** What the orchestrator hands the load process for one server. */
export interface LoadConfig {
  server: ServerKind;
  dialect: Dialect;
  /**
   * The server's processes. With several, the writer of room r is on node r mod n and
   * client k of the room on node (r + k) mod n, so each room has receivers on the
   * writer's node and on the others; every client's codebook socket goes to its node.
   */
  nodes: NodeEndpoint[];
  /** Concord's personal access token (query parameter); null for the others. */
  token: string | null;
  transcriptRooms: string[];
  codebookRoom: string;
  /** Transcript text the writers put into empty rooms (the others start empty; Concord's are imported). */
  seedText: string;
  options: BenchOptions;
}

export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export interface MemorySample {
  /** VmRSS from /proc/<pid>/status (bytes). */
  rss: number;
  /** heapUsed + external after two forced GCs (bytes). */
  heap: number;
}

export interface ProbeSnapshot {
  timers: { live: number; ref: number };
  loopDelay: { p99: number; max: number };
  resources: Record<string, number>;
  memory: { rss: number; heapUsed: number; external: number; heapTotal: number; arrayBuffers: number };
  debug: { rooms?: number; connections?: number } | null;
}

export interface WindowResult {
  name: string;
  /** Offered codings/s per transcript room. */
  ratePerRoom: number;
  /** Offered updates/s across all rooms (transcripts + codebook). */
  offered: number;
  /** Updates/s actually sent by the writers. */
  achieved: number;
  /** Deliveries/s counted at receivers. */
  delivered: number;
  latency: Percentiles;
  /** Transcript-room latency to receivers on the writer's node (several nodes only). */
  sameNodeLatency: Percentiles | null;
  /** Transcript-room latency to receivers on another node: through Redis (several nodes only). */
  crossNodeLatency: Percentiles | null;
  codebookLatency: Percentiles;
  /** Deliveries expected (receivers connected at send time) and missing after the grace period. */
  expected: number;
  lost: number;
  /** CPU of all the server's processes together (% of one core). */
  serverCpuPct: number;
  /** CPU of the local PostgreSQL and Redis processes during the window (% of one core): part of the cost of the PostgreSQL and cluster runs. */
  infraCpuPct: number;
  /**
   * Server CPU time per frame the clients received (updates, awareness, acks), µs: work done
   * rather than work offered, so it stays meaningful when the server falls behind or the machine is busy.
   */
  serverUsPerFrame: number;
  /** The server's event-loop delay during the window (ms), from the probe; null if the probe did not answer. */
  serverLagP99: number | null;
  serverLagMax: number | null;
  /** Largest sum of the server processes' RSS seen during the window. */
  serverRssMax: number;
  loadCpuPct: number;
  /** CPU used by every other process on the machine during the window (% of one core): noise. */
  otherCpuPct: number;
  /** Event-loop delay of the load process (ms): if this is high, latencies are inflated by the generator. */
  loadLagP99: number;
  durationS: number;
}

export interface SmokeResult {
  ok: boolean;
  ms: number;
  error?: string;
}

export interface StormResult {
  clients: number;
  sockets: number;
  /** From the drop until the last client was synced again (ms). */
  allSyncedMs: number;
  /** Per client: from its reconnect start until both its rooms were synced (ms). */
  perClient: Percentiles;
  failed: number;
  retries: number;
  /** Update latency seen by the clients that stayed connected during the storm. */
  bystanderLatency: Percentiles;
}

export interface ChurnResult {
  roomsLeft: number | null;
  /** Live timers after every client left, minus those before any client came. */
  /** null when the server did not answer the probe after everyone left. */
  timersLeft: number | null;
  refTimersLeft: number | null;
  timersBefore: number;
  timersAfter: number | null;
  /** Handle kinds (getActiveResourcesInfo) that grew between before and after. */
  resourcesGrown: Record<string, number>;
  waitedMs: number;
  /** How long the timer count took to fall back (waits up to the churn timeout while it is above the baseline). */
  timersSettledMs: number;
  rssBefore: number;
  rssAfter: number;
}

export interface ServerResult {
  server: ServerKind;
  label: string;
  /** Server processes (2 for the cluster run). */
  nodes: number;
  ok: boolean;
  error?: string;
  smoke: SmokeResult;
  setupMs: number;
  connect: { sockets: number; totalMs: number; perSocket: Percentiles; failed: number };
  memory: {
    baseline: MemorySample;
    roomsLoaded: MemorySample;
    allConnected: MemorySample;
    rooms: number;
    idleConnections: number;
    perIdleConnection: MemorySample;
    perLoadedRoom: MemorySample;
  };
  defaultLoad: WindowResult | null;
  saturation: WindowResult[];
  /** Offered updates/s at which p99 crossed the limit (interpolated); null if it never did. */
  saturationUpdatesPerS: number | null;
  /** Highest offered rate that stayed within the limit. */
  saturationLastGood: number | null;
  storm: StormResult | null;
  churn: ChurnResult | null;
  loadProcess: { cpuPctDefault: number };
}

export interface BenchReport {
  date: string;
  gitSha: string;
  gitDirty: boolean;
  quick: boolean;
  machine: { cpus: number; cpuModel: string; memGiB: number; node: string; platform: string };
  versions: Record<string, string>;
  options: BenchOptions;
  results: ServerResult[];
  notes: string[];
}
