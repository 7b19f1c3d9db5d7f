// The report as it is shown: every number of the model formatted once, chart
// bars scaled once. The email (HTML), the PDF and the plain text all render this
// same view, so they cannot disagree.
import { buttons } from '../actions/links.ts';
import { DEFAULT_BRAND, lookOf, type BrandLook } from '../branding/brand.ts';
import type { Summary } from '../llm/schema.ts';
import type { DailySummary, Kpis, RollupLine, CampaignLine, SplitTestLine } from './daily-summary.ts';
import { DEFAULT_LAYOUT, type KpiId, type ReportLayout, type SectionId } from './layout.ts';
import { count, money, pct, ratio, signedPct } from './format.ts';

export type Tone = 'good' | 'bad' | 'flat';

export interface Change {
  text: string;
  tone: Tone;
}

export interface Tile {
  label: string;
  value: string;
  vsPreviousDay: Change;
  vs7DayAverage: Change;
}

export interface Row {
  name: string;
  cells: string[];
  tone?: Tone;
}

/** A split test's state in words, from its numbers. */
function splitResult(t: SplitTestLine): string {
  const lift = t.lift === null ? '' : ` (${t.lift >= 0 ? '+' : ''}${(t.lift * 100).toFixed(1)} % vs ${t.control})`;
  if (t.status === 'stopped') return 'stopped';
  if (t.verdict === 'winner') return `${t.winner} wins${t.winner === t.control ? ' (the control: every variant did worse)' : lift}`;
  if (t.verdict === 'not_enough_data' && t.needed) {
    const more = [t.needed.clicks ? `${t.needed.clicks.toLocaleString('en-US')} more clicks` : '', t.needed.conversions ? `${t.needed.conversions.toLocaleString('en-US')} more conversions` : ''].filter(Boolean).join(' and ');
    return `not enough data yet: ${more}${t.needed.days !== null ? `, about ${t.needed.days} more days at the current rate` : ''}`;
  }
  if (t.verdict === 'no_difference_yet') return `no winner yet${lift}${t.needed?.days != null ? `; about ${t.needed.days} more days at this effect` : ''}`;
  return 'evaluated with the next brain run';
}

export interface Table {
  title: string;
  columns: string[];
  rows: Row[];
  /** A line under the table when it shows only the top rows ("… and 385 more"). */
  more?: string;
}

/** Burning links shown in the report; the full list travels as burning-links.csv. */
export const BURNING_SHOWN = 15;
export const BURNING_CSV = 'burning-links.csv';

/** A bar chart with its value axis: the top of the scale, its middle and zero, formatted. */
export interface ChartView {
  title: string;
  legend: [string, string];
  bars: Bar[];
  axis: { max: string; mid: string; zero: string };
}

export interface Bar {
  label: string;
  /** 0–100, share of the chart's largest value. */
  a: number;
  b: number;
  title: string;
}

export interface BudgetBar {
  name: string;
  /** 0–100: spent, and an even pace by today, as shares of the budget. */
  spentPct: number;
  expectedPct: number;
  line: string;
  tone: Tone;
}

export interface ReportView {
  /** Whose report it is: kicker, colours, logo (adbrain's own unless white-labelled). */
  brand: BrandLook;
  /** What the report shows, in order (the client's layout). */
  sections: SectionId[];
  subject: string;
  preview: string;
  client: string;
  dateLabel: string;
  date: string;
  timezone: string;
  headline: string;
  paragraphs: string[];
  tiles: Tile[];
  /** What the tiles' two changes compare against ("vs prev. day", "vs 7-day avg"). */
  compare: [string, string];
  actions: { rank: number; title: string; wording: string; impact: string; confidence: string; urgency: string; links: { label: string; url: string; danger: boolean }[] }[];
  burning: Table | null;
  /** The month's budgets (the client's, each account's): a bar each, and its numbers in a line. */
  budgets: BudgetBar[] | null;
  periods: Table;
  chart: ChartView;
  top: Table | null;
  bottom: Table | null;
  rollups: Table[];
  /** One line per split test: "A vs B (conversion rate): B wins (+60.0 % vs A)". */
  splitTests: string[] | null;
  /** First-party campaigns, one line each: visits, orders, revenue, cost, ROI. */
  firstParty: string[] | null;
  /** "adbrain paused 3 links or ads on the platforms, about $412.00 a day of spend" and a line per change with its undo. */
  platformChanges: { headline: string; lines: string[] } | null;
  forecast: { spend: string; revenue: string; profit: string; note: string; chart: ChartView } | null;
  trackRecord: { text: string } | null;
  freshness: { platform: string; through: string; behind: string }[];
  revenueNote: string | null;
  /** "Judged by leads at a $45.00 target CPA". */
  objective: string;
  footer: string;
}

