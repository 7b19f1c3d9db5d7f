// Loads one client's entities and daily metrics for a date range. When several
// ad-side sources report the same entity and day, one wins: connectors over CSV
// imports over demo data, so numbers are never double counted. Revenue sources
// (RedTrack, Shopify) follow the rule in revenue-join.ts.
import { addKnown, type MetricValues } from '../ingest/batch.ts';
import { applyRevenueRule, revenueJoins, type SourceGroup } from './revenue-join.ts';
import { float8sInto, int4, int4sInto, readCopyBinary, text, type CopyField } from './copy-binary.ts';
import type { Sql } from './sql.ts';

// When several sources report one entity and day: connectors (rank 1) over CSV
// imports over demo data.
const SOURCE_RANK: Record<string, number> = { csv: 2, demo: 3 };
const SOURCE_PRIORITY = (source: string) => (Object.hasOwn(SOURCE_RANK, source) ? SOURCE_RANK[source]! : 1);
/** Entities per load query (about 800,000 daily rows at 400 days). */
const LOAD_CHUNK = 2_000;

/** The same priority as an SQL expression over a `source` column (lower wins). */
export const sourceRankSql = (col: string) => `CASE ${col} ${Object.entries(SOURCE_RANK).map(([k, v]) => `WHEN '${k}' THEN ${v}`).join(' ')} ELSE 1 END`;

// The shapes this store returns. Defined here, not borrowed from the brain: the
// brain is pure and the store does not depend on it (its inputs match these by shape).
export interface EntityRow {
  id: string;
  platform: string;
  kind: string;
  externalId: string;
  name: string;
  parentId: string | null;
  status: string;
  attributes: Record<string, unknown>;
  /** An account's own monthly budget, in the client's minor unit. */
  budgetCents?: number | null;
}

/** One entity's own numbers for one local day (money in cents). */
export interface DailyRow extends MetricValues {
  entityId: string;
  date: string;
}

/** One entity's days as columns (typed arrays), the way the brain reads millions of rows. */
export interface EntityColumns {
  entityId: string;
  /** Days since 1970-01-01 (UTC calendar days). */
  days: ArrayLike<number>;
  spendCents: ArrayLike<number>;
  impressions: ArrayLike<number>;
  clicks: ArrayLike<number>;
  conversions: ArrayLike<number>;
  revenueCents: ArrayLike<number>;
  /** NaN where not reported. */
  reach?: ArrayLike<number>;
  /** NaN where not reported. */
  frequency: ArrayLike<number>;
}

