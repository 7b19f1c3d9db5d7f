// A weekly or monthly report as it is shown: the daily report's view (brand,
// layout, burning links and actions as they stand at the period's end) with the
// period's own numbers — tiles against the previous period and the same period a
// year earlier, the period's days, campaigns and roll-ups — and its own words.
import type { BrandLook } from '../branding/brand.ts';
import type { Summary } from '../llm/schema.ts';
import type { DailySummary } from './daily-summary.ts';
import { count, money, pct, ratio, signedPct } from './format.ts';
import type { ReportLayout } from './layout.ts';
import type { PeriodSummary } from './period-summary.ts';
import { periodLabel } from './periods.ts';
import { buildReportView, type ReportView, type Row } from './view.ts';

const NOUN = { weekly: 'week', monthly: 'month' } as const;

/** "24 Nov – 30 Nov 2026": short enough for a table's first column. */
const span = (r: { from: string; to: string }) => {
  const f = (d: string, o: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('en-GB', { ...o, timeZone: 'UTC' }).format(new Date(`${d}T00:00:00Z`));
  return `${f(r.from, { day: 'numeric', month: 'short' })} – ${f(r.to, { day: 'numeric', month: 'short', year: 'numeric' })}`;
};

/** What the period report says, from its numbers only (no LLM: every figure is one of the model's). */
export function periodWords(m: DailySummary, p: PeriodSummary): Summary {
  const $ = (c: number | null) => money(c, m.client.currency);
  const noun = NOUN[p.period.kind];
  const when = `${p.period.kind === 'weekly' ? 'the week of' : 'in'} ${periodLabel(p.period)}`;
  const c = p.current;
  const vs = (x: number | null | undefined, what: string) => (x === null || x === undefined ? null : `${signedPct(x)} vs ${what}`);
  const both = (k: keyof typeof p.change.vsPrevious) => [vs(p.change.vsPrevious[k], `the previous ${noun}`), vs(p.change.vsLastYear?.[k], `the same ${noun} last year`)].filter(Boolean).join(', ');
  const leads = m.objective.kind !== 'revenue' && c.revenueCents === null;
  const headline = c.spendCents === 0 && !c.revenueCents
    ? `${m.client.name} had no spend or revenue ${when}`
    : leads || c.profitCents === null
      ? `${m.client.name}: ${count(c.conversions)} ${m.objective.kind === 'leads' ? 'leads' : 'conversions'} on ${$(c.spendCents)} of spend ${when}${c.cpaCents !== null ? ` (CPA ${$(c.cpaCents)})` : ''}`
      : `${m.client.name} made ${$(c.profitCents)} profit on ${$(c.spendCents)} of spend ${when} (ROI ${pct(c.roi)})`;
  const paragraphs: string[] = [];
  const spend = both('spendCents');
  const revenue = both('revenueCents');
  const profit = both('profitCents');
  paragraphs.push(
    [
      `Spend was ${$(c.spendCents)}${spend ? ` (${spend})` : ''}`,
      c.revenueCents !== null ? `revenue ${$(c.revenueCents)}${revenue ? ` (${revenue})` : ''}` : 'revenue was not reported',
      c.profitCents !== null ? `profit ${$(c.profitCents)}${profit ? ` (${profit})` : ''}, a ROAS of ${ratio(c.roas)}` : null,
      c.conversions !== null ? `${count(c.conversions)} conversions${c.cpaCents !== null ? ` at a CPA of ${$(c.cpaCents)}` : ''}` : null,
    ].filter(Boolean).join('; ') + '.',
  );
  if (!p.lastYear) paragraphs.push(`There is no data for the same ${noun} last year to compare with.`);
  const best = p.topCampaigns[0], worst = p.bottomCampaigns[0];
  if (best || worst) {
    paragraphs.push([
      best ? `“${best.name}” made the most this ${noun}, ${$(best.kpis.profitCents)} on ${$(best.kpis.spendCents)} of spend (ROAS ${ratio(best.kpis.roas)})` : null,
      worst ? `“${worst.name}” lost the most, ${$(Math.abs(worst.kpis.profitCents ?? 0))} on ${$(worst.kpis.spendCents)} of spend (ROAS ${ratio(worst.kpis.roas)})` : null,
    ].filter(Boolean).join('. ') + '.');
  }
  if (m.burning.length) paragraphs.push(`At the ${noun}'s end ${m.burning.length === 1 ? 'one link or ad is' : `${m.burning.length} links or ads are`} burning money: see below.`);
  return { headline, paragraphs, actions: [] };
}

export function buildPeriodView(m: DailySummary, p: PeriodSummary, look: BrandLook, layout?: ReportLayout): ReportView {
  const noun = NOUN[p.period.kind];
  const $ = (c: number | null) => money(c, m.client.currency);
  // The daily view's machinery on the period's numbers: its tiles compare with the
  // previous period (first) and the same period last year (second, — without data).
  const asDaily: DailySummary = {
    ...m,
    day: p.current,
    previousDay: p.previous,
    change: { vsPreviousDay: p.change.vsPrevious, vs7DayAverage: p.change.vsLastYear ?? {} },
    topCampaigns: p.topCampaigns,
    bottomCampaigns: p.bottomCampaigns,
    rollups: p.rollups,
    trend: { ...m.trend, days: p.days },
  };
  const words = periodWords(m, p);
  const base = buildReportView(asDaily, words, look, layout);
  const row = (name: string, k: PeriodSummary['current'] | null, change: string): Row => ({
    name,
    cells: k ? [$(k.spendCents), $(k.revenueCents), $(k.profitCents), ratio(k.roas), change] : ['no data', '', '', '', ''],
    tone: k?.profitCents ? (k.profitCents > 0 ? 'good' : 'bad') : 'flat',
  });
  const label = periodLabel(p.period);
  const kind = p.period.kind === 'weekly' ? 'weekly report' : 'monthly report';
  return {
    ...base,
    subject: `${m.client.name} — ${words.headline}`.slice(0, 180),
    preview: words.headline,
    date: p.period.to,
    dateLabel: label,
    compare: [`vs previous ${noun}`, `vs ${noun} last year`],
    periods: {
      title: `This ${noun} against the previous one and a year ago`,
      columns: ['Period', 'Spend', 'Revenue', 'Profit', 'ROAS', `This ${noun}'s profit vs it`],
      rows: [
        row(`This ${noun} (${span(p.period)})`, p.current, ''),
        row(`Previous (${span(p.period.previous)})`, p.previous, signedPct(p.change.vsPrevious.profitCents ?? null)),
        row(`A year ago (${span(p.period.lastYear)})`, p.lastYear, p.change.vsLastYear ? signedPct(p.change.vsLastYear.profitCents ?? null) : ''),
      ],
    },
    chart: { ...base.chart, title: `Spend and revenue, ${label}` },
    rollups: base.rollups.map((t) => ({ ...t, title: t.title.replace('(7 days)', `(this ${noun})`) })),
    footer: `${look.whiteLabel ? look.kicker : `adbrain ${kind}`} for ${m.client.name} · ${p.period.from} to ${p.period.to} (${m.client.timezone}) · amounts in ${m.client.currency}`,
  };
}
