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

/** (now − before) / |before|; null when either is missing or before is zero. */
export const relativeChange = (now: number | null, before: number | null) =>
  now === null || before === null || before === 0 ? null : (now - before) / Math.abs(before);
