// The daily summary model: every number the day's report shows, computed once
// here from loaded rows. Renderers only format it.
import type { DailyRow, EntityRow } from '../db/metrics-read.ts';
import { addDays } from '../time.ts';
import { kpisOf, relativeChange, type Kpis } from './kpis.ts';
import { buildTrend, type DayTotals, type Trend } from './trend.ts';
import { ancestry } from './entity-tree.ts';

export { kpisOf, type Kpis } from './kpis.ts';

export interface CampaignLine {
  entityId: string;
  platform: string;
  name: string;
  kpis: Kpis;
}

export interface RollupLine {
  key: string;
  name: string;
  kpis: Kpis;
}

/** Last 7 days grouped four ways, top 5 of each by spend. */
export interface Rollups {
  accounts: RollupLine[];
  offers: RollupLine[];
  sparkCodes: RollupLine[];
  creatives: RollupLine[];
}

export interface BurningLine {
  entityId: string;
  name: string;
  kind: string;
  platform: string;
  windowDays: number;
  spendCents: number;
  revenueCents: number;
  profitCents: number;
  roi: number;
  since: string;
}

export interface Range {
  point: number;
  lower: number;
  upper: number;
}

export interface ForecastSummary {
  from: string;
  to: string;
  /** Sums over the 7 days of the account-level forecasts; the interval sums the
   * per-day 80 % bounds, so it is wider (more cautious) than a true 80 % interval of the sum. */
  spendCents: Range;
  revenueCents: Range;
  profitCents: number;
  days: { date: string; spendCents: number; revenueCents: number }[];
}

export interface TrackRecordLine {
  predictions: number;
  mase: number | null;
  coverage: number | null;
}

/** What the brain adds to the report (absent when it has not run for the day). */
export interface BrainPart {
  burning: BurningLine[];
  forecast: ForecastSummary | null;
  trackRecord: TrackRecordLine | null;
}

export interface DailySummary extends BrainPart {
  client: { slug: string; name: string; currency: string; timezone: string };
  date: string;
  /** "shopify" when a store reports revenue: then revenue is the store's, not the ad platforms' claims. */
  revenueSource: 'platforms' | 'shopify';
  day: Kpis;
  previousDay: Kpis;
  /** Mean of the 7 days before `date`. */
  average7: Kpis;
  change: { vsPreviousDay: Partial<Record<keyof Kpis, number | null>>; vs7DayAverage: Partial<Record<keyof Kpis, number | null>> };
  topCampaigns: CampaignLine[];
  bottomCampaigns: CampaignLine[];
  trend: Trend;
  rollups: Rollups;
  freshness: { platform: string; latest: string; daysBehind: number }[];
  /** The brain's ranked actions for the day (empty when the brain has not run). */
  actions: ActionLine[];
  hasData: boolean;
}

export interface ActionLine {
  rank: number;
  /** Plain wording with the entity's name (deterministic; the LLM may reword it). */
  what: string;
  kind: string;
  urgency: string;
  impactCents: number;
  confidence: number;
  entity: { id: string; kind: string; name: string; platform: string } | null;
  /** The finding behind it (burning, creative_fatigue, …) or null for an opportunity. */
  basis: string | null;
  since: string | null;
  /** The numbers behind the action, as the brain computed them. */
  inputs: Record<string, number | string | null>;
}

export interface SummaryInput {
  client: DailySummary['client'];
  date: string;
  entities: EntityRow[];
  /** The 60 days up to `date` (fewer only shortens the trend); later days are ignored. */
  daily: DailyRow[];
  latestByPlatform: { platform: string; latest: string }[];
  actions?: ActionLine[];
  brain?: Partial<BrainPart>;
}


