// The daily prune (Inngest cron `retention-prune`, `adbrain db prune`): per
// agency, what is older than its retention goes, in batches of bounded size —
// each batch is one statement, so no lock is held longer than one batch takes,
// and syncs, imports and the API keep working between them.
//   - daily metrics: rolled up into metric_month (per entity, month, source) and
//     deleted, in the same statement (a batch is rolled up exactly once);
//   - Shopify orders (revenue_event) older than the metrics window: deleted;
//   - LLM call records: deleted;
//   - report bodies (HTML, text, PDF): emptied; the report row (date, status,
//     summary, provider id) stays.
//   - first-party visits: deleted (their orders keep the campaign they were given).
import { recordAudit, type Actor } from '../audit/log.ts';
import type { Db } from '../db/client.ts';
import type { Sql } from '../db/sql.ts';
import { localDate } from '../time.ts';
import { retentionOf } from './settings.ts';

export interface PruneOptions {
  now: Date;
  dryRun?: boolean;
  /** Rows per batch (default 5,000). */
  batchSize?: number;
  agency?: string;
  onBatch?: (b: { agency: string; target: string; rows: number; ms: number }) => void;
}

export interface TargetResult { target: string; cutoff: string; rows: number; batches: number; longestBatchMs: number }
export interface PruneResult { dryRun: boolean; agencies: { slug: string; targets: TargetResult[] }[]; rows: number; longestBatchMs: number }

interface Target {
  name: string;
  cutoff: (r: ReturnType<typeof retentionOf>, today: string, now: Date) => string;
  count: string;
  /**
   * $1 agency, $2 cut-off, $3 batch size, $4 where the last batch ended (`start` at first); answers n and last.
   * With `keyRange`, the parameters are $1 agency, $2 cut-off and the rows $3 < id <= $4, $4 found first by one index-only read of the
   * next batch-size keys: the delete then gets a plain range with known bounds, planned as a primary-key range
   * scan whatever the table's size or statistics (never a scan of all that expired, never the dead rows
   * of the batches before).
   */
  batch: string;
  start: string;
  keyRange?: string;
}

const monthsBefore = (day: string, months: number) => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() - months);
  return d.toISOString().slice(0, 10);
};

const metricsOf = `FROM daily_metric m JOIN entity e ON e.id = m.entity_id JOIN client c ON c.id = e.client_id WHERE c.agency_id = $1::uuid AND m.date < $2::date`;
// NULL stays NULL only when no day of the month reported the value (unknown, never 0).
const addNullable = (col: string) => `${col} = CASE WHEN mm.${col} IS NULL AND excluded.${col} IS NULL THEN NULL ELSE coalesce(mm.${col}, 0) + coalesce(excluded.${col}, 0) END`;

