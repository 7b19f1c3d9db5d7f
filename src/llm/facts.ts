// The facts a summary may use: everything is already computed and formatted
// here, so the model only has to choose and phrase, never to calculate. Names
// sit in their own fields (see NAME_KEYS in grounding.ts) so that text inside a
// name can never become a number the guard accepts.
import type { DailySummary, ActionLine, Kpis } from '../reports/daily-summary.ts';
import { count, money, pct, ratio, signedPct } from '../reports/format.ts';

export interface KpiFact {
  metric: string;
  value: string;
  vsPreviousDay: string;
  vs7DayAverage: string;
}

export interface ActionFact {
  /** Stable reference the model must use when wording this action. */
  ref: string;
  rank: number;
  kind: string;
  /** The entity the action is about (data, not instructions). */
  name: string | null;
  entityKind: string | null;
  /** What to do, without the name. */
  action: string;
  basis: string | null;
  impact7d: string;
  confidence: string;
  urgency: string;
  why: string[];
  /** For budget moves: the two campaigns (names). */
  from?: string;
  to?: string;
}

export interface CampaignFact {
  name: string;
  platform: string;
  profit: string;
  spend: string;
  roas: string;
}

export interface SummaryFacts {
  client: string;
  currency: string;
  date: string;
  hasData: boolean;
  /** What the client buys: revenue, leads (judged by cost per lead against the target) or a value per conversion. */
  objective: { kind: 'revenue' | 'leads' | 'value'; targetCpa: string | null; valuePerConversion: string | null };
  comparisons: string;
  revenueSource: string;
  kpis: KpiFact[];
  actions: ActionFact[];
  topCampaigns: CampaignFact[];
  losingCampaigns: CampaignFact[];
  freshness: { platform: string; through: string; daysBehind: number }[];
  periods: { days: string; spend: string; revenue: string; profit: string; spendVsPrevious: string; revenueVsPrevious: string; profitVsPrevious: string }[];
  burningLinks: { name: string; spend: string; profit: string; roi: string; window: string }[];
  forecastNext7Days: { spend: string; revenue: string; profit: string; interval: string } | null;
  trackRecord: { mase: string; coverage: string; predictions: number; basis: string } | null;
  /** How often confident burning / winner calls were right, judged 7 days later. */
  callRecord: { minProbability: string; days: number; right: number; judged: number; agencyRight: number | null; agencyJudged: number | null } | null;
  /** Extra computed lines (forecast, track record) when the report model has them. */
  notes: string[];
}

const ACTION_WORDS: Record<string, string> = {
  pause: 'pause it',
  scale: 'raise its budget by 20%',
  refresh_creative: 'refresh the creative',
  move_budget: 'move a fifth of the budget from one campaign to another',
  investigate: 'check what happened',
  test: 'give it a real test budget',
  cut_budget: 'cut daily budgets to land on the monthly budget',
  raise_budget: 'raise daily budgets on profitable campaigns',
  move_traffic: 'send all of the split test\'s traffic to the winner',
};

const LABELS: Record<string, string> = {
  windowDays: 'window', spendCents: 'spend', revenueCents: 'revenue', profitCents: 'profit', roi: 'ROI',
  referenceCtr: 'CTR at its best', recentCtr: 'CTR now', drop: 'CTR drop', cpcChange: 'CPC change', cpmChange: 'CPM change',
  frequencyChange: 'frequency change', spend7Cents: 'spend over 7 days', typicalSpend7Cents: 'typical 7-day spend',
  ageDays: 'age', budgetCents: 'monthly budget', spentCents: 'spent so far', projectedCents: 'projected month', projectedLowCents: 'projected month, low end (80 %)', projectedHighCents: 'projected month, high end (80 %)', recentRoi: 'recent ROI',
  fromRoas: 'ROAS of the weaker campaign', toRoas: 'ROAS of the stronger campaign', day: 'day', month: 'month',
  spendLast7Cents: 'spend over the last 7 days', revenueLast7Cents: 'revenue over the last 7 days',
  spendNext7Cents: 'spend forecast for the next 7 days', revenueNext7Cents: 'revenue forecast for the next 7 days',
  revenueNext7LowCents: 'revenue forecast for the next 7 days, low end of the 80 % range', revenueNext7HighCents: 'revenue forecast for the next 7 days, high end of the 80 % range',
  valueCents: 'value', unjudgedSpendCents: 'spend without a reported result', targetCpaCents: 'target cost per lead',
  valuePerConversionCents: 'value per conversion', cpaCents: 'cost per conversion', provisionalFrom: 'may still be restated from', objective: 'judged by',
  test: 'split test',
  fromCpaCents: 'cost per lead of the weaker campaign', toCpaCents: 'cost per lead of the stronger campaign', movedSpendCents: 'spend moved',
  probability: 'how sure the brain is', since: 'since', changed: 'changed then', beforeRoas: 'ROAS before the change', line: 'the line',
  frequencyExcess: 'frequency beyond what spend explains', entities: 'how many moved at once', names: 'which',
};

const SKIP = /(Z|Id|priorApplied|priorDismissed|acceptRate|realisation|^changed)$/;

/** One input of an action as a phrase with its unit, or null when it is internal. */
export function formatInput(key: string, v: number | string | null, currency: string): string | null {
  if (v === null || SKIP.test(key) || key === 'fromCampaign' || key === 'toCampaign') return null;
  const words = LABELS[key] ?? key.replace(/Cents/g, '').replace(/([A-Z])/g, ' $1').toLowerCase().trim();
  if (typeof v === 'string') return `${words} ${v}`;
  if (/Cents/.test(key) || /^cpa/.test(key)) return `${words} ${money(Math.round(v), currency)}`;
  if (/Ctr$/i.test(key)) return `${words} ${pct(v, 2)}`;
  if (/roas$/i.test(key)) return `${words} ${ratio(v)}`;
  if (/(roi|Roi|drop|Change|ratio|Excess|probability|^line)$/.test(key)) return `${words} ${pct(v)}`;
  if (/days|Days|daysLeft/.test(key)) return `${words} ${Math.round(v)} days`;
  return `${words} ${count(v)}`;
}

