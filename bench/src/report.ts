/** Renders a BenchReport: a Markdown summary with ratios and targets, and an SVG latency-against-load chart. */
import type { BenchReport, ServerKind, ServerResult, WindowResult } from './types.ts';

const ORDER: ServerKind[] = ['concord', 'concord-pg', 'concord-cluster', 'hocuspocus', 'y-websocket'];

type Num = number | null | undefined;

function fmt(v: Num, digits = 1): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return v.toFixed(digits).replace(/\.0+$/, '');
}

function ratio(a: Num, b: Num): number | null {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return null;
  return a / b;
}

function fmtRatio(r: number | null): string {
  return r === null ? '–' : `${r.toFixed(2)}×`;
}

const kb = (bytes: Num) => (bytes === null || bytes === undefined ? null : bytes / 1024);
const mb = (bytes: Num) => (bytes === null || bytes === undefined ? null : bytes / 1024 / 1024);

interface Row {
  label: string;
  get: (r: ServerResult) => Num;
  /** A second figure shown as "a / b" (no ratio). */
  pair?: (r: ServerResult) => Num;
  digits?: number;
  /** Target on Concord/Hocuspocus and Concord/ref ratios, or an absolute target on Concord. */
  target?: { vsHocuspocus?: ['<=' | '>=', number]; vsRef?: ['<=' | '>=', number]; absolute?: ['<=' | '>=', number] };
}

const ROWS: Row[] = [
  { label: 'latency p50 (ms), default load', get: (r) => r.defaultLoad?.latency.p50 },
  { label: 'latency p95 (ms), default load', get: (r) => r.defaultLoad?.latency.p95 },
  { label: 'latency p99 (ms), default load', get: (r) => r.defaultLoad?.latency.p99, target: { vsHocuspocus: ['<=', 0.5], vsRef: ['<=', 1.0] } },
  { label: 'latency p50 / p99 (ms) to receivers on the writer\'s node', get: (r) => r.defaultLoad?.sameNodeLatency?.p50, pair: (r) => r.defaultLoad?.sameNodeLatency?.p99 },
  { label: 'latency p50 / p99 (ms) to receivers on another node', get: (r) => r.defaultLoad?.crossNodeLatency?.p50, pair: (r) => r.defaultLoad?.crossNodeLatency?.p99 },
  { label: 'codebook p99 (ms), fan-out to every client', get: (r) => r.defaultLoad?.codebookLatency.p99 },
  { label: 'lost deliveries, default load', get: (r) => r.defaultLoad?.lost, digits: 0 },
  { label: 'server CPU (% of a core, all its processes), default load', get: (r) => r.defaultLoad?.serverCpuPct },
  { label: 'PostgreSQL + Redis CPU (% of a core), default load', get: (r) => r.defaultLoad?.infraCpuPct },
  { label: 'server CPU per frame delivered (µs), default load', get: (r) => r.defaultLoad?.serverUsPerFrame },
  { label: 'server event-loop delay p99 (ms), default load', get: (r) => r.defaultLoad?.serverLagP99 },
  { label: 'server event-loop delay max (ms), default load', get: (r) => r.defaultLoad?.serverLagMax },
  { label: 'server RSS max (MB), default load', get: (r) => mb(r.defaultLoad?.serverRssMax) },
  { label: 'saturation (updates/s where p99 passes the limit)', get: (r) => r.saturationUpdatesPerS, digits: 0, target: { vsHocuspocus: ['>=', 2] } },
  { label: 'highest offered updates/s within the limit', get: (r) => r.saturationLastGood, digits: 0 },
  { label: 'memory per idle connection, RSS (KB)', get: (r) => kb(r.memory.perIdleConnection.rss), target: { vsHocuspocus: ['<=', 0.5] } },
  { label: 'memory per idle connection, heap (KB)', get: (r) => kb(r.memory.perIdleConnection.heap) },
  { label: 'memory per loaded room, RSS (KB)', get: (r) => kb(r.memory.perLoadedRoom.rss) },
  { label: 'memory per loaded room, heap (KB)', get: (r) => kb(r.memory.perLoadedRoom.heap) },
  { label: 'join: sync p99 per socket (ms), 50 at a time', get: (r) => r.connect.perSocket.p99 },
  { label: 'storm: all clients synced again (ms)', get: (r) => r.storm?.allSyncedMs, digits: 0 },
  { label: 'storm: per-client resync p50 (ms)', get: (r) => r.storm?.perClient.p50 },
  { label: 'storm: per-client resync p99 (ms)', get: (r) => r.storm?.perClient.p99 },
  { label: 'storm: update p99 of bystanders (ms)', get: (r) => r.storm?.bystanderLatency.p99 },
  { label: 'storm: clients that failed to resync', get: (r) => r.storm?.failed, digits: 0 },
  { label: 'storm: reconnect retries', get: (r) => r.storm?.retries, digits: 0 },
  { label: 'rooms left after everyone left', get: (r) => r.churn?.roomsLeft, digits: 0, target: { absolute: ['<=', 0] } },
  { label: 'timers left after everyone left', get: (r) => r.churn?.timersLeft, digits: 0, target: { absolute: ['<=', 0] } },
  { label: 'load generator CPU (% of a core), default load', get: (r) => r.defaultLoad?.loadCpuPct },
  { label: 'load generator event-loop delay p99 (ms), default', get: (r) => r.defaultLoad?.loadLagP99 },
  { label: 'other processes\' CPU (% of a core), default load', get: (r) => r.defaultLoad?.otherCpuPct },
];

