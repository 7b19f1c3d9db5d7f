// One client with every source at once — Meta ads (CSV), a Shopify store, RedTrack
// and first-party tracking — read by every output: the daily report's day, the
// API's metrics by day and by entity, the spend and links exports and the links
// list. Each day and each link must say the same numbers everywhere (an independent
// test found the API adding the store's orders, the attributed orders again and the
// pixel's claims: 12,131,187 cents where the store had 8,575,219).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { apiDeps } from '../src/api/server.ts';
import { loadConfig } from '../src/config.ts';
import { createApiKey } from '../src/domain/api-keys.ts';
import { addClient } from '../src/domain/clients.ts';
import { connectAccount } from '../src/domain/connections.ts';
import { exportCsv, type ExportKind } from '../src/exports/kinds.ts';
import { importCsv } from '../src/import/import-csv.ts';
import { linkTable } from '../src/reports/link-table.ts';
import { loadReportModel } from '../src/reports/load-model.ts';
import { syncConnection } from '../src/sources/sync.ts';
import { createCampaign } from '../src/tracking/campaigns.ts';
import { recordConversion } from '../src/tracking/conversions.ts';
import { rollUpTracking } from '../src/tracking/metrics.ts';
import { insertVisits } from '../src/tracking/visits.ts';
import { addDays } from '../src/time.ts';
import { startFakeRedTrack, type FakeRedTrack, type FakeRedTrackConversion, type FakeRedTrackRow } from './fakes/redtrack-server.ts';
import { startFakeShopify, type FakeShopify, type FakeShopifyOrder } from './fakes/shopify-server.ts';
import { dbKinds, freshDb, type TestDb } from './helpers/db.ts';
import { testSources } from './helpers/sources.ts';

const TZ = 'America/New_York';
const LAST = '2026-11-20';
const NOW = new Date('2026-11-21T15:00:00Z');
const DAYS = Array.from({ length: 10 }, (_, i) => addDays(LAST, i - 9));
/** Local noon in New York, as UTC. */
const noon = (day: string, minute = 0) => `${day}T17:${String(minute).padStart(2, '0')}:00Z`;

const metaCsv = () => ['date,platform,account,campaign,adset,ad,link,spend,impressions,clicks,conversions,revenue',
  // Joined to RedTrack's sub9 l000: its revenue is RedTrack's; the pixel's $300 is not used.
  ...DAYS.map((d, i) => `${d},meta,Acc,Offers,Set,Offer ad,https://trk.example/l000,${40 + i}.25,5000,120,6,300.00`),
  // The store's product page: the store's orders that landed there are its revenue.
  ...DAYS.map((d) => `${d},meta,Acc,Boots,Set,Boot ad,https://shop.example/products/boot,35.10,4000,80,4,260.00`),
  // The brand ad nobody joins keeps Meta's numbers on its own line, but the totals are the store's.
  ...DAYS.map((d) => `${d},meta,Acc,Brand,Set,Brand ad,https://shop.example/,12.00,3000,30,1,90.00`)].join('\n');

function redtrack(): { report: FakeRedTrackRow[]; conversions: FakeRedTrackConversion[] } {
  const report: FakeRedTrackRow[] = [];
  const conversions: FakeRedTrackConversion[] = [];
  DAYS.forEach((date, d) => {
    for (const sub9 of ['L000', 'L001']) {
      report.push({ date, sub9, sub1: 'SC1', sub20: 'Facebook', campaign: 'Offer', campaign_id: 'c1', clicks: 50 + d, cost: 9.5 });
      for (let k = 0; k < 1 + (d % 3); k++) conversions.push({ sub9, campaign: 'Offer', campaign_id: 'c1', created_at: noon(date, k), payout: 21.4, clickid: `ck-${sub9}-${d}-${k}`, type: 'lead', status: 'APPROVED' });
    }
  });
  return { report, conversions };
}

