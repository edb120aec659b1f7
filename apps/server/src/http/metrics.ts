import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Config } from '../env.ts';
import type { AddressResolver } from './client-address.ts';

/** What the metrics read from the running server when scraped. */
export interface MetricSources {
  rooms(): number;
  sockets(): number;
  addresses(): number;
}

/**
 * Prometheus metrics (prom-client), one registry per server: loaded rooms, open
 * sockets, client updates committed (a counter: `rate()` gives updates/s),
 * commit latency, and Node's own metrics including event-loop delay
 * (`nodejs_eventloop_lag_*`, from `perf_hooks.monitorEventLoopDelay`).
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly updates: Counter;
  private readonly commitSeconds: Histogram;

  constructor(sources: MetricSources, nodeId: string) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ node: nodeId });
    collectDefaultMetrics({ register: this.registry, prefix: '', eventLoopMonitoringPrecision: 10 });
    new Gauge({ name: 'concord_rooms', help: 'Documents loaded on this node.', registers, collect() { this.set(sources.rooms()); } });
    new Gauge({ name: 'concord_sockets', help: 'Open sync WebSockets on this node (admitted, being admitted or being refused).', registers, collect() { this.set(sources.sockets()); } });
    new Gauge({ name: 'concord_socket_addresses', help: 'Client addresses with a socket open on this node.', registers, collect() { this.set(sources.addresses()); } });
    this.updates = new Counter({ name: 'concord_updates_committed_total', help: 'Client updates committed to storage (rate() gives updates per second).', registers });
    this.commitSeconds = new Histogram({
      name: 'concord_commit_seconds', help: 'Time from a room handing its updates to the group commit until they are durable.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers,
    });
  }

  /** A commit of `updates` client updates that took `ms`. */
  committed(updates: number, ms: number): void {
    this.updates.inc(updates);
    this.commitSeconds.observe(ms / 1000);
  }
}

/** Loopback addresses may read the metrics without a token. */
const LOOPBACK = /^(127\.|::1$)/;

/**
 * `GET /metrics`: with `CONCORD_METRICS_TOKEN` set, for `Authorization: Bearer
 * <token>` only; without it, only for clients on this machine (the address as
 * trusted proxies report it, so a proxy on the same host does not open it to
 * the world).
 */
export function metricsRoute(metrics: () => Metrics | null, cfg: Config, clientAddress: AddressResolver): Hono {
  const app = new Hono();
  app.get('/metrics', async (c) => {
    const m = metrics();
    if (!m) return c.text('metrics are not enabled', 404);
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    if (cfg.metricsToken) {
      const given = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? '';
      if (!sameSecret(given, cfg.metricsToken)) return c.text('a metrics token is required (Authorization: Bearer …)', 401);
    } else if (!LOOPBACK.test(clientAddress(incoming?.socket?.remoteAddress, incoming?.headers ?? {}))) {
      return c.text('metrics are served to this machine only; set CONCORD_METRICS_TOKEN to read them from elsewhere', 403);
    }
    c.header('Content-Type', m.registry.contentType);
    return c.body(await m.registry.metrics());
  });
  return app;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
