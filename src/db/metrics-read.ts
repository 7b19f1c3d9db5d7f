// Loads one client's entities and daily metrics for a date range. When several
// ad-side sources report the same entity and day, one wins: connectors over CSV
// imports over demo data, so numbers are never double counted. Revenue sources
// (RedTrack, Shopify) follow the rule in revenue-join.ts.
import type { BrainDay, BrainEntity, EntityColumns } from '../brain/types.ts';
import { addKnown } from '../ingest/batch.ts';
import { applyRevenueRule, revenueJoins, type SourceGroup } from './revenue-join.ts';
import type { Sql } from './sql.ts';

// When several sources report one entity and day: connectors (rank 1) over CSV
// imports over demo data.
const SOURCE_RANK: Record<string, number> = { csv: 2, demo: 3 };
const SOURCE_PRIORITY = (source: string) => (Object.hasOwn(SOURCE_RANK, source) ? SOURCE_RANK[source]! : 1);
/** Entities per load query (about 800,000 daily rows at 400 days). */
const LOAD_CHUNK = 2_000;

/** The same priority as an SQL expression over a `source` column (lower wins). */
export const sourceRankSql = (col: string) => `CASE ${col} ${Object.entries(SOURCE_RANK).map(([k, v]) => `WHEN '${k}' THEN ${v}`).join(' ')} ELSE 1 END`;

// The loaders produce exactly the brain's input shapes.
export type EntityRow = BrainEntity;
export type DailyRow = BrainDay;

export async function loadEntities(sql: Sql, clientId: string): Promise<EntityRow[]> {
  const [rows, joins] = await Promise.all([
    sql.query<EntityRow>(
      `SELECT id::text AS "id", platform::text AS "platform", kind::text AS "kind", external_id AS "externalId",
              name, parent_id::text AS "parentId", status::text AS "status", attributes
         FROM entity WHERE client_id = $1::uuid`,
      [clientId],
    ),
    revenueJoins(sql, clientId),
  ]);
  // A tracker's link joined to an ad link is that link: its numbers are read onto it.
  return joins?.size ? rows.filter((e) => !joins.has(e.id)) : rows;
}

/**
 * One row per entity and day (the row shape of loadDailyColumns, same rules), ordered
 * by entity and day. NaN (not reported) becomes null.
 */
