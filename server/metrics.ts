/**
 * Prometheus metrics at /metrics: HTTP latency by route and status, the Postgres pool's use, Node's own, and — where
 * this process runs a worker — the Temporal SDK's worker metrics, which the SDK's Core serves on a local port
 * (runtime/worker.ts) and /metrics appends.
 */
import type { RequestHandler } from 'express';
import client from 'prom-client';
import type { AppContext } from './context.ts';

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, prefix: 'dealflow_' });

const httpDuration = new client.Histogram({
  name: 'dealflow_http_request_duration_seconds',
  help: 'HTTP requests by method, route and status',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [registry],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

const pools = new Set<() => Promise<{ totalCount: number; idleCount: number; waitingCount: number } | null>>();
new client.Gauge({
  name: 'dealflow_db_pool_connections',
  help: 'Postgres pool connections by state (in use, idle, waiting requests)',
  labelNames: ['state'] as const,
  registers: [registry],
  async collect() {
    let total = 0;
    let idle = 0;
    let waiting = 0;
    for (const read of pools) {
      const p = await read().catch(() => null);
      if (p) {
        total += p.totalCount;
        idle += p.idleCount;
        waiting += p.waitingCount;
      }
    }
    this.set({ state: 'in_use' }, total - idle);
    this.set({ state: 'idle' }, idle);
    this.set({ state: 'waiting' }, waiting);
  },
});

/** The address where the Temporal SDK serves this process's worker metrics, when a worker runs here. */
let temporalMetricsAddress: string | null = null;
export const setTemporalMetricsAddress = (address: string | null) => {
  temporalMetricsAddress = address;
};

/** Times every request; the route is the matched path pattern (/api/v1/deals/:id), never the raw URL. */
export function httpMetrics(): RequestHandler {
  return (req, res, next) => {
    const end = httpDuration.startTimer();
    res.on('finish', () => {
      const routePath = (req.route as { path?: string } | undefined)?.path;
      const route = routePath ? `${req.baseUrl}${routePath}` : req.path.startsWith('/api') ? 'unmatched' : 'web';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}

export function metricsHandler(ctx: AppContext): RequestHandler {
  const orm = ctx.orm;
  const read = async () => (await orm.em.getConnection().getNativeClient?.()) as never;
  pools.add(read);
  return async (req, res, next) => {
    try {
      const token = ctx.config.DEALFLOW_METRICS_TOKEN;
      if (token && req.get('authorization') !== `Bearer ${token}`) {
        res.status(401).type('text').send('metrics need the bearer token of DEALFLOW_METRICS_TOKEN');
        return;
      }
      let text = await registry.metrics();
      if (temporalMetricsAddress) {
        const worker = await fetch(`http://${temporalMetricsAddress}/metrics`, { signal: AbortSignal.timeout(2000) })
          .then((r) => r.text())
          .catch(() => '');
        text += `\n${worker}`;
      }
      res.type(registry.contentType).send(text);
    } catch (e) {
      next(e);
    }
  };
}
