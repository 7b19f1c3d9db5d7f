// Read-only tools over a client's numbers: clients, metrics, links with the
// brain's verdicts, the forecast with its track record, the day's report.
import { z } from 'zod';
import { scopedClient } from '../../api/common.ts';
import { AppError } from '../../errors.ts';
import { LINK_SORTS, LINK_TABLE_MAX_DAYS, linkTable } from '../../reports/link-table.ts';
import { checkRange, loadMetricInputs, queryMetrics, type MetricInputs } from '../../reports/metrics-query.ts';
import { loadReportModel } from '../../reports/load-model.ts';
import { addDays, isSaneDay, lastCompleteDay } from '../../time.ts';
import { READS, defineTool } from '../registry.ts';
import { amount, cursorOf, kpiView, num, offsetOf, percent } from '../present.ts';
import { lookupScope, type McpScope } from '../scope.ts';

export const ClientRef = z.string().min(1).max(200).describe('the client: its slug (as list_clients shows), id, or an 8+ character id prefix');
export const DayArg = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD').refine(isSaneDay, 'not a real calendar date');

/** A client and one of its days (default: the newest). */
const ClientDay = z.object({ client: ClientRef, date: DayArg.optional() }).strict();

export async function clientOf(s: McpScope, ref: string) {
  return scopedClient(lookupScope(s), ref);
}

/** The range asked for, defaulting to the 7 days up to the client's last complete day. */
export function rangeOf(s: McpScope, tz: string, from?: string, to?: string, days = 7) {
  const end = to ?? lastCompleteDay(tz, s.deps.now());
  const start = from ?? addDays(end, -(days - 1));
  checkRange(start, end, '');
  return { from: start, to: end };
}

function page<T>(tool: string, rows: T[], limit: number, cursor?: string) {
  const offset = offsetOf(tool, cursor);
  if (typeof offset === 'string') throw new AppError('invalid_input', offset, [{ path: 'cursor', message: offset }]);
  const slice = rows.slice(offset, offset + limit);
  return { rows: slice, totalRows: rows.length, nextCursor: offset + limit < rows.length ? cursorOf(tool, offset + limit) : null };
}

export const listClients = defineTool({
  name: 'list_clients',
  title: 'List clients',
  description: 'Every client of your agency: slug (use it as `client` in other tools), name, currency, time zone and its last complete day (yesterday in its time zone).',
  input: z.object({}).strict(),
  ...READS,
  async run(s) {
    const rows = await s.deps.db.prisma.client.findMany({ where: { agencyId: s.key.agencyId }, orderBy: { slug: 'asc' }, select: { id: true, slug: true, name: true, currency: true, timezone: true } });
    return { count: rows.length, clients: rows.map((c) => ({ ...c, lastCompleteDay: lastCompleteDay(c.timezone, s.deps.now()) })) };
  },
});

export const queryMetricsTool = defineTool({
  name: 'query_metrics',
  title: 'Query metrics',
  description: 'Spend, revenue, profit, ROAS, ROI, conversions, CPA, clicks and impressions of a client over a date range (default: the last 7 complete days), in total or grouped by day, campaign, entity (each ad or link) or platform; optionally only what lies under one entity or on one platform. Money is in the client\'s currency; unknown revenue is null, never 0.',
  input: z.object({
    client: ClientRef,
    from: DayArg.optional().describe('first day, YYYY-MM-DD, in the client\'s time zone'),
    to: DayArg.optional().describe('last day (default: the last complete day)'),
    groupBy: z.enum(['total', 'day', 'campaign', 'entity', 'platform']).default('total'),
    entity: z.string().min(1).max(200).optional().describe('only under this entity (id or 8+ character prefix, from list_links or list_insights)'),
    platform: z.enum(['meta', 'google', 'tiktok', 'shopify', 'redtrack', 'other']).optional(),
    limit: z.number().int().min(1).max(200).default(50),
    cursor: z.string().max(200).optional(),
  }).strict(),
  ...READS,
  async run(s, q) {
    const client = await clientOf(s, q.client);
    const { from, to } = rangeOf(s, client.timezone, q.from, q.to);
    let entityId: string | undefined;
    if (q.entity) {
      const { scopedEntity } = await import('../../api/common.ts');
      const e = await scopedEntity(lookupScope(s), q.entity);
      if (e.clientId !== client.id) throw new AppError('not_found', `entity ${q.entity} not found in client ${client.slug}`);
      entityId = e.id;
    }
    const memoKey = `metrics:${client.id}:${from}:${to}`;
    const loaded = s.memo ? ((s.memo.get(memoKey) ?? s.memo.set(memoKey, loadMetricInputs(s.deps.db, client.id, from, to)).get(memoKey)) as Promise<MetricInputs>) : undefined;
    const rows = await queryMetrics(s.deps.db, client.id, { from, to, groupBy: q.groupBy, entityId, platform: q.platform }, loaded);
    const p = page('query_metrics', rows, q.limit, q.cursor);
    return {
      client: client.slug, currency: client.currency, from, to, groupBy: q.groupBy,
      rows: p.rows.map((r) => ({ ...(q.groupBy === 'total' ? {} : { key: r.key, [q.groupBy === 'day' ? 'date' : 'name']: r.label }), ...kpiView(r, client.currency) })),
      totalRows: p.totalRows, nextCursor: p.nextCursor,
    };
  },
});

