// Hourly snapshots of each campaign (campaign_hour, in the client's local hours):
// visits added in the same statement that writes them, conversions moved when an
// order is attributed or re-attributed. Analytics read days and hours from here.
// rebuildSnapshots recomputes a client's from the raw visits and orders (after a
// time-zone change, or to check them: the test compares both).
import type { Db } from '../db/client.ts';
import type { Sql } from '../db/sql.ts';

/** The statement tail that counts a batch of inserted visits (CTE `ins` with client_id, campaign_id, at) into the snapshots. */
export const COUNT_VISITS = `INSERT INTO campaign_hour AS h (campaign_id, hour, visits)
  SELECT ins.campaign_id, date_trunc('hour', ins.at AT TIME ZONE cl.timezone), count(*) FROM ins JOIN client cl ON cl.id = ins.client_id
  WHERE ins.campaign_id IS NOT NULL GROUP BY 1, 2
  ON CONFLICT (campaign_id, hour) DO UPDATE SET visits = h.visits + excluded.visits`;

/** An order leaves one campaign's hour (or none) and joins another's (or none). */
export async function moveConversion(sql: Sql, o: { from: string | null; to: string | null; at: Date; revenueCents: string; clientId: string }) {
  if (o.from === o.to) return;
  const bucket = `date_trunc('hour', $2::timestamptz AT TIME ZONE (SELECT timezone FROM client WHERE id = $4::uuid))`;
  if (o.from) {
    await sql.query(`UPDATE campaign_hour SET conversions = conversions - 1, revenue_cents = revenue_cents - $3::bigint WHERE campaign_id = $1::uuid AND hour = ${bucket}`, [o.from, o.at.toISOString(), o.revenueCents, o.clientId]);
  }
  if (o.to) {
    await sql.query(
      `INSERT INTO campaign_hour AS h (campaign_id, hour, conversions, revenue_cents) VALUES ($1::uuid, ${bucket}, 1, $3::bigint)
       ON CONFLICT (campaign_id, hour) DO UPDATE SET conversions = h.conversions + 1, revenue_cents = h.revenue_cents + excluded.revenue_cents`,
      [o.to, o.at.toISOString(), o.revenueCents, o.clientId],
    );
  }
}

/** An attributed order's revenue changed (a refund or an edit): its hour's revenue follows. */
export async function adjustRevenue(sql: Sql, o: { campaignId: string; at: Date; deltaCents: number; clientId: string }) {
  if (o.deltaCents === 0) return;
  await sql.query(
    `UPDATE campaign_hour SET revenue_cents = revenue_cents + $3::bigint
      WHERE campaign_id = $1::uuid AND hour = date_trunc('hour', $2::timestamptz AT TIME ZONE (SELECT timezone FROM client WHERE id = $4::uuid))`,
    [o.campaignId, o.at.toISOString(), String(o.deltaCents), o.clientId],
  );
}

/** Recomputes the client's snapshots from the raw visits and orders, in one transaction. */
export async function rebuildSnapshots(db: Pick<Db, 'sql'>, clientId: string): Promise<number> {
  return db.sql.tx(async (sql) => {
    await sql.query('DELETE FROM campaign_hour WHERE campaign_id IN (SELECT id FROM tracking_campaign WHERE client_id = $1::uuid)', [clientId]);
    const [r] = await sql.query<{ n: number }>(
      `WITH v AS (SELECT campaign_id, date_trunc('hour', at AT TIME ZONE cl.timezone) AS hour, count(*)::int AS n FROM visit JOIN client cl ON cl.id = visit.client_id
                  WHERE visit.client_id = $1::uuid AND campaign_id IS NOT NULL GROUP BY 1, 2),
            c AS (SELECT campaign_id, date_trunc('hour', at AT TIME ZONE cl.timezone) AS hour, count(*)::int AS n, sum(revenue_cents) AS revenue FROM conversion JOIN client cl ON cl.id = conversion.client_id
                  WHERE conversion.client_id = $1::uuid AND campaign_id IS NOT NULL GROUP BY 1, 2),
            ins AS (INSERT INTO campaign_hour (campaign_id, hour, visits, conversions, revenue_cents)
                    SELECT coalesce(v.campaign_id, c.campaign_id), coalesce(v.hour, c.hour), coalesce(v.n, 0), coalesce(c.n, 0), coalesce(c.revenue, 0)
                    FROM v FULL JOIN c ON c.campaign_id = v.campaign_id AND c.hour = v.hour RETURNING 1)
       SELECT count(*)::int AS n FROM ins`,
      [clientId],
    );
    return r?.n ?? 0;
  });
}

export interface SnapshotSums { visits: number; conversions: number; revenueCents: number }

/** Per campaign: the sums of its hours on the local days from → to. */
export async function sumsByCampaign(sql: Sql, ids: string[], from: string, to: string): Promise<Map<string, SnapshotSums>> {
  if (ids.length === 0) return new Map();
  const rows = await sql.query<{ id: string; visits: string; conversions: string; revenue: string }>(
    `SELECT campaign_id::text AS id, sum(visits)::text AS visits, sum(conversions)::text AS conversions, sum(revenue_cents)::text AS revenue FROM campaign_hour
     WHERE campaign_id = ANY($1::uuid[]) AND hour >= $2::date AND hour < ($3::date + 1) GROUP BY 1`,
    [ids, from, to],
  );
  return new Map(rows.map((r) => [r.id, { visits: Number(r.visits), conversions: Number(r.conversions), revenueCents: Number(r.revenue) }]));
}

/** Local days (or hours) of the range with their sums over the campaigns. */
export async function series(sql: Sql, ids: string[], from: string, to: string, unit: 'day' | 'hour') {
  const rows = await sql.query<{ t: string; visits: string; conversions: string; revenue: string }>(
    `SELECT to_char(date_trunc('${unit}', hour), '${unit === 'day' ? 'YYYY-MM-DD' : 'YYYY-MM-DD"T"HH24:00'}') AS t, sum(visits)::text AS visits, sum(conversions)::text AS conversions, sum(revenue_cents)::text AS revenue
     FROM campaign_hour WHERE campaign_id = ANY($1::uuid[]) AND hour >= $2::date AND hour < ($3::date + 1) GROUP BY 1 ORDER BY 1`,
    [ids, from, to],
  );
  return new Map(rows.map((r) => [r.t, { visits: Number(r.visits), conversions: Number(r.conversions), revenueCents: Number(r.revenue) }]));
}
