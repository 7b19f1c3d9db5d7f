// The Shopify connector through real HTTP against a loopback fake: orders by update
// time in pages of 250, revenue per shop-local day net of refunds (test and
// cancelled orders out), a refund arriving days later lowering its own day, UTM /
// landing-page attribution to the ad link, the cost bucket and THROTTLED, the
// client-credentials grant renewed on 401, a refused token → needs_reauth, and a
// backfill beyond 60 days without read_all_orders said, not silent.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadDaily, loadEntities } from '../src/db/metrics-read.ts';
import { addClient } from '../src/domain/clients.ts';
import { connectAccount } from '../src/domain/connections.ts';
import { importCsv } from '../src/import/import-csv.ts';
import { loadReportModel } from '../src/reports/load-model.ts';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { loadConfig } from '../src/config.ts';
import { createApiKey } from '../src/domain/api-keys.ts';
import { exportCsv } from '../src/exports/kinds.ts';
import { syncConnection, type SyncOptions } from '../src/sources/sync.ts';
import { rebuildSnapshots } from '../src/tracking/snapshots.ts';
import { addDays } from '../src/time.ts';
import { startFakeShopify, type FakeShopify, type FakeShopifyOrder } from './fakes/shopify-server.ts';
import { dbKinds, freshDb, type TestDb } from './helpers/db.ts';
import { testSources } from './helpers/sources.ts';

const TODAY = '2026-11-20';
const NOW = new Date('2026-11-20T15:00:00Z'); // 16:00 in Berlin
const DAYS = Array.from({ length: 10 }, (_, i) => addDays(TODAY, i - 9));
const SHOE = 'https://northwind.example/products/trail-shoe?utm_source=facebook&utm_campaign=Summer';

/** 60 orders a day at 10:00 Berlin (09:00 UTC); every 10th a test order, every 15th cancelled, every 7th refunded €5. */
function orders(days = DAYS): FakeShopifyOrder[] {
  const out: FakeShopifyOrder[] = [];
  days.forEach((day, d) => {
    for (let i = 0; i < 60; i++) {
      const n = d * 60 + i;
      const at = `${day}T09:${String(i % 60).padStart(2, '0')}:00Z`;
      out.push({
        id: `gid://shopify/Order/${1000 + n}`, name: `#${1000 + n}`, createdAt: at, updatedAt: at, total: '40.00',
        test: n % 10 === 0, cancelledAt: n % 15 === 0 ? at : null, refunded: n % 7 === 0 ? '5.00' : '0.00',
        // A third land on the ad's product page, a third name the campaign, a third are organic.
        ...(i % 3 === 0 ? { landingPage: '/products/trail-shoe?utm_source=facebook', utm: { source: 'facebook' } } : i % 3 === 1 ? { landingPage: '/', utm: { campaign: 'Summer', source: 'facebook' } } : {}),
      });
    }
  });
  return out;
}

const expected = (list: FakeShopifyOrder[], day: string, filter: (o: FakeShopifyOrder, i: number) => boolean = () => true) => {
  let conv = 0, rev = 0;
  list.forEach((o, i) => {
    if (!o.createdAt.startsWith(day) || o.test || o.cancelledAt || !filter(o, i)) return;
    conv++;
    rev += Math.round((Number(o.total) - Number(o.refunded ?? 0)) * 100);
  });
  return { conv, rev };
};

