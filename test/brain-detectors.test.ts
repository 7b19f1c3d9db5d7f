import { describe, expect, it } from 'vitest';
import { runCycle } from '../src/brain/cycle.ts';
import { detectAnomalies } from '../src/brain/oracle/anomalies.ts';
import { detectFatigue } from '../src/brain/oracle/fatigue.ts';
import { detectPerformance } from '../src/brain/oracle/performance.ts';
import { pace, pacingFindings } from '../src/brain/oracle/pacing.ts';
import { rankActions } from '../src/brain/curiosity/actions.ts';
import { buildSeries } from '../src/brain/series.ts';
import { simBrainInput } from '../src/demo/brain-input.ts';
import { Rng } from '../src/demo/random.ts';
import { simulateDemo } from '../src/demo/simulate.ts';
import { addDays } from '../src/time.ts';
import { makeInput } from './helpers/brain.ts';

const AS_OF = '2026-06-30';
const WEEK = [1, 1.05, 1.08, 1.02, 0.95, 0.85, 0.9];

describe('burning and winners', () => {
  it('match the simulator\'s injected burning link and winner exactly, for every demo client', () => {
    for (const seed of [42, 7]) {
      const sim = simulateDemo({ endDate: '2026-11-21', seed });
      for (const c of sim.clients) {
        const input = simBrainInput(c, '2026-11-21');
        const found = detectPerformance(buildSeries(input.entities, input.days, input.asOf), input.settings)
          .map((f) => `${f.type}:${f.entity!.externalId}`)
          .sort();
        const truth = sim.groundTruth
          .filter((g) => g.client === c.slug && (g.type === 'burning' || g.type === 'winner'))
          .map((g) => `${g.type}:${g.entity!.externalId}`)
          .sort();
        expect(found, `${c.slug} seed ${seed}`).toEqual(truth);
      }
    }
  });

  it('apply the thresholds since the change at 90 % certainty: spend > $50 and ROI < −50 %, revenue > $100 and ROI > 200 %', () => {
    const input = makeInput({
      asOf: AS_OF,
      days: 30,
      series: [
        { id: 'burn', spend: () => 1000, revenue: () => 400, conversions: () => 2 }, // ROI −60 % for 30 days
        { id: 'small-burn', spend: (t) => (t >= 25 ? 800 : 0), revenue: () => 100, conversions: () => 1 }, // $40 in all: too small to call
        { id: 'win', spend: () => 500, revenue: () => 2000, conversions: () => 4 }, // ROI 300 %
        { id: 'meh', spend: () => 1000, revenue: () => 1200, conversions: () => 3 },
        { id: 'killed', spend: () => 1000, revenue: () => 100, status: 'killed' },
      ],
    });
    const f = detectPerformance(buildSeries(input.entities, input.days, AS_OF), input.settings);
    expect(f.map((x) => [x.type, x.entity!.id])).toEqual([['burning', 'burn'], ['winner', 'win']]);
    expect(f[0]!.facts).toMatchObject({ spendCents: 30_000, revenueCents: 12_000, roi: -0.6, windowDays: 30, changed: 'no' });
    expect(f[0]!.facts.probability).toBeGreaterThanOrEqual(0.9);
    // 7 days more of the daily loss.
    expect(f[0]!.impactCents).toBe(4200);
    const stricter = detectPerformance(buildSeries(input.entities, input.days, AS_OF), { ...input.settings, burnRoiBelow: -0.7 });
    expect(stricter.map((x) => x.type)).toEqual(['winner']);
  });

  it('date the condition from the change, and say how sure', () => {
    const input = makeInput({ asOf: AS_OF, days: 40, series: [{ id: 'l', spend: () => 2000, revenue: (t) => (t >= 30 ? 200 : 3000), conversions: (t) => (t >= 30 ? 0.2 : 3) }] });
    const [f] = detectPerformance(buildSeries(input.entities, input.days, AS_OF), input.settings);
    expect(f!.since).toBe(addDays(AS_OF, -9));
    expect(f!.facts).toMatchObject({ changed: 'yes', since: addDays(AS_OF, -9), windowDays: 10, spendCents: 20_000, beforeRoas: 1.5 });
    expect(f!.title).toMatch(new RegExp(`^l is burning money since ${addDays(AS_OF, -9)}: ROI -90% on \\$200\\.00 \\((9\\d|100)% sure it is below -50%\\)$`));
  });

  it('one bad day is not burning; the second is', () => {
    const day = (bad: number) => makeInput({ asOf: AS_OF, days: 40, series: [{ id: 'l', spend: () => 20_000, revenue: (t) => (t >= 40 - bad ? 0 : 30_000), conversions: (t) => (t >= 40 - bad ? 0 : 10) }] });
    const one = day(1), two = day(2);
    expect(detectPerformance(buildSeries(one.entities, one.days, AS_OF), one.settings)).toEqual([]);
    expect(detectPerformance(buildSeries(two.entities, two.days, AS_OF), two.settings).map((x) => [x.type, x.since])).toEqual([['burning', addDays(AS_OF, -1)]]);
  });
});

