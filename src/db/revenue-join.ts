// Revenue sources (RedTrack, Shopify) joined to ad spend. The rule, applied by the
// loaders every consumer goes through (brain, report, alerts, API):
// - A revenue-source entity (a RedTrack sub9 link, a Shopify order's landing link)
//   joins the ad-platform link with the same slug; its conversions and revenue are
//   that link's (several ad links with one slug: the one on the traffic source the
//   tracker named, else the first).
// - On a joined link, on every day the revenue sources cover (from their first to
//   their last reported day in the range), conversions and revenue are the revenue
//   source's: the ad platform's own counts for those days are kept in the store but
//   not used, so a link the tracker saw no sale on has none, whatever the pixel
//   claims. Ad entities no revenue source joins keep the platform's numbers.
// - Spend, impressions and clicks come from the ad platforms; a tracker's own cost
//   is used only for a client that has no ad-platform data at all.
import type { Sql } from './sql.ts';

export const REVENUE_PLATFORMS = ['redtrack', 'shopify'] as const;
export const REVENUE_SOURCES = new Set(['redtrack-api', 'shopify-api']);
const IN_REVENUE = `(${REVENUE_PLATFORMS.map((p) => `'${p}'`).join(', ')})`;

/** revenue-source entity id → the ad-platform entity it joins, for one client's joined links. */
const JOINED = `
  SELECT DISTINCT ON (r.id) r.id AS src, a.id AS target
    FROM entity r
    JOIN entity a ON a.client_id = r.client_id AND a.kind = 'link' AND a.platform NOT IN ${IN_REVENUE}
                 AND a.attributes->>'slug' = r.attributes->>'slug'
   WHERE r.client_id = $1::uuid AND r.platform IN ${IN_REVENUE} AND r.kind = 'link'
   ORDER BY r.id, (a.platform::text = r.attributes->>'trafficSource') DESC, a.created_at, a.id`;

/** null when the client has no revenue source (the common case: one indexed probe). */
export async function revenueJoins(sql: Sql, clientId: string): Promise<Map<string, string> | null> {
  const [probe] = await sql.query<{ has: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM entity WHERE client_id = $1::uuid AND platform IN ${IN_REVENUE}) AS has`,
    [clientId],
  );
  if (!probe?.has) return null;
  const rows = await sql.query<{ src: string; target: string }>(`SELECT src::text, target::text FROM (${JOINED}) j`, [clientId]);
  return new Map(rows.map((r) => [r.src, r.target]));
}

/** One entity's rows from one source, as the column loader reads them (days since 1970; NaN = not reported). */
export interface SourceGroup {
  entity_id: string;
  source: string;
  d: Float64Array;
  s: Float64Array;
  i: Float64Array;
  c: Float64Array;
  v: Float64Array;
  r: Float64Array;
  re: Float64Array;
  f: Float64Array;
}

/**
 * Applies the rule to one client's groups. Returns the groups to pick from by
 * source priority (ad side, unjoined revenue entities) and the revenue groups to
 * add on top of their ad link's days (rekeyed to it, spend and reach zeroed).
 */
export function applyRevenueRule(groups: SourceGroup[], joins: Map<string, string>): { picked: SourceGroup[]; added: SourceGroup[] } {
  let lo = Infinity;
  let hi = -Infinity;
  let adSide = false;
  for (const g of groups) {
    if (!REVENUE_SOURCES.has(g.source)) {
      adSide = true;
      continue;
    }
    for (const d of g.d) {
      if (d < lo) lo = d;
      if (d > hi) hi = d;
    }
  }
  // Once joined, a link's revenue source is its truth on covered days, sale or none.
  const targets = new Set(joins.values());
  const picked: SourceGroup[] = [];
  const added: SourceGroup[] = [];
  for (const g of groups) {
    if (!REVENUE_SOURCES.has(g.source)) {
      if (!targets.has(g.entity_id)) {
        picked.push(g);
        continue;
      }
      // Covered days: the revenue source's count is the count.
      for (let k = 0; k < g.d.length; k++) {
        if (g.d[k]! >= lo && g.d[k]! <= hi) {
          g.v[k] = 0;
          g.r[k] = 0;
        }
      }
      picked.push(g);
      continue;
    }
    const target = joins.get(g.entity_id);
    const zero = () => new Float64Array(g.d.length);
    if (adSide) g.s = zero();
    if (!target) {
      picked.push(g);
      continue;
    }
    // On the ad link: only conversions and revenue (clicks are the platform's).
    added.push({ ...g, entity_id: target, s: zero(), i: zero(), c: zero(), re: new Float64Array(g.d.length).fill(Number.NaN), f: new Float64Array(g.d.length).fill(Number.NaN) });
  }
  return { picked, added };
}