export async function loadDaily(sql: Sql, clientId: string, from: string, to: string): Promise<DailyRow[]> {
  const cols = await loadDailyColumns(sql, clientId, from, to);
  const byKey = new Map<string, DailyRow>();
  const known = (x: number) => (Number.isNaN(x) ? null : x);
  for (const c of cols) {
    for (let k = 0; k < c.days.length; k++) {
      const date = dayString(c.days[k]!);
      const key = `${c.entityId}|${date}`;
      const row: DailyRow = {
        entityId: c.entityId, date, spendCents: c.spendCents[k]!, impressions: known(c.impressions[k]!), clicks: known(c.clicks[k]!),
        conversions: known(c.conversions[k]!), revenueCents: known(c.revenueCents[k]!), reach: c.reach ? known(c.reach[k]!) : null, frequency: known(c.frequency[k]!),
      };
      const prev = byKey.get(key);
      if (!prev) {
        byKey.set(key, row);
        continue;
      }
      // A revenue source's numbers on an ad link's day: added, as the series adds them.
      prev.spendCents += row.spendCents;
      prev.impressions = addKnown(prev.impressions, row.impressions);
      prev.clicks = addKnown(prev.clicks, row.clicks);
      prev.conversions = addKnown(prev.conversions, row.conversions);
      prev.revenueCents = addKnown(prev.revenueCents, row.revenueCents);
      prev.reach ??= row.reach;
      prev.frequency ??= row.frequency;
    }
  }
  return [...byKey.values()].sort((a, b) => (a.entityId < b.entityId ? -1 : a.entityId > b.entityId ? 1 : a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

const dayString = (n: number) => new Date(n * 86_400_000).toISOString().slice(0, 10);

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
  const [ids, joins] = await Promise.all([
    sql.query<{ id: string }>('SELECT id::text AS id FROM entity WHERE client_id = $1::uuid ORDER BY id', [clientId]),
    revenueJoins(sql, clientId),
  ]);
  // A chunk of entities at a time: each query walks the (entity, date, source) key in
  // order and aggregates as it goes, so the load grows with the data — one query
  // over a whole big client sorts (and spills) everything at once.
  const groups: SourceGroup[] = [];
  const out: EntityColumns[] = [];
  // One read-only transaction without sequential scans: right after a big backfill
  // (before autovacuum has analysed it) the planner reads each chunk by scanning
  // the whole table — once per chunk, so the load grew with the square of the
  // client (bench:brain, 20,000 ads: 35.5 s with that plan, 24.3 s by the key's index).
  await sql.tx(async (tx) => {
    const [was] = await tx.query<{ v: string }>("SELECT current_setting('enable_seqscan') AS v");
    await tx.query('SET LOCAL enable_seqscan = off');
    for (let k = 0; k < ids.length; k += LOAD_CHUNK) {
      const chunk = ids.slice(k, k + LOAD_CHUNK).map((x) => x.id);
      const got = await tx.query<SourceGroup>(
        `SELECT m.entity_id::text AS entity_id, m.source, array_agg(m.date - DATE '1970-01-01') AS d,
                array_agg(m.spend_cents::float8) AS s, array_agg(m.impressions::float8) AS i,
                array_agg(m.clicks::float8) AS c, array_agg(m.conversions::float8) AS v,
                array_agg(m.revenue_cents::float8) AS r, array_agg(m.reach::float8) AS re, array_agg(m.frequency::float8) AS f
           FROM daily_metric m
          WHERE m.entity_id = ANY($1::uuid[]) AND m.date BETWEEN $2::date AND $3::date
          GROUP BY m.entity_id, m.source`,
        [chunk, from, to],
      );
      // Without revenue joins each chunk becomes typed columns at once (an entity's
      // sources are all in its chunk), so the driver's arrays never pile up.
      if (joins) groups.push(...got);
      else out.push(...toColumns(got, []));
    }
    // Inside a caller's transaction the setting would outlive this read: put it back.
    await tx.query('SELECT set_config($1, $2, true)', ['enable_seqscan', was?.v ?? 'on']);
  });
  if (joins) {
    const { picked, added } = applyRevenueRule(groups, joins);
    out.push(...toColumns(picked, added));
  }
  return out;
}

/** Source groups as typed columns (one slab per call): one source per entity and day, revenue rows added. */
function toColumns(picked: SourceGroup[], added: SourceGroup[]): EntityColumns[] {
  const perEntity = new Map<string, SourceGroup[]>();
  for (const g of picked) (perEntity.get(g.entity_id) ?? perEntity.set(g.entity_id, []).get(g.entity_id)!).push(g);
  let total = 0;
  for (const g of picked) total += g.d.length;
  for (const g of added) total += g.d.length;
  const slab = new Float64Array(total * 9);
  let used = 0;
  const take = (n: number) => slab.subarray(used, (used += n));
  const out: EntityColumns[] = [];
  for (const [entityId, gs] of perEntity) {
    // Typed arrays, off the JS heap, carved from one slab per column.
    const col = (g: SourceGroup, keep?: boolean[]): EntityColumns => {
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
        reach: pick(g.re),
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
  // Tracker revenue on its ad link's days: one more column set, summed by every reader.
  for (const g of added) {
    const entityId = g.entity_id;
    const pick = (a: (number | null)[]) => {
      const o = take(a.length);
      for (let k = 0; k < a.length; k++) o[k] = a[k] === null ? Number.NaN : Number(a[k]);
      return o;
    };
    out.push({ entityId, days: pick(g.d), spendCents: pick(g.s), impressions: pick(g.i), clicks: pick(g.c), conversions: pick(g.v), revenueCents: pick(g.r), reach: pick(g.re), frequency: pick(g.f) });
  }
  return out;
}