export async function loadEntities(sql: Sql, clientId: string): Promise<EntityRow[]> {
  const [rows, joins] = await Promise.all([
    sql.query<EntityRow>(
      `SELECT id::text AS "id", platform::text AS "platform", kind::text AS "kind", external_id AS "externalId",
              name, parent_id::text AS "parentId", status::text AS "status", attributes,
              monthly_budget_cents::float8 AS "budgetCents"
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
 * The same data as loadDaily, as parallel arrays per entity (one per entity and
 * source, no sort, no object per day): the brain's path for clients with tens of
 * thousands of entities.
 */
export async function loadDailyColumns(sql: Sql, clientId: string, from: string, to: string, opts: { chunk?: number } = {}): Promise<EntityColumns[]> {
  if (!DAY.test(from) || !DAY.test(to)) throw new Error(`loadDailyColumns: dates must be YYYY-MM-DD (got ${from}, ${to})`);
  const [idRows, joins] = await Promise.all([
    sql.query<{ id: string }>('SELECT id::text AS id FROM entity WHERE client_id = $1::uuid ORDER BY id', [clientId]),
    revenueJoins(sql, clientId),
  ]);
  const ids = idRows.map((r) => r.id);
  const chunks: string[][] = [];
  const size = opts.chunk ?? LOAD_CHUNK;
  for (let k = 0; k < ids.length; k += size) chunks.push(ids.slice(k, k + size));
  // Each chunk is one COPY of one row per entity and source whose columns are
  // whole byteas of big-endian numbers, aggregated per entity by the key's index:
  // the load grows with the data whatever the table's physical order, and nothing
  // is parsed from text per value (the array_agg text arrays this replaced made the
  // load 2.5× slower at 10,000 ads and grow 2.5× for 2× the data). On a server two
  // chunks are in flight: it reads one while this process decodes the other.
  const perChunk: SourceGroup[][] = new Array(chunks.length);
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const k = next++;
      try {
        // Without sequential scans: right after a big backfill (before autovacuum has
        // analysed it) the planner may otherwise scan the whole table per entity.
        const buf = await sql.copyOut(chunkSelect(chunks[k]!, from, to), { enable_seqscan: 'off' });
        perChunk[k] = decodeGroups(buf, chunks[k]!);
      } catch (err) {
        next = chunks.length; // the load has failed: the other worker starts no more chunks
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(sql.parallel, chunks.length)) }, worker));
  if (joins) {
    const { picked, added } = applyRevenueRule(perChunk.flat(), joins);
    return toColumns(picked, added);
  }
  // Without revenue joins an entity's sources are all in its chunk.
  return perChunk.flatMap((groups) => toColumns(groups, []));
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const packed = (col: string) => `string_agg(float8send(coalesce(${col}::float8, 'NaN')), ''::bytea)`;

/** One chunk's query. COPY takes no parameters: the ids (read back from entity) and dates are checked before they are inlined. */
function chunkSelect(ids: string[], from: string, to: string): string {
  for (const id of ids) if (!UUID.test(id)) throw new Error(`loadDailyColumns: not an entity id: ${id}`);
  // All of a group's aggregates see its rows in the same order, so the k-th
  // value of every column belongs to the k-th day; NULL travels as NaN.
  return `SELECT k.ord::int4, g.source, g.d, g.s, g.i, g.c, g.v, g.r, g.re, g.f
    FROM unnest('{${ids.join(',')}}'::uuid[]) WITH ORDINALITY AS k(id, ord)
    CROSS JOIN LATERAL (
      SELECT m.source, string_agg(int4send(m.date - DATE '1970-01-01'), ''::bytea) AS d,
             ${packed('m.spend_cents')} AS s, ${packed('m.impressions')} AS i, ${packed('m.clicks')} AS c,
             ${packed('m.conversions')} AS v, ${packed('m.revenue_cents')} AS r, ${packed('m.reach')} AS re,
             ${packed('m.frequency')} AS f
        FROM daily_metric m
       WHERE m.entity_id = k.id AND m.date BETWEEN DATE '${from}' AND DATE '${to}'
       GROUP BY m.source) g`;
}

/** One chunk's COPY output as source groups: typed columns carved from one slab. */
function decodeGroups(buf: Uint8Array, ids: string[]): SourceGroup[] {
  const tuples: CopyField[][] = [];
  let total = 0;
  readCopyBinary(buf, (f) => {
    tuples.push(f);
    total += f[2]!.length >> 2;
  });
  const slab = new Float64Array(total * 9);
  let used = 0;
  const groups: SourceGroup[] = [];
  for (const f of tuples) {
    const n = f[2]!.length >> 2;
    const col = (b: CopyField, int = false) => {
      const out = slab.subarray(used, (used += n));
      if (int) int4sInto(b!, out);
      else float8sInto(b!, out);
      return out;
    };
    groups.push({
      entity_id: ids[int4(f[0]!) - 1]!,
      source: text(f[1]!)!,
      d: col(f[2]!, true),
      s: col(f[3]!),
      i: col(f[4]!),
      c: col(f[5]!),
      v: col(f[6]!),
      r: col(f[7]!),
      re: col(f[8]!),
      f: col(f[9]!),
    });
  }
  return groups;
}

/** Source groups as entity columns: one source per entity and day, revenue rows added. */
function toColumns(picked: SourceGroup[], added: SourceGroup[]): EntityColumns[] {
  const perEntity = new Map<string, SourceGroup[]>();
  for (const g of picked) (perEntity.get(g.entity_id) ?? perEntity.set(g.entity_id, []).get(g.entity_id)!).push(g);
  const out: EntityColumns[] = [];
  const columns = (entityId: string, g: SourceGroup): EntityColumns => ({
    entityId, days: g.d, spendCents: g.s, impressions: g.i, clicks: g.c, conversions: g.v, revenueCents: g.r, reach: g.re, frequency: g.f,
  });
  for (const [entityId, gs] of perEntity) {
    if (gs.length === 1) {
      out.push(columns(entityId, gs[0]!));
      continue;
    }
    // Several sources for one entity: per day, connectors over CSV over demo.
    gs.sort((a, b) => SOURCE_PRIORITY(a.source) - SOURCE_PRIORITY(b.source));
    const seen = new Set<number>();
    for (const g of gs) {
      const keep: number[] = [];
      for (let k = 0; k < g.d.length; k++) if (!seen.has(g.d[k]!)) keep.push(k);
      for (const d of g.d) seen.add(d);
      const pick = (a: Float64Array) => Float64Array.from(keep, (k) => a[k]!);
      out.push(columns(entityId, { ...g, d: pick(g.d), s: pick(g.s), i: pick(g.i), c: pick(g.c), v: pick(g.v), r: pick(g.r), re: pick(g.re), f: pick(g.f) }));
    }
  }
  // Tracker revenue on its ad link's days: one more column set, summed by every reader.
  for (const g of added) out.push(columns(g.entity_id, g));
  return out;
}
