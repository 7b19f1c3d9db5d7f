// The bulk write path for metrics: entities level by level (parents first, one
// `INSERT … SELECT FROM unnest(…) ON CONFLICT` per chunk), then daily metrics by
// COPY into a temporary table and one upsert per chunk from it. Unchanged rows are
// not rewritten, so re-importing a file is a no-op.
import type { EntitySpec, WriteBatch } from '../ingest/batch.ts';
import type { Sql } from './sql.ts';

const CHUNK = 20_000;
const KIND_DEPTH: Record<string, number> = {
  account: 0, offer: 0, spark_code: 0, creative: 0, campaign: 1, adset: 2, ad: 3, link: 4,
};

export interface WriteResult {
  entitiesTouched: number;
  inserted: number;
  updated: number;
  unchanged: number;
}

export interface WriteOptions {
  clientId: string;
  source: string;
  importRunId?: string | null;
  syncRunId?: string | null;
  /** Rows per statement (default 20,000). An embedded database runs each statement on
   * this thread: smaller statements plus a yield between them keep a server answering. */
  chunkRows?: number;
  yieldBetweenChunks?: boolean;
  /**
   * Entities already written by an earlier batch of the same job (a sync's earlier
   * chunks), by key: those with the same name, parent and attributes are not written
   * again. Only for batches that commit in order within one job: a rolled-back batch
   * must end the job, since its ids never existed.
   */
  entityCache?: Map<string, { id: string; sig: string }>;
}

/**
 * Writes in one transaction (the caller's, when inside sql.tx — so a failure
 * leaves nothing behind — or its own): the COPY's temporary table lives in it.
 */
export function writeBatch(sql: Sql, batch: WriteBatch, opts: WriteOptions): Promise<WriteResult> {
  return sql.tx((tx) => writeInTx(tx, batch, opts));
}

async function writeInTx(sql: Sql, batch: WriteBatch, opts: WriteOptions): Promise<WriteResult> {
  const ids = await upsertEntities(sql, opts.clientId, batch.entities, opts);
  let inserted = 0;
  let updated = 0;
  const size = opts.chunkRows ?? CHUNK;
  // The rows go in by COPY into a temporary table (the database's fastest way in),
  // then one upsert per chunk from there: rows that did not change are not written.
  if (batch.metrics.length > 0) {
    await sql.exec(`CREATE TEMP TABLE IF NOT EXISTS metric_in (e uuid, dt date, s int8, i int8, c int8, cv numeric, r int8, re int8, f numeric) ON COMMIT DROP`);
  }
  const cell = (v: number | null) => (v === null ? '' : String(v));
  for (let i = 0; i < batch.metrics.length; i += size) {
    if (i > 0 && opts.yieldBetweenChunks) await new Promise((r) => setImmediate(r));
    const end = Math.min(batch.metrics.length, i + size);
    let csv = '';
    for (let k = i; k < end; k++) {
      const m = batch.metrics[k]!;
      csv += `${ids.get(m.entityKey)!},${m.date},${m.spendCents},${cell(m.impressions)},${cell(m.clicks)},${cell(m.conversions)},${cell(m.revenueCents)},${cell(m.reach)},${cell(m.frequency)}\n`;
    }
    await sql.exec('TRUNCATE metric_in');
    await sql.copyIn('metric_in', csv);
    const [r] = await sql.query<{ inserted: number; updated: number }>(
      `WITH up AS (
         INSERT INTO daily_metric AS d (entity_id, date, source, spend_cents, impressions, clicks, conversions,
                                        revenue_cents, reach, frequency, import_run_id, sync_run_id)
         SELECT e, dt, $1, s, i, c, cv, r, re, f, $2::uuid, $3::uuid FROM metric_in
         ON CONFLICT (entity_id, date, source) DO UPDATE SET
           spend_cents = EXCLUDED.spend_cents, impressions = EXCLUDED.impressions, clicks = EXCLUDED.clicks,
           conversions = EXCLUDED.conversions, revenue_cents = EXCLUDED.revenue_cents, reach = EXCLUDED.reach,
           frequency = EXCLUDED.frequency, import_run_id = EXCLUDED.import_run_id,
           sync_run_id = EXCLUDED.sync_run_id, updated_at = now()
         WHERE (d.spend_cents, d.impressions, d.clicks, d.conversions, d.revenue_cents, d.reach, d.frequency)
               IS DISTINCT FROM
               (EXCLUDED.spend_cents, EXCLUDED.impressions, EXCLUDED.clicks, EXCLUDED.conversions,
                EXCLUDED.revenue_cents, EXCLUDED.reach, EXCLUDED.frequency)
         RETURNING (xmax = 0) AS ins)
       SELECT (count(*) FILTER (WHERE ins))::int AS inserted, (count(*) FILTER (WHERE NOT ins))::int AS updated FROM up`,
      [opts.source, opts.importRunId ?? null, opts.syncRunId ?? null],
    );
    inserted += r!.inserted;
    updated += r!.updated;
  }
  return {
    entitiesTouched: ids.size,
    inserted,
    updated,
    unchanged: batch.metrics.length - inserted - updated,
  };
}