describe('budget pacing on the last day of the month', () => {
  it('is information, not an action: no days left to change, nothing at stake, past tense', () => {
    const input = makeInput({ asOf: '2026-06-30', days: 60, series: [{ id: 'acct', kind: 'account', spend: () => 10_000, revenue: () => 15_000 }], budgetCents: 200_000 });
    const s = buildSeries(input.entities, input.days, input.asOf);
    const p = pace(s, input.settings, [])!;
    expect(p.daysLeft).toBe(0);
    const [f] = pacingFindings(p, s);
    expect(f).toMatchObject({ type: 'budget_overspend', severity: 'low', impactCents: 0, informational: true, title: "Spent 50% over this month's budget" });
    expect(rankActions([f!], s, [])).toEqual([]);
  });
});

describe('anomalies', () => {
  const noisy = (seed: number, base: number) => {
    const rng = new Rng(seed);
    return (t: number) => base * WEEK[t % 7]! * rng.lognormal(0.1);
  };

  it('flag a spend spike and a conversions drop on the day, with severity from the robust z', () => {
    const spend = noisy(1, 20_000);
    const rng = new Rng(2);
    const input = makeInput({
      asOf: AS_OF,
      days: 90,
      series: [
        { id: 'spiky', spend: (t) => (t === 89 ? 60_000 : spend(t)), revenue: () => 30_000, conversions: () => 10 },
        { id: 'outage', spend: () => 20_000, conversions: (t) => (t === 89 ? 2 : rng.poisson(40)), revenue: (t) => (t === 89 ? 6000 : 120_000) },
      ],
    });
    const f = detectAnomalies(buildSeries(input.entities, input.days, AS_OF), 'USD');
    const byId = Object.fromEntries(f.map((x) => [x.entity!.id, x]));
    expect(byId.spiky).toMatchObject({ type: 'anomaly_spike', since: AS_OF });
    expect(byId.spiky!.facts.spendCentsZ as number).toBeGreaterThan(6);
    expect(byId.outage).toMatchObject({ type: 'anomaly_drop' });
    expect(['high', 'critical']).toContain(byId.outage!.severity);
  });

  it('call a revenue jump good news: informational, low severity, no "check what happened" action', () => {
    const rng = new Rng(7);
    const input = makeInput({
      asOf: AS_OF,
      days: 90,
      series: [{ id: 'lucky', spend: () => 20_000, conversions: (t) => (t === 89 ? 160 : rng.poisson(40)), revenue: (t) => (t === 89 ? 480_000 : 120_000) }],
    });
    const s = buildSeries(input.entities, input.days, AS_OF);
    const [f] = detectAnomalies(s, 'USD');
    expect(f).toMatchObject({ type: 'anomaly_spike', severity: 'low', informational: true });
    expect(f!.title).toMatch(/^Good news — lucky: (revenue|conversions) jumped/);
    expect(rankActions([f!], s, []).filter((a) => a.kind === 'investigate')).toEqual([]);
  });

  it('stay quiet on ordinary noisy series (no call in 60 days × 20 entities)', () => {
    let calls = 0;
    for (let day = 0; day < 60; day++) {
      const asOf = addDays(AS_OF, -day);
      const input = makeInput({
        asOf,
        days: 120 - day,
        series: Array.from({ length: 20 }, (_, k) => {
          const s = noisy(100 + k, 10_000 + 1000 * k);
          const rng = new Rng(500 + k);
          return { id: `e${k}`, spend: s, conversions: () => rng.poisson(20), revenue: () => 50_000 };
        }),
      });
      calls += detectAnomalies(buildSeries(input.entities, input.days, asOf), 'USD').length;
    }
    expect(calls).toBeLessThanOrEqual(2);
  });
});

