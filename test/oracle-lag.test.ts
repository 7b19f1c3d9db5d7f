// The information-limit detector on hand-made links, checked against the Gamma CDF
// in closed form (shape ½: P(X < x) = erf(√(rate·x))).
import { describe, expect, it } from 'vitest';
import { oracleLag } from '../src/demo/oracle-lag.ts';

/** erf by Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7): independent of jstat. */
function erf(x: number) {
  const t = 1 / (1 + 0.3275911 * x);
  return 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
}

describe('oracle lag', () => {
  it('a link converting 2.4 orders a day that stops entirely: sure on the day after the change, as the closed form says', () => {
    // $100 a day at a $50 order: 2 orders of spend a day; 2.4 orders a day before (ROAS 1.2).
    const days = Array.from({ length: 7 }, () => ({ spendCents: 10_000, revenueCents: 0 }));
    const spec = { verdict: 'burning' as const, line: -0.5, certainty: 0.9, aovCents: 5_000, roasBefore: 1.2, priorUnits: 0.5 };
    const b0 = 0.5 / 1.2;
    const p = (k: number) => erf(Math.sqrt((b0 + 2 * (k + 1)) * 0.5)); // P(ROAS < 0.5) after k + 1 days
    expect(p(0)).toBeLessThan(0.9);
    expect(p(1)).toBeGreaterThan(0.9);
    expect(oracleLag(days, spec)).toBe(1);
  });

  it('a link whose ROI falls right to the line is never 90 % sure within a week, even converting 6 a day', () => {
    // ROAS exactly 0.5 after the change: 6 orders of $50 = $300 on $600 a day.
    const days = Array.from({ length: 7 }, () => ({ spendCents: 60_000, revenueCents: 30_000 }));
    expect(oracleLag(days, { verdict: 'burning', line: -0.5, certainty: 0.9, aovCents: 5_000, roasBefore: 1.3 })).toBeNull();
  });

  it('a winner far above its line is sure fast; days without a reported result add nothing', () => {
    const days = [{ spendCents: 10_000, revenueCents: null }, ...Array.from({ length: 5 }, () => ({ spendCents: 10_000, revenueCents: 60_000 }))];
    const lag = oracleLag(days, { verdict: 'winner', line: 2, certainty: 0.9, aovCents: 5_000, roasBefore: 1.5 });
    expect(lag).not.toBeNull();
    expect(lag!).toBeGreaterThanOrEqual(1); // day 0 reported nothing
    expect(lag!).toBeLessThanOrEqual(3);
  });
});
