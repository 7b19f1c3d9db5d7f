// Daily totals over the last 30 days (the report's charts) and the 7- and
// 30-day totals against the periods before them.
import { addDays } from '../time.ts';
import { addSums, emptySums, kpisOfSums, relativeChange, type Kpis, type Sums } from './kpis.ts';

export interface TrendDay {
  date: string;
  spendCents: number;
  /** null when not reported that day. */
  revenueCents: number | null;
  profitCents: number | null;
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

export type DayTotals = Map<string, Sums>;


function period(totals: DayTotals, date: string, days: number): PeriodChange {
  const sum = (fromBack: number) => {
    const sum = emptySums();
    for (let i = fromBack; i < fromBack + days; i++) {
      const t = totals.get(addDays(date, -i));
      if (t) addSums(sum, t);
    }
    return kpisOfSums(sum);
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
    const k = kpisOfSums(totals.get(d) ?? emptySums());
    days.push({ date: d, spendCents: k.spendCents, revenueCents: k.revenueCents, profitCents: k.profitCents });
  }
  return { days, last7: period(totals, date, 7), last30: period(totals, date, 30) };
}