describe('creative fatigue', () => {
  const ad = (seed: number, onset: number | null, opts: { clicks?: number } = {}) => {
    const rng = new Rng(seed);
    const baseClicks = opts.clicks ?? 200;
    return {
      id: `ad-${seed}`,
      spend: () => 10_000 * rng.lognormal(0.05),
      impressions: () => baseClicks * 70,
      clicks: (t: number) => rng.poisson(baseClicks * (onset !== null && t > onset ? Math.max(0.6, Math.exp(-0.07 * (t - onset))) : 1)),
      frequency: (t: number) => 1.3 + (onset !== null && t > onset ? 0.05 * (t - onset) : 0),
    };
  };

  it('is called within days of the onset, dated near it', () => {
    const onset = 80;
    let firstCall: number | null = null;
    for (let t = onset; t < 90 && firstCall === null; t++) {
      const asOf = addDays(AS_OF, t - 89);
      const input = makeInput({ asOf, days: t + 1, series: [ad(3, onset)] });
      const f = detectFatigue(buildSeries(input.entities, input.days, asOf));
      if (f.length) {
        firstCall = t;
        expect(f[0]!.since >= addDays(asOf, -(t - onset) - 1)).toBe(true);
      }
    }
    expect(firstCall).not.toBeNull();
    expect(firstCall! - onset).toBeGreaterThanOrEqual(1);
    expect(firstCall! - onset).toBeLessThanOrEqual(4);
  });

  it('says which signal moved: CTR against its best, frequency beyond what the spend explains, costs', () => {
    const asOf = addDays(AS_OF, -3);
    const input = makeInput({ asOf, days: 87, series: [ad(3, 80)] });
    const [f] = detectFatigue(buildSeries(input.entities, input.days, asOf));
    expect(f!.title).toMatch(/^ad-3 is wearing out: CTR \d\.\d\d% vs \d\.\d\d% at its best \(−\d+%, \d+\.\d× its noise\), frequency \+\d+%, \+\d+% beyond what its spend explains \(\d+\.\d× its noise; the audience is saturating\)/);
    expect(f!.facts.frequencyExcess).toBeGreaterThan(0.03);
    // …each in units of its own noise: a slide, not a bad week.
    expect(f!.facts.ctrNoiseUnits).toBeGreaterThan(2);
    expect(f!.facts.frequencyNoiseUnits).toBeGreaterThan(2);
    // Without frequency (a search ad), the CTR and the costs speak alone — and it is called later.
    const plain = { ...ad(3, 80), frequency: () => null };
    let called: string | null = null;
    for (let t = 83; t < 89 && !called; t++) {
      const day = addDays(AS_OF, t - 89);
      const x = makeInput({ asOf: day, days: t + 1, series: [plain] });
      const [g] = detectFatigue(buildSeries(x.entities, x.days, day));
      if (g) {
        called = day;
        expect(g.title).not.toMatch(/frequency/);
        expect(g.facts.frequencyExcess).toBeNull();
      }
    }
    expect(called).not.toBeNull();
  });

  it('is not called on a steady ad, nor on one with too little spend', () => {
    const steady = makeInput({ asOf: AS_OF, days: 90, series: [ad(4, null)] });
    expect(detectFatigue(buildSeries(steady.entities, steady.days, AS_OF))).toEqual([]);
    const tiny = makeInput({ asOf: AS_OF, days: 90, series: [{ ...ad(5, 70), spend: () => 100 }] });
    expect(detectFatigue(buildSeries(tiny.entities, tiny.days, AS_OF))).toEqual([]);
  });
});

