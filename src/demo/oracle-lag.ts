// The information limit of a call: a detector that *knows* the day a link changed
// and its rate before, and asks of the days since only "is the new ROAS past the
// line, with the certainty the brain requires?". Its first sure day is the fastest
// any honest detector could call that change; the brain's lag minus this one is
// the lag that is the brain's own. Deliberately small and independent of the
// brain's change-point model: results counted in orders (revenue ÷ the average
// order before), spend in the same unit, a Gamma–Poisson posterior for the new
// ROAS from a prior centred on the old one worth `priorUnits` orders.
import jstat from 'jstat';

export interface OracleDay {
  spendCents: number;
  /** null: not reported that day (it adds nothing). */
  revenueCents: number | null;
}

export interface OracleSpec {
  verdict: 'burning' | 'winner';
  /** The ROI line: burning below it, winner above it (e.g. −0.5 / 2). */
  line: number;
  /** The certainty the brain requires (0.9). */
  certainty: number;
  /** The average order before the change, in cents. */
  aovCents: number;
  /** ROAS before the change (revenue ÷ spend). */
  roasBefore: number;
  /** Weight of the prior, in orders. */
  priorUnits?: number;
}

/** The first day (0 = the change's own day) the oracle is sure, or null if it never is within these days. */
export function oracleLag(days: OracleDay[], o: OracleSpec): number | null {
  const a0 = o.priorUnits ?? 0.5;
  // A prior centred on the old ROAS: mean a0 / b0 = roasBefore.
  const b0 = a0 / Math.max(1e-6, o.roasBefore);
  let value = 0, spend = 0;
  const roasLine = 1 + o.line;
  for (let k = 0; k < days.length; k++) {
    const d = days[k]!;
    if (d.revenueCents === null) continue;
    value += d.revenueCents / o.aovCents;
    spend += d.spendCents / o.aovCents;
    const below = jstat.jStat.gamma.cdf(roasLine, a0 + value, 1 / (b0 + spend));
    const p = o.verdict === 'burning' ? below : 1 - below;
    if (p >= o.certainty) return k;
  }
  return null;
}