export const TARGETS: Target[] = [
  {
    name: 'daily_metrics',
    cutoff: (r, today) => monthsBefore(today, r.metricsMonths),
    count: `SELECT count(*)::int AS n ${metricsOf}`,
    start: '0',
    keyRange: 'daily_metric',
    // The range's rows first (a primary-key range scan, materialized so the planner cannot start from the
    // agency's entities and probe each one), then the ones of the agency's clients, locked.
    batch: `WITH span AS MATERIALIZED (SELECT id, entity_id FROM daily_metric WHERE id > $3::bigint AND id <= $4::bigint AND date < $2::date),
      mine AS MATERIALIZED (SELECT s.id FROM span s JOIN entity e ON e.id = s.entity_id JOIN client c ON c.id = e.client_id WHERE c.agency_id = $1::uuid),
      victims AS (SELECT m.id FROM daily_metric m WHERE m.id > $3::bigint AND m.id <= $4::bigint AND m.id IN (SELECT id FROM mine) FOR UPDATE OF m SKIP LOCKED),
      gone AS (DELETE FROM daily_metric d USING victims v WHERE d.id = v.id AND d.id > $3::bigint AND d.id <= $4::bigint RETURNING d.entity_id, d.date, d.source, d.spend_cents, d.impressions, d.clicks, d.conversions, d.revenue_cents),
      rolled AS (
        INSERT INTO metric_month AS mm (entity_id, month, source, days, spend_cents, impressions, clicks, conversions, revenue_cents, revenue_unknown_days)
        SELECT entity_id, date_trunc('month', date)::date, source, count(*), sum(spend_cents), sum(impressions), sum(clicks), sum(conversions), sum(revenue_cents), count(*) FILTER (WHERE revenue_cents IS NULL)
        FROM gone GROUP BY 1, 2, 3
        ON CONFLICT (entity_id, month, source) DO UPDATE SET days = mm.days + excluded.days, spend_cents = mm.spend_cents + excluded.spend_cents,
          ${addNullable('impressions')}, ${addNullable('clicks')}, ${addNullable('conversions')}, ${addNullable('revenue_cents')},
          revenue_unknown_days = mm.revenue_unknown_days + excluded.revenue_unknown_days
        RETURNING 1)
      SELECT (SELECT count(*) FROM gone)::int AS n, (SELECT count(*) FROM rolled)::int AS months`,
  },
  {
    // Raw orders behind the daily revenue: their days are summed in daily_metric (and so in metric_month).
    name: 'revenue_events',
    cutoff: (r, today) => monthsBefore(today, r.metricsMonths),
    count: 'SELECT count(*)::int AS n FROM revenue_event WHERE client_id IN (SELECT id FROM client WHERE agency_id = $1::uuid) AND date < $2::date',
    start: '(0,0)',
    batch: `WITH victims AS (SELECT ctid FROM revenue_event WHERE client_id IN (SELECT id FROM client WHERE agency_id = $1::uuid) AND date < $2::date AND ctid > $4::tid ORDER BY ctid LIMIT $3),
      gone AS (DELETE FROM revenue_event WHERE ctid IN (SELECT ctid FROM victims) RETURNING 1)
      SELECT (SELECT count(*) FROM gone)::int AS n, (SELECT max(ctid)::text FROM victims) AS last`,
  },
  {
    // First-party visits: raw events; orders keep their campaign (conversion.campaign_id) after the visit goes.
    name: 'visits',
    cutoff: (r, today) => monthsBefore(today, r.visitsMonths),
    count: 'SELECT count(*)::int AS n FROM visit WHERE client_id IN (SELECT id FROM client WHERE agency_id = $1::uuid) AND at < $2::timestamptz',
    start: '0',
    keyRange: 'visit',
    batch: `WITH gone AS (DELETE FROM visit WHERE id > $3::bigint AND id <= $4::bigint AND at < $2::timestamptz AND client_id IN (SELECT id FROM client WHERE agency_id = $1::uuid) RETURNING 1)
      SELECT count(*)::int AS n FROM gone`,
  },
  {
    name: 'llm_calls',
    cutoff: (r, _today, now) => new Date(now.getTime() - r.llmDays * 86_400_000).toISOString(),
    count: 'SELECT count(*)::int AS n FROM llm_call WHERE agency_id = $1::uuid AND created_at < $2::timestamptz',
    start: '0',
    keyRange: 'llm_call',
    batch: `WITH gone AS (DELETE FROM llm_call WHERE id > $3::bigint AND id <= $4::bigint AND agency_id = $1::uuid AND created_at < $2::timestamptz RETURNING 1)
      SELECT count(*)::int AS n FROM gone`,
  },
  {
    name: 'report_bodies',
    cutoff: (r, today) => monthsBefore(today, r.reportMonths),
    count: `SELECT count(*)::int AS n FROM report r JOIN client c ON c.id = r.client_id WHERE c.agency_id = $1::uuid AND r.period_end < $2::date AND (r.html IS NOT NULL OR r.text IS NOT NULL OR r.pdf IS NOT NULL)`,
    start: '00000000-0000-0000-0000-000000000000',
    batch: `WITH victims AS (SELECT r.id FROM report r JOIN client c ON c.id = r.client_id WHERE c.agency_id = $1::uuid AND r.period_end < $2::date AND (r.html IS NOT NULL OR r.text IS NOT NULL OR r.pdf IS NOT NULL) AND r.id > $4::uuid ORDER BY r.id LIMIT $3 FOR UPDATE OF r SKIP LOCKED),
      emptied AS (UPDATE report SET html = NULL, text = NULL, pdf = NULL WHERE id IN (SELECT id FROM victims) RETURNING 1)
      SELECT (SELECT count(*) FROM emptied)::int AS n, (SELECT max(id::text) FROM victims) AS last`,
  },
];