// The undo command a line names (src/ad-actions/service.ts sentenceOf) is for the
// agency's people; a white-labelled client reads the change without it.
const UNDO_COMMAND = /; undo: adbrain actions undo \w+$/;

const PLATFORM_NAME: Record<string, string> = { meta: 'Meta', google: 'Google Ads', tiktok: 'TikTok' };

// For costs a rise is bad; for results it is good.
const UP_IS: Record<keyof Kpis, Tone> = {
  spendCents: 'flat', revenueCents: 'good', profitCents: 'good', roas: 'good', roi: 'good', conversions: 'good', cpaCents: 'bad',
  unreportedRevenueSpendCents: 'flat',
};

export function change(x: number | null | undefined, key: keyof Kpis): Change {
  const text = signedPct(x);
  if (x === null || x === undefined || !Number.isFinite(x) || Math.round(x * 100) === 0) return { text, tone: 'flat' };
  const up = UP_IS[key];
  if (up === 'flat') return { text, tone: 'flat' };
  return { text, tone: (x > 0) === (up === 'good') ? 'good' : 'bad' };
}

const tone = (cents: number | null): Tone => (cents === null ? 'flat' : cents > 0 ? 'good' : cents < 0 ? 'bad' : 'flat');

function dateLabel(date: string): string {
  return new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${date}T00:00:00Z`));
}

const short = (date: string) => new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(new Date(`${date}T00:00:00Z`));

/** Bar heights in % of the largest value, and that value (the axis top). */
function scale(values: [number, number | null][]): ((v: number | null) => number) & { max: number } {
  const max = Math.max(1, ...values.flat().map((v) => Math.abs(v ?? 0)));
  return Object.assign((v: number | null) => Math.round((Math.max(0, v ?? 0) / max) * 1000) / 10, { max });
}

function platformHeadline(p: NonNullable<DailySummary['platformChanges']>, currency: string, who: string): string {
  const parts = [
    ...(p.paused ? [`paused ${p.paused} ${p.paused === 1 ? 'link or ad' : 'links or ads'}`] : []),
    ...(p.budgets ? [`changed ${p.budgets} daily ${p.budgets === 1 ? 'budget' : 'budgets'}`] : []),
  ];
  const spend = p.paused && p.pausedPerDayCents > 0 ? ` (what it paused spent about ${money(p.pausedPerDayCents, currency)} a day)` : '';
  const failed = p.failed ? `${p.failed} ${p.failed === 1 ? 'change' : 'changes'} could not be made` : '';
  return parts.length ? `${who} ${parts.join(' and ')} on the ad platforms${spend}${failed ? `; ${failed}` : ''}` : `On the ad platforms, ${failed}`;
}

/** "Burning and winner calls at 90 %+ sure: right 14 of 15 over the last 90 days (agency: 40 of 44)." */
export function callRecordText(c: NonNullable<DailySummary['callRecord']>): string {
  const own = c.judged ? `right ${count(c.right)} of ${count(c.judged)}` : 'none judged yet for this client';
  const agency = c.agency && c.agency.judged ? ` (agency: ${count(c.agency.right)} of ${count(c.agency.judged)})` : '';
  return `Burning and winner calls at ${Math.round(c.minProbability * 100)} %+ sure, judged 7 days later: ${own} over the last ${c.days} days${agency}.`;
}

export function buildReportView(m: DailySummary, words: Summary, look: BrandLook = lookOf(DEFAULT_BRAND, 'daily report'), layout: ReportLayout = DEFAULT_LAYOUT): ReportView {
  const cur = m.client.currency;
  const $ = (c: number | null) => money(c, cur);
  // A client judged by leads (or a conversion value) without reported revenue
  // leads with its conversions and CPA; revenue tiles would only say "—".
  const byConversions = m.objective.kind !== 'revenue';
  type TileSpec = [KpiId, string, keyof Kpis, (k: Kpis) => string];
  const spec: Record<KpiId, TileSpec> = {
    spend: ['spend', 'Spend', 'spendCents', (k) => $(k.spendCents)],
    revenue: ['revenue', 'Revenue', 'revenueCents', (k) => $(k.revenueCents)],
    profit: ['profit', 'Profit', 'profitCents', (k) => $(k.profitCents)],
    roas: ['roas', 'ROAS', 'roas', (k) => ratio(k.roas)],
    roi: ['roi', 'ROI', 'roi', (k) => pct(k.roi)],
    conversions: ['conversions', m.objective.kind === 'leads' ? 'Leads' : 'Conversions', 'conversions', (k) => count(k.conversions)],
    cpa: ['cpa', 'CPA', 'cpaCents', (k) => $(k.cpaCents)],
  };
  const hideRevenue = byConversions && m.day.revenueCents === null && m.previousDay.revenueCents === null;
  const revenueKpis: KpiId[] = ['revenue', 'profit', 'roas', 'roi'];
  const chosen: KpiId[] = layout.kpis ?? (byConversions ? ['spend', 'conversions', 'cpa', ...(hideRevenue ? [] : revenueKpis)] : ['spend', ...revenueKpis, 'conversions', 'cpa']);
  const tiles: Tile[] = chosen.map((id) => spec[id]).map(([, label, key, get]) => ({
    label,
    value: get(m.day),
    vsPreviousDay: change(m.change.vsPreviousDay[key], key),
    vs7DayAverage: change(m.change.vs7DayAverage[key], key),
  }));
  const worded = new Map(words.actions.map((a) => [a.rank, a.wording]));
  const campaignTable = (title: string, lines: CampaignLine[]): Table | null =>
    lines.length === 0
      ? null
      : { title, columns: ['Campaign', 'Platform', 'Profit', 'Spend', 'ROAS'], rows: lines.map((l) => ({ name: l.name, cells: [l.platform, $(l.kpis.profitCents), $(l.kpis.spendCents), ratio(l.kpis.roas)], tone: tone(l.kpis.profitCents) })) };
  const rollup = (title: string, label: string, lines: RollupLine[]): Table | null =>
    lines.length === 0
      ? null
      : { title, columns: [label, 'Spend', 'Revenue', 'Profit', 'ROAS'], rows: lines.map((l) => ({ name: l.name, cells: [$(l.kpis.spendCents), $(l.kpis.revenueCents), $(l.kpis.profitCents), ratio(l.kpis.roas)], tone: tone(l.kpis.profitCents) })) };
  const trendScale = scale(m.trend.days.map((d) => [d.spendCents, d.revenueCents]));
  // The earliest day any connected platform may still restate.
  const settling = m.provisional.reduce<string | null>((a, p) => (a === null || p.from < a ? p.from : a), null);
  const isProvisional = (date: string) => settling !== null && date >= settling;
  const axis = (max: number) => ({ max: $(Math.round(max)), mid: $(Math.round(max / 2)), zero: $(0) });
  const f = m.forecast;
  const fScale = f ? scale(f.days.map((d) => [d.spendCents, d.revenueCents])) : null;
  const period = (label: string, p: DailySummary['trend']['last7']): Row => ({
    name: label,
    cells: [$(p.current.spendCents), $(p.current.revenueCents), $(p.current.profitCents), ratio(p.current.roas), signedPct(p.change.profitCents)],
    tone: tone(p.current.profitCents),
  });
  const tr = m.trackRecord;
  return {
    brand: look,
    sections: layout.sections,
    subject: `${m.client.name} — ${words.headline}`.slice(0, 180),
    preview: words.headline,
    client: m.client.name,
    date: m.date,
    dateLabel: dateLabel(m.date),
    timezone: m.client.timezone,
    headline: words.headline,
    paragraphs: words.paragraphs,
    tiles,
    compare: ['vs prev. day', 'vs 7-day avg'],
    actions: m.actions.map((a) => ({
      rank: a.rank,
      title: a.what,
      wording: worded.get(a.rank) ?? a.what,
      impact: $(a.impactCents),
      confidence: pct(a.confidence),
      urgency: a.urgency,
      // Signed buttons: each opens a confirmation page, nothing acts on a click alone.
      links: buttons(a.links, a.entity?.kind),
    })),
    burning: m.burning.length
      ? {
          title: 'Burning links',
          // Leads are judged by CPA: that is what the table shows for them.
          columns: m.objective.kind === 'leads' ? ['Link or ad', 'Platform', 'Spend', 'Leads', 'CPA', 'Since'] : ['Link or ad', 'Platform', 'Spend', 'Profit', 'ROI', 'Since'],
          // The worst first (the model sorts by profit); a long list would swamp the email and the PDF page.
          rows: m.burning.slice(0, BURNING_SHOWN).map((b) => ({
            name: b.provisional ? `${b.name} *` : b.name,
            cells: m.objective.kind === 'leads' ? [b.platform, $(b.spendCents), count(b.conversions ?? null), $(b.cpaCents ?? null), b.since] : [b.platform, $(b.spendCents), $(b.profitCents), pct(b.roi), b.since],
            tone: 'bad' as const,
          })),
          more: [
            m.burning.length > BURNING_SHOWN ? `… and ${m.burning.length - BURNING_SHOWN} more — all ${m.burning.length} are in ${BURNING_CSV} (attached)` : null,
            m.burning.some((b) => b.provisional) ? '* rests on conversions the platform may still restate' : null,
          ].filter(Boolean).join(' · ') || undefined,
        }
      : null,
    budgets: m.budgets?.length
      ? m.budgets.map((b) => {
        const share = (c: number) => Math.round((c / b.budgetCents) * 100);
        const range = b.projectedLowCents !== null && b.projectedHighCents !== null ? ` (80 % range ${$(b.projectedLowCents)} – ${$(b.projectedHighCents)})` : '';
        return {
          name: b.account ? `${b.account.name} (${PLATFORM_NAME[b.account.platform] ?? b.account.platform})` : 'All accounts',
          spentPct: Math.min(100, share(b.spentCents)),
          expectedPct: Math.min(100, share(b.expectedCents)),
          line: `${$(b.spentCents)} of ${$(b.budgetCents)} spent (${share(b.spentCents)}%) · an even pace would be at ${$(b.expectedCents)} (${share(b.expectedCents)}%) · month end ${$(b.projectedCents)}${range}, ${share(b.projectedCents)}% of the budget`,
          tone: b.projectedCents > b.budgetCents * 1.05 ? 'bad' as const : b.projectedCents < b.budgetCents * 0.85 ? 'flat' as const : 'good' as const,
        };
      })
      : null,
    periods: {
      title: 'Last 7 and 30 days',
      columns: ['Period', 'Spend', 'Revenue', 'Profit', 'ROAS', 'Profit vs previous period'],
      rows: [period('Last 7 days', m.trend.last7), period('Last 30 days', m.trend.last30)],
    },
    chart: {
      title: 'Spend and revenue, last 30 days',
      legend: ['Spend', 'Revenue'],
      axis: axis(trendScale.max),
      bars: m.trend.days.map((d) => ({ label: short(d.date), a: trendScale(d.spendCents), b: trendScale(d.revenueCents), title: `${short(d.date)}: spend ${$(d.spendCents)}, revenue ${d.revenueCents === null ? 'not reported' : $(d.revenueCents)}${isProvisional(d.date) ? ' (provisional)' : ''}` })),
    },
    top: campaignTable('Most profitable campaigns', m.topCampaigns),
    bottom: campaignTable('Losing campaigns', m.bottomCampaigns),
    rollups: [
      rollup('By account (7 days)', 'Account', m.rollups.accounts),
      rollup('By offer (7 days)', 'Offer', m.rollups.offers),
      rollup('By spark code (7 days)', 'Spark code', m.rollups.sparkCodes),
      rollup('By creative (7 days)', 'Creative', m.rollups.creatives),
    ].filter((t): t is Table => t !== null),
    platformChanges: m.platformChanges ? { headline: platformHeadline(m.platformChanges, m.client.currency, look.name), lines: m.platformChanges.lines.map((l) => (look.whiteLabel ? l.replace(UNDO_COMMAND, '') : l)).map((l) => l.charAt(0).toUpperCase() + l.slice(1)) } : null,
    splitTests: m.splitTests?.length ? m.splitTests.map((t) => `${t.name} (${t.metric.replace(/_/g, ' ')}): ${splitResult(t)}`) : null,
    firstParty: m.firstParty?.length
      ? m.firstParty.map((x) => `${x.name} (${x.code}): ${count(x.visits)} visits, ${count(x.conversions)} orders, ${$(x.revenueCents)} revenue${x.costCents > 0 ? `, ${$(x.costCents)} cost, ROI ${pct(x.roi)}` : ''}`)
      : null,
    forecast: f && {
      spend: `${$(f.spendCents.point)} (${$(f.spendCents.lower)} – ${$(f.spendCents.upper)})`,
      revenue: f.revenueCents ? `${$(f.revenueCents.point)} (${$(f.revenueCents.lower)} – ${$(f.revenueCents.upper)})` : 'not reported',
      profit: $(f.profitCents),
      note: f.rangeOf === 'days'
        ? `${short(f.from)} – ${short(f.to)}; ranges add up the 80 % daily intervals, so they are on the wide side.`
        : `${short(f.from)} – ${short(f.to)}; each range holds the 7-day total 8 times in 10.`,
      chart: {
        title: 'Forecast, next 7 days',
        legend: ['Spend', 'Revenue'],
        axis: axis(fScale!.max),
        bars: f.days.map((d) => ({ label: short(d.date), a: fScale!(d.spendCents), b: fScale!(d.revenueCents), title: `${short(d.date)}: spend ${$(d.spendCents)}, revenue ${d.revenueCents === null ? 'not reported' : $(d.revenueCents)}` })),
      },
    },
    trackRecord: (tr && tr.mase !== null) || m.callRecord
      ? {
        text: [
          tr && tr.mase !== null
            ? tr.source === 'backtest'
              ? `Forecast track record (backtest: ${count(tr.origins ?? 0)} weekly origins over the last 8 weeks, ${count(tr.predictions)} days forecast from the data before each — until real forecasts have been scored): MASE ${tr.mase.toFixed(2)} (below 1 beats a seasonal-naive guess), ${pct(tr.coverage)} of actuals inside the 80 % range.`
              : `Forecast track record (last 28 days, ${count(tr.predictions)} forecasts scored): MASE ${tr.mase.toFixed(2)} (below 1 beats a seasonal-naive guess), ${pct(tr.coverage)} of actuals inside the 80 % range.`
            : null,
          m.callRecord ? callRecordText(m.callRecord) : null,
        ].filter(Boolean).join(' '),
      }
      : null,
    freshness: m.freshness.map((x) => ({ platform: x.platform, through: x.latest, behind: x.daysBehind > 0 ? `${x.daysBehind} day${x.daysBehind > 1 ? 's' : ''} behind` : 'up to date' })),
    revenueNote: [
      m.revenueSource === 'shopify' ? 'Revenue and conversions are Shopify orders, not the ad platforms’ claims.' : null,
      m.day.unreportedRevenueSpendCents > 0 && !hideRevenue
        ? m.day.revenueCents === null
          ? 'Revenue was not reported for this day: revenue, profit, ROAS and ROI are unknown (—), not zero.'
          : `Revenue was not reported for ${$(m.day.unreportedRevenueSpendCents)} of the day’s spend: profit, ROAS and ROI count only the rest.`
        : null,
      m.provisional.length
        ? `Provisional: ${m.provisional.map((p) => `${PLATFORM_NAME[p.platform] ?? p.platform} from ${short(p.from)}`).join(', ')} — the platforms restate conversions for weeks, so these days may still change.`
        : null,
    ].filter(Boolean).join(' ') || null,
    objective: `Judged by ${m.objective.label}`,
    footer: `${look.whiteLabel ? look.kicker : 'adbrain daily report'} for ${m.client.name} · ${m.date} (${m.client.timezone}) · amounts in ${cur}`,
  };
}