function check(v: number | null, t: ['<=' | '>=', number] | undefined): string {
  if (!t || v === null) return '';
  const ok = t[0] === '<=' ? v <= t[1] : v >= t[1];
  return ok ? ' ✓' : ' ✗';
}

function targetText(t: Row['target']): string {
  if (!t) return '';
  const parts: string[] = [];
  if (t.vsHocuspocus) parts.push(`${t.vsHocuspocus[0] === '<=' ? '≤' : '≥'} ${t.vsHocuspocus[1]}× HP`);
  if (t.vsRef) parts.push(`${t.vsRef[0] === '<=' ? '≤' : '≥'} ${t.vsRef[1]}× ref`);
  if (t.absolute) parts.push(`${t.absolute[0] === '<=' ? '≤' : '≥'} ${t.absolute[1]}`);
  return parts.join(', ');
}

export function renderMarkdown(rep: BenchReport): string {
  const by = new Map(rep.results.map((r) => [r.server, r]));
  const servers = ORDER.filter((s) => by.has(s));
  const c = by.get('concord');
  const hp = by.get('hocuspocus');
  const ref = by.get('y-websocket');
  const o = rep.options;
  const lines: string[] = [];
  lines.push(`# Sync benchmark: Concord vs Hocuspocus vs y-websocket — ${rep.date} ${rep.gitSha}${rep.gitDirty ? ' (dirty)' : ''}${rep.quick ? ' (quick)' : ''}`);
  lines.push('');
  lines.push(`Machine: ${rep.machine.cpus} × ${rep.machine.cpuModel}, ${rep.machine.memGiB} GiB, Node ${rep.machine.node}. ` +
    'Server and load generator share these cores (one process each), so CPU spent by the generator is CPU the server cannot use.');
  lines.push(`Workload: ${o.rooms} transcript rooms × ${o.clientsPerRoom} clients, every client also in one codebook room ` +
    `(${o.rooms * o.clientsPerRoom * 2} sockets); one writer per room at ${o.writeRate} coding/s (codebook ${o.codebookRate} edits/s); ` +
    `awareness ${o.awarenessHz} Hz per client; saturation steps ${o.saturationRates.join(', ')} codings/s per room; ` +
    `storm ${o.stormClients} clients (2 sockets each) within ${o.stormSpreadMs} ms.`);
  lines.push(`Versions: ${Object.entries(rep.versions).map(([k, v]) => `${k} ${v}`).join(', ')}.`);
  lines.push('');
  const head = ['metric', ...servers.map((s) => by.get(s)!.label)];
  if (c && hp) head.push('Concord/Hocuspocus');
  if (c && ref) head.push('Concord/ref');
  head.push('target');
  lines.push(`| ${head.join(' | ')} |`);
  lines.push(`|${head.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`);
  for (const row of ROWS) {
    const cell = (r: ServerResult) => {
      const a = row.get(r);
      if (!row.pair) return fmt(a, row.digits ?? 1);
      return a === null || a === undefined ? '–' : `${fmt(a, row.digits ?? 1)} / ${fmt(row.pair(r), row.digits ?? 1)}`;
    };
    const cells = [row.label, ...servers.map((s) => cell(by.get(s)!))];
    let mark = '';
    if (c && hp) {
      const r = row.pair ? null : ratio(row.get(c), row.get(hp));
      cells.push(fmtRatio(r) + check(r, row.target?.vsHocuspocus));
    }
    if (c && ref) {
      const r = row.pair ? null : ratio(row.get(c), row.get(ref));
      cells.push(fmtRatio(r) + check(r, row.target?.vsRef));
    }
    if (c && row.target?.absolute) mark = check(row.get(c) ?? null, row.target.absolute);
    cells.push(targetText(row.target) + mark);
    lines.push(`| ${cells.join(' | ')} |`);
  }
  lines.push('');
  lines.push('Latency is writer → receiver for transcript rooms ' +
    '(K − 1 receivers per update); "lost" counts deliveries missing one second after the window.');
  lines.push('');
  lines.push(...crossingNodes(rep));
  for (const s of servers) {
    const r = by.get(s)!;
    lines.push(`## ${r.label}: latency against load`);
    lines.push('');
    if (!r.ok) lines.push(`**Run problem:** ${r.error ?? 'unknown'}\n`);
    lines.push(`Smoke check with real providers: ${r.smoke.ok ? 'ok' : 'FAILED'} (${r.smoke.ms} ms)${r.smoke.error ? ` — ${r.smoke.error}` : ''}.`);
    lines.push('');
    if (r.nodes > 1) {
      lines.push(`${r.nodes} server processes: CPU and RSS are their sum, event-loop delay the worst node's. ` +
        'Memory "per idle connection" is not comparable with the single-node runs: the writers load each room on one node, ' +
        'and the receivers that join afterwards load it on the other node too, so that phase\'s growth includes a second copy of every room.\n');
    }
    lines.push('| offered/s | achieved/s | delivered/s | p50 | p95 | p99 | codebook p99 | lost | server CPU % | µs/frame | server lag p99/max | PG + Redis CPU % | load CPU % | other CPU % | load lag p99 |');
    lines.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const w of r.saturation) {
      lines.push(`| ${fmt(w.offered, 0)} | ${fmt(w.achieved)} | ${fmt(w.delivered)} | ${fmt(w.latency.p50)} | ${fmt(w.latency.p95)} | ` +
        `${fmt(w.latency.p99)} | ${fmt(w.codebookLatency.p99)} | ${fmt(w.lost, 0)} | ${fmt(w.serverCpuPct)} | ${fmt(w.serverUsPerFrame)} | ${fmt(w.serverLagP99)}/${fmt(w.serverLagMax)} | ${fmt(w.infraCpuPct)} | ${fmt(w.loadCpuPct)} | ${fmt(w.otherCpuPct)} | ${fmt(w.loadLagP99)} |`);
    }
    if (r.churn) {
      const grown = Object.entries(r.churn.resourcesGrown).map(([k, v]) => `${k} +${v}`).join(', ') || 'none';
      lines.push('');
      lines.push(`After everyone left: rooms ${fmt(r.churn.roomsLeft, 0)} (waited ${r.churn.waitedMs} ms), live timers ${r.churn.timersBefore} → ` +
        `${r.churn.timersAfter ?? 'no answer'} (ref'd Δ ${r.churn.refTimersLeft ?? '–'}; waited ${r.churn.timersSettledMs ?? 0} ms for them to settle), handles grown: ${grown}, RSS ${fmt(mb(r.churn.rssBefore))} → ${fmt(mb(r.churn.rssAfter))} MB.`);
    }
    lines.push('');
  }
  if (rep.notes.length) {
    lines.push('## Notes');
    lines.push('');
    for (const n of rep.notes) lines.push(`- ${n}`);
    lines.push('');
  }
  return lines.join('\n');
}