export async function prune(db: Db, o: PruneOptions): Promise<PruneResult> {
  const size = o.batchSize ?? 5_000;
  const agencies = await db.prisma.agency.findMany({ where: o.agency ? { slug: o.agency } : {}, orderBy: { slug: 'asc' } });
  const out: PruneResult = { dryRun: Boolean(o.dryRun), agencies: [], rows: 0, longestBatchMs: 0 };
  for (const a of agencies) {
    const today = localDate(a.timezone, o.now);
    const targets: TargetResult[] = [];
    for (const t of TARGETS) {
      const cutoff = t.cutoff(retentionOf(a), today, o.now);
      const r = o.dryRun ? await countOnly(db.sql, t, a.id, cutoff) : await inBatches(db.sql, t, a.id, cutoff, size, (rows, ms) => o.onBatch?.({ agency: a.slug, target: t.name, rows, ms }));
      targets.push({ target: t.name, cutoff, ...r });
      out.rows += r.rows;
      out.longestBatchMs = Math.max(out.longestBatchMs, r.longestBatchMs);
    }
    out.agencies.push({ slug: a.slug, targets });
  }
  return out;
}

async function countOnly(sql: Sql, t: Target, agencyId: string, cutoff: string) {
  const [r] = await sql.query<{ n: number }>(t.count, [agencyId, cutoff]);
  return { rows: r?.n ?? 0, batches: 0, longestBatchMs: 0 };
}

async function inBatches(sql: Sql, t: Target, agencyId: string, cutoff: string, size: number, onBatch: (rows: number, ms: number) => void) {
  let rows = 0;
  let batches = 0;
  let longest = 0;
  let after = t.start;
  for (;;) {
    let upto: string | null = null;
    if (t.keyRange) {
      const [b] = await sql.query<{ hi: string | null }>(`SELECT max(id)::text AS hi FROM (SELECT id FROM ${t.keyRange} WHERE id > $1::bigint ORDER BY id LIMIT $2) s`, [after, size]);
      if (!b?.hi) break;
      upto = b.hi;
    }
    const t0 = performance.now();
    const [r] = await sql.query<{ n: number; last?: string | null }>(t.batch, t.keyRange ? [agencyId, cutoff, after, upto] : [agencyId, cutoff, size, after]);
    const ms = performance.now() - t0;
    const n = r?.n ?? 0;
    const last = t.keyRange ? upto : r?.last;
    if (!last) break;
    after = last;
    if (n === 0) continue;
    rows += n;
    batches += 1;
    longest = Math.max(longest, ms);
    onBatch(n, ms);
    // Let other work in (the embedded database runs one statement at a time).
    await new Promise((res) => setImmediate(res));
  }
  return { rows, batches, longestBatchMs: Math.round(longest * 10) / 10 };
}

/** One audit row per agency that lost rows: what went, and the cut-off. */
export async function recordPrune(db: Db, actor: Actor, r: PruneResult): Promise<void> {
  if (r.dryRun) return;
  for (const a of r.agencies) {
    const gone = a.targets.filter((t) => t.rows > 0);
    if (!gone.length) continue;
    const agency = await db.prisma.agency.findUniqueOrThrow({ where: { slug: a.slug } });
    await recordAudit(db.prisma, actor, { action: 'retention.prune', entityType: 'agency', entityId: agency.id, agencyId: agency.id, after: Object.fromEntries(gone.map((t) => [t.target, { rows: t.rows, before: t.cutoff }])) });
  }
}
