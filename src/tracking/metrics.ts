// First-party campaigns as the brain sees them: each campaign is an entity (under
// one "First-party campaigns" account) with a daily row per local day — visits as
// clicks, conversions and revenue by last touch, and its cost spread evenly over its
// active days (exact: the days' cents add up to the cost). So forecasts, anomalies,
// burning / winner rules and ranked actions cover these campaigns like any other.
// Re-run over the attribution window every day (the sync step): orders attributed
// late, visits sent as history and cost changes land in the days they belong to.
// A campaign linked to ad spend sits under a second account marked `mirror`: its
// spend is the ad platform's and its orders are (mostly) the pixel's too, so it is
// judged on them but the client's totals, pacing and spend alerts skip it
// (countsInTotals) — never counted twice.
import type { Db } from '../db/client.ts';
import { dropRowsNotIn, writeBatch } from '../db/metrics-write.ts';
import { addEntity, newBatch } from '../ingest/batch.ts';
import { addDays } from '../time.ts';
import { adSpendOf } from './ad-spend.ts';
import { costOnDay } from './analytics.ts';

export const TRACKING_SOURCE = 'tracking';

export async function rollUpTracking(db: Db, client: { id: string; timezone: string }, from: string, to: string): Promise<{ campaigns: number; rows: number }> {
  const campaigns = await db.prisma.trackingCampaign.findMany({ where: { clientId: client.id }, orderBy: { createdAt: 'asc' } });
  if (campaigns.length === 0) return { campaigns: 0, rows: 0 };
  // The same numbers the analytics show: the campaigns' hourly snapshots, summed per local day.
  const sums = await db.sql.query<{ id: string; day: string; visits: string; conversions: string; revenue: string }>(
    `SELECT campaign_id::text AS id, hour::date::text AS day, sum(visits)::text AS visits, sum(conversions)::text AS conversions, sum(revenue_cents)::text AS revenue
     FROM campaign_hour WHERE campaign_id = ANY($1::uuid[]) AND hour >= $2::date AND hour < ($3::date + 1) GROUP BY 1, 2`,
    [campaigns.map((c) => c.id), from, to],
  );
  const ad = await adSpendOf(db.sql, client.id, campaigns.map((c) => c.adEntityId), from, to);
  const key = (id: string, day: string) => `${id}|${day}`;
  const clicks = new Map(sums.map((v) => [key(v.id, v.day), Number(v.visits)]));
  const conv = new Map(sums.filter((o) => Number(o.conversions) > 0).map((o) => [key(o.id, o.day), { n: Number(o.conversions), revenue: Number(o.revenue) }]));
  const batch = newBatch();
  let own: string | undefined;
  let mirrored: string | undefined;
  for (const c of campaigns) {
    const mirror = c.adEntityId !== null;
    const account = mirror
      ? (mirrored ??= addEntity(batch, { platform: 'other', kind: 'account', externalId: 'first-party-linked', name: 'First-party campaigns on ad spend', attributes: { mirror: true } }))
      : (own ??= addEntity(batch, { platform: 'other', kind: 'account', externalId: 'first-party', name: 'First-party campaigns' }));
    const ek = addEntity(batch, { platform: 'other', kind: 'campaign', externalId: `tc:${c.id}`, name: c.name, parentKey: account, attributes: { code: c.code, platform: c.platform, type: c.type, firstParty: true, mirror, adEntityId: c.adEntityId } });
    for (let day = from; day <= to; day = addDays(day, 1)) {
      const spend = costOnDay(c, day, to, client.timezone, ad);
      const n = clicks.get(key(c.id, day)) ?? 0;
      const o = conv.get(key(c.id, day));
      if (spend === 0 && n === 0 && !o) continue;
      batch.metrics.push({ entityKey: ek, date: day, spendCents: spend, impressions: null, clicks: n, conversions: o?.n ?? 0, revenueCents: o?.revenue ?? 0, reach: null, frequency: null });
    }
  }
  const days: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) days.push(d);
  await db.sql.tx(async (sql) => {
    await writeBatch(sql, batch, { clientId: client.id, source: TRACKING_SOURCE });
    const ids = await sql.query<{ id: string; external_id: string }>("SELECT id::text, external_id FROM entity WHERE client_id = $1::uuid AND platform = 'other' AND external_id LIKE 'tc:%'", [client.id]);
    const byExt = new Map(ids.map((e) => [e.external_id, e.id]));
    const keep = batch.metrics.map((m) => [byExt.get(m.entityKey.split('|')[2]!)!, m.date] as [string, string]);
    // A day that lost its last visit, order or cost (a deleted or re-costed campaign) loses its row.
    await dropRowsNotIn(sql, client.id, TRACKING_SOURCE, days, keep);
  });
  return { campaigns: campaigns.length, rows: batch.metrics.length };
}
