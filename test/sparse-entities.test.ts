// Ad sets that switch on and off (active on 12–17 of 90 days in a real Meta export)
// are judged on their active days: switching on is not "spend jumped against $0.00
// expected", and a real jump on an active day is still called. (An independent test
// found all 5 "act now" items of that export were such false alarms.)
import { describe, expect, it } from 'vitest';
import { anomaliesAt, detectAnomalies } from '../src/brain/oracle/anomalies.ts';
import { buildSeries } from '../src/brain/series.ts';
import { Rng } from '../src/demo/random.ts';
import { makeInput } from './helpers/brain.ts';

const AS_OF = '2026-09-30';

function sparse(seed: number, lastDay: (normal: number) => number) {
  const rng = new Rng(seed);
  // On for a day or two at a time, about one day in six; always on the last day.
  const on = Array.from({ length: 90 }, (_, t) => t === 89 || rng.next() < 0.17);
  const spend = on.map(() => 4_000 + Math.round(rng.next() * 3_000));
  spend[89] = lastDay(5_500);
  const input = makeInput({ asOf: AS_OF, days: 90, series: [
    { id: 'retarget', kind: 'adset', spend: (t) => (on[t] ? spend[t]! : 0), revenue: (t) => (on[t] ? spend[t]! * 1.4 : 0), conversions: (t) => (on[t] ? 2 : 0) },
  ] });
  return { s: buildSeries(input.entities, input.days, input.asOf), activeDays: on.filter(Boolean).length };
}

describe('sparse and intermittent entities', () => {
  it('switching on with ordinary spend is not an anomaly (20 seeds, each of the last 30 days)', () => {
    let calls = 0, days = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const { s, activeDays } = sparse(seed, (n) => n);
      days += activeDays;
      const f = detectAnomalies(s, 'USD');
      for (const x of f) expect(x.title).not.toMatch(/against \$0\.00 expected/);
      calls += f.length;
      // And judged on every one of its last 30 days, not only the last.
      const e = s.byId.get('retarget')!;
      for (let i = 60; i < 89; i++) calls += anomaliesAt(e, i).length;
    }
    expect(days / 20).toBeLessThan(30); // a minority of the 90 days
    expect(calls).toBe(0);
  });

  it('judged every day, on a second generator (weekend-only sets with lognormal spend), healthy sets raise no alarm', () => {
    let judged = 0, alarms = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const rng = new Rng(100 + seed);
      // On Saturdays and Sundays only (2 days in 7), spend scattered ×/÷ 1.4 around $60.
      const input = makeInput({ asOf: AS_OF, days: 120, series: [
        { id: 'weekend', kind: 'adset', spend: (t) => ((t + seed) % 7 >= 5 ? Math.round(6_000 * rng.lognormal(0.35)) : 0), revenue: () => 0, conversions: () => 0 },
      ] });
      const e = buildSeries(input.entities, input.days, input.asOf).byId.get('weekend')!;
      for (let i = 60; i < 120; i++) {
        judged++;
        alarms += anomaliesAt(e, i).length;
      }
    }
    expect(judged).toBe(600);
    expect(alarms).toBe(0);
  });

  it('a real jump on an active day is still called, against its active days', () => {
    let called = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const [f] = detectAnomalies(sparse(seed, () => 60_000).s, 'USD');
      if (!f) continue;
      called++;
      expect(f.type).toBe('anomaly_spike');
      expect(f.title).toMatch(/spend jumped to \$600\.00 against \$[4-7]\d\.\d\d expected/);
    }
    expect(called).toBeGreaterThanOrEqual(18);
  });
});

describe('sparse findings roll up per parent', () => {
  // Three ad sets of one campaign, each on about one day in five; all jump on the last day (a promotion).
  function campaignOfSparse(seed: number, jumping: number) {
    const rng = new Rng(seed);
    const sets = ['Retarget A', 'Retarget B', 'Retarget C'].map((name, k) => {
      const on = Array.from({ length: 90 }, (_, t) => t === 89 || rng.next() < 0.2);
      const spend = on.map(() => 4_000 + Math.round(rng.next() * 3_000));
      if (k < jumping) spend[89] = 60_000;
      return { id: `set-${k}`, name, kind: 'adset', parentId: 'spring', spend: (t: number) => (on[t] ? spend[t]! : 0), revenue: () => 0, conversions: () => 0 };
    });
    const spring = { id: 'spring', name: 'Spring sale', kind: 'campaign', parentId: null, platform: 'meta', externalId: 'spring', status: 'active', attributes: {} };
    const input = makeInput({ asOf: AS_OF, days: 90, series: sets, extraEntities: [spring] });
    return buildSeries(input.entities, input.days, input.asOf);
  }

  it('several sets that jump together are one finding on their campaign, naming them; one alone stays its own', () => {
    let rolled = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const all = detectAnomalies(campaignOfSparse(seed, 3), 'USD');
      const perSet = all.filter((f) => f.entity?.kind === 'adset');
      const onCampaign = all.filter((f) => f.entity?.id === 'spring');
      expect(perSet.length + onCampaign.length * 3).toBeGreaterThanOrEqual(2); // the jumps are called
      if (onCampaign.length === 0) continue;
      rolled++;
      expect(perSet).toHaveLength(0);
      const [f] = onCampaign;
      expect(f!.type).toBe('anomaly_spike');
      // A set with fewer than 8 active days has no baseline to be judged on yet: 2 or 3 are called.
      const n = f!.facts.entities as number;
      expect([2, 3]).toContain(n);
      const named = n === 3 ? 'Retarget [ABC], Retarget [ABC] and Retarget [ABC]' : 'Retarget [ABC] and Retarget [ABC]';
      expect(f!.title).toMatch(new RegExp(`^Spring sale: ${n} ad sets that switch on and off moved at once — spend jumped to \\$${n === 3 ? '1,800' : '1,200'}\\.00 together against \\$\\d{2,3}\\.\\d\\d expected \\(${named}\\)$`));
      expect(f!.facts).toMatchObject({ spendCents: n * 60_000 });
    }
    expect(rolled).toBeGreaterThanOrEqual(8);

    const one = detectAnomalies(campaignOfSparse(3, 1), 'USD');
    expect(one.map((f) => f.entity?.name)).toEqual(['Retarget A']);
  });
});