async function upsertEntities(sql: Sql, clientId: string, entities: Map<string, EntitySpec>, opts: WriteOptions) {
  // An entity row costs several metric rows (enum casts, jsonb, two statements).
  const size = opts.chunkRows ? Math.max(1, Math.floor(opts.chunkRows / 4)) : CHUNK;
  const ids = new Map<string, string>();
  const byDepth: [string, EntitySpec][][] = [[], [], [], [], []];
  const cache = opts.entityCache;
  const sigOf = (e: EntitySpec) => `${e.name}\u0000${e.parentKey ?? ''}\u0000${e.attributes ? JSON.stringify(e.attributes) : ''}`;
  for (const entry of entities) {
    const known = cache?.get(entry[0]);
    if (known && known.sig === sigOf(entry[1])) {
      ids.set(entry[0], known.id);
      continue;
    }
    byDepth[KIND_DEPTH[entry[1].kind] ?? 0]!.push(entry);
  }
  for (const level of byDepth) {
    for (let i = 0; i < level.length; i += size) {
      if (opts.yieldBetweenChunks) await new Promise((r) => setImmediate(r));
      const chunk = level.slice(i, i + size);
      const platform: string[] = [], kind: string[] = [], ext: string[] = [], name: string[] = [];
      const parent: (string | null)[] = [], attrs: string[] = [];
      for (const [, e] of chunk) {
        platform.push(e.platform);
        kind.push(e.kind);
        ext.push(e.externalId);
        name.push(e.name);
        parent.push(e.parentKey ? (ids.get(e.parentKey) ?? null) : null);
        attrs.push(JSON.stringify(e.attributes ?? {}));
      }
      const params = [clientId, platform, kind, ext, name, parent, attrs];
      // Parameters travel as text[]: PGlite cannot serialise arrays of enum or jsonb types.
      const input = `SELECT p::"Platform" AS platform, k::"EntityKind" AS kind, external_id, name, parent_id,
                            a::jsonb AS attributes
                       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::text[])
                         AS t(p, k, external_id, name, parent_id, a)`;
      await sql.query(
        `INSERT INTO entity AS x (client_id, platform, kind, external_id, name, parent_id, attributes)
         SELECT $1::uuid, platform, kind, external_id, name, parent_id, attributes FROM (${input}) i
         ON CONFLICT (client_id, platform, kind, external_id) DO UPDATE SET
           name = EXCLUDED.name,
           parent_id = COALESCE(EXCLUDED.parent_id, x.parent_id),
           attributes = x.attributes || EXCLUDED.attributes,
           updated_at = now()
         WHERE x.name IS DISTINCT FROM EXCLUDED.name
            OR x.parent_id IS DISTINCT FROM COALESCE(EXCLUDED.parent_id, x.parent_id)
            OR NOT (x.attributes @> EXCLUDED.attributes)`,
        params,
      );
      if (opts.yieldBetweenChunks) await new Promise((r) => setImmediate(r));
      // A data-modifying CTE cannot see its own inserts, hence the second statement.
      const rows = await sql.query<{ id: string; platform: string; kind: string; external_id: string }>(
        `SELECT e.id::text, e.platform::text, e.kind::text, e.external_id
           FROM entity e JOIN (${input}) i
             ON e.client_id = $1::uuid AND e.platform = i.platform AND e.kind = i.kind AND e.external_id = i.external_id`,
        params,
      );
      for (const r of rows) ids.set(`${r.platform}|${r.kind}|${r.external_id}`, r.id);
      if (cache) for (const [key, e] of chunk) if (ids.has(key)) cache.set(key, { id: ids.get(key)!, sig: sigOf(e) });
    }
  }
  return ids;
}

/**
 * A source re-read these days whole (a tracker, a shop's orders): its rows on them
 * that the new read did not write go. The difference is taken here, not in SQL: an
 * anti-join against a parameter array is planned as a nested loop on a table whose
 * statistics lag behind a sync.
 */
export async function dropRowsNotIn(sql: Sql, clientId: string, source: string, days: string[], keep: [entityId: string, date: string][]): Promise<number> {
  if (!days.length) return 0;
  const rows = await sql.query<{ id: string; e: string; d: string }>(
    `SELECT m.id::text AS id, m.entity_id::text AS e, m.date::text AS d FROM daily_metric m JOIN entity e ON e.id = m.entity_id
      WHERE e.client_id = $1::uuid AND m.source = $2 AND m.date = ANY($3::date[])`,
    [clientId, source, days],
  );
  const kept = new Set(keep.map(([e, d]) => `${e}|${d}`));
  const gone = rows.filter((r) => !kept.has(`${r.e}|${r.d}`)).map((r) => r.id);
  if (gone.length) await sql.query(`DELETE FROM daily_metric WHERE id = ANY($1::bigint[])`, [gone]);
  return gone.length;
}
