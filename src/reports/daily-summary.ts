// The daily summary model: every number the day's report shows, computed once
// here from loaded rows. Renderers only format it.
import type { DailyRow, EntityRow } from '../db/metrics-read.ts';
import { addDays } from '../time.ts';
import { addRow, addSums, emptySums, kpisOfSums, relativeChange, type Kpis, type Sums } from './kpis.ts';
import { buildTrend, type DayTotals, type Trend } from './trend.ts';
import { ancestry } from './entity-tree.ts';
import { describeObjective, REVENUE, type Objective, type ObjectiveKind } from '../brain/objective.ts';
import { money } from './format.ts';
import { contributionOf, storeTotals } from './totals.ts';

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
  /** null when the entity is judged by conversions, or its revenue was not reported. */
  revenueCents: number | null;
  /** In the objective's terms: for leads, the value of the leads at the target CPA minus spend. */
  profitCents: number;
  roi: number;
  conversions?: number | null;
  cpaCents?: number | null;
  /** The verdict rests on days the platform may still restate. */
  provisional?: boolean;
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
  /** Sums over the 7 days of the account-level forecasts, with the 80 % interval of
   * the sum itself (rangeOf 'total'); forecasts made before that existed add the
   * per-day bounds ('days': wider than an 80 % interval of the sum). */
  spendCents: Range;
  /** null without revenue forecasts (revenue not reported). */
  revenueCents: Range | null;
  profitCents: number | null;
  days: { date: string; spendCents: number; revenueCents: number | null }[];
  rangeOf?: 'total' | 'days';
}

export interface TrackRecordLine {
  predictions: number;
  mase: number | null;
  coverage: number | null;
  /** Real scored forecasts, or a backtest on the last 8 weeks (a new client). */
  source?: 'scored' | 'backtest';
  origins?: number;
}

/** A split test as of the report's day: its latest evaluation's numbers. */
export interface SplitTestLine {
  name: string;
  metric: string;
  status: string;
  verdict: 'winner' | 'not_enough_data' | 'no_difference_yet' | null;
  winner: string | null;
  control: string;
  /** The winner's (or the best variant's) relative lift over the control. */
  lift: number | null;
  sequentialP: number | null;
  needed: { clicks: number; conversions: number; days: number | null } | null;
}

/** A first-party campaign over the report's last 7 days (src/tracking/analytics.ts). */
export interface FirstPartyLine {
  name: string;
  code: string;
  visits: number;
  conversions: number;
  revenueCents: number;
  costCents: number;
  roi: number | null;
}

/** What the brain adds to the report (absent when it has not run for the day). */
export interface BrainPart {
  burning: BurningLine[];
  splitTests?: SplitTestLine[];
  firstParty?: FirstPartyLine[];
  forecast: ForecastSummary | null;
  trackRecord: TrackRecordLine | null;
  /** How often the brain's confident burning / winner calls were right (src/insights/call-follow-up.ts). */
  callRecord?: CallRecordLine | null;
  /** Changes adbrain made on the ad platforms from the report's day to its making (src/ad-actions/). */
  platformChanges?: PlatformChanges | null;
  /** The month's budget and each account's own, as the brain paced them on the report's day. */
  budgets?: BudgetLine[] | null;
}

/** One budget: spent so far, what an even pace would have spent by today, the projected month end. */
export interface BudgetLine {
  /** null: the client's budget; else the account's. */
  account: { id: string; name: string; platform: string } | null;
  month: string;
  budgetCents: number;
  spentCents: number;
  expectedCents: number;
  projectedCents: number;
  projectedLowCents: number | null;
  projectedHighCents: number | null;
}

export interface PlatformChanges {
  paused: number;
  /** The spend a day the paused objects had (their last 7 days' average). */
  pausedPerDayCents: number;
  budgets: number;
  failed: number;
  /** One sentence each, with its undo command. */
  lines: string[];
}

export interface CallRecordLine {
  minProbability: number;
  days: number;
  right: number;
  judged: number;
  agency: { right: number; judged: number } | null;
}

