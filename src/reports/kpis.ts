import { addReported, addTotals, emptyTotals, type KnownTotals } from '../brain/objective.ts';

export interface Kpis {
  spendCents: number;
  /** null when none of the spend had its revenue reported (a lead-gen account, NA cells). */
  revenueCents: number | null;
  /** Revenue minus the spend whose revenue was reported; null with revenue. */
  profitCents: number | null;
  /** revenue / spend over the spend with reported revenue; null without it. */
  roas: number | null;
  /** profit / spend, likewise. */
  roi: number | null;
  /** null when no conversions were reported. */
  conversions: number | null;
  cpaCents: number | null;
  /** Spend whose revenue was not reported: left out of ROAS, ROI and profit. */
  unreportedRevenueSpendCents: number;
}

/** The spend of the rows that reported revenue / conversions. */
export type Known = Pick<KnownTotals, 'revenueSpend' | 'conversionSpend'>;

export function kpisOf(spendCents: number, revenueCents: number, conversions: number, known: Known = { revenueSpend: spendCents, conversionSpend: spendCents }): Kpis {
  // Spend without any reported revenue (or conversions): the number is unknown, not 0.
  const revenueKnown = known.revenueSpend > 0 || spendCents === 0;
  const convKnown = known.conversionSpend > 0 || spendCents === 0;
  const basis = known.revenueSpend;
  const profitCents = revenueKnown ? revenueCents - basis : null;
  return {
    spendCents,
    revenueCents: revenueKnown ? revenueCents : null,
    profitCents,
    roas: revenueKnown && basis > 0 ? revenueCents / basis : null,
    roi: profitCents !== null && basis > 0 ? profitCents / basis : null,
    conversions: convKnown ? conversions : null,
    cpaCents: convKnown && conversions > 0 ? Math.round(known.conversionSpend / conversions) : null,
    unreportedRevenueSpendCents: Math.max(0, spendCents - basis),
  };
}

/** Sums over rows whose revenue / conversions may be unreported: the brain's own accumulator. */
export type Sums = KnownTotals;
export { addReported as addRow, addTotals as addSums, emptyTotals as emptySums };

export const kpisOfSums = (t: Sums) => kpisOf(t.spend, t.revenue, t.conversions, t);

/** (now − before) / |before|; null when either is missing or before is zero. */
export const relativeChange = (now: number | null, before: number | null) =>
  now === null || before === null || before === 0 ? null : (now - before) / Math.abs(before);
