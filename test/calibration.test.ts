// "95 % sure" means right at least 95 % of the time: every burning, winner and
// fatigue call of every day, on generator seeds never used for tuning (the detector
// tests and the bench use 11–16), grouped by the probability it stated. Each group
// must be right at least as often as its lower bound, within sampling error (one-
// sided binomial, z = 1.645); the calls at 90 %+ that reach the inbox, ≥ 0.95 overall.
import { describe, expect, it } from 'vitest';
import { lagVsOracle, reliability, runSeed } from '../src/demo/detection-score.ts';

describe('calibration of stated probabilities (unseen seeds)', { timeout: 120_000 }, () => {
  const seeds = [41, 42, 43, 44, 45, 46];
  const runs = [...seeds.map((s) => runSeed(s, true)), ...seeds.map((s) => runSeed(s, false))];

  for (const type of ['burning', 'winner', 'creative_fatigue'] as const) {
    it(`${type}: every stated-probability group is right at least as often as it says`, () => {
      const r = reliability(runs, type);
      expect(r.calls).toBeGreaterThan(50);
      const over = r.rows.filter((x) => !x.ok).map((x) => `${x.from}–${x.to}: ${x.right}/${x.calls}`);
      expect(over, `overconfident groups: ${over.join('; ')}`).toEqual([]);
      const confident = r.rows.filter((x) => x.from >= 0.9);
      const calls = confident.reduce((a, x) => a + x.calls, 0), right = confident.reduce((a, x) => a + x.right, 0);
      expect(right / calls).toBeGreaterThanOrEqual(0.95);
      // A Brier score near 0: sure calls are right, unsure ones are few.
      expect(r.brier).toBeLessThan(0.05);
    });
  }

  for (const type of ['burning', 'winner'] as const) {
    it(`${type}: the brain's lag is within a day of the information limit (median), and it calls every event the limit can`, () => {
      const l = lagVsOracle(runs.slice(0, seeds.length), type);
      expect(l.events).toBeGreaterThan(10);
      expect(l.excess.filter((x) => x === null)).toEqual([]);
      expect(l.medianExcess!).toBeLessThanOrEqual(1);
    });
  }
});
