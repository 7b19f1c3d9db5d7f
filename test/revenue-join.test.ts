// End to end: TikTok spend (fake) + RedTrack revenue (fake) for the same link slugs.
// The link's ROI is TikTok spend against RedTrack revenue — in the brain's burning
// and winner findings, in the report and in the alerts — whatever TikTok's pixel
// claims; a burning link in the tracker is alerted after one intraday sync, once.
import { mkdtemp, readdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAlerts } from '../src/alerts/check.ts';
import { runBrain } from '../src/run/brain-run.ts';
import { loadDaily, loadEntities } from '../src/db/metrics-read.ts';
import { addClient } from '../src/domain/clients.ts';
import { connectAccount } from '../src/domain/connections.ts';
import { loadReportModel } from '../src/reports/load-model.ts';
import { outboxSender } from '../src/reports/senders.ts';
import { syncConnection } from '../src/sources/sync.ts';
import { addDays } from '../src/time.ts';
import { startFakeRedTrack, type FakeRedTrack, type FakeRedTrackConversion, type FakeRedTrackRow } from './fakes/redtrack-server.ts';
import { startFakeTikTok, type FakeTikTok } from './fakes/tiktok-server.ts';
import { dbKinds, freshDb, type TestDb } from './helpers/db.ts';
import { testSources } from './helpers/sources.ts';

const LAST = '2026-11-20';
const DAYS = Array.from({ length: 30 }, (_, i) => addDays(LAST, i - 29));
const NOW = new Date('2026-11-20T22:00:00Z'); // 14:00 in Los Angeles
const link = (slug: string) => `https://trk.lumen.example/c7?sub1=SC5&sub9=${slug}&sub20=tiktok`;
// Per link and day: TikTok spend, what TikTok's pixel claims, and what RedTrack's conversions pay.
const PLAN = {
  burn: { spend: 60, pixel: 240, tracker: 6 },
  win: { spend: 25, pixel: 0, tracker: 110 },
  fine: { spend: 30, pixel: 35, tracker: 42 },
} as const;
type Slug = keyof typeof PLAN;
const SLUGS = Object.keys(PLAN) as Slug[];
const ADS = SLUGS.map((slug, i) => ({ id: `170000${i}`, name: `Spark ${slug}`, adgroup: { id: '160', name: 'AG' }, campaign: { id: '150', name: 'CashApp-3175-SC5-tiktok' }, link: link(slug) }));

function fakeDays(tt: FakeTikTok, days: string[]) {
  ADS.forEach((ad, i) => {
    const p = PLAN[SLUGS[i]!];
    tt.data.set(ad.id, new Map(days.map((d) => [d, { spend: p.spend.toFixed(2), impressions: '5000', clicks: '120', complete_payment: String(p.pixel ? 4 : 0), total_complete_payment_rate: p.pixel.toFixed(2), reach: '-', frequency: '-' }])));
  });
}

function trackerData(days: string[]): { report: FakeRedTrackRow[]; conversions: FakeRedTrackConversion[] } {
  const report: FakeRedTrackRow[] = [];
  const conversions: FakeRedTrackConversion[] = [];
  for (const date of days) {
    for (const slug of SLUGS) {
      report.push({ date, sub9: slug, sub1: 'SC5', sub20: 'tiktok', campaign: 'CashApp', campaign_id: 'rt-c1', clicks: 110, cost: 1 });
      // Two conversions a day paying half the plan each, at 11:00 Los Angeles.
      for (const n of [0, 1]) conversions.push({ clickid: `${slug}-${date}-${n}`, type: 'sale', status: 'APPROVED', payout: PLAN[slug].tracker / 2, created_at: `${date}T19:00:00Z`, sub9: slug, sub20: 'tiktok', campaign: 'CashApp', campaign_id: 'rt-c1' });
    }
  }
  return { report, conversions };
}