export function buildDailySummary(input: SummaryInput): DailySummary {
  const { date } = input;
  const byId = new Map(input.entities.map((e) => [e.id, e]));
  const usesStore = input.entities.some((e) => e.platform === 'shopify');
  const from = addDays(date, -59);
  const from7 = addDays(date, -6);
  const prev = addDays(date, -1);
  const totals: DayTotals = new Map();
  const bump = (day: string, spend: number, revenue: number, conv: number) => {
    const t = totals.get(day) ?? { spend: 0, revenue: 0, conv: 0 };
    t.spend += spend;
    t.revenue += revenue;
    t.conv += conv;
    totals.set(day, t);
  };
  const groups = { campaigns: new Map<string, Acc>(), accounts: new Map<string, Acc>(), offers: new Map<string, Acc>(), sparkCodes: new Map<string, Acc>(), creatives: new Map<string, Acc>() };
  const anc = ancestry(byId);
  for (const r of input.daily) {
    if (r.date > date || r.date < from) continue;
    const platform = byId.get(r.entityId)?.platform;
    if (usesStore) {
      // With a store connected, orders and revenue come from the store alone.
      if (platform === 'shopify') bump(r.date, r.spendCents, r.revenueCents, r.conversions);
      else bump(r.date, r.spendCents, 0, 0);
    } else bump(r.date, r.spendCents, r.revenueCents, r.conversions);
    if (platform === 'shopify' || r.date < from7) continue;
    const a = anc(r.entityId);
    if (r.date === date && a.campaign) add(groups.campaigns, a.campaign.id, a.campaign.name, r);
    if (a.account) add(groups.accounts, a.account.id, a.account.name, r);
    const parts = (a.campaign?.attributes ?? {}) as { offer?: string; offerKey?: string; sparkCode?: string; accountNumber?: string };
    if (parts.offerKey) add(groups.offers, parts.offerKey, parts.offer ?? parts.offerKey, r);
    if (parts.sparkCode) {
      const key = `${parts.accountNumber ?? ''}-${parts.sparkCode}`;
      add(groups.sparkCodes, key, parts.accountNumber ? `${parts.sparkCode} (${parts.accountNumber})` : parts.sparkCode, r);
    }
    if (a.creative) add(groups.creatives, a.creative.id, a.creative.name, r);
  }
  const campaigns = groups.campaigns;
  const k = (day: string) => {
    const t = totals.get(day) ?? { spend: 0, revenue: 0, conv: 0 };
    return kpisOf(t.spend, t.revenue, t.conv);
  };
  const day = k(date);
  const previousDay = k(prev);
  let s = 0, rv = 0, cv = 0;
  for (let i = 1; i <= 7; i++) {
    const t = totals.get(addDays(date, -i));
    if (t) {
      s += t.spend;
      rv += t.revenue;
      cv += t.conv;
    }
  }
  const average7 = kpisOf(Math.round(s / 7), Math.round(rv / 7), cv / 7);
  const keys: (keyof Kpis)[] = ['spendCents', 'revenueCents', 'profitCents', 'roas', 'roi', 'conversions', 'cpaCents'];
  const change = { vsPreviousDay: {} as DailySummary['change']['vsPreviousDay'], vs7DayAverage: {} as DailySummary['change']['vs7DayAverage'] };
  for (const key of keys) {
    change.vsPreviousDay[key] = relativeChange(day[key], previousDay[key]);
    change.vs7DayAverage[key] = relativeChange(day[key], average7[key]);
  }
  const lines: CampaignLine[] = [...campaigns.entries()].map(([id, t]) => ({
    entityId: id,
    platform: byId.get(id)!.platform,
    name: byId.get(id)!.name,
    kpis: kpisOf(t.spend, t.revenue, t.conv),
  }));
  const top5 = (m: Map<string, Acc>): RollupLine[] =>
    [...m.entries()]
      .map(([key, t]) => ({ key, name: t.name, kpis: kpisOf(t.spend, t.revenue, t.conv) }))
      .sort((a, b) => b.kpis.spendCents - a.kpis.spendCents || a.name.localeCompare(b.name))
      .slice(0, 5);
  lines.sort((a, b) => b.kpis.profitCents - a.kpis.profitCents || a.name.localeCompare(b.name));
  const top = lines.filter((l) => l.kpis.profitCents > 0).slice(0, 5);
  const bottom = lines.filter((l) => l.kpis.profitCents < 0).reverse().slice(0, 5);
  return {
    client: input.client,
    date,
    revenueSource: usesStore ? 'shopify' : 'platforms',
    day,
    previousDay,
    average7,
    change,
    topCampaigns: top,
    bottomCampaigns: bottom,
    trend: buildTrend(totals, date),
    rollups: { accounts: top5(groups.accounts), offers: top5(groups.offers), sparkCodes: top5(groups.sparkCodes), creatives: top5(groups.creatives) },
    freshness: input.latestByPlatform.map((f) => ({
      platform: f.platform,
      latest: f.latest,
      daysBehind: Math.max(0, Math.round((Date.parse(date) - Date.parse(f.latest)) / 86_400_000)),
    })),
    actions: (input.actions ?? []).slice(0, 5),
    burning: input.brain?.burning ?? [],
    forecast: input.brain?.forecast ?? null,
    trackRecord: input.brain?.trackRecord ?? null,
    hasData: day.spendCents > 0 || day.revenueCents > 0,
  };
}

interface Acc {
  name: string;
  spend: number;
  revenue: number;
  conv: number;
}

function add(m: Map<string, Acc>, key: string, name: string, r: DailyRow) {
  const t = m.get(key) ?? m.set(key, { name, spend: 0, revenue: 0, conv: 0 }).get(key)!;
  t.spend += r.spendCents;
  t.revenue += r.revenueCents;
  t.conv += r.conversions;
}
