// Daily totals over the last 30 days (the report's charts) and the 7- and
// 30-day totals against the periods before them.
import { addDays } from '../time.ts';
import { kpisOf, relativeChange, type Kpis } from './kpis.ts';

export interface TrendDay {
  date: string;
  spendCents: number;
  revenueCents: number;
  profitCents: number;
}

export interface PeriodChange {
  days: number;
  current: Kpis;
  previous: Kpis;
  /** Relative change of spend, revenue and profit; null where the previous period is zero. */
  change: { spendCents: number | null; revenueCents: number | null; profitCents: number | null; roas: number | null };
}

export interface Trend {
  days: TrendDay[];
  last7: PeriodChange;
  last30: PeriodChange;
}

export type DayTotals = Map<string, { spend: number; revenue: number; conv: number }>;


function period(totals: DayTotals, date: string, days: number): PeriodChange {
  const sum = (fromBack: number) => {
    let s = 0, r = 0, c = 0;
    for (let i = fromBack; i < fromBack + days; i++) {
      const t = totals.get(addDays(date, -i));
      if (t) { s += t.spend; r += t.revenue; c += t.conv; }
    }
    return kpisOf(s, r, c);
  };
  const current = sum(0);
  const previous = sum(days);
  return {
    days,
    current,
    previous,
    change: {
      spendCents: relativeChange(current.spendCents, previous.spendCents),
      revenueCents: relativeChange(current.revenueCents, previous.revenueCents),
      profitCents: relativeChange(current.profitCents, previous.profitCents),
      roas: relativeChange(current.roas, previous.roas),
    },
  };
}

export function buildTrend(totals: DayTotals, date: string): Trend {
  const days: TrendDay[] = [];
  for (let i = 29; i >= 0; i--) {
    const d = addDays(date, -i);
    const t = totals.get(d) ?? { spend: 0, revenue: 0, conv: 0 };
    days.push({ date: d, spendCents: t.spend, revenueCents: t.revenue, profitCents: t.revenue - t.spend });
  }
  return { days, last7: period(totals, date, 7), last30: period(totals, date, 30) };
}
