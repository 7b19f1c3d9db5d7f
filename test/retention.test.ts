// Retention: the prune rolls old daily metrics up by month (exact sums, unknowns
// kept unknown), deletes old orders and LLM records, empties old report bodies, in
// bounded batches, idempotently — and the brain and the daily report for a day
// inside the window come out exactly as before.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { runBrain } from '../src/run/brain-run.ts';
import { loadConfig } from '../src/config.ts';
import { runDemo } from '../src/demo/demo.ts';
import { createApiKey } from '../src/domain/api-keys.ts';
import { saveConnection } from '../src/domain/connections.ts';
import { loadReportModel } from '../src/reports/load-model.ts';
import { prune } from '../src/retention/prune.ts';
import { dbKinds, freshDb, type TestDb } from './helpers/db.ts';
import { randomBytes } from 'node:crypto';

const END = '2026-11-21';
const NOW = new Date('2026-11-22T12:00:00Z');
// 14 months (the floor) before the agency's today (2026-11-22, UTC).
const CUTOFF = '2025-09-22';

describe.each(dbKinds)('retention prune (%s)', (kind) => {
  let db: TestDb;
  let agencyId = '';
  const brainOf = async (slug: string) => {
    const c = await db.prisma.client.findUniqueOrThrow({ where: { slug } });
    const r = await runBrain(db, c, END, { now: NOW });
    const { timings: _t, ...rest } = r.output as unknown as Record<string, unknown>;
    return JSON.parse(JSON.stringify(rest, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
  };
  const reportOf = async (slug: string) => {
    const c = await db.prisma.client.findUniqueOrThrow({ where: { slug } });
    return JSON.parse(JSON.stringify(await loadReportModel(db, c, END, NOW)));
  };
  const sums = async () => (await db.sql.query<{ entity_id: string; spend: string; clicks: string; revenue: string | null }>(
    `SELECT entity_id::text, sum(spend_cents)::text AS spend, sum(clicks)::text AS clicks, sum(revenue_cents)::text AS revenue FROM (
       SELECT entity_id, spend_cents, clicks, revenue_cents FROM daily_metric WHERE date < $1::date
       UNION ALL SELECT entity_id, spend_cents, clicks, revenue_cents FROM metric_month) x GROUP BY 1 ORDER BY 1`, [CUTOFF]));

  beforeAll(async () => {
    db = await freshDb(kind);
    await runDemo(db, { endDate: END, days: 460, dataDir: await mkdtemp(path.join(tmpdir(), 'adbrain-retention-')) });
    const a = await db.prisma.agency.findUniqueOrThrow({ where: { slug: 'demo' } });
    agencyId = a.id;
    await db.prisma.agency.update({ where: { id: a.id }, data: { retainMetricsMonths: 14 } });
    const c = await db.prisma.client.findUniqueOrThrow({ where: { slug: 'demo-affiliate' } });
    // A day whose revenue was not reported, inside what goes.
    const old = await db.prisma.dailyMetric.findFirstOrThrow({ where: { entity: { clientId: c.id }, date: { lt: new Date(`${CUTOFF}T00:00:00Z`) } }, orderBy: { date: 'asc' } });
    await db.prisma.dailyMetric.update({ where: { id: old.id }, data: { revenueCents: null } });
    // LLM records, report bodies and Shopify orders on both sides of their windows.
    await db.prisma.llmCall.createMany({ data: [
      { agencyId: a.id, provider: 'x', model: 'm', purpose: 'summary', promptVersion: '1', inputHash: 'old', ok: true, createdAt: new Date(NOW.getTime() - 91 * 86_400_000) },
      { agencyId: a.id, provider: 'x', model: 'm', purpose: 'summary', promptVersion: '1', inputHash: 'new', ok: true, createdAt: new Date(NOW.getTime() - 89 * 86_400_000) },
    ] });
    for (const [d, key] of [['2024-10-01', 'old'], ['2025-12-01', 'new']] as const) {
      await db.prisma.report.create({ data: { clientId: c.id, periodStart: new Date(`${d}T00:00:00Z`), periodEnd: new Date(`${d}T00:00:00Z`), idempotencyKey: `r-${key}`, html: '<p>body</p>', text: 'body', pdf: Buffer.from('%PDF-1.4'), summary: 'kept', status: 'sent' } });
    }
    await db.prisma.visit.createMany({ data: [
      { clientId: c.id, sessionId: 's-old', kind: 'click', at: new Date('2025-10-01T00:00:00Z') },
      { clientId: c.id, sessionId: 's-new', kind: 'click', at: new Date('2025-11-01T00:00:00Z') },
    ] });
    const conn = await saveConnection(db.prisma, randomBytes(32), { clientId: c.id, platform: 'shopify', credentials: { accessToken: 'x' } });
    await db.prisma.revenueEvent.createMany({ data: [
      { connectionId: conn.id, externalId: 'o1', clientId: c.id, date: new Date('2025-09-01T00:00:00Z'), conversions: 1, revenueCents: 1000n, status: 'paid', updatedAt: NOW },
      { connectionId: conn.id, externalId: 'o2', clientId: c.id, date: new Date('2025-10-01T00:00:00Z'), conversions: 1, revenueCents: 1000n, status: 'paid', updatedAt: NOW },
    ] });
  }, 180_000);
  afterAll(async () => db?.destroy());

  it('a dry run counts what would go and changes nothing; the prune then takes exactly that, in batches, and keeps every total', async () => {
    const [{ n: expired }] = await db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM daily_metric WHERE date < $1::date', [CUTOFF]) as [{ n: number }];
    expect(expired).toBeGreaterThan(100);
    const [{ n: unknown }] = await db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM daily_metric WHERE date < $1::date AND revenue_cents IS NULL', [CUTOFF]) as [{ n: number }];
    expect(unknown).toBeGreaterThan(0);
    const sumsBefore = await sums();
    // A brain run remembers the insights of the one before: warm up, then compare two runs that see the same memory.
    await brainOf('demo-affiliate');
    const brainBefore = await brainOf('demo-affiliate');
    const reportBefore = await reportOf('demo-affiliate');

    const dry = await prune(db, { now: NOW, dryRun: true, agency: 'demo' });
    const t = (r: typeof dry, name: string) => r.agencies[0]!.targets.find((x) => x.target === name)!;
    expect(t(dry, 'daily_metrics')).toMatchObject({ rows: expired, cutoff: CUTOFF });
    expect(t(dry, 'llm_calls').rows).toBe(1);
    expect(t(dry, 'report_bodies').rows).toBe(1);
    expect(t(dry, 'revenue_events').rows).toBe(1);
    // Visits: 13 months before 2026-11-22.
    expect(t(dry, 'visits')).toMatchObject({ rows: 1, cutoff: '2025-10-22' });
    expect(await db.prisma.metricMonth.count()).toBe(0);

    const batches: number[] = [];
    const r = await prune(db, { now: NOW, agency: 'demo', batchSize: 250, onBatch: (b) => b.target === 'daily_metrics' && batches.push(b.rows) });
    expect(t(r, 'daily_metrics').rows).toBe(expired);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(expired);
    expect(batches.length).toBeGreaterThanOrEqual(Math.ceil(expired / 250));
    expect(Math.max(...batches)).toBeLessThanOrEqual(250);
    expect(r.longestBatchMs).toBeGreaterThan(0);
    expect(await db.prisma.dailyMetric.count({ where: { date: { lt: new Date(`${CUTOFF}T00:00:00Z`) } } })).toBe(0);
    // Old months: the same totals per entity, now as monthly rows.
    expect(await sums()).toEqual(sumsBefore);
    expect(await db.prisma.metricMonth.aggregate({ _sum: { days: true, revenueUnknownDays: true } })).toEqual({ _sum: { days: expired, revenueUnknownDays: unknown } });
    // A month nobody reported revenue for stays unknown (NULL), never 0.
    const [{ n: allUnknown }] = await db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM metric_month WHERE days = revenue_unknown_days') as [{ n: number }];
    expect(await db.prisma.metricMonth.count({ where: { revenueCents: null } })).toBe(allUnknown);

    // Inside the window nothing moved: the brain and the report come out the same.
    expect(await brainOf('demo-affiliate')).toEqual(brainBefore);
    expect(await reportOf('demo-affiliate')).toEqual(reportBefore);

    // The other targets.
    expect((await db.prisma.llmCall.findMany()).map((x) => x.inputHash)).toEqual(['new']);
    const reports = await db.prisma.report.findMany({ where: { idempotencyKey: { in: ['r-old', 'r-new'] } }, orderBy: { periodStart: 'asc' } });
    expect(reports.map((x) => [x.html, x.pdf === null, x.summary])).toEqual([[null, true, 'kept'], ['<p>body</p>', false, 'kept']]);
    expect((await db.prisma.revenueEvent.findMany()).map((x) => x.externalId)).toEqual(['o2']);
    expect((await db.prisma.visit.findMany()).map((x) => x.sessionId)).toEqual(['s-new']);

    // Again: nothing left to do.
    expect((await prune(db, { now: NOW })).rows).toBe(0);
  }, 120_000);

  it('retention is set per agency within its floors; a wrong value is a 422 naming the field', async () => {
    const key = (await createApiKey(db.prisma, agencyId, { role: 'admin' })).key;
    const app = createApp(apiDeps(db, loadConfig({}), () => NOW));
    const patch = (body: unknown) => app.request('/v1/settings/retention', { method: 'PATCH', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const bad = await patch({ metricsMonths: 6 });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(await bad.json())).toMatch(/metricsMonths.*400 days/);
    const ok = await patch({ metricsMonths: 24, llmDays: 30 });
    expect(await ok.json()).toEqual({ metricsMonths: 24, visitsMonths: 13, llmDays: 30, reportMonths: 24 });
  });
});
