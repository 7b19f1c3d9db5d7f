// First-party campaigns as the brain sees them: each campaign is an entity (under
// one "First-party campaigns" account) with a daily row per local day — visits as
// clicks, conversions and revenue by last touch, and its cost spread evenly over its
// active days (exact: the days' cents add up to the cost). So forecasts, anomalies,
// burning / winner rules and ranked actions cover these campaigns like any other.
// Re-run over the attribution window every day (the sync step): orders attributed
// late, visits sent as history and cost changes land in the days they belong to.
import type { Db } from '../db/client.ts';
import { dropRowsNotIn, writeBatch } from '../db/metrics-write.ts';
import { addEntity, newBatch } from '../ingest/batch.ts';
import { addDays, daysBetween } from '../time.ts';

export const TRACKING_SOURCE = 'tracking';

export async function rollUpTracking(db: Db, client: { id: string; timezone: string }, from: string, to: string): Promise<{ campaigns: number; rows: number }> {
  const campaigns = await db.prisma.trackingCampaign.findMany({ where: { clientId: client.id }, orderBy: { createdAt: 'asc' } });
  if (campaigns.length === 0) return { campaigns: 0, rows: 0 };
  const params = [client.id, client.timezone, from, to];
  const [visits, orders] = await Promise.all([
    db.sql.query<{ id: string; day: string; n: number }>(
      `SELECT campaign_id::text AS id, (at AT TIME ZONE $2)::date::text AS day, count(*)::int AS n FROM visit
       WHERE client_id = $1::uuid AND campaign_id IS NOT NULL AND at >= ($3::date - 1) AND at < ($4::date + 2) AND (at AT TIME ZONE $2)::date BETWEEN $3::date AND $4::date GROUP BY 1, 2`, params),
    db.sql.query<{ id: string; day: string; n: number; revenue: string }>(
      `SELECT campaign_id::text AS id, (at AT TIME ZONE $2)::date::text AS day, count(*)::int AS n, sum(revenue_cents)::text AS revenue FROM conversion
       WHERE client_id = $1::uuid AND campaign_id IS NOT NULL AND at >= ($3::date - 1) AND at < ($4::date + 2) AND (at AT TIME ZONE $2)::date BETWEEN $3::date AND $4::date GROUP BY 1, 2`, params),
  ]);
  const key = (id: string, day: string) => `${id}|${day}`;
  const clicks = new Map(visits.map((v) => [key(v.id, v.day), v.n]));
  const conv = new Map(orders.map((o) => [key(o.id, o.day), { n: o.n, revenue: Number(o.revenue) }]));
  const batch = newBatch();
  const account = addEntity(batch, { platform: 'other', kind: 'account', externalId: 'first-party', name: 'First-party campaigns' });
  for (const c of campaigns) {
    const ek = addEntity(batch, { platform: 'other', kind: 'campaign', externalId: `tc:${c.id}`, name: c.name, parentKey: account, attributes: { code: c.code, platform: c.platform, type: c.type, firstParty: true } });
    const first = (c.startsAt ?? c.createdAt).toISOString().slice(0, 10);
    const last = c.endsAt ? c.endsAt.toISOString().slice(0, 10) : to;
    const active = Math.max(0, daysBetween(first, last) + 1);
    const cost = Number(c.costCents);
    for (let day = from; day <= to; day = addDays(day, 1)) {
      // The cost's share of this day: cumulative rounding, so the shares add up to the cost exactly.
      const i = daysBetween(first, day);
      const spend = active > 0 && i >= 0 && i < active ? Math.floor(((i + 1) * cost) / active) - Math.floor((i * cost) / active) : 0;
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
