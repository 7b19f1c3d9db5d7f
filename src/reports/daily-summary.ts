// The daily summary model: every number the day's report shows, computed once
// here from loaded rows. Renderers only format it.
import type { DailyRow, EntityRow } from '../db/metrics-read.ts';
import { addDays } from '../time.ts';

export interface Kpis {
  spendCents: number;
  revenueCents: number;
  profitCents: number;
  /** revenue / spend; null without spend. */
  roas: number | null;
  /** profit / spend; null without spend. */
  roi: number | null;
  conversions: number;
  cpaCents: number | null;
}

export interface CampaignLine {
  entityId: string;
  platform: string;
  name: string;
  kpis: Kpis;
}

export interface DailySummary {
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
  /** At least the 8 days up to `date`; later days are ignored. */
  daily: DailyRow[];
  latestByPlatform: { platform: string; latest: string }[];
  actions?: ActionLine[];
}

export function kpisOf(spendCents: number, revenueCents: number, conversions: number): Kpis {
  const profitCents = revenueCents - spendCents;
  return {
    spendCents,
    revenueCents,
    profitCents,
    roas: spendCents > 0 ? revenueCents / spendCents : null,
    roi: spendCents > 0 ? profitCents / spendCents : null,
    conversions,
    cpaCents: conversions > 0 ? Math.round(spendCents / conversions) : null,
  };
}

const ratioChange = (now: number | null, before: number | null) =>
  now === null || before === null || before === 0 ? null : (now - before) / Math.abs(before);

export function buildDailySummary(input: SummaryInput): DailySummary {
  const { date } = input;
  const byId = new Map(input.entities.map((e) => [e.id, e]));
  const usesStore = input.entities.some((e) => e.platform === 'shopify');
  const campaignOf = (id: string): EntityRow | undefined => {
    let e = byId.get(id);
    while (e && e.kind !== 'campaign') e = e.parentId ? byId.get(e.parentId) : undefined;
    return e;
  };
  const from7 = addDays(date, -7);
  const prev = addDays(date, -1);
  const totals = new Map<string, { spend: number; revenue: number; conv: number }>();
  const bump = (day: string, spend: number, revenue: number, conv: number) => {
    const t = totals.get(day) ?? { spend: 0, revenue: 0, conv: 0 };
    t.spend += spend;
    t.revenue += revenue;
    t.conv += conv;
    totals.set(day, t);
  };
  const campaigns = new Map<string, { spend: number; revenue: number; conv: number }>();
  for (const r of input.daily) {
    if (r.date > date || r.date < from7) continue;
    const platform = byId.get(r.entityId)?.platform;
    if (usesStore) {
      // With a store connected, orders and revenue come from the store alone.
      if (platform === 'shopify') bump(r.date, r.spendCents, r.revenueCents, r.conversions);
      else bump(r.date, r.spendCents, 0, 0);
    } else bump(r.date, r.spendCents, r.revenueCents, r.conversions);
    if (r.date === date && platform !== 'shopify') {
      const c = campaignOf(r.entityId);
      if (!c) continue;
      const t = campaigns.get(c.id) ?? { spend: 0, revenue: 0, conv: 0 };
      t.spend += r.spendCents;
      t.revenue += r.revenueCents;
      t.conv += r.conversions;
      campaigns.set(c.id, t);
    }
  }
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
    change.vsPreviousDay[key] = ratioChange(day[key], previousDay[key]);
    change.vs7DayAverage[key] = ratioChange(day[key], average7[key]);
  }
  const lines: CampaignLine[] = [...campaigns.entries()].map(([id, t]) => ({
    entityId: id,
    platform: byId.get(id)!.platform,
    name: byId.get(id)!.name,
    kpis: kpisOf(t.spend, t.revenue, t.conv),
  }));
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
    freshness: input.latestByPlatform.map((f) => ({
      platform: f.platform,
      latest: f.latest,
      daysBehind: Math.max(0, Math.round((Date.parse(date) - Date.parse(f.latest)) / 86_400_000)),
    })),
    actions: (input.actions ?? []).slice(0, 5),
    hasData: day.spendCents > 0 || day.revenueCents > 0,
  };
}