export interface DailySummary extends BrainPart {
  client: { slug: string; name: string; currency: string; timezone: string };
  /** What the client is judged by, and in words ("leads at a $45.00 target CPA"). */
  objective: { kind: ObjectiveKind; targetCpaCents: number | null; valuePerConversionCents: number | null; label: string };
  /** Per connected platform, the first day whose numbers may still be restated (its settling window). */
  provisional: { platform: string; from: string }[];
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
  /** The inbox item it is (its insight's fingerprint). */
  fingerprint?: string;
  /** Signed links (src/actions/): apply / dismiss its insight, kill its link or ad. */
  links?: { apply?: string; dismiss?: string; snooze?: string; kill?: string; /** The insight in the web inbox (sign-in there). */ open?: string; /** Pause its ad on the platform (named in pauseOn), approved by the click. */ pause?: string; pauseOn?: string };
}

export interface SummaryInput {
  client: DailySummary['client'];
  /** Default: revenue. */
  objective?: Objective;
  provisional?: DailySummary['provisional'];
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
  const usesStore = storeTotals(input.entities);
  const from = addDays(date, -59);
  const from7 = addDays(date, -6);
  const prev = addDays(date, -1);
  const totals: DayTotals = new Map();
  const bump = (day: string, spend: number, revenue: number | null, conv: number | null) => {
    const t = totals.get(day) ?? emptySums();
    addRow(t, spend, revenue, conv);
    totals.set(day, t);
  };
  const groups = { campaigns: new Map<string, Acc>(), accounts: new Map<string, Acc>(), offers: new Map<string, Acc>(), sparkCodes: new Map<string, Acc>(), creatives: new Map<string, Acc>() };
  const anc = ancestry(byId);
  for (const r of input.daily) {
    if (r.date > date || r.date < from) continue;
    const platform = byId.get(r.entityId)?.platform;
    // The one rule of the client's totals (reports/totals.ts); mirrors add nothing anywhere.
    const t = contributionOf(byId.get(r.entityId), r, usesStore);
    if (!t) continue;
    bump(r.date, t.spendCents, t.revenueCents, t.conversions);
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
    return kpisOfSums(totals.get(day) ?? emptySums());
  };
  const day = k(date);
  const previousDay = k(prev);
  const week = emptySums();
  for (let i = 1; i <= 7; i++) {
    const t = totals.get(addDays(date, -i));
    if (t) addSums(week, t);
  }
  const average7 = kpisOfSums({
    spend: Math.round(week.spend / 7), revenue: Math.round(week.revenue / 7), conversions: week.conversions / 7,
    revenueSpend: Math.round(week.revenueSpend / 7), conversionSpend: Math.round(week.conversionSpend / 7),
  });
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
    kpis: kpisOfSums(t),
  }));
  const { top, bottom } = rankCampaigns(lines);
  const objective = input.objective ?? REVENUE;
  return {
    client: input.client,
    objective: { ...objective, label: describeObjective(objective, (c) => money(c, input.client.currency)) },
    provisional: input.provisional ?? [],
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
    splitTests: input.brain?.splitTests ?? [],
    firstParty: input.brain?.firstParty ?? [],
    forecast: input.brain?.forecast ?? null,
    trackRecord: input.brain?.trackRecord ?? null,
    callRecord: input.brain?.callRecord ?? null,
    platformChanges: input.brain?.platformChanges ?? null,
    budgets: input.brain?.budgets ?? null,
    hasData: day.spendCents > 0 || (day.revenueCents ?? 0) > 0,
  };
}

/** The five biggest by spend. */
export const top5 = (m: Map<string, Acc>): RollupLine[] =>
  [...m.entries()]
    .map(([key, t]) => ({ key, name: t.name, kpis: kpisOfSums(t) }))
    .sort((a, b) => b.kpis.spendCents - a.kpis.spendCents || a.name.localeCompare(b.name))
    .slice(0, 5);

/** The five most profitable and the five losing the most; campaigns without reported revenue have no profit to rank by. */
export function rankCampaigns(lines: CampaignLine[]): { top: CampaignLine[]; bottom: CampaignLine[] } {
  const ranked = lines.filter((l) => l.kpis.profitCents !== null);
  ranked.sort((a, b) => b.kpis.profitCents! - a.kpis.profitCents! || a.name.localeCompare(b.name));
  return { top: ranked.filter((l) => l.kpis.profitCents! > 0).slice(0, 5), bottom: ranked.filter((l) => l.kpis.profitCents! < 0).reverse().slice(0, 5) };
}

export interface Acc extends Sums {
  name: string;
}

export function add(m: Map<string, Acc>, key: string, name: string, r: DailyRow) {
  const t = m.get(key) ?? m.set(key, { name, ...emptySums() }).get(key)!;
  addRow(t, r.spendCents, r.revenueCents, r.conversions);
}