/**
 * The cost of crossing nodes: in the cluster run, every room has receivers on the
 * writer's node and on the other, under the same load at the same moment, so their
 * difference is what Redis adds; beside it the single-node runs on SQLite and PostgreSQL.
 */
function crossingNodes(rep: BenchReport): string[] {
  const cluster = rep.results.find((r) => r.server === 'concord-cluster');
  if (!cluster?.defaultLoad?.crossNodeLatency || !cluster.defaultLoad.sameNodeLatency) return [];
  const single = ['concord', 'concord-pg'].map((k) => rep.results.find((r) => r.server === k)).filter((r): r is ServerResult => !!r?.defaultLoad);
  const out: string[] = [];
  out.push('## Several nodes: the cost of crossing nodes');
  out.push('');
  out.push('Default load. In the cluster run client k of room r is on node (r + k) mod 2, so each room has one receiver on the ' +
    'writer\'s node and two on the other; "cost" is cross-node minus same-node, measured in the same window.');
  out.push('');
  out.push('| run | p50 | p95 | p99 | max | samples | server CPU % | PostgreSQL + Redis CPU % |');
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const row = (name: string, p: { p50: number; p95: number; p99: number; max: number; count: number }, w: WindowResult | null) =>
    out.push(`| ${name} | ${fmt(p.p50)} | ${fmt(p.p95)} | ${fmt(p.p99)} | ${fmt(p.max)} | ${fmt(p.count, 0)} | ${w ? fmt(w.serverCpuPct) : ''} | ${w ? fmt(w.infraCpuPct) : ''} |`);
  for (const r of single) row(`${r.label}, 1 node`, r.defaultLoad!.latency, r.defaultLoad);
  const d = cluster.defaultLoad;
  row(`${cluster.label}: all receivers`, d.latency, d);
  row('… receivers on the writer\'s node', d.sameNodeLatency!, null);
  row('… receivers on the other node', d.crossNodeLatency!, null);
  const same = d.sameNodeLatency!, cross = d.crossNodeLatency!;
  out.push(`| **cost of crossing nodes** | **+${fmt(cross.p50 - same.p50)}** | +${fmt(cross.p95 - same.p95)} | **+${fmt(cross.p99 - same.p99)}** | | | | |`);
  out.push('');
  return out;
}

