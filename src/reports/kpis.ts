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

/** What is known of each sum: revenue and conversions with the spend of the rows that reported them. */
export interface Known {
  revenueSpend: number;
  convSpend: number;
}

export function kpisOf(spendCents: number, revenueCents: number, conversions: number, known: Known = { revenueSpend: spendCents, convSpend: spendCents }): Kpis {
  // Spend without any reported revenue (or conversions): the number is unknown, not 0.
  const revenueKnown = known.revenueSpend > 0 || spendCents === 0;
  const convKnown = known.convSpend > 0 || spendCents === 0;
  const basis = known.revenueSpend;
  const profitCents = revenueKnown ? revenueCents - basis : null;
  return {
    spendCents,
    revenueCents: revenueKnown ? revenueCents : null,
    profitCents,
    roas: revenueKnown && basis > 0 ? revenueCents / basis : null,
    roi: profitCents !== null && basis > 0 ? profitCents / basis : null,
    conversions: convKnown ? conversions : null,
    cpaCents: convKnown && conversions > 0 ? Math.round(known.convSpend / conversions) : null,
    unreportedRevenueSpendCents: Math.max(0, spendCents - basis),
  };
}

/** A running sum of rows whose revenue / conversions may be unreported (null). */
export interface Sums {
  spend: number;
  revenue: number;
  conv: number;
  revenueSpend: number;
  convSpend: number;
}

export const emptySums = (): Sums => ({ spend: 0, revenue: 0, conv: 0, revenueSpend: 0, convSpend: 0 });

export function addRow(t: Sums, spend: number, revenue: number | null, conv: number | null) {
  t.spend += spend;
  if (revenue !== null) {
    t.revenue += revenue;
    t.revenueSpend += spend;
  }
  if (conv !== null) {
    t.conv += conv;
    t.convSpend += spend;
  }
}

export function addSums(t: Sums, u: Sums) {
  t.spend += u.spend;
  t.revenue += u.revenue;
  t.conv += u.conv;
  t.revenueSpend += u.revenueSpend;
  t.convSpend += u.convSpend;
}

export const kpisOfSums = (t: Sums) => kpisOf(t.spend, t.revenue, t.conv, t);

/** (now − before) / |before|; null when either is missing or before is zero. */
export const relativeChange = (now: number | null, before: number | null) =>
  now === null || before === null || before === 0 ? null : (now - before) / Math.abs(before);
