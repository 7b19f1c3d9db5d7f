// A first-party campaign linked to ad spend (tracking_campaign.ad_entity_id): its
// cost on a day is what the ad platform reported spending on that entity and
// everything under it that day (one source per entity and day, by the loaders'
// priority: connectors over CSV over demo), so its ROI is judged against real spend.
import type { Sql } from '../db/sql.ts';
import { sourceRankSql } from '../db/metrics-read.ts';

/** ad entity id → local day → spend in cents. */
export type AdSpend = Map<string, Map<string, number>>;

export async function adSpendOf(sql: Sql, clientId: string, adEntityIds: (string | null)[], from: string, to: string): Promise<AdSpend> {
  const ids = [...new Set(adEntityIds.filter((x): x is string => x !== null))];
  const out: AdSpend = new Map();
  if (ids.length === 0) return out;
  const rows = await sql.query<{ root: string; day: string; spend: string }>(
    `WITH RECURSIVE tree(root, id) AS (
       SELECT id, id FROM entity WHERE client_id = $1::uuid AND id = ANY($2::uuid[])
       UNION ALL SELECT t.root, e.id FROM entity e JOIN tree t ON e.parent_id = t.id
     )
     SELECT root::text, day::text, sum(spend)::text AS spend FROM (
       SELECT DISTINCT ON (t.root, m.entity_id, m.date) t.root, m.date AS day, m.spend_cents AS spend
         FROM tree t JOIN daily_metric m ON m.entity_id = t.id
        WHERE m.date BETWEEN $3::date AND $4::date
        ORDER BY t.root, m.entity_id, m.date, ${sourceRankSql('m.source')}
     ) x GROUP BY 1, 2`,
    [clientId, ids, from, to],
  );
  for (const r of rows) (out.get(r.root) ?? out.set(r.root, new Map()).get(r.root)!).set(r.day, Number(r.spend));
  return out;
}
