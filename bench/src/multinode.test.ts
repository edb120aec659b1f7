/** The pure parts of the multi-node run: client placement, the same/cross-node ledger split and the report section. */
import { describe, expect, it } from 'vitest';
import { Ledger, percentiles } from './metrics.ts';
import { renderMarkdown } from './report.ts';
import type { BenchReport, ServerResult, WindowResult } from './types.ts';
import { nodeOf } from './workload.ts';

describe('placement of clients on nodes', () => {
  it('spreads writers over both nodes and gives every room receivers on the writer\'s node and on the other', () => {
    const rooms = 10, clients = 4, nodes = 2;
    const writers = [0, 0];
    for (let r = 0; r < rooms; r++) {
      const writerNode = nodeOf(r, 0, nodes);
      writers[writerNode]!++;
      const receivers = Array.from({ length: clients - 1 }, (_, i) => nodeOf(r, i + 1, nodes));
      expect(receivers.filter((n) => n === writerNode)).toHaveLength(1);
      expect(receivers.filter((n) => n !== writerNode)).toHaveLength(2);
    }
    expect(writers).toEqual([5, 5]);
  });

  it('puts everyone on the one node of a single-node run', () => {
    for (let r = 0; r < 5; r++) for (let k = 0; k < 4; k++) expect(nodeOf(r, k, 1)).toBe(0);
  });
});

describe('ledger', () => {
  it('splits transcript latencies by the receiver\'s node and keeps the codebook apart', () => {
    const ledger = new Ledger(3, 2);
    const id = ledger.openWindow();
    ledger.recordWrite(0, 0, 100, 3);
    ledger.recordWrite(2, 0, 100, 1);
    ledger.recordReceipt(0, { r: 0, s: 0, t: 100 }, 105, false);
    ledger.recordReceipt(0, { r: 0, s: 0, t: 100 }, 112, true);
    ledger.recordReceipt(0, { r: 0, s: 0, t: 100 }, 114, true);
    ledger.recordReceipt(2, { r: 2, s: 0, t: 100 }, 150, true);
    ledger.closeWindow();
    const s = ledger.summary(id);
    expect(s.sameNode).toEqual([5]);
    expect(s.crossNode).toEqual([12, 14]);
    expect(s.transcript).toEqual([5, 12, 14]);
    expect(s.codebook).toEqual([50]);
    expect(s.lost).toBe(0);
  });

  it('counts a delivery that never came as lost', () => {
    const ledger = new Ledger(2, 1);
    const id = ledger.openWindow();
    ledger.recordWrite(0, 0, 0, 2);
    ledger.recordReceipt(0, { r: 0, s: 0, t: 0 }, 3, true);
    ledger.closeWindow();
    expect(ledger.summary(id).lost).toBe(1);
  });
});

function window(latency: number[], same: number[] | null, cross: number[] | null): WindowResult {
  return {
    name: 'default', ratePerRoom: 1, offered: 10, achieved: 10, delivered: 30,
    latency: percentiles(latency), sameNodeLatency: same ? percentiles(same) : null, crossNodeLatency: cross ? percentiles(cross) : null,
    codebookLatency: percentiles([1]), expected: 30, lost: 0, serverCpuPct: 50, infraCpuPct: 5, serverUsPerFrame: 10,
    serverLagP99: 1, serverLagMax: 2, serverRssMax: 1e8, loadCpuPct: 10, otherCpuPct: 0, loadLagP99: 1, durationS: 10,
  };
}

function result(server: ServerResult['server'], nodes: number, w: WindowResult): ServerResult {
  const zero = { rss: 0, heap: 0 };
  return {
    server, label: server, nodes, ok: true, smoke: { ok: true, ms: 1 }, setupMs: 0,
    connect: { sockets: 1, totalMs: 1, perSocket: percentiles([1]), failed: 0 },
    memory: { baseline: zero, roomsLoaded: zero, allConnected: zero, rooms: 1, idleConnections: 1, perIdleConnection: zero, perLoadedRoom: zero },
    defaultLoad: w, saturation: [w], saturationUpdatesPerS: null, saturationLastGood: 10, storm: null, churn: null, loadProcess: { cpuPctDefault: 10 },
  };
}

describe('report', () => {
  it('shows the cost of crossing nodes beside the single-node runs', () => {
    const rep = {
      date: '2026-11-23', gitSha: 'abc', gitDirty: false, quick: true,
      machine: { cpus: 2, cpuModel: 'x', memGiB: 24, node: 'v20', platform: 'linux' }, versions: {},
      options: { rooms: 1, clientsPerRoom: 4, writeRate: 1, codebookRate: 2, awarenessHz: 5, saturationRates: [1], stormClients: 1, stormSpreadMs: 1 },
      results: [
        result('concord', 1, window([4, 6], null, null)),
        result('concord-cluster', 2, window([5, 20, 30], [5], [20, 30])),
      ],
      notes: [],
    } as unknown as BenchReport;
    const md = renderMarkdown(rep);
    expect(md).toContain('## Several nodes: the cost of crossing nodes');
    // p50 of [20, 30] is 20, of [5] is 5: +15; p99 30 − 5 = +25.
    expect(md).toContain('| **cost of crossing nodes** | **+15** | +25 | **+25** |');
    expect(md).toMatch(/\| concord, 1 node \| 4 \| 6 \| 6 \|/);
  });

  it('leaves the section out without a cluster run', () => {
    const rep = {
      date: '2026-11-23', gitSha: 'abc', gitDirty: false, quick: true,
      machine: { cpus: 2, cpuModel: 'x', memGiB: 24, node: 'v20', platform: 'linux' }, versions: {},
      options: { rooms: 1, clientsPerRoom: 4, writeRate: 1, codebookRate: 2, awarenessHz: 5, saturationRates: [1], stormClients: 1, stormSpreadMs: 1 },
      results: [result('concord', 1, window([4, 6], null, null))],
      notes: [],
    } as unknown as BenchReport;
    expect(renderMarkdown(rep)).not.toContain('cost of crossing nodes');
  });
});
