// Spend, revenue, profit, ROAS, ROI, conversions and CPA of a client over a date
// range, grouped by day, entity (each ad or link), campaign or platform, and
// optionally restricted to what lies under one entity. One computation for the
// REST route and the MCP tool, adding up as the daily report does (reports/totals.ts).
import type { Db } from '../db/client.ts';
import { loadDaily, loadEntities } from '../db/metrics-read.ts';
import { countsInTotals } from '../domain/entities.ts';
import { AppError } from '../errors.ts';
import { daysBetween } from '../time.ts';
import { ancestry } from './entity-tree.ts';
import { addRow, emptySums, kpisOfSums, type Kpis, type Sums } from './kpis.ts';
import { contributionOf, storeTotals } from './totals.ts';

export const METRIC_GROUPS = ['day', 'entity', 'campaign', 'platform', 'total'] as const;
export type MetricGroup = (typeof METRIC_GROUPS)[number];
/** The longest range one query reads. */
export const MAX_METRIC_DAYS = 400;

export interface MetricRow extends Kpis {
  key: string;
  label: string;
  clicks: number | null;
  impressions: number | null;
}

export interface MetricQuery {
  from: string;
  to: string;
  groupBy: MetricGroup;
  /** Only what lies under this entity (itself, or its ads and links). */
  entityId?: string;
  platform?: string;
}

/** Checks the range, naming the field ("from" / "to") a caller got wrong. */
export function checkRange(from: string, to: string, prefix = 'query.') {
  const span = daysBetween(from, to);
  if (span < 0) throw new AppError('invalid_input', '`from` is after `to`', [{ path: `${prefix}from`, message: 'must not be after to' }]);
  if (span > MAX_METRIC_DAYS) throw new AppError('invalid_input', `ask for at most ${MAX_METRIC_DAYS} days at a time`, [{ path: `${prefix}to`, message: `range longer than ${MAX_METRIC_DAYS} days` }]);
}

export interface MetricInputs {
  entities: Awaited<ReturnType<typeof loadEntities>>;
  daily: Awaited<ReturnType<typeof loadDaily>>;
}

/** The rows a range's groupings are made from: read once when one caller groups them several ways. */
export async function loadMetricInputs(db: Pick<Db, 'sql'>, clientId: string, from: string, to: string): Promise<MetricInputs> {
  const [entities, daily] = await Promise.all([loadEntities(db.sql, clientId), loadDaily(db.sql, clientId, from, to)]);
  return { entities, daily };
}

export async function queryMetrics(db: Pick<Db, 'sql'>, clientId: string, q: MetricQuery, loaded?: Promise<MetricInputs>): Promise<MetricRow[]> {
  const { entities, daily } = await (loaded ?? loadMetricInputs(db, clientId, q.from, q.to));
  const byId = new Map(entities.map((e) => [e.id, e]));
  if (q.entityId && !byId.has(q.entityId)) throw new AppError('not_found', `entity ${q.entityId} not found`);
  // Rows live on leaves; an entity's numbers are its leaves' sums.
  const under = (id: string, target: string): boolean => {
    for (let e = byId.get(id); e; e = e.parentId ? byId.get(e.parentId) : undefined) if (e.id === target) return true;
    return false;
  };
  const above = ancestry(byId);
  // By day (the client's days) and in total the rows add up as the daily report's do: one rule (reports/totals.ts).
  const usesStore = storeTotals(entities);
  const groups = new Map<string, Sums & { key: string; label: string; clicks: number | null; impressions: number | null }>();
  for (const r of daily) {
    if (q.entityId && !under(r.entityId, q.entityId)) continue;
    const e = byId.get(r.entityId)!;
    if (q.platform && e.platform !== q.platform) continue;
    // Unreported values are left out (with their spend); a sum nobody reported stays null.
    const c = (q.groupBy === 'day' || q.groupBy === 'total') && !q.entityId && !q.platform ? contributionOf(e, r, usesStore) : q.groupBy === 'entity' || countsInTotals(e) ? r : null;
    if (!c) continue;
    const g = q.groupBy === 'total' ? { key: 'total', label: 'total' }
      : q.groupBy === 'day' ? { key: r.date, label: r.date }
      : q.groupBy === 'platform' ? { key: e.platform, label: e.platform }
      : q.groupBy === 'campaign' ? (() => { const k = above(r.entityId).campaign; return { key: k?.id ?? 'none', label: k?.name ?? '(no campaign)' }; })()
      : { key: e.id, label: e.name };
    const t = groups.get(g.key) ?? groups.set(g.key, { ...g, ...emptySums(), clicks: null, impressions: null }).get(g.key)!;
    addRow(t, c.spendCents, c.revenueCents, c.conversions);
    if (r.clicks !== null) t.clicks = (t.clicks ?? 0) + r.clicks;
    if (r.impressions !== null) t.impressions = (t.impressions ?? 0) + r.impressions;
  }
  return [...groups.values()]
    .map((g) => ({ key: g.key, label: g.label, ...kpisOfSums(g), clicks: g.clicks, impressions: g.impressions }))
    .sort((a, b) => (q.groupBy === 'day' ? a.key.localeCompare(b.key) : b.spendCents - a.spendCents));
}
