// Prometheus metrics (prom-client): request latency observed as requests are
// answered; everything else read from the database at scrape time, so every process
// of a deployment reports the same numbers and nothing is lost on a restart —
// sync runs and rows per platform, reports sent / failed and the oldest unsent,
// LLM tokens and cost, the webhook queue's depth and age, tracking events per
// second, the brain's duration per client, actions on the platforms.
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '../db/client.ts';

export interface Metrics {
  registry: Registry;
  /** The exposition text; the process metrics (memory, event loop, GC) start with the first scrape. */
  render(): Promise<{ body: string; contentType: string }>;
  /** Seconds a request took, by method, route (its pattern, never the raw path) and status. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
}

type Row = Record<string, unknown>;

export function createMetrics(db: Db, now: () => Date = () => new Date()): Metrics {
  const registry = new Registry();
  let defaults = false;
  const http = new Histogram({
    name: 'adbrain_http_request_duration_seconds', help: 'HTTP request latency', labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry],
  });
  const q = <T extends Row>(sql: string, params: unknown[] = []) => db.sql.query<T>(sql, params);
  const since = () => new Date(now().getTime() - 86_400_000);
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[], read: (g: Gauge<L>) => Promise<void>) =>
    new Gauge<L>({ name, help, labelNames, registers: [registry], async collect() { this.reset(); await read(this); } });

  gauge('adbrain_sync_runs_24h', 'Connector sync runs finished in the last 24 hours', ['platform', 'status'] as const, async (g) => {
    for (const r of await q<{ source: string; status: string; n: number }>("SELECT source, status::text AS status, count(*)::int AS n FROM sync_run WHERE started_at >= $1 GROUP BY 1, 2", [since()])) g.set({ platform: r.source.replace(/-api$/, ''), status: r.status }, r.n);
  });
  gauge('adbrain_sync_rows_written_24h', 'Rows written by connector syncs in the last 24 hours', ['platform'] as const, async (g) => {
    for (const r of await q<{ source: string; n: number }>('SELECT source, sum(rows_upserted)::int AS n FROM sync_run WHERE started_at >= $1 GROUP BY 1', [since()])) g.set({ platform: r.source.replace(/-api$/, '') }, r.n);
  });
  gauge('adbrain_reports_24h', 'Daily reports by status, made in the last 24 hours', ['status'] as const, async (g) => {
    for (const r of await q<{ status: string; n: number }>('SELECT status::text AS status, count(*)::int AS n FROM report WHERE created_at >= $1 GROUP BY 1', [since()])) g.set({ status: r.status }, r.n);
  });
  gauge('adbrain_oldest_unsent_report_age_seconds', 'Age of the oldest report not sent or written (pending, rendered, failed) in the last 7 days; 0 when none', [] as const, async (g) => {
    const [r] = await q<{ at: Date | null }>("SELECT min(created_at) AS at FROM report WHERE status::text IN ('pending', 'rendered', 'failed') AND created_at >= $1", [new Date(now().getTime() - 7 * 86_400_000)]);
    g.set(r?.at ? Math.max(0, (now().getTime() - new Date(r.at).getTime()) / 1000) : 0);
  });
  gauge('adbrain_llm_tokens_24h', 'LLM tokens (input + output) in the last 24 hours', ['provider', 'purpose'] as const, async (g) => {
    for (const r of await q<{ provider: string; purpose: string; n: number }>('SELECT provider, purpose, sum(input_tokens + output_tokens)::float8 AS n FROM llm_call WHERE created_at >= $1 GROUP BY 1, 2', [since()])) g.set({ provider: r.provider, purpose: r.purpose }, r.n);
  });
  gauge('adbrain_llm_cost_usd_24h', 'LLM cost in US dollars in the last 24 hours', ['provider'] as const, async (g) => {
    for (const r of await q<{ provider: string; usd: number }>('SELECT provider, sum(cost_usd)::float8 AS usd FROM llm_call WHERE created_at >= $1 GROUP BY 1', [since()])) g.set({ provider: r.provider }, r.usd);
  });
  gauge('adbrain_webhook_queue_depth', 'Webhook deliveries waiting (first attempt or a retry)', [] as const, async (g) => {
    const [r] = await q<{ n: number }>("SELECT count(*)::int AS n FROM webhook_delivery WHERE status = 'pending'");
    g.set(r?.n ?? 0);
  });
  gauge('adbrain_webhook_queue_oldest_age_seconds', 'Age of the oldest waiting webhook delivery; 0 when none', [] as const, async (g) => {
    const [r] = await q<{ at: Date | null }>("SELECT min(created_at) AS at FROM webhook_delivery WHERE status = 'pending'");
    g.set(r?.at ? Math.max(0, (now().getTime() - new Date(r.at).getTime()) / 1000) : 0);
  });
  gauge('adbrain_tracking_events_per_second', 'First-party visits recorded per second, over the last 5 minutes', [] as const, async (g) => {
    const [r] = await q<{ n: number }>('SELECT count(*)::int AS n FROM visit WHERE at >= $1', [new Date(now().getTime() - 300_000)]);
    g.set((r?.n ?? 0) / 300);
  });
  gauge('adbrain_brain_duration_seconds', 'Duration of each client\'s latest brain run (load, scoring, cycle, forecasts)', ['client'] as const, async (g) => {
    const rows = await q<{ slug: string; timings: Record<string, unknown> | null }>(
      'SELECT DISTINCT ON (b.client_id) c.slug, b.timings FROM brain_run b JOIN client c ON c.id = b.client_id WHERE b.timings IS NOT NULL ORDER BY b.client_id, b.as_of DESC',
    );
    for (const r of rows) g.set({ client: r.slug }, Object.values(r.timings ?? {}).reduce<number>((s, v) => s + (typeof v === 'number' ? v : 0), 0) / 1000);
  });
  gauge('adbrain_platform_actions_24h', 'Changes on the ad platforms by state, in the last 24 hours', ['state'] as const, async (g) => {
    for (const r of await q<{ state: string; n: number }>('SELECT state, count(*)::int AS n FROM ad_action WHERE updated_at >= $1 GROUP BY 1', [since()])) g.set({ state: r.state }, r.n);
  });

  return {
    registry,
    async render() {
      if (!defaults) {
        defaults = true;
        collectDefaultMetrics({ register: registry, prefix: 'adbrain_' });
      }
      return { body: await registry.metrics(), contentType: registry.contentType };
    },
    observeRequest: (method, route, status, seconds) => http.observe({ method, route, status: String(status) }, seconds),
  };
}