describe.each(dbKinds)('TikTok spend + RedTrack revenue joined by link slug on %s', (kind) => {
  let db: TestDb;
  let tt: FakeTikTok;
  let rt: FakeRedTrack;
  let clientId: string;
  const key = randomBytes(32);
  const sources = () => testSources({ tiktok: tt.url, redtrack: rt.url });
  let ttConn: string;
  let rtConn: string;
  const client = () => db.prisma.client.findUniqueOrThrow({ where: { id: clientId } });

  beforeAll(async () => {
    db = await freshDb(kind);
    tt = await startFakeTikTok({ ads: ADS, days: [] });
    fakeDays(tt, DAYS);
    rt = await startFakeRedTrack({ ...trackerData(DAYS), timezone: 'America/Los_Angeles' });
    clientId = (await addClient(db.prisma, { slug: 'lumen', timezone: 'America/Los_Angeles', currency: 'USD' })).id;
    ttConn = (await connectAccount(db, key, sources(), { clientId, platform: 'tiktok', accountId: tt.advertiser, accessToken: tt.token }, { now: NOW })).id;
    rtConn = (await connectAccount(db, key, sources(), { clientId, platform: 'redtrack', apiKey: rt.apiKey }, { now: NOW })).id;
    for (const id of [ttConn, rtConn]) expect((await syncConnection(db, id, { key, sources: sources(), now: NOW, range: { from: DAYS[0]!, to: LAST } })).status).toBe('succeeded');
  });
  afterAll(async () => {
    await tt?.close();
    await rt?.close();
    await db?.destroy();
  });

  it('reads each link as TikTok spend against RedTrack revenue; the tracker link is folded into the ad link', async () => {
    const entities = await loadEntities(db.sql, clientId);
    expect(entities.filter((e) => e.kind === 'link').map((e) => `${e.platform}:${(e.attributes as { slug?: string }).slug}`).sort()).toEqual(['tiktok:burn', 'tiktok:fine', 'tiktok:win']);
    const daily = await loadDaily(db.sql, clientId, DAYS[0]!, LAST);
    const byLink = new Map<string, { spend: number; rev: number; conv: number; clicks: number }>();
    for (const r of daily) {
      const e = entities.find((x) => x.id === r.entityId)!;
      const s = (e.attributes as { slug: string }).slug;
      const t = byLink.get(s) ?? byLink.set(s, { spend: 0, rev: 0, conv: 0, clicks: 0 }).get(s)!;
      t.spend += r.spendCents;
      t.rev += r.revenueCents ?? Number.NaN;
      t.conv += r.conversions ?? Number.NaN;
      t.clicks += r.clicks ?? Number.NaN;
    }
    for (const slug of SLUGS) {
      // Spend and clicks are TikTok's; conversions and revenue RedTrack's (the pixel's are not used); RedTrack's cost is not spend.
      expect(byLink.get(slug)).toEqual({ spend: PLAN[slug].spend * 100 * 30, rev: PLAN[slug].tracker * 100 * 30, conv: 2 * 30, clicks: 120 * 30 });
    }
    // One row per link and day, as every reader expects.
    expect(daily.length).toBe(3 * 30);
  });

  it('the brain calls the tracker-burning link burning and the tracker winner a winner; the report lists the burn at RedTrack revenue', async () => {
    const c = await client();
    const r = await runBrain(db, c, LAST, { now: NOW });
    const entities = await loadEntities(db.sql, clientId);
    const name = (id?: string) => (entities.find((e) => e.id === id)?.attributes as { slug?: string } | undefined)?.slug;
    const findings = r.output.oracle.findings.filter((f) => f.type === 'burning' || f.type === 'winner');
    expect(findings.map((f) => `${f.type}:${name(f.entity?.id)}`).filter((x) => /:(burn|win|fine)$/.test(x)).sort()).toEqual(['burning:burn', 'winner:win']);
    const burn = findings.find((f) => f.type === 'burning' && name(f.entity?.id) === 'burn')!;
    // All 30 days (it has burned since it started): $60 spend against $6 of RedTrack revenue a day.
    expect(burn.facts).toMatchObject({ spendCents: 30 * 6000, revenueCents: 30 * 600, windowDays: 30 });
    const model = await loadReportModel(db, c, LAST, NOW);
    const line = model.burning.find((b) => b.name === link('burn'))!;
    expect(line).toMatchObject({ spendCents: 30 * 6000, revenueCents: 30 * 600, platform: 'tiktok' });
    // The day's totals: all three links' TikTok spend, all three links' RedTrack revenue.
    expect(model.day).toMatchObject({ spendCents: (60 + 25 + 30) * 100, revenueCents: (6 + 110 + 42) * 100 });
  });

  it('a link that started burning in the tracker yesterday is alerted by the intraday sync that shows its second bad day, and not again after the next', async () => {
    const outbox = await mkdtemp(path.join(tmpdir(), 'adbrain-alerts-'));
    const c = await client();
    const sender = outboxSender(outbox);
    // Alerts so far (the window as synced): "burn" already burns; this test is about "fine" turning.
    await checkAlerts(db, c, { now: NOW, sender, from: 'alerts@x.test' });
    const emails = async () => (await readdir(path.join(outbox, 'lumen', LAST))).filter((f) => f.endsWith('.eml')).sort();
    const before = new Set(await emails());
    // Since yesterday "fine" gets $200 of spend a day and every conversion declined
    // (one bad day alone would be an anomaly, not a burning link).
    const today = LAST;
    for (const d of [addDays(today, -1), today]) {
      tt.data.get(ADS[2]!.id)!.set(d, { spend: '200.00', impressions: '9000', clicks: '300', complete_payment: '9', total_complete_payment_rate: '400.00', reach: '-', frequency: '-' });
      for (const cv of rt.conversions) if (cv.sub9 === 'fine' && cv.created_at.startsWith(d)) cv.status = 'DECLINED';
    }
    const later = new Date(NOW.getTime() + 30 * 60_000);
    for (const id of [ttConn, rtConn]) {
      const s = await syncConnection(db, id, { key, sources: sources(), now: later, intraday: true });
      expect(s).toMatchObject({ status: 'succeeded', range: { from: addDays(today, -1), to: today } });
    }
    const first = await checkAlerts(db, c, { now: later, sender, from: 'alerts@x.test' });
    expect(first.sent.filter((s) => s.rule === 'burning').map((s) => s.entity)).toContain(link('fine'));
    const sentFiles = (await emails()).filter((f) => !before.has(f));
    expect(sentFiles.length).toBe(first.sent.length);
    expect(sentFiles.some((f) => f.startsWith('alert-burning-'))).toBe(true);
    // The next intraday sync reads the same: no second email.
    const again = new Date(later.getTime() + 30 * 60_000);
    for (const id of [ttConn, rtConn]) await syncConnection(db, id, { key, sources: sources(), now: again, intraday: true });
    const second = await checkAlerts(db, c, { now: again, sender, from: 'alerts@x.test' });
    expect(second.sent.filter((s) => s.entity === link('fine'))).toEqual([]);
    expect(second.suppressed.filter((s) => s.entity === link('fine')).map((s) => s.why)).toEqual(['in cooldown']);
    expect((await emails()).filter((f) => !before.has(f))).toEqual(sentFiles);
  });
});