describe.each(dbKinds)('Shopify connector on %s', (kind) => {
  let db: TestDb;
  let shop: FakeShopify;
  let seq = 0;
  let clientId: string;
  let slug: string;
  const key = randomBytes(32);
  const logs: string[] = [];
  const sources = () => testSources({ shopify: shop.url });
  const opts = (o: Partial<SyncOptions> = {}): SyncOptions => ({ key, sources: sources(), now: NOW, log: (l) => logs.push(l), ...o });
  const connect = () => connectAccount(db, key, sources(), { clientId, platform: 'shopify', accountId: 'northwind', accessToken: shop.token }, { now: NOW });
  const storeDays = async () => new Map((await db.sql.query<{ date: string; conv: number; rev: number }>(
    `SELECT m.date::text AS date, m.conversions::float8 AS conv, m.revenue_cents::float8 AS rev FROM daily_metric m JOIN entity e ON e.id = m.entity_id
      WHERE e.client_id = $1::uuid AND e.platform = 'shopify' AND e.kind = 'account' ORDER BY 1`, [clientId])).map((r) => [r.date, { conv: r.conv, rev: r.rev }]));

  beforeAll(async () => {
    db = await freshDb(kind);
  });
  afterAll(async () => db?.destroy());
  beforeEach(async () => {
    shop = await startFakeShopify({ orders: orders(), now: () => NOW.getTime() });
    slug = `nw-${++seq}`;
    clientId = (await addClient(db.prisma, { slug, timezone: 'Europe/Berlin', currency: 'EUR' })).id;
    // The Meta ads this shop runs: one links to the trail shoe, in campaign "Summer".
    const csv = ['date,platform,account,campaign,adset,ad,link,spend,impressions,clicks,conversions,revenue',
      ...DAYS.map((d) => `${d},meta,NW,Summer,Set,Shoe ad,${SHOE},50.00,4000,90,9,600.00`),
      ...DAYS.map((d) => `${d},meta,NW,Brand,Set,Brand ad,https://northwind.example/,20.00,3000,40,2,80.00`)].join('\n');
    await importCsv(db, Buffer.from(csv), 'meta.csv', { clientSlug: slug, now: NOW });
    logs.length = 0;
  });
  afterEach(async () => {
    for (const l of logs) expect(l).not.toContain(shop.token);
    await shop.close();
  });

  it('sums orders per Berlin day net of refunds, without test and cancelled ones; attributed orders are the ad link\'s revenue', async () => {
    const conn = await connect();
    expect(conn.settings).toMatchObject({ accountId: 'northwind.myshopify.com', accountName: 'Northwind Outfitters', currency: 'EUR', timezone: 'Europe/Berlin' });
    const r = await syncConnection(db, conn.id, opts());
    expect(r).toMatchObject({ status: 'succeeded', rowsFetched: 600 });
    const pages = shop.requests.filter((q) => q.kind === 'orders');
    // 250 orders a page would cost 2,502 points: pages stay within Shopify's 1,000-point single-query limit.
    expect(pages.map((q) => q.variables!.first)).toEqual([99, 99, 99, 99, 99, 99, 99]);
    expect(shop.overCost).toBe(0);
    expect(pages[0]!.variables).toMatchObject({ sortKey: 'UPDATED_AT', query: "updated_at:>='2026-09-20T22:00:00.000Z'" }); // 21 September, 00:00 in Berlin (summer time)
    const list = shop.orders;
    const store = await storeDays();
    for (const d of DAYS) expect(store.get(d)).toEqual(expected(list, d));
    // Product-page and campaign-named orders land on the shoe link, read onto the Meta link.
    const entities = await loadEntities(db.sql, clientId);
    const shoe = entities.find((e) => e.kind === 'link' && e.platform === 'meta' && e.externalId === SHOE)!;
    const brand = entities.find((e) => e.kind === 'link' && e.externalId === 'https://northwind.example/')!;
    expect(entities.some((e) => e.platform === 'shopify' && e.kind === 'link')).toBe(false);
    const daily = await loadDaily(db.sql, clientId, DAYS[0]!, TODAY);
    for (const d of DAYS) {
      const row = daily.find((x) => x.entityId === shoe.id && x.date === d)!;
      const want = expected(list, d, (o) => Boolean(o.landingPage?.includes('trail-shoe') || o.utm?.campaign === 'Summer'));
      expect({ conv: row.conversions, rev: row.revenueCents, spend: row.spendCents }).toEqual({ ...want, spend: 5000 });
      // The brand ad no order names keeps Meta's own numbers.
      expect(daily.find((x) => x.entityId === brand.id && x.date === d)).toMatchObject({ conversions: 2, revenueCents: 8000 });
    }
    expect(await db.prisma.connection.findUniqueOrThrow({ where: { id: conn.id } })).toMatchObject({ cursor: { updatedAt: list.at(-1)!.updatedAt } });
    // The report's day: the store's own totals (each order once), against all the ad spend.
    const model = await loadReportModel(db, await db.prisma.client.findUniqueOrThrow({ where: { id: clientId } }), TODAY, NOW);
    expect(model.revenueSource).toBe('shopify');
    expect(model.day).toMatchObject({ spendCents: 7000, revenueCents: expected(list, TODAY).rev, conversions: expected(list, TODAY).conv });
    // The API's days and the spend export add up by the report's rule: the store's orders once,
    // not again on their ad links nor as the pixel's claims (before: 12,131,187 against 8,575,219 cents).
    const client = await db.prisma.client.findUniqueOrThrow({ where: { id: clientId } });
    const apiKey = (await createApiKey(db.prisma, client.agencyId, { role: 'viewer' })).key;
    const app = createApp(apiDeps(db, loadConfig({}), () => NOW), { rateLimit: 100_000 });
    const res = await app.request(`/v1/clients/${clientId}/metrics?from=${DAYS[0]}&to=${TODAY}&groupBy=day`, { headers: { authorization: `Bearer ${apiKey}` } });
    const rest = (await res.json()) as { rows: { key: string; spendCents: number; revenueCents: number; conversions: number }[] };
    expect(rest.rows.map((r) => r.key)).toEqual(DAYS);
    let csv = '';
    for await (const chunk of exportCsv(db, client, 'spend', { from: DAYS[0]!, to: TODAY })) csv += chunk;
    const exported = new Map<string, number>();
    for (const line of csv.trim().split('\r\n').slice(1)) {
      const [date, , , , spend] = line.split(',');
      exported.set(date!, (exported.get(date!) ?? 0) + Math.round(Number(spend) * 100));
    }
    for (const d of DAYS) {
      const m = (await loadReportModel(db, client, d, NOW)).day;
      expect(rest.rows.find((r) => r.key === d), d).toMatchObject({ spendCents: m.spendCents, revenueCents: m.revenueCents, conversions: m.conversions });
      expect(exported.get(d), d).toBe(m.spendCents);
    }
  });

  it('a refund and a cancellation arriving days later re-read those orders and lower the days they belong to', async () => {
    const conn = await connect();
    await syncConnection(db, conn.id, opts());
    const before = await storeDays();
    const refunded = shop.orders.find((o) => o.createdAt.startsWith(DAYS[2]!) && !o.test && !o.cancelledAt && o.refunded === '0.00')!;
    const cancelled = shop.orders.find((o) => o.createdAt.startsWith(DAYS[4]!) && !o.test && !o.cancelledAt && o !== refunded)!;
    const later = new Date(NOW.getTime() + 3 * 3_600_000).toISOString();
    Object.assign(refunded, { refunded: '15.00', updatedAt: later });
    Object.assign(cancelled, { cancelledAt: later, updatedAt: later });
    shop.requests.length = 0;
    const r = await syncConnection(db, conn.id, opts({ now: new Date(Date.parse(later) + 60_000), intraday: true }));
    expect(r.status).toBe('succeeded');
    // Only orders updated since the cursor (less a minute) are read again.
    expect(r.rowsFetched).toBeLessThan(10);
    const after = await storeDays();
    expect(after.get(DAYS[2]!)).toEqual({ conv: before.get(DAYS[2]!)!.conv, rev: before.get(DAYS[2]!)!.rev - 1500 });
    expect(after.get(DAYS[4]!)).toEqual({ conv: before.get(DAYS[4]!)!.conv - 1, rev: before.get(DAYS[4]!)!.rev - 4000 });
    for (const d of DAYS) if (d !== DAYS[2] && d !== DAYS[4]) expect(after.get(d)).toEqual(before.get(d));
    // Running it again changes nothing.
    const again = await syncConnection(db, conn.id, opts({ now: new Date(Date.parse(later) + 120_000), intraday: true }));
    expect(again).toMatchObject({ status: 'succeeded', inserted: 0, updated: 0 });
  });

  it('an order whose attribution changes leaves its old link day: a link day with no order left goes', async () => {
    const day = addDays(TODAY, 1);
    const at = `${day}T08:00:00Z`;
    shop.orders.push({ id: 'gid://shopify/Order/only', name: '#only', createdAt: at, updatedAt: at, total: '80.00', landingPage: '/products/trail-shoe' });
    const conn = await connect();
    const now = new Date(`${day}T12:00:00Z`);
    await syncConnection(db, conn.id, opts({ now }));
    const linkDay = async () => (await db.sql.query<{ rev: number }>(
      `SELECT m.revenue_cents::float8 AS rev FROM daily_metric m JOIN entity e ON e.id = m.entity_id
        WHERE e.client_id = $1::uuid AND e.platform = 'shopify' AND e.kind = 'link' AND m.date = $2::date`, [clientId, day]));
    expect(await linkDay()).toEqual([{ rev: 8000 }]);
    // The shop corrects the order's journey: it came in organically.
    Object.assign(shop.orders.at(-1)!, { landingPage: null, utm: null, updatedAt: `${day}T11:00:00Z` });
    await syncConnection(db, conn.id, opts({ now: new Date(`${day}T12:30:00Z`), intraday: true }));
    expect(await linkDay()).toEqual([]);
    expect((await storeDays()).get(day)).toEqual({ conv: 1, rev: 8000 });
  });

  it('waits for the cost bucket to refill, and waits out THROTTLED', async () => {
    await shop.close();
    shop = await startFakeShopify({ orders: orders(), now: () => NOW.getTime(), bucket: { max: 100, cost: 60, restorePerSecond: 400 } });
    const conn = await connect();
    // The bucket refills after connecting (400 points a second).
    await new Promise((r) => setTimeout(r, 300));
    expect((await syncConnection(db, conn.id, opts())).status).toBe('succeeded');
    expect(logs.some((l) => /query cost bucket low — waiting/.test(l))).toBe(true);
    expect(shop.throttled).toBe(0);
    shop.drain();
    expect((await syncConnection(db, conn.id, opts({ range: { from: DAYS[8]!, to: TODAY } }))).status).toBe('succeeded');
    expect(shop.throttled).toBeGreaterThan(0);
    expect(logs.some((l) => /THROTTLED/.test(l) || /rate limited — waiting/.test(l))).toBe(true);
  });

  it('a shop that prices its orders higher or has a smaller bucket: MAX_COST_EXCEEDED once, then pages that fit', async () => {
    await shop.close();
    // Every query costs half as much again as documented today, and the bucket holds 600 points (refilling fast).
    shop = await startFakeShopify({ orders: orders(), now: () => NOW.getTime(), costScale: 1.5, bucket: { max: 600, restorePerSecond: 10_000 } });
    const conn = await connect();
    const r = await syncConnection(db, conn.id, opts());
    expect(r, JSON.stringify(r)).toMatchObject({ status: 'succeeded', rowsFetched: 600 });
    const firsts = shop.requests.filter((q) => q.kind === 'orders').map((q) => Number(q.variables!.first));
    // The first page asked for 99 orders (992 points as documented, 1,488 here): refused before it ran
    // (MAX_COST_EXCEEDED); then 66 fits 1,000 but not the 600-point bucket (THROTTLED, never to fit);
    // then what the bucket allows, (600 − 2) / 15 → 39, for every page.
    expect(shop.overCost).toBe(1);
    expect(shop.throttled).toBe(1);
    expect(firsts.slice(0, 3)).toEqual([99, 66, 39]);
    expect(new Set(firsts.slice(2))).toEqual(new Set([39]));
    const store = await storeDays();
    for (const d of DAYS) expect(store.get(d)).toEqual(expected(shop.orders, d));
  });

  it('the client-credentials grant: a token is fetched, renewed on 401, and bad app credentials are refused at connect', async () => {
    shop.grantTokenCalls = 3;
    const conn = await connectAccount(db, key, sources(), { clientId, platform: 'shopify', accountId: 'northwind.myshopify.com', appClientId: shop.app.clientId, appClientSecret: shop.app.clientSecret }, { now: NOW });
    expect((await syncConnection(db, conn.id, opts())).status).toBe('succeeded');
    expect(shop.grants).toBeGreaterThan(1);
    expect(shop.requests.filter((q) => q.kind === 'token:client_credentials').length).toBe(shop.grants);
    await expect(connectAccount(db, key, sources(), { clientId, platform: 'shopify', accountId: 'northwind', label: 'bad', appClientId: shop.app.clientId, appClientSecret: 'nope' }, { now: NOW }))
      .rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/refused the app's client credentials/) });
  });

  it('5xx answers are retried; a frozen shop (402) fails the sync with a clear error, nothing half-written, the cursor where it was', async () => {
    const conn = await connect();
    shop.failNext([502, 503]);
    expect((await syncConnection(db, conn.id, opts())).status).toBe('succeeded');
    const cursor = (await db.prisma.connection.findUniqueOrThrow({ where: { id: conn.id } })).cursor;
    const before = await storeDays();
    shop.orders[5]!.updatedAt = new Date(NOW.getTime() + 3_600_000).toISOString();
    shop.orders[5]!.refunded = '40.00';
    shop.failNext([402]);
    const r = await syncConnection(db, conn.id, opts({ now: new Date(NOW.getTime() + 2 * 3_600_000) }));
    expect(r).toMatchObject({ status: 'failed', error: expect.stringMatching(/northwind\.myshopify\.com is frozen/) });
    const after = await db.prisma.connection.findUniqueOrThrow({ where: { id: conn.id } });
    expect(after).toMatchObject({ status: 'active', cursor });
    expect(await storeDays()).toEqual(before);
    expect(await db.prisma.syncRun.findFirstOrThrow({ where: { connectionId: conn.id, status: 'failed' } })).toMatchObject({ error: expect.stringMatching(/frozen/) });
  });

  it('a refused token marks the connection needs_reauth and tells the agency', async () => {
    const conn = await connect();
    shop.revoke();
    const r = await syncConnection(db, conn.id, opts());
    expect(r).toMatchObject({ status: 'needs_reauth', error: expect.stringMatching(/Shopify refused the access token/) });
    expect(await db.prisma.insight.count({ where: { clientId, type: 'connection_reauth', status: 'PENDING' } })).toBe(1);
  });

  it('a backfill beyond 60 days without read_all_orders syncs the 60 days and says what it could not read', async () => {
    await shop.close();
    const old = Array.from({ length: 90 }, (_, i) => addDays(TODAY, i - 89));
    shop = await startFakeShopify({ orders: orders(old), scopes: ['read_orders'], now: () => NOW.getTime() });
    const conn = await connect();
    const r = await syncConnection(db, conn.id, opts({ range: { from: old[0]!, to: TODAY } }));
    expect(r).toMatchObject({ status: 'succeeded', warning: expect.stringMatching(/only the last 60 days of orders without the read_all_orders scope: orders before 2026-09-21 were not read/) });
    const run = await db.prisma.syncRun.findFirstOrThrow({ where: { connectionId: conn.id } });
    expect(run).toMatchObject({ status: 'partial', error: r.warning });
    expect((await db.prisma.connection.findUniqueOrThrow({ where: { id: conn.id } })).lastError).toBe(r.warning);
    const store = await storeDays();
    // Shopify's 60 days end at this hour: the first full day it serves is the next.
    expect([...store.keys()][0]).toBe(addDays(TODAY, -59));
    expect(shop.requests.find((q) => q.kind === 'orders')!.variables!.query).toBe("created_at:>='2026-09-20T22:00:00.000Z' created_at:<'2026-11-20T23:00:00.000Z'");
  });

  it('a shop in another currency than the client is refused at connect', async () => {
    await shop.close();
    shop = await startFakeShopify({ orders: [], currency: 'USD' });
    await expect(connect()).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/reports in USD, but client nw-\d+ is in EUR/) });
  });

  it('orders that came through a tracking link join first-party attribution: by the session in their landing page, or by its utm_campaign code; once per order', async () => {
    const campaign = await db.prisma.trackingCampaign.create({ data: { clientId, name: 'Reel', code: 'INSTA_REEL_01', destinationUrl: 'https://northwind.example/' } });
    const other = await db.prisma.trackingCampaign.create({ data: { clientId, name: 'Bio', code: 'BIO_01', destinationUrl: 'https://northwind.example/' } });
    const sid = 'shopify-session-0000000001';
    await db.prisma.visit.create({ data: { clientId, campaignId: other.id, sessionId: sid, kind: 'click', at: new Date(`${TODAY}T06:00:00Z`) } });
    shop.orders.push(
      { id: 'gid://shopify/Order/9001', name: '#9001', createdAt: `${TODAY}T08:00:00Z`, updatedAt: `${TODAY}T08:00:00Z`, total: '70.00', landingPage: `/products/x?utm_campaign=BIO_01&adb_sid=${sid}`, utm: { campaign: 'BIO_01' } },
      { id: 'gid://shopify/Order/9002', name: '#9002', createdAt: `${TODAY}T08:30:00Z`, updatedAt: `${TODAY}T08:30:00Z`, total: '30.00', landingPage: '/?utm_campaign=INSTA_REEL_01', utm: { campaign: 'INSTA_REEL_01' } },
      { id: 'gid://shopify/Order/9003', name: '#9003', createdAt: `${TODAY}T08:40:00Z`, updatedAt: `${TODAY}T08:40:00Z`, total: '30.00', test: true, landingPage: '/?utm_campaign=INSTA_REEL_01', utm: { campaign: 'INSTA_REEL_01' } },
    );
    const conn = await connect();
    expect((await syncConnection(db, conn.id, opts())).status).toBe('succeeded');
    const got = await db.prisma.conversion.findMany({ where: { clientId }, orderBy: { orderId: 'asc' } });
    expect(got.map((c) => [c.orderId, c.campaignId, Number(c.revenueCents), c.source, c.sessionId])).toEqual([
      ['shopify:gid://shopify/Order/9001', other.id, 7_000, 'shopify', sid],
      ['shopify:gid://shopify/Order/9002', campaign.id, 3_000, 'shopify', null],
    ]);
    // A second sync reads them again: nothing counted twice.
    await syncConnection(db, conn.id, opts({ range: { from: TODAY, to: TODAY } }));
    expect(await db.prisma.conversion.count({ where: { clientId } })).toBe(2);
    const hours = await db.prisma.campaignHour.findMany({ where: { campaignId: { in: [campaign.id, other.id] } } });
    expect(hours.reduce((n, h) => n + h.conversions, 0)).toBe(2);
    // A refund of €25 on #9001 and #9002 cancelled, reported later: the conversions follow.
    const later = new Date(NOW.getTime() + 3 * 3_600_000).toISOString();
    Object.assign(shop.orders.find((o) => o.id.endsWith('/9001'))!, { refunded: '25.00', updatedAt: later });
    Object.assign(shop.orders.find((o) => o.id.endsWith('/9002'))!, { cancelledAt: later, updatedAt: later });
    expect((await syncConnection(db, conn.id, opts({ now: new Date(Date.parse(later) + 60_000), intraday: true }))).status).toBe('succeeded');
    const revised = await db.prisma.conversion.findMany({ where: { clientId }, orderBy: { orderId: 'asc' } });
    expect(revised.map((c) => [c.orderId, c.campaignId, Number(c.revenueCents)])).toEqual([['shopify:gid://shopify/Order/9001', other.id, 4_500]]);
    const snap = async () => (await db.prisma.campaignHour.findMany({ where: { campaignId: { in: [campaign.id, other.id] } }, orderBy: [{ campaignId: 'asc' }, { hour: 'asc' }] }))
      .map((h) => [h.campaignId, h.hour.toISOString(), h.visits, h.conversions, Number(h.revenueCents)]);
    const live = await snap();
    expect(live.reduce((n, h) => n + (h[3] as number), 0)).toBe(1);
    expect(live.reduce((n, h) => n + (h[4] as number), 0)).toBe(4_500);
    // The orders' snapshots still equal a rebuild from the raw rows (the visit above was written around them).
    await rebuildSnapshots(db, clientId);
    const orders = (rows: typeof live) => rows.filter((h) => h[3] || h[4]).map((h) => [h[0], h[1], h[3], h[4]]);
    expect(orders(await snap())).toEqual(orders(live));
  });
});