function orders(): FakeShopifyOrder[] {
  const out: FakeShopifyOrder[] = [];
  DAYS.forEach((day, d) => {
    for (let i = 0; i < 12; i++) {
      const at = noon(day, i);
      const n = d * 12 + i;
      out.push({
        id: `gid://shopify/Order/${5000 + n}`, name: `#${5000 + n}`, createdAt: at, updatedAt: at, total: (30 + (n % 5) * 7.35).toFixed(2),
        test: n % 11 === 0, cancelledAt: n % 13 === 0 ? at : null, refunded: n % 6 === 0 ? '4.20' : '0.00',
        ...(i % 3 === 0 ? { landingPage: '/products/boot' } : i % 3 === 1 ? { landingPage: '/', utm: { source: 'instagram' } } : {}),
      });
    }
  });
  return out;
}

describe.each(dbKinds)('every source at once, every output the same numbers (%s)', (kind) => {
  let db: TestDb;
  let shop: FakeShopify;
  let rt: FakeRedTrack;
  let clientId = '';
  const key = randomBytes(32);

  beforeAll(async () => {
    db = await freshDb(kind);
    shop = await startFakeShopify({ orders: orders(), currency: 'USD', timezone: TZ, now: () => NOW.getTime() });
    const r = redtrack();
    rt = await startFakeRedTrack({ report: r.report, conversions: r.conversions, timezone: TZ, currency: 'USD' });
    const client = await addClient(db.prisma, { slug: 'all-sources', timezone: TZ, currency: 'USD' });
    clientId = client.id;
    await importCsv(db, Buffer.from(metaCsv()), 'meta.csv', { clientSlug: 'all-sources', now: NOW });
    const sources = testSources({ shopify: shop.url, redtrack: rt.url });
    const range = { from: DAYS[0]!, to: LAST };
    const shopConn = await connectAccount(db, key, sources, { clientId, platform: 'shopify', accountId: 'boots', accessToken: shop.token }, { now: NOW });
    expect((await syncConnection(db, shopConn.id, { key, sources, now: NOW, range })).status).toBe('succeeded');
    const rtConn = await connectAccount(db, key, sources, { clientId, platform: 'redtrack', apiKey: rt.apiKey }, { now: NOW });
    expect((await syncConnection(db, rtConn.id, { key, sources, now: NOW, range })).status).toBe('succeeded');
    // First-party: a bio link with its own cost, visits every day and orders sent from the shop's server.
    const bio = await createCampaign(db.prisma, clientId, { name: 'Bio link', platform: 'instagram', type: 'post', destinationUrl: 'https://shop.example/', code: 'BIO', costCents: 10_003, startsAt: `${DAYS[0]}T05:00:00Z` });
    for (const [d, day] of DAYS.entries()) {
      const sessions = Array.from({ length: 5 + d }, (_, s) => `bio-session-${d}-${s}-xxxxxxxx`);
      await insertVisits(db, sessions.map((s) => ({ clientId, campaignId: bio.id, sessionId: s, kind: 'click' as const, at: new Date(noon(day, 30)), ipHash: null, device: null, browser: null, os: null, country: null, referrer: null, path: null })));
      await recordConversion(db, { clientId, orderId: `bio-${d}`, revenueCents: 4_250 + d, currency: 'USD', at: new Date(noon(day, 45)), sessionId: sessions[0]! });
    }
    await rollUpTracking(db, client, DAYS[0]!, LAST);
  }, 120_000);
  afterAll(async () => {
    await shop?.close();
    await rt?.close();
    await db?.destroy();
  });

  const rest = async (query: string) => {
    const client = await db.prisma.client.findUniqueOrThrow({ where: { id: clientId } });
    const apiKey = (await createApiKey(db.prisma, client.agencyId, { role: 'viewer' })).key;
    const app = createApp(apiDeps(db, loadConfig({}), () => NOW), { rateLimit: 100_000 });
    const res = await app.request(`/v1/clients/${clientId}/metrics?${query}`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { rows: { key: string; spendCents: number; revenueCents: number | null; conversions: number | null }[] }).rows;
  };
  const exported = async (kind: ExportKind, from: string, to: string) => {
    const client = await db.prisma.client.findUniqueOrThrow({ where: { id: clientId } });
    let csv = '';
    for await (const chunk of exportCsv(db, client, kind, { from, to })) csv += chunk;
    const [head, ...lines] = csv.trim().split('\r\n');
    const cols = head!.split(',');
    return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])) as Record<string, string>);
  };
  const cents = (v: string | undefined) => Math.round(Number(v) * 100);

  it('the report, the API by day and the spend export agree on every day: the store\'s orders once, every source\'s spend once', async () => {
    const client = await db.prisma.client.findUniqueOrThrow({ where: { id: clientId } });
    const byDay = await rest(`from=${DAYS[0]}&to=${LAST}&groupBy=day`);
    const spend = new Map<string, number>();
    for (const r of await exported('spend', DAYS[0]!, LAST)) spend.set(r.date!, (spend.get(r.date!) ?? 0) + cents(r.spend));
    const store = new Map((await db.sql.query<{ date: string; rev: number; conv: number }>(
      `SELECT m.date::text AS date, m.revenue_cents::float8 AS rev, m.conversions::float8 AS conv FROM daily_metric m JOIN entity e ON e.id = m.entity_id
        WHERE e.client_id = $1::uuid AND e.platform = 'shopify' AND e.kind = 'account'`, [clientId])).map((r) => [r.date, r]));
    for (const [i, d] of DAYS.entries()) {
      const m = (await loadReportModel(db, client, d, NOW)).day;
      // Meta (three ads) and the bio link's cost share; RedTrack's own cost is not spend when ads report theirs.
      const bioShare = m.spendCents - (4025 + 100 * i + 3510 + 1200);
      expect(bioShare, d).toBeGreaterThanOrEqual(1000);
      expect(bioShare, d).toBeLessThanOrEqual(1001);
      expect({ rev: m.revenueCents, conv: m.conversions }, d).toEqual({ rev: store.get(d)!.rev, conv: store.get(d)!.conv });
      expect(byDay.find((r) => r.key === d), d).toMatchObject({ spendCents: m.spendCents, revenueCents: m.revenueCents, conversions: m.conversions });
      expect(spend.get(d), d).toBe(m.spendCents);
    }
  });

  it('the links list, the API by entity and the links export agree on every link over the same seven days', async () => {
    const client = await db.prisma.client.findUniqueOrThrow({ where: { id: clientId } });
    const from = addDays(LAST, -6);
    const table = await linkTable(db, client, LAST);
    const byEntity = new Map((await rest(`from=${from}&to=${LAST}&groupBy=entity`)).map((r) => [r.key, r]));
    const links = await exported('links', from, LAST);
    const linkRows = table.filter((l) => l.kind === 'link');
    expect(linkRows.length).toBeGreaterThanOrEqual(3);
    for (const l of linkRows) {
      const api = byEntity.get(l.id);
      expect(api, l.name).toBeDefined();
      expect(api!.spendCents, l.name).toBe(l.spendCents);
      if (l.revenueCents !== null) expect(api!.revenueCents ?? 0, l.name).toBe(l.revenueCents);
    }
    // The joined link: RedTrack's payouts (1–3 approved leads of $21.40 a day), not the pixel's $300.
    const joined = linkRows.find((l) => l.name.includes('trk.example/l000') || l.path.includes('Offer ad'))!;
    const want = DAYS.slice(-7).reduce((s, _d, k) => s + 2140 * (1 + ((k + 3) % 3)), 0);
    expect(joined.revenueCents).toBe(want);
    expect(links.length).toBeGreaterThan(0);
    // Every link of the export is on the list with the same seven days' spend and revenue.
    expect(links.map((r) => r.link).sort()).toEqual(linkRows.map((l) => l.name).sort());
    for (const row of links) {
      const line = linkRows.find((l) => l.name === row.link)!;
      expect(cents(row.spend), row.link).toBe(line.spendCents);
      expect(row.revenue === '' ? null : cents(row.revenue), row.link).toBe(line.revenueCents);
    }
  });
});
