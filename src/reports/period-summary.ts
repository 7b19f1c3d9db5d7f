// The numbers of a weekly or monthly report: the period's totals against the
// period before and the same period a year earlier (when there was data then),
// its days for the chart, and its campaigns and roll-ups — from the same daily
// rows and the same totals rule (reports/totals.ts) as the daily report.
import type { DailyRow, EntityRow } from '../db/metrics-read.ts';
import { addDays } from '../time.ts';
import { add, rankCampaigns, top5, type Acc, type CampaignLine, type Rollups } from './daily-summary.ts';
import { ancestry } from './entity-tree.ts';
import { addRow, emptySums, kpisOfSums, relativeChange, type Kpis, type Sums } from './kpis.ts';
import type { Period, Range } from './periods.ts';
import { contributionOf, storeTotals } from './totals.ts';
import type { TrendDay } from './trend.ts';

export type Changes = Partial<Record<keyof Kpis, number | null>>;

export interface PeriodSummary {
  period: Period;
  current: Kpis;
  previous: Kpis;
  /** null: no data a year earlier (a young account), not zero. */
  lastYear: Kpis | null;
  change: { vsPrevious: Changes; vsLastYear: Changes | null };
  days: TrendDay[];
  topCampaigns: CampaignLine[];
  bottomCampaigns: CampaignLine[];
  rollups: Rollups;
}

const KEYS: (keyof Kpis)[] = ['spendCents', 'revenueCents', 'profitCents', 'roas', 'roi', 'conversions', 'cpaCents'];
const inRange = (d: string, r: Range) => d >= r.from && d <= r.to;

function changes(now: Kpis, before: Kpis): Changes {
  return Object.fromEntries(KEYS.map((k) => [k, relativeChange(now[k], before[k])]));
}

export function buildPeriodSummary(input: { period: Period; entities: EntityRow[]; daily: DailyRow[] }): PeriodSummary {
  const { period } = input;
  const byId = new Map(input.entities.map((e) => [e.id, e]));
  const usesStore = storeTotals(input.entities);
  const anc = ancestry(byId);
  const byDay = new Map<string, Sums>();
  const totals = { current: emptySums(), previous: emptySums(), lastYear: emptySums() };
  let lastYearRows = 0;
  const groups = { campaigns: new Map<string, Acc>(), accounts: new Map<string, Acc>(), offers: new Map<string, Acc>(), sparkCodes: new Map<string, Acc>(), creatives: new Map<string, Acc>() };
  for (const r of input.daily) {
    const t = contributionOf(byId.get(r.entityId), r, usesStore);
    if (!t) continue;
    if (inRange(r.date, period.previous)) addRow(totals.previous, t.spendCents, t.revenueCents, t.conversions);
    if (inRange(r.date, period.lastYear)) {
      addRow(totals.lastYear, t.spendCents, t.revenueCents, t.conversions);
      lastYearRows++;
    }
    if (!inRange(r.date, period)) continue;
    addRow(totals.current, t.spendCents, t.revenueCents, t.conversions);
    const d = byDay.get(r.date) ?? byDay.set(r.date, emptySums()).get(r.date)!;
    addRow(d, t.spendCents, t.revenueCents, t.conversions);
    if (byId.get(r.entityId)?.platform === 'shopify') continue;
    const a = anc(r.entityId);
    if (a.campaign) add(groups.campaigns, a.campaign.id, a.campaign.name, r);
    if (a.account) add(groups.accounts, a.account.id, a.account.name, r);
    const parts = (a.campaign?.attributes ?? {}) as { offer?: string; offerKey?: string; sparkCode?: string; accountNumber?: string };
    if (parts.offerKey) add(groups.offers, parts.offerKey, parts.offer ?? parts.offerKey, r);
    if (parts.sparkCode) add(groups.sparkCodes, `${parts.accountNumber ?? ''}-${parts.sparkCode}`, parts.accountNumber ? `${parts.sparkCode} (${parts.accountNumber})` : parts.sparkCode, r);
    if (a.creative) add(groups.creatives, a.creative.id, a.creative.name, r);
  }
  const current = kpisOfSums(totals.current);
  const previous = kpisOfSums(totals.previous);
  const lastYear = lastYearRows > 0 ? kpisOfSums(totals.lastYear) : null;
  const days: TrendDay[] = [];
  for (let d = period.from; d <= period.to; d = addDays(d, 1)) {
    const k = kpisOfSums(byDay.get(d) ?? emptySums());
    days.push({ date: d, spendCents: k.spendCents, revenueCents: k.revenueCents, profitCents: k.profitCents });
  }
  const { top, bottom } = rankCampaigns([...groups.campaigns.entries()].map(([id, t]) => ({ entityId: id, platform: byId.get(id)!.platform, name: byId.get(id)!.name, kpis: kpisOfSums(t) })));
  return {
    period,
    current,
    previous,
    lastYear,
    change: { vsPrevious: changes(current, previous), vsLastYear: lastYear && changes(current, lastYear) },
    days,
    topCampaigns: top,
    bottomCampaigns: bottom,
    rollups: { accounts: top5(groups.accounts), offers: top5(groups.offers), sparkCodes: top5(groups.sparkCodes), creatives: top5(groups.creatives) },
  };
}
