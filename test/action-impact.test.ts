// "$ at stake over 7 days" is a 7-day figure for every action kind, by
// construction: on steady series each impact is 7 × the daily effect, and for
// the window-based ones it stays so whatever the evaluation window.
import { describe, expect, it } from 'vitest';
import { rankActions } from '../src/brain/curiosity/actions.ts';
import { detectAnomalies } from '../src/brain/oracle/anomalies.ts';
import { detectFatigue } from '../src/brain/oracle/fatigue.ts';
import { pace, pacingFindings } from '../src/brain/oracle/pacing.ts';
import { detectPerformance } from '../src/brain/oracle/performance.ts';
import { buildSeries } from '../src/brain/series.ts';
import { Rng } from '../src/demo/random.ts';
import { makeInput } from './helpers/brain.ts';

const AS_OF = '2026-06-20';
const series = (input: ReturnType<typeof makeInput>) => buildSeries(input.entities, input.days, input.asOf);
const actionOf = (kind: string, input: ReturnType<typeof makeInput>, findings: Parameters<typeof rankActions>[0]) =>
  rankActions(findings, series(input), []).find((a) => a.kind === kind)!;

describe('every action kind is at stake over 7 days', () => {
  it('pause (burning): 7 × the daily loss, however long the regime it is judged on', () => {
    for (const days of [14, 40]) {
      const input = makeInput({ asOf: AS_OF, days, series: [{ id: 'burn', spend: () => 1000, revenue: () => 400, conversions: () => 4 }] });
      const f = detectPerformance(series(input), input.settings);
      expect(f[0]!.type).toBe('burning');
      expect(f[0]!.facts.windowDays).toBe(days);
      expect(actionOf('pause', input, f).impactCents).toBe(7 * (1000 - 400));
    }
  });

  it('scale (winner): 7 days of a 20 % raise at half the ROI, for any regime length', () => {
    for (const days of [10, 40]) {
      const input = makeInput({ asOf: AS_OF, days, series: [{ id: 'win', spend: () => 500, revenue: () => 2500, conversions: () => 10 }] });
      const f = detectPerformance(series(input), input.settings);
      expect(actionOf('scale', input, f).impactCents).toBe(Math.round(7 * 500 * 0.2 * 4 * 0.5));
    }
  });

  it('investigate (anomaly): the day\'s gap for each of the next 7 days', () => {
    const rng = new Rng(1);
    const input = makeInput({ asOf: AS_OF, days: 90, series: [{ id: 'spiky', spend: (t) => (t === 89 ? 60_000 : 20_000 * rng.lognormal(0.1)), revenue: () => 30_000, conversions: () => 10 }] });
    const [f] = detectAnomalies(series(input), 'USD');
    const gap = Math.abs(Number(f!.facts.spendCents) - Number(f!.facts.spendCentsExpected));
    expect(actionOf('investigate', input, [f!]).impactCents).toBeCloseTo(7 * gap, -1);
  });

  it('cut_budget / raise_budget (pacing): the overspend or unspent budget of the next 7 days', () => {
    // $100 a day, June 20: 10 days left. Over: budget $2,000 is spent, every further day is $100 over.
    const over = makeInput({ asOf: AS_OF, days: 60, series: [{ id: 'acct', kind: 'account', spend: () => 10_000, revenue: () => 15_000 }], budgetCents: 200_000 });
    const so = series(over);
    expect(actionOf('cut_budget', over, pacingFindings(pace(so, over.settings, []), so)).impactCents).toBe(7 * 10_000);
    // Under: $6,000 budget, $3,000 projected: $300 a day left unspent, earning half the recent ROI (50 %).
    const under = makeInput({ asOf: AS_OF, days: 60, series: [{ id: 'acct', kind: 'account', spend: () => 10_000, revenue: () => 15_000 }], budgetCents: 600_000 });
    const su = series(under);
    expect(actionOf('raise_budget', under, pacingFindings(pace(su, under.settings, []), su)).impactCents).toBe(Math.round(7 * 30_000 * 0.5 * 0.5));
  });

  it('move_budget: 7 days of a fifth of the weak campaign\'s spend at the ROAS gained', () => {
    const input = makeInput({ asOf: AS_OF, days: 40, series: [
      { id: 'weak', kind: 'campaign', spend: () => 20_000, revenue: () => 10_000 },
      { id: 'strong', kind: 'campaign', spend: () => 20_000, revenue: () => 80_000 },
    ] });
    const a = actionOf('move_budget', input, []);
    expect(a.impactCents).toBe(Math.round(7 * 20_000 * 0.2 * (4 * 0.7 - 0.5)));
  });

  it('test: a week at typical spend for a young, barely funded entity at half its ROI', () => {
    const input = makeInput({ asOf: AS_OF, days: 40, series: [
      ...['a', 'b', 'c'].map((id) => ({ id, spend: () => 10_000, revenue: () => 11_000 })),
      { id: 'young', spend: (t: number) => (t >= 30 ? 1_000 : 0), revenue: (t: number) => (t >= 30 ? 3_000 : 0), conversions: () => 1 },
    ] });
    const a = actionOf('test', input, []);
    expect(a.entity!.id).toBe('young');
    expect(a.impactCents).toBe(Math.round(7 * (10_000 - 1_000) * 2 * 0.5));
  });

  it('refresh_creative (fatigue): the clicks lost over the last 7 days\' impressions, at the ad\'s value per click', () => {
    const rng = new Rng(3);
    const onset = 80;
    const input = makeInput({ asOf: AS_OF, days: 90, series: [{
      id: 'tired',
      spend: () => 10_000,
      impressions: () => 14_000,
      clicks: (t) => rng.poisson(200 * (t > onset ? Math.max(0.6, Math.exp(-0.07 * (t - onset))) : 1)),
      revenue: () => 20_000,
      frequency: (t) => 1.3 + (t > onset ? 0.05 * (t - onset) : 0),
    }] });
    const s = series(input);
    const [f] = detectFatigue(s, input.settings);
    const e = s.byId.get('tired')!;
    let clicks28 = 0;
    for (let i = s.length - 28; i < s.length; i++) clicks28 += e.clicks[i]!;
    const valuePerClick = (28 * 20_000) / clicks28;
    const expected = (Number(f!.facts.referenceCtr) - Number(f!.facts.recentCtr)) * 7 * 14_000 * valuePerClick;
    expect(actionOf('refresh_creative', input, [f!]).impactCents / expected).toBeCloseTo(1, 2);
  });
});
