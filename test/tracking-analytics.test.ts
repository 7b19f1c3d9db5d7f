// First-party analytics over a small history sent by a server with its own times
// (another tracker's export): every number worked out by hand — per campaign, a
// parent with its children, the three models, the leaderboard, devices, products,
// where an order and a customer came from — and an order that arrived before the
// visit that explains it, attributed once the visit is in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { loadConfig } from '../src/config.ts';
import { addAgency } from '../src/domain/agencies.ts';
import { createApiKey } from '../src/domain/api-keys.ts';
import { addClient } from '../src/domain/clients.ts';
import { runBrain } from '../src/run/brain-run.ts';
import { renderDailyReport } from '../src/reports/daily-report.ts';
import { loadReportModel } from '../src/reports/load-model.ts';
import { syncStep } from '../src/run/day.ts';
import { rebuildSnapshots } from '../src/tracking/snapshots.ts';
import { dbKinds, freshDb, type TestDb } from './helpers/db.ts';

const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const DESKTOP = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

describe.each(dbKinds)('first-party analytics (%s)', (kind) => {
  let db: TestDb;
  let app: ReturnType<typeof createApp>;
  let key = '';
  let clientId = '';
  const ids: Record<string, string> = {};
  const api = async (method: string, url: string, body?: unknown) => {
    const res = await app.request(url, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, json: await res.json().catch(() => null) as any };
  };
  const order = (orderId: string, sessionId: string | undefined, at: string, revenueCents: number, extra: Record<string, unknown> = {}) =>
    api('POST', '/v1/track/conversion', { clientId, orderId, sessionId, revenueCents, currency: 'USD', timestamp: at, ...extra });

  beforeAll(async () => {
    db = await freshDb(kind);
    await addAgency(db.prisma, { slug: 'ag', name: 'Ag' });
    const c = await addClient(db.prisma, { slug: 'store', agency: 'ag', currency: 'USD', timezone: 'UTC' });
    clientId = c.id;
    key = (await createApiKey(db.prisma, c.agencyId, { role: 'member' })).key;
    app = createApp(apiDeps(db, loadConfig({}), () => new Date('2026-11-15T12:00:00Z')));
    const mk = async (name: string, body: Record<string, unknown>) => {
      const r = await api('POST', `/v1/clients/${clientId}/tracking-campaigns`, { name, destinationUrl: 'https://store.example/', ...body });
      expect(r.status, JSON.stringify(r.json)).toBe(201);
      ids[name] = r.json.id;
    };
    await mk('Parent', { code: 'PARENT', platform: 'multi', type: 'campaign' });
    await mk('Reel A', { code: 'REEL_A', platform: 'instagram', type: 'reel', parentId: ids.Parent, costCents: 30_000, startsAt: '2026-10-01T00:00:00Z', endsAt: '2026-10-30T23:59:59Z' });
    await mk('Story B', { code: 'STORY_B', platform: 'tiktok', type: 'story', parentId: ids.Parent });

    // o4 arrives before the visit that explains it.
    expect((await order('o4', 'session-5', '2026-10-12T10:00:00Z', 4_000)).json.campaignId).toBeNull();
    const h = await api('POST', '/v1/track/events', { clientId, events: [
      { type: 'visit', sessionId: 'session-1', timestamp: '2026-10-05T10:00:00Z', code: 'REEL_A', userAgent: IPHONE, country: 'fr' },
      { type: 'visit', sessionId: 'session-2', timestamp: '2026-10-07T10:00:00Z', code: 'REEL_A', userAgent: DESKTOP },
      { type: 'visit', sessionId: 'session-2', timestamp: '2026-10-08T10:00:00Z', code: 'STORY_B', userAgent: DESKTOP },
      { type: 'activity', sessionId: 'session-2', timestamp: '2026-10-08T10:05:00Z', path: '/cart' },
      { type: 'visit', sessionId: 'session-3', timestamp: '2026-10-10T10:00:00Z', code: 'STORY_B' },
      { type: 'visit', sessionId: 'session-4', timestamp: '2026-10-10T11:00:00Z', code: 'GONE' },
      { type: 'visit', sessionId: 'session-5', timestamp: '2026-10-11T10:00:00Z', code: 'REEL_A' },
    ] });
    expect(h.status).toBe(201);
    expect(h.json).toEqual({ accepted: 7, touches: 5, unknownCodes: ['GONE'], reattributed: 1 });
    await order('o1', 'session-1', '2026-10-06T10:00:00Z', 10_000, { customerId: 'c1', lineItems: [{ productId: 'p1', name: 'Dress', quantity: 2, priceCents: 2_500 }, { productId: 'p2', name: 'Belt', quantity: 1, priceCents: 6_000 }] });
    await order('o2', 'session-2', '2026-10-09T10:00:00Z', 5_000, { customerId: 'c1' });
    await order('o3', 'session-4', '2026-10-10T12:00:00Z', 2_000);
  });
  afterAll(async () => db?.destroy());

  it('one campaign: every number, by last touch and by the other models', async () => {
    const a = (await api('GET', `/v1/tracking-campaigns/${ids['Reel A']}/analytics?from=2026-10-01&to=2026-10-30`)).json;
    expect(a).toMatchObject({
      currency: 'USD', visits: 3, uniqueVisitors: 3, conversions: 2, revenueCents: 14_000, costCents: 30_000,
      conversionRate: 2 / 3, averageOrderCents: 7_000, roi: (14_000 - 30_000) / 30_000, costPerVisitCents: 10_000, costPerConversionCents: 15_000,
    });
    expect(a.timeline).toHaveLength(30);
    expect(a.timeline.find((d: { day: string }) => d.day === '2026-10-06')).toEqual({ day: '2026-10-06', visits: 0, conversions: 1, revenueCents: 10_000 });
    expect(a.devices).toEqual([{ device: 'desktop', visits: 1 }, { device: 'mobile', visits: 1 }, { device: 'unknown', visits: 1 }]);
    expect(a.countries).toEqual([{ country: 'unknown', visits: 2 }, { country: 'FR', visits: 1 }]);
    expect(a.topProducts).toEqual([{ productId: 'p2', name: 'Belt', quantity: 1, revenueCents: 6_000 }, { productId: 'p1', name: 'Dress', quantity: 2, revenueCents: 5_000 }]);
    const first = (await api('GET', `/v1/tracking-campaigns/${ids['Reel A']}/analytics?from=2026-10-01&to=2026-10-30&model=first_touch`)).json;
    expect([first.conversions, first.revenueCents]).toEqual([3, 19_000]);
    const linear = (await api('GET', `/v1/tracking-campaigns/${ids['Reel A']}/analytics?from=2026-10-01&to=2026-10-30&model=linear`)).json;
    expect([linear.conversions, linear.revenueCents]).toEqual([2.5, 16_500]);
    // Half the range: half of A's cost.
    expect((await api('GET', `/v1/tracking-campaigns/${ids['Reel A']}/analytics?from=2026-10-01&to=2026-10-15`)).json.costCents).toBe(15_000);
  });

  it('a parent with its children sums them (unique visitors counted once) and lists each', async () => {
    const p = (await api('GET', `/v1/tracking-campaigns/${ids.Parent}/analytics?from=2026-10-01&to=2026-10-30&include_children=true`)).json;
    expect(p).toMatchObject({ visits: 5, uniqueVisitors: 4, conversions: 3, revenueCents: 19_000, costCents: 30_000 });
    expect(p.children.map((c: { code: string; visits: number; conversions: number; revenueCents: number }) => [c.code, c.visits, c.conversions, c.revenueCents])).toEqual([['REEL_A', 3, 2, 14_000], ['STORY_B', 2, 1, 5_000]]);
    const sum = (k: 'visits' | 'conversions' | 'revenueCents') => p.children.reduce((n: number, c: Record<string, number>) => n + c[k]!, 0);
    expect([sum('visits'), sum('conversions'), sum('revenueCents')]).toEqual([p.visits, p.conversions, p.revenueCents]);
    const alone = (await api('GET', `/v1/tracking-campaigns/${ids.Parent}/analytics?from=2026-10-01&to=2026-10-30`)).json;
    expect([alone.visits, alone.children]).toEqual([0, undefined]);
  });

  it('leaderboard, platforms, overview', async () => {
    const byRevenue = (await api('GET', `/v1/clients/${clientId}/tracking/leaderboard?from=2026-10-01&to=2026-10-30&by=revenue`)).json;
    expect(byRevenue.data.map((x: { code: string }) => x.code)).toEqual(['REEL_A', 'STORY_B', 'PARENT']);
    const byRoi = (await api('GET', `/v1/clients/${clientId}/tracking/leaderboard?from=2026-10-01&to=2026-10-30&by=roi&limit=2`)).json;
    expect(byRoi.data.map((x: { code: string; roi: number | null }) => [x.code, x.roi])).toEqual([['REEL_A', (14_000 - 30_000) / 30_000], ['STORY_B', null]]);
    const byRate = (await api('GET', `/v1/clients/${clientId}/tracking/leaderboard?from=2026-10-01&to=2026-10-30&by=conversion_rate`)).json;
    expect(byRate.data.map((x: { code: string }) => x.code).slice(0, 2)).toEqual(['REEL_A', 'STORY_B']);
    const o = (await api('GET', `/v1/clients/${clientId}/tracking/overview?from=2026-10-01&to=2026-10-30`)).json;
    expect(o.total).toMatchObject({ platform: 'all', visits: 5, conversions: 3, revenueCents: 19_000 });
    expect(o.platforms.map((x: { platform: string; revenueCents: number }) => [x.platform, x.revenueCents])).toEqual([['instagram', 14_000], ['tiktok', 5_000], ['multi', 0]]);
    expect((await api('GET', `/v1/clients/${clientId}/tracking/leaderboard?from=2026-10-30&to=2026-10-01`)).status).toBe(422);
  });

  it('where an order and a customer came from; history rules', async () => {
    const src = (await api('GET', `/v1/clients/${clientId}/orders/o2/campaign-source`)).json;
    expect(src).toMatchObject({ orderId: 'o2', attributed: true, campaign: { code: 'STORY_B' }, firstTouch: ids['Reel A'] });
    expect(src.linear.map((x: { share: number }) => x.share)).toEqual([0.5, 0.5]);
    expect((await api('GET', `/v1/clients/${clientId}/orders/o3/campaign-source`)).json).toMatchObject({ attributed: false, campaign: null });
    expect((await api('GET', `/v1/clients/${clientId}/orders/o4/campaign-source`)).json.campaign.code).toBe('REEL_A');
    expect((await api('GET', `/v1/clients/${clientId}/orders/nope/campaign-source`)).status).toBe(404);
    expect((await api('GET', `/v1/clients/${clientId}/customers/c1/acquisition`)).json).toMatchObject({ customerId: 'c1', campaign: { code: 'REEL_A' } });
    expect((await api('GET', `/v1/clients/${clientId}/customers/c1/campaign-history`)).json.orders.map((x: { orderId: string; campaign: { code: string } | null }) => [x.orderId, x.campaign?.code])).toEqual([['o1', 'REEL_A'], ['o2', 'STORY_B']]);
    const future = await api('POST', '/v1/track/events', { clientId, events: [{ type: 'visit', sessionId: 'session-9', timestamp: '2027-01-01T00:00:00Z', code: 'REEL_A' }] });
    expect(future.status).toBe(422);
    expect(future.json.error.message).toMatch(/events\.0\.timestamp/);
  });

  it('into the brain and the report: each campaign an entity with daily rows (its cost spread exactly), re-read idempotently', async () => {
    const client = await db.prisma.client.findUniqueOrThrow({ where: { id: clientId } });
    const step = await syncStep.run({ db, client, asOf: '2026-10-30', now: new Date('2026-10-31T08:00:00Z'), outboxDir: '/tmp' } as never, {});
    expect(step.status).toBe('ok');
    expect(step.detail).toMatch(/first-party: 3 campaign\(s\)/);
    const sums = async () => db.sql.query<{ ext: string; spend: string; clicks: string; conv: string; revenue: string; days: number }>(
      `SELECT e.external_id AS ext, sum(m.spend_cents)::text AS spend, sum(m.clicks)::text AS clicks, sum(m.conversions)::text AS conv, sum(m.revenue_cents)::text AS revenue, count(*)::int AS days
       FROM daily_metric m JOIN entity e ON e.id = m.entity_id WHERE e.client_id = $1::uuid AND m.source = 'tracking' GROUP BY 1 ORDER BY 1`, [clientId]);
    const first = await sums();
    const of = (id: string) => first.find((r) => r.ext === `tc:${id}`)!;
    expect([of(ids['Reel A']!).spend, of(ids['Reel A']!).clicks, Number(of(ids['Reel A']!).conv), of(ids['Reel A']!).revenue, of(ids['Reel A']!).days]).toEqual(['30000', '3', 2, '14000', 30]);
    expect([of(ids['Story B']!).clicks, Number(of(ids['Story B']!).conv), of(ids['Story B']!).revenue]).toEqual(['2', 1, '5000']);
    // Again: the same rows, nothing doubled.
    await syncStep.run({ db, client, asOf: '2026-10-30', now: new Date('2026-10-31T08:00:00Z'), outboxDir: '/tmp' } as never, {});
    expect(await sums()).toEqual(first);
    // The brain runs over them; the report lists them.
    const r = await runBrain(db, client, '2026-10-30', { now: new Date('2026-10-31T08:00:00Z') });
    const entity = await db.prisma.entity.findFirstOrThrow({ where: { clientId, externalId: `tc:${ids['Reel A']}` } });
    expect(r.output.oracle.forecasts.some((f: { entityId: string }) => f.entityId === entity.id)).toBe(true);
    const model = await loadReportModel(db, client, '2026-10-12', new Date('2026-10-13T08:00:00Z'));
    // 10-06 … 10-12: A has s2 and s5's visits and orders o1 and o4; B has s2 and s3, and o2.
    expect(model.firstParty?.map((x) => [x.code, x.visits, x.conversions, x.revenueCents, x.costCents])).toEqual([['REEL_A', 2, 2, 14_000, 7_000], ['STORY_B', 2, 1, 5_000, 0]]);
    // The brain's rows and the analytics agree on the cost of any range: one rule, summed.
    const [{ spend }] = await db.sql.query<{ spend: string }>(
      "SELECT sum(m.spend_cents)::text AS spend FROM daily_metric m JOIN entity e ON e.id = m.entity_id WHERE e.external_id = $1 AND m.date BETWEEN '2026-10-06' AND '2026-10-12'", [`tc:${ids['Reel A']}`]) as [{ spend: string }];
    expect(Number(spend)).toBe(model.firstParty![0]!.costCents);
    const rendered = await renderDailyReport(model);
    expect(rendered.text).toMatch(/First-party campaigns \(7 days\)\n {2}Reel A \(REEL_A\): 2 visits, 2 orders, \$140\.00 revenue, \$70\.00 cost, ROI 100/);
    expect(rendered.html).toContain('First-party campaigns (7 days)');
  }, 60_000);

  it('the hourly snapshots agree with the raw visits and orders (rebuilt from them: the same rows); hours; a deleted campaign leaves its orders unattributed', async () => {
    const snap = async () => (await db.sql.query<{ c: string; h: string; v: number; n: number; r: string }>(
      'SELECT campaign_id::text AS c, hour::text AS h, visits AS v, conversions AS n, revenue_cents::text AS r FROM campaign_hour WHERE visits > 0 OR conversions > 0 ORDER BY 1, 2')).map((x) => `${x.c} ${x.h} ${x.v} ${x.n} ${x.r}`);
    const live = await snap();
    expect(live.length).toBeGreaterThan(5);
    await rebuildSnapshots(db, clientId);
    expect(await snap()).toEqual(live);
    const hours = (await api('GET', `/v1/tracking-campaigns/${ids['Reel A']}/analytics?from=2026-10-05&to=2026-10-06&granularity=hour`)).json.timeline;
    expect(hours).toHaveLength(48);
    expect(hours.filter((h: { visits: number; conversions: number }) => h.visits || h.conversions)).toEqual([
      { hour: '2026-10-05T10:00', visits: 1, conversions: 0, revenueCents: 0 }, { hour: '2026-10-06T10:00', visits: 0, conversions: 1, revenueCents: 10_000 },
    ]);
    expect((await api('DELETE', `/v1/tracking-campaigns/${ids['Story B']}`)).status).toBe(204);
    expect((await api('GET', `/v1/clients/${clientId}/orders/o2/campaign-source`)).json).toMatchObject({ attributed: false, campaign: null });
    expect(await db.prisma.visit.count({ where: { campaignId: ids['Story B'] } })).toBe(0);
    await rebuildSnapshots(db, clientId);
    const after = (await api('GET', `/v1/tracking-campaigns/${ids.Parent}/analytics?from=2026-10-01&to=2026-10-30&include_children=true`)).json;
    expect(after.children.map((c: { code: string }) => c.code)).toEqual(['REEL_A']);
    expect([after.visits, after.conversions, after.revenueCents]).toEqual([3, 2, 14_000]);
  });
});