describe('budget pacing', () => {
  const account = (perDay: number) => ({ id: 'acct', kind: 'account', spend: () => perDay, revenue: () => perDay * 1.5 });
  it('projects month spend against the budget', () => {
    // June 30 is the month's last day: projection = June's spend.
    const over = makeInput({ asOf: '2026-06-20', days: 60, series: [account(10_000)], budgetCents: 200_000 });
    const s = buildSeries(over.entities, over.days, over.asOf);
    const p = pace(s, over.settings, [])!;
    expect(p).toMatchObject({ month: '2026-06', spentCents: 200_000, projectedCents: 300_000, daysLeft: 10, ratio: 1.5 });
    // 100,000 over by month end, 10 days left: 7 of those days fall in the next week.
    expect(pacingFindings(p, s).map((f) => [f.type, f.severity, f.impactCents, f.informational])).toEqual([['budget_overspend', 'critical', 70_000, undefined]]);
    const under = makeInput({ asOf: '2026-06-20', days: 60, series: [account(10_000)], budgetCents: 600_000 });
    const su = buildSeries(under.entities, under.days, under.asOf);
    expect(pacingFindings(pace(su, under.settings, []), su).map((f) => f.type)).toEqual(['budget_underspend']);
    // Three days left: the whole remaining gap is within the week.
    const late = makeInput({ asOf: '2026-06-27', days: 60, series: [account(10_000)], budgetCents: 200_000 });
    const sl = buildSeries(late.entities, late.days, late.asOf);
    expect(pacingFindings(pace(sl, late.settings, []), sl).map((f) => f.impactCents)).toEqual([100_000]);
    // Without forecasts (the last week's pace) the month's end has no range.
    expect(p).toMatchObject({ projectedLowCents: null, projectedHighCents: null });
    const none = makeInput({ asOf: '2026-06-20', days: 60, series: [account(10_000)], budgetCents: null });
    expect(pace(buildSeries(none.entities, none.days, none.asOf), none.settings, [])).toBeNull();
  });
});

describe('budget pacing with forecasts', () => {
  it("ranges the month's end by the forecast's range of the days left, and says it in the title", () => {
    const rng = new Rng(3);
    const noisy = { id: 'acct', kind: 'account', spend: () => Math.round(10_000 * rng.lognormal(0.2)), revenue: () => 15_000 };
    const input = makeInput({ asOf: '2026-06-12', days: 90, series: [noisy], budgetCents: 250_000 });
    const out = runCycle(input);
    const p = out.oracle.pacing!;
    expect(p.daysLeft).toBe(18);
    const rest = out.oracle.forecasts.find((f) => f.metric === 'spendCents' && f.entityId === 'acct')!.rest!;
    expect(rest.days).toBe(18);
    expect(p.projectedLowCents).toBe(Math.round(Math.max(p.spentCents, p.projectedCents - rest.below)));
    expect(p.projectedHighCents).toBe(Math.round(p.projectedCents + rest.above));
    expect(p.projectedLowCents!).toBeLessThan(p.projectedCents);
    expect(p.projectedHighCents!).toBeGreaterThan(p.projectedCents);
    const [f] = pacingFindings(p, buildSeries(input.entities, input.days, input.asOf));
    expect(f!.type).toBe('budget_overspend');
    expect(f!.title).toMatch(/^On pace to spend \d+% over this month's budget \(80 % range: -?\d+% to \d+% over\)$/);
    expect(f!.facts).toMatchObject({ projectedLowCents: p.projectedLowCents, projectedHighCents: p.projectedHighCents });
  });
});

describe('the cycle', () => {
  it('cannot see data after as-of', () => {
    const sim = simulateDemo({ endDate: '2026-11-21', seed: 42 });
    const c = sim.clients[0]!;
    const asOf = '2026-11-10';
    const clipped = simBrainInput(c, asOf);
    const full = { ...clipped, days: c.batch.metrics.map((m) => ({ ...m, entityId: m.entityKey })) };
    const a = runCycle(clipped);
    const b = runCycle(full);
    expect(JSON.stringify(b.oracle)).toBe(JSON.stringify(a.oracle));
    expect(JSON.stringify(b.curiosity)).toBe(JSON.stringify(a.curiosity));
  });
});

describe('budget pacing early in the month, with real forecasts', () => {
  it('counts every day left, not only the 14 the forecasts reach: a steady account on budget is on budget on the 1st', async () => {
    const { forecastEntities } = await import('../src/brain/oracle/forecasts.ts');
    // $100 a day for 90 days; a $3,100 budget for a 31-day month: exactly on pace.
    const input = makeInput({ asOf: '2026-12-01', days: 90, series: [{ id: 'acct', kind: 'account', spend: () => 10_000, revenue: () => 15_000 }], budgetCents: 310_000 });
    const s = buildSeries(input.entities, input.days, input.asOf);
    const { forecasts } = forecastEntities(s);
    expect(forecasts.some((f) => f.entityId === 'acct' && f.metric === 'spendCents')).toBe(true);
    const p = pace(s, input.settings, forecasts)!;
    expect(p.daysLeft).toBe(30);
    expect(p.ratio).toBeGreaterThan(0.97);
    expect(p.ratio).toBeLessThan(1.03);
    expect(pacingFindings(p, s)).toEqual([]);
  });
});