export const listLinks = defineTool({
  name: 'list_links',
  title: 'Links and ads with verdicts',
  description: 'Every link and ad of a client over the days up to `asOf` (default: the last 7 complete days): spend, revenue, profit, ROI, clicks, conversions, and the brain\'s verdict — "burning" (losing money, with how sure the brain is and since when) or "winner". Filter to burning or winners; killed ones are marked.',
  input: z.object({
    client: ClientRef,
    asOf: DayArg.optional(),
    days: z.number().int().min(1).max(LINK_TABLE_MAX_DAYS).default(7),
    verdict: z.enum(['burning', 'winner', 'any', 'all']).default('all').describe('burning / winner: only those; any: only those with a verdict; all: every link and ad'),
    sort: z.enum(LINK_SORTS).default('spend'),
    limit: z.number().int().min(1).max(200).default(50),
    cursor: z.string().max(200).optional(),
  }).strict(),
  ...READS,
  async run(s, q) {
    const client = await clientOf(s, q.client);
    const asOf = q.asOf ?? lastCompleteDay(client.timezone, s.deps.now());
    const all = await linkTable(s.deps.db, client, asOf, { sort: q.sort, days: q.days });
    const kept = all.filter((l) => (q.verdict === 'all' ? true : q.verdict === 'any' ? l.verdict !== null : l.verdict === q.verdict));
    const p = page('list_links', kept, q.limit, q.cursor);
    const $ = (v: number | null) => amount(v, client.currency);
    return {
      client: client.slug, currency: client.currency, from: addDays(asOf, -(q.days - 1)), to: asOf,
      links: p.rows.map((l) => ({
        id: l.id, kind: l.kind, platform: l.platform, name: l.name, path: l.path,
        spend: $(l.spendCents), revenue: $(l.revenueCents), profit: $(l.profitCents), roi: percent(l.roi), clicks: l.clicks, conversions: num(l.conversions),
        verdict: l.killed ? 'killed' : l.verdict, probability: percent(l.probability, 0), since: l.since,
      })),
      totalRows: p.totalRows, nextCursor: p.nextCursor,
    };
  },
});

export const getForecast = defineTool({
  name: 'get_forecast',
  title: 'Forecast and track record',
  description: 'The brain\'s forecast for the 7 days after `date` (default: the last complete day): spend, revenue and profit with the 80 % range of the 7-day total, per day; and its track record: MASE and interval coverage of its past forecasts, and how often its confident burning / winner calls were right.',
  input: ClientDay,
  ...READS,
  async run(s, q) {
    const client = await clientOf(s, q.client);
    const date = q.date ?? lastCompleteDay(client.timezone, s.deps.now());
    const m = await loadReportModel(s.deps.db, client, date, s.deps.now());
    const $ = (v: number | null | undefined) => amount(v ?? null, client.currency);
    const f = m.forecast;
    return {
      client: client.slug, currency: client.currency, madeOn: date,
      forecast: f
        ? {
            from: f.from, to: f.to,
            spend: { point: $(f.spendCents.point), low: $(f.spendCents.lower), high: $(f.spendCents.upper) },
            revenue: f.revenueCents ? { point: $(f.revenueCents.point), low: $(f.revenueCents.lower), high: $(f.revenueCents.upper) } : null,
            profit: $(f.profitCents),
            range: f.rangeOf === 'days' ? 'sum of the daily 80 % bounds (older forecasts)' : '80 % range of the 7-day total',
            days: f.days.map((d) => ({ date: d.date, spend: $(d.spendCents), revenue: $(d.revenueCents) })),
          }
        : null,
      note: f ? undefined : 'no forecast for this day: the brain has not run for it (run the day, or pick an earlier date)',
      trackRecord: m.trackRecord ? { predictionsScored: m.trackRecord.predictions, mase: num(m.trackRecord.mase), coverage80: percent(m.trackRecord.coverage, 0), basis: m.trackRecord.source ?? 'scored' } : null,
      calls: m.callRecord ? { atOrAbove: percent(m.callRecord.minProbability, 0), lastDays: m.callRecord.days, right: m.callRecord.right, judged: m.callRecord.judged } : null,
    };
  },
});

export const getReport = defineTool({
  name: 'get_report',
  title: 'The day\'s report',
  description: 'The daily report of a client for a day (default: the newest): its summary and text, whether it was sent, and links to its HTML and PDF (GET with the same API key).',
  input: ClientDay,
  ...READS,
  async run(s, q) {
    const client = await clientOf(s, q.client);
    const r = await s.deps.db.prisma.report.findFirst({
      where: { clientId: client.id, kind: 'daily', ...(q.date ? { periodStart: new Date(`${q.date}T00:00:00Z`) } : {}) },
      orderBy: { periodStart: 'desc' },
      select: { id: true, periodStart: true, status: true, summary: true, text: true, sentAt: true, html: false },
    });
    if (!r) throw new AppError('not_found', q.date ? `no report of ${client.slug} for ${q.date}` : `${client.slug} has no report yet (the day has not run)`);
    const base = s.deps.config.sources.oauth.publicUrl;
    return {
      client: client.slug, date: r.periodStart.toISOString().slice(0, 10), status: r.status, sentAt: r.sentAt?.toISOString() ?? null,
      summary: r.summary, text: r.text,
      html: `${base}/v1/reports/${r.id}/html`, pdf: `${base}/v1/reports/${r.id}/pdf`,
    };
  },
});
