// Loads one client's entities and daily metrics for a date range in two queries.
// When several sources report the same entity and day, one wins: connectors over
// CSV imports over demo data, so numbers are never double counted.
import type { BrainDay, BrainEntity, EntityColumns } from '../brain/types.ts';
import type { Sql } from './sql.ts';

// When several sources report one entity and day: connectors (rank 1) over CSV
// imports over demo data. One table, used by the SQL and the JS paths alike.
const SOURCE_RANK: Record<string, number> = { csv: 2, demo: 3 };
const SOURCE_PRIORITY = (source: string) => (Object.hasOwn(SOURCE_RANK, source) ? SOURCE_RANK[source]! : 1);
const SOURCE_PRIORITY_SQL = `CASE m.source ${Object.entries(SOURCE_RANK).map(([k, v]) => `WHEN '${k}' THEN ${v}`).join(' ')} ELSE 1 END`;

// The loaders produce exactly the brain's input shapes.
export type EntityRow = BrainEntity;
export type DailyRow = BrainDay;

export async function loadEntities(sql: Sql, clientId: string): Promise<EntityRow[]> {
  return sql.query<EntityRow>(
    `SELECT id::text AS "id", platform::text AS "platform", kind::text AS "kind", external_id AS "externalId",
            name, parent_id::text AS "parentId", status::text AS "status", attributes
       FROM entity WHERE client_id = $1::uuid`,
    [clientId],
  );
}

export async function loadDaily(sql: Sql, clientId: string, from: string, to: string): Promise<DailyRow[]> {
  return sql.query<DailyRow>(
    `SELECT DISTINCT ON (m.entity_id, m.date)
            m.entity_id::text AS "entityId", m.date::text AS "date", m.spend_cents::float8 AS "spendCents",
            m.impressions::float8 AS "impressions", m.clicks::float8 AS "clicks",
            m.conversions::float8 AS "conversions", m.revenue_cents::float8 AS "revenueCents",
            m.reach::float8 AS "reach", m.frequency::float8 AS "frequency"
       FROM daily_metric m JOIN entity e ON e.id = m.entity_id
      WHERE e.client_id = $1::uuid AND m.date BETWEEN $2::date AND $3::date
      ORDER BY m.entity_id, m.date, ${SOURCE_PRIORITY_SQL}`,
    [clientId, from, to],
  );
}

/** Latest day with data per platform, for freshness lines. */
export async function latestDayByPlatform(sql: Sql, clientId: string): Promise<{ platform: string; latest: string }[]> {
  return sql.query(
    `SELECT e.platform::text AS "platform", max(m.date)::text AS "latest"
       FROM daily_metric m JOIN entity e ON e.id = m.entity_id
      WHERE e.client_id = $1::uuid GROUP BY e.platform ORDER BY e.platform`,
    [clientId],
  );
}


/**
 * The same data as loadDaily, as parallel arrays per entity (one result row per
 * entity and source, no sort, no object per day): the brain's path for clients
 * with tens of thousands of entities.
 */
export async function loadDailyColumns(sql: Sql, clientId: string, from: string, to: string): Promise<EntityColumns[]> {
  const groups = await sql.query<{
    entity_id: string; source: string; d: number[]; s: number[]; i: number[]; c: number[]; v: number[]; r: number[]; f: (number | null)[];
  }>(
    `SELECT m.entity_id::text AS entity_id, m.source, array_agg(m.date - DATE '1970-01-01') AS d,
            array_agg(m.spend_cents::float8) AS s, array_agg(m.impressions::float8) AS i,
            array_agg(m.clicks::float8) AS c, array_agg(m.conversions::float8) AS v,
            array_agg(m.revenue_cents::float8) AS r, array_agg(m.frequency::float8) AS f
       FROM daily_metric m JOIN entity e ON e.id = m.entity_id
      WHERE e.client_id = $1::uuid AND m.date BETWEEN $2::date AND $3::date
      GROUP BY m.entity_id, m.source`,
    [clientId, from, to],
  );
  const perEntity = new Map<string, typeof groups>();
  for (const g of groups) (perEntity.get(g.entity_id) ?? perEntity.set(g.entity_id, []).get(g.entity_id)!).push(g);
  let total = 0;
  for (const g of groups) total += g.d.length;
  const slab = new Float64Array(total * 8);
  let used = 0;
  const take = (n: number) => slab.subarray(used, (used += n));
  const out: EntityColumns[] = [];
  for (const [entityId, gs] of perEntity) {
    // Typed arrays, off the JS heap, carved from one slab per column.
    const col = (g: (typeof groups)[number], keep?: boolean[]): EntityColumns => {
      const pick = (a: (number | string | null)[]) => {
        const n = keep ? keep.filter(Boolean).length : a.length;
        const out = take(n);
        for (let k = 0, j = 0; k < a.length; k++) if (!keep || keep[k]) out[j++] = a[k] === null ? Number.NaN : Number(a[k]);
        return out;
      };
      return {
        entityId,
        days: pick(g.d),
        spendCents: pick(g.s),
        impressions: pick(g.i),
        clicks: pick(g.c),
        conversions: pick(g.v),
        revenueCents: pick(g.r),
        frequency: pick(g.f),
      };
    };
    if (gs.length === 1) {
      out.push(col(gs[0]!));
      continue;
    }
    // Several sources for one entity: per day, connectors over CSV over demo.
    gs.sort((a, b) => SOURCE_PRIORITY(a.source) - SOURCE_PRIORITY(b.source));
    const seen = new Set<number>();
    for (const g of gs) {
      const keep = g.d.map((d) => !seen.has(Number(d)));
      g.d.forEach((d) => seen.add(Number(d)));
      out.push(col(g, keep));
    }
  }
  return out;
}