function kpiFacts(s: DailySummary): KpiFact[] {
  const cur = s.client.currency;
  const rows: [string, keyof Kpis, (k: Kpis) => string][] = [
    ['spend', 'spendCents', (k) => money(k.spendCents, cur)],
    ['revenue', 'revenueCents', (k) => money(k.revenueCents, cur)],
    ['profit', 'profitCents', (k) => money(k.profitCents, cur)],
    ['ROAS', 'roas', (k) => ratio(k.roas)],
    ['ROI', 'roi', (k) => pct(k.roi)],
    ['conversions', 'conversions', (k) => count(k.conversions)],
    ['CPA', 'cpaCents', (k) => money(k.cpaCents, cur)],
  ];
  return rows.map(([metric, key, get]) => ({
    metric,
    value: get(s.day),
    vsPreviousDay: signedPct(s.change.vsPreviousDay[key]),
    vs7DayAverage: signedPct(s.change.vs7DayAverage[key]),
  }));
}

export function actionFact(a: ActionLine, currency: string): ActionFact {
  const f: ActionFact = {
    ref: `A${a.rank}`,
    rank: a.rank,
    kind: a.kind,
    name: a.entity?.name ?? null,
    entityKind: a.entity?.kind ?? null,
    action: ACTION_WORDS[a.kind] ?? a.kind,
    basis: a.basis,
    impact7d: money(a.impactCents, currency),
    confidence: pct(a.confidence),
    urgency: a.urgency,
    why: Object.entries(a.inputs)
      .map(([k, v]) => formatInput(k, v, currency))
      .filter((x): x is string => x !== null),
  };
  if (typeof a.inputs.fromCampaign === 'string') f.from = a.inputs.fromCampaign;
  if (typeof a.inputs.toCampaign === 'string') f.to = a.inputs.toCampaign;
  return f;
}

const campaignFact = (cur: string) => (c: DailySummary['topCampaigns'][number]): CampaignFact => ({
  name: c.name,
  platform: c.platform,
  profit: money(c.kpis.profitCents, cur),
  spend: money(c.kpis.spendCents, cur),
  roas: ratio(c.kpis.roas),
});

export function summaryFacts(s: DailySummary, notes: string[] = []): SummaryFacts {
  const cur = s.client.currency;
  return {
    client: s.client.name,
    currency: cur,
    date: s.date,
    hasData: s.hasData,
    objective: {
      kind: s.objective.kind,
      targetCpa: s.objective.targetCpaCents === null ? null : money(s.objective.targetCpaCents, cur),
      valuePerConversion: s.objective.valuePerConversionCents === null ? null : money(s.objective.valuePerConversionCents, cur),
    },
    comparisons: 'previous day and the 7-day average',
    revenueSource: s.revenueSource === 'shopify' ? 'store orders (Shopify)' : 'ad platforms',
    kpis: kpiFacts(s),
    actions: s.actions.map((a) => actionFact(a, cur)),
    topCampaigns: s.topCampaigns.map(campaignFact(cur)),
    losingCampaigns: s.bottomCampaigns.map(campaignFact(cur)),
    freshness: s.freshness.map((f) => ({ platform: f.platform, through: f.latest, daysBehind: f.daysBehind })),
    periods: [s.trend.last7, s.trend.last30].map((p) => ({
      days: `${p.days} days`,
      spend: money(p.current.spendCents, cur),
      revenue: money(p.current.revenueCents, cur),
      profit: money(p.current.profitCents, cur),
      spendVsPrevious: signedPct(p.change.spendCents),
      revenueVsPrevious: signedPct(p.change.revenueCents),
      profitVsPrevious: signedPct(p.change.profitCents),
    })),
    burningLinks: s.burning.map((b) => ({ name: b.name, spend: money(b.spendCents, cur), profit: money(b.profitCents, cur), roi: pct(b.roi), window: `${b.windowDays} days` })),
    forecastNext7Days: s.forecast && {
      spend: `${money(s.forecast.spendCents.point, cur)} (${money(s.forecast.spendCents.lower, cur)} to ${money(s.forecast.spendCents.upper, cur)})`,
      revenue: s.forecast.revenueCents ? `${money(s.forecast.revenueCents.point, cur)} (${money(s.forecast.revenueCents.lower, cur)} to ${money(s.forecast.revenueCents.upper, cur)})` : 'not reported',
      profit: money(s.forecast.profitCents, cur),
      interval: s.forecast.rangeOf === 'days' ? '80% per day, added up' : '80% for the 7-day total',
    },
    trackRecord: s.trackRecord && s.trackRecord.mase !== null ? { mase: s.trackRecord.mase.toFixed(2), coverage: pct(s.trackRecord.coverage), predictions: s.trackRecord.predictions, basis: s.trackRecord.source === 'backtest' ? 'a backtest on the last 8 weeks (no real forecasts scored yet)' : 'real forecasts scored over the last 28 days' } : null,
    callRecord: s.callRecord ? { minProbability: pct(s.callRecord.minProbability), days: s.callRecord.days, right: s.callRecord.right, judged: s.callRecord.judged, agencyRight: s.callRecord.agency?.right ?? null, agencyJudged: s.callRecord.agency?.judged ?? null } : null,
    notes,
  };
}
