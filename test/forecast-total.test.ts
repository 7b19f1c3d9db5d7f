// The range of a 7-day total is the sum's own, not the daily ranges added up:
// checked by simulation on series of known variance. White noise around a level:
// adding daily 80 % ranges covers the week's total almost always (far too wide);
// a local-level process (shocks that last): the sum's errors compound. In both, the
// total's interval should hold the real total about 8 times in 10.
import { describe, expect, it } from 'vitest';
import { forecastSeries } from '../src/brain/oracle/forecast.ts';

function rng(seed: number) {
  let s = seed;
  const u = () => (s = (s * 48271) % 2147483647) / 2147483647;
  return () => Math.sqrt(-2 * Math.log(u() || 1e-12)) * Math.cos(2 * Math.PI * u());
}

/** One-sided binomial bounds: 80 % coverage over n windows, 3 standard errors either way. */
const within = (hits: number, n: number) => {
  const se = Math.sqrt((0.8 * 0.2) / n);
  return hits / n > 0.8 - 3 * se && hits / n < 0.8 + 3 * se;
};

function coverage(make: (normal: () => number) => number[], runs: number, seed: number) {
  const normal = rng(seed);
  let total = 0, summed = 0;
  for (let r = 0; r < runs; r++) {
    const y = make(normal);
    const train = y.slice(0, 84), test = y.slice(84, 91);
    const f = forecastSeries(train, { horizon: 14, season: 7, level: 0.8 });
    if (!f.ok || !f.total) throw new Error('no forecast');
    const actual = test.reduce((a, b) => a + b, 0);
    if (actual >= f.total.lower && actual <= f.total.upper) total++;
    if (actual >= f.lower.slice(0, 7).reduce((a, b) => a + b, 0) && actual <= f.upper.slice(0, 7).reduce((a, b) => a + b, 0)) summed++;
  }
  return { total, summed };
}

describe('the 7-day total range', () => {
  it('white noise around a level (σ = 50): the total range holds ~80 %; added daily ranges hold far more', () => {
    const runs = 200;
    const { total, summed } = coverage((normal) => Array.from({ length: 91 }, () => 1_000 + 50 * normal()), runs, 11);
    expect(within(total, runs), `total ${total}/${runs}`).toBe(true);
    expect(summed / runs).toBeGreaterThan(0.95);
  });

  // Known limit: the range does not carry the uncertainty of the fitted parameters. On
  // a strongly persistent level (α = 0.4) the fit's α comes out low (0.2–0.4), the
  // week's compounding is underestimated, and the range holds ~70 % (added daily
  // ranges: ~92 %). Measured here so a change that widens or narrows it shows.
  it('a local level (α = 0.4, σ = 40): shocks last; the total range holds 65–85 % (parameter uncertainty not included)', () => {
    const runs = 200;
    const { total } = coverage((normal) => {
      let level = 2_000;
      return Array.from({ length: 91 }, () => {
        const e = 40 * normal();
        const y = level + e;
        level += 0.4 * e;
        return y;
      });
    }, runs, 23);
    expect(total / runs, `total ${total}/${runs}`).toBeGreaterThan(0.65);
    expect(total / runs, `total ${total}/${runs}`).toBeLessThan(0.85);
  });

  it('the total is the sum of the daily points, and its range is not below zero for a count', () => {
    const normal = rng(5);
    const y = Array.from({ length: 84 }, () => Math.max(0, 3 + 2 * normal()));
    const f = forecastSeries(y, { horizon: 14, season: 7, level: 0.8 });
    if (!f.ok || !f.total) throw new Error('no forecast');
    expect(f.total.point).toBeCloseTo(f.point.slice(0, 7).reduce((a, b) => a + b, 0), 6);
    expect(f.total.lower).toBeGreaterThanOrEqual(0);
    expect(f.total.upper).toBeGreaterThan(f.total.point);
  });

  // Pacing's month-end projection: the range of the total of the days left in the
  // month (here 12 and 24 of them), its expected value the daily points carried on
  // weekday by weekday past the 14 forecast days, as pacing does. Known limit: the
  // errors every day shares (the estimated level and weekday shape) are not drawn,
  // so the longer the rest, the more it under-covers — 24 days hold ~2 in 3.
  for (const [restDays, low, high] of [[12, 0.8 - 3 * Math.sqrt(0.16 / 200), 0.8 + 3 * Math.sqrt(0.16 / 200)], [24, 0.55, 0.8]] as const) {
    it(`the month's remaining ${restDays} days: their total's range holds ${Math.round(low * 100)}–${Math.round(high * 100)} % (white noise, σ = 50)`, () => {
      const normal = rng(31 + restDays);
      const runs = 200;
      let hits = 0;
      for (let r = 0; r < runs; r++) {
        const y = Array.from({ length: 84 + restDays }, () => 1_000 + 50 * normal());
        const f = forecastSeries(y.slice(0, 84), { horizon: 14, season: 7, level: 0.8, restDays });
        if (!f.ok || !f.rest) throw new Error('no range of the rest');
        expect(f.rest.days).toBe(restDays);
        let expected = 0;
        for (let k = 0; k < restDays; k++) expected += f.point[k < 14 ? k : 7 + ((k - 14) % 7)]!;
        const actual = y.slice(84).reduce((a, b) => a + b, 0);
        if (actual >= expected - f.rest.below && actual <= expected + f.rest.above) hits++;
      }
      expect(hits / runs, `rest ${hits}/${runs}`).toBeGreaterThan(low);
      expect(hits / runs, `rest ${hits}/${runs}`).toBeLessThan(high);
    });
  }
});