// ---- SVG ---------------------------------------------------------------------------------

const COLORS: Record<ServerKind, string> = {
  concord: '#D55E00', 'concord-pg': '#CC79A7', 'concord-cluster': '#E69F00', hocuspocus: '#0072B2', 'y-websocket': '#009E73',
};

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** p99 (solid) and p50 (dashed) latency against offered load, log–log, one line per server. */
export function renderSvg(rep: BenchReport): string {
  const W = 760, H = 440, L = 70, R = 190, T = 40, B = 56;
  const pw = W - L - R, ph = H - T - B;
  const series = ORDER.map((s) => rep.results.find((r) => r.server === s)).filter((r): r is ServerResult => !!r && r.saturation.length > 0);
  const pts = series.flatMap((r) => r.saturation);
  const limit = rep.options.saturationP99Ms;
  const xs = pts.map((p) => p.offered).filter((v) => v > 0);
  const ys = pts.flatMap((p) => [p.latency.p50, p.latency.p99]).filter((v) => v > 0);
  const xMin = xs.length ? Math.min(...xs) / 1.3 : 1, xMax = xs.length ? Math.max(...xs) * 1.3 : 2;
  const yMin = Math.max(0.1, Math.min(...ys, 1)), yMax = Math.max(...ys, limit * 2);
  const lx0 = Math.log10(xMin) - 0.05, lx1 = Math.log10(xMax) + 0.05;
  const ly0 = Math.floor(Math.log10(yMin)), ly1 = Math.ceil(Math.log10(yMax));
  const X = (v: number) => L + ((Math.log10(v) - lx0) / (lx1 - lx0)) * pw;
  const Y = (v: number) => T + ph - ((Math.log10(Math.max(v, 10 ** ly0)) - ly0) / (ly1 - ly0)) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${L}" y="22" font-size="14" font-weight="bold">${esc(`Update latency against load — ${rep.date} ${rep.gitSha}${rep.quick ? ' (quick)' : ''}`)}</text>`);
  // Grid and axes.
  for (let e = ly0; e <= ly1; e++) {
    const y = Y(10 ** e);
    out.push(`<line x1="${L}" x2="${L + pw}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#ddd"/>`);
    out.push(`<text x="${L - 8}" y="${(y + 4).toFixed(1)}" text-anchor="end">${fmt(10 ** e, 1)}</text>`);
  }
  const xTicks = [...new Set(xs)].sort((a, b) => a - b);
  for (const v of xTicks) {
    const x = X(v);
    out.push(`<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${T}" y2="${T + ph}" stroke="#eee"/>`);
    out.push(`<text x="${x.toFixed(1)}" y="${T + ph + 16}" text-anchor="middle">${fmt(v, 0)}</text>`);
  }
  out.push(`<rect x="${L}" y="${T}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${L + pw / 2}" y="${H - 14}" text-anchor="middle">offered updates/s (all rooms, log scale)</text>`);
  out.push(`<text transform="translate(18 ${T + ph / 2}) rotate(-90)" text-anchor="middle">latency ms (log scale)</text>`);
  const ly = Y(limit);
  out.push(`<line x1="${L}" x2="${L + pw}" y1="${ly.toFixed(1)}" y2="${ly.toFixed(1)}" stroke="#999" stroke-dasharray="6 4"/>`);
  out.push(`<text x="${L + pw - 4}" y="${(ly - 5).toFixed(1)}" text-anchor="end" fill="#666">p99 limit ${limit} ms</text>`);
  // Lines.
  const path = (ws: WindowResult[], pick: (w: WindowResult) => number) =>
    ws.map((w, i) => `${i === 0 ? 'M' : 'L'}${X(w.offered).toFixed(1)},${Y(pick(w)).toFixed(1)}`).join(' ');
  series.forEach((r, i) => {
    const color = COLORS[r.server];
    out.push(`<path d="${path(r.saturation, (w) => w.latency.p99)}" fill="none" stroke="${color}" stroke-width="2.5"/>`);
    out.push(`<path d="${path(r.saturation, (w) => w.latency.p50)}" fill="none" stroke="${color}" stroke-width="1.5" stroke-dasharray="4 3"/>`);
    for (const w of r.saturation) {
      out.push(`<circle cx="${X(w.offered).toFixed(1)}" cy="${Y(w.latency.p99).toFixed(1)}" r="3.5" fill="${color}"/>`);
    }
    const lyL = T + 14 + i * 38;
    out.push(`<line x1="${L + pw + 16}" x2="${L + pw + 40}" y1="${lyL}" y2="${lyL}" stroke="${color}" stroke-width="2.5"/>`);
    out.push(`<text x="${L + pw + 46}" y="${lyL + 4}">${esc(r.label)}</text>`);
    out.push(`<line x1="${L + pw + 16}" x2="${L + pw + 40}" y1="${lyL + 16}" y2="${lyL + 16}" stroke="${color}" stroke-width="1.5" stroke-dasharray="4 3"/>`);
    out.push(`<text x="${L + pw + 46}" y="${lyL + 20}" fill="#555">p50 (solid: p99)</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
