// /metrics: Prometheus text read from the database at scrape time (the same on every
// process), request latency by route pattern; loopback callers or an admin key only.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { loadConfig } from '../src/config.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { createApiKey } from '../src/domain/api-keys.ts';
import { addClient } from '../src/domain/clients.ts';
import { freshDb, type TestDb } from './helpers/db.ts';

const NOW = new Date('2026-12-07T12:00:00Z');
const ago = (s: number) => new Date(NOW.getTime() - s * 1000);

describe('/metrics', () => {
  let db: TestDb;
  let app: ReturnType<typeof createApp>;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    db = await freshDb('pglite');
    const a = await addAgency(db.prisma, { slug: 'ops', name: 'Ops' });
    const c = await addClient(db.prisma, { slug: 'shop', agency: 'ops' });
    for (const role of ['admin', 'viewer'] as const) keys[role] = (await createApiKey(db.prisma, a.id, { role })).key;
    await db.prisma.syncRun.createMany({ data: [
      { clientId: c.id, source: 'meta-api', status: 'succeeded', rowsUpserted: 120, startedAt: ago(600) },
      { clientId: c.id, source: 'meta-api', status: 'succeeded', rowsUpserted: 30, startedAt: ago(3600) },
      { clientId: c.id, source: 'meta-api', status: 'failed', startedAt: ago(7200) },
      { clientId: c.id, source: 'tiktok-api', status: 'succeeded', rowsUpserted: 7, startedAt: ago(2 * 86_400) },
    ] });
    const day = new Date('2026-12-06T00:00:00Z');
    await db.prisma.report.create({ data: { clientId: c.id, periodStart: day, periodEnd: day, idempotencyKey: 'r1', status: 'failed', createdAt: ago(3600) } });
    await db.prisma.report.create({ data: { clientId: c.id, periodStart: new Date('2026-12-05T00:00:00Z'), periodEnd: new Date('2026-12-05T00:00:00Z'), idempotencyKey: 'r2', status: 'sent', createdAt: ago(7200) } });
    await db.prisma.llmCall.create({ data: { agencyId: a.id, provider: 'openai', model: 'gpt-4.1-mini', purpose: 'ask', promptVersion: 'ask-1', inputHash: 'h', inputTokens: 1200, outputTokens: 300, costUsd: 0.0123, cached: false, latencyMs: 800, ok: true, createdAt: ago(100) } });
    const ep = await db.prisma.webhookEndpoint.create({ data: { agencyId: a.id, url: 'https://hooks.example/x', secret: 's' } });
    await db.prisma.webhookDelivery.create({ data: { endpointId: ep.id, messageId: 'msg_1', eventType: 'report.sent', body: '{}', status: 'pending', createdAt: ago(90) } });
    await db.prisma.visit.createMany({ data: Array.from({ length: 30 }, (_, i) => ({ clientId: c.id, sessionId: `s${i}`, kind: 'page', at: ago(i * 5) })) });
    await db.prisma.brainRun.create({ data: { clientId: c.id, asOf: day, status: 'succeeded', timings: { load: 120, scoring: 30, cycle: 850, forecasts: 1000 } } });
    app = createApp(apiDeps(db, loadConfig({}), () => NOW), { rateLimit: 1000 });
  });
  afterAll(async () => db?.destroy());

  const scrape = async (key?: string) => app.request('/metrics', key ? { headers: { authorization: `Bearer ${key}` } } : {});

  it('needs an admin key from elsewhere than this machine', async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape(keys.viewer)).status).toBe(403);
    expect((await scrape(keys.admin)).status).toBe(200);
  });

  it('states what the database says, and request latency by route pattern', async () => {
    await app.request('/v1/health');
    await app.request(`/v1/clients/shop`, { headers: { authorization: `Bearer ${keys.viewer}` } });
    const res = await scrape(keys.admin);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const line = (l: string) => expect(text.split('\n')).toContain(l);
    line('adbrain_sync_runs_24h{platform="meta",status="succeeded"} 2');
    line('adbrain_sync_runs_24h{platform="meta",status="failed"} 1');
    expect(text).not.toMatch(/adbrain_sync_runs_24h\{platform="tiktok"/);
    line('adbrain_sync_rows_written_24h{platform="meta"} 150');
    line('adbrain_reports_24h{status="failed"} 1');
    line('adbrain_oldest_unsent_report_age_seconds 3600');
    line('adbrain_llm_tokens_24h{provider="openai",purpose="ask"} 1500');
    line('adbrain_llm_cost_usd_24h{provider="openai"} 0.0123');
    line('adbrain_webhook_queue_depth 1');
    line('adbrain_webhook_queue_oldest_age_seconds 90');
    line('adbrain_tracking_events_per_second 0.1');
    line('adbrain_brain_duration_seconds{client="shop"} 2');
    line('adbrain_http_request_duration_seconds_count{method="GET",route="/v1/health",status="200"} 1');
    line('adbrain_http_request_duration_seconds_count{method="GET",route="/v1/clients/:id",status="200"} 1');
    expect(text).toMatch(/^adbrain_process_resident_memory_bytes \d+/m);
  });

  it('answers a scraper on this machine without a key', async () => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/adbrain_webhook_queue_depth 1/);
      const proxied = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
      expect(proxied.status).toBe(401);
    } finally {
      await new Promise((r) => (server as http.Server).close(r));
    }
  });
});
