// Detection quality scored against the simulator's ground truth, on seeds the
// detectors were not tuned on. Each day of the last 60 is judged as of that day,
// seeing nothing later — the way the daily run sees it.
import { describe, expect, it } from 'vitest';
import { detectAnomalies } from '../src/brain/oracle/anomalies.ts';
import { detectFatigue } from '../src/brain/oracle/fatigue.ts';
import { buildSeries } from '../src/brain/series.ts';
import { simBrainInput } from '../src/demo/brain-input.ts';
import { simulateScenario } from '../src/demo/simulate.ts';
import { addDays, daysBetween } from '../src/time.ts';

const END = '2026-11-21';
const SEEDS = [11, 12, 13, 14, 15, 16];
const WINDOW = 60;

function judge(seed: number, events: boolean) {
  const sim = simulateScenario({ seed, endDate: END, events });
  const client = sim.clients[0]!;
  const firstFatigue = new Map<string, string>();
  const anomalies: { id: string; day: string; type: string }[] = [];
  for (let d = WINDOW - 1; d >= 0; d--) {
    const asOf = addDays(END, -d);
    const input = simBrainInput(client, asOf);
    const s = buildSeries(input.entities, input.days, asOf);
    for (const f of detectFatigue(s)) if (!firstFatigue.has(f.entity!.externalId)) firstFatigue.set(f.entity!.externalId, asOf);
    for (const a of detectAnomalies(s, 'USD')) anomalies.push({ id: a.entity!.externalId, day: asOf, type: a.type });
  }
  const ads = [...client.batch.entities.values()].filter((e) => e.kind === 'ad').length;
  return { sim, firstFatigue, anomalies, entityWeeks: (ads * WINDOW) / 7 };
}

describe('detection against ground truth (seeds 11–16)', () => {
  const runs = SEEDS.map((seed) => ({ seed, withEvents: judge(seed, true), clean: judge(seed, false) }));

  it('creative fatigue: precision ≥ 0.9, recall ≥ 0.9, median lag ≤ 3 days from onset', () => {
    let tp = 0, fp = 0, fn = 0;
    const lags: number[] = [];
    for (const { withEvents } of runs) {
      const calls = new Map(withEvents.firstFatigue);
      for (const g of withEvents.sim.groundTruth.filter((x) => x.type === 'creative_fatigue')) {
        const hit = calls.get(g.entity!.externalId);
        if (hit && hit >= g.start) {
          tp++;
          lags.push(daysBetween(g.start, hit));
          calls.delete(g.entity!.externalId);
        } else fn++;
      }
      fp += calls.size;
    }
    lags.sort((a, b) => a - b);
    expect(tp + fn).toBeGreaterThan(60);
    expect(tp / (tp + fp)).toBeGreaterThanOrEqual(0.9);
    expect(tp / (tp + fn)).toBeGreaterThanOrEqual(0.9);
    expect(lags[lags.length >> 1]).toBeLessThanOrEqual(3);
  });

  it('anomalies: precision ≥ 0.9 and recall ≥ 0.9, on the day and in the right direction', () => {
    let tp = 0, fp = 0, fn = 0;
    for (const { withEvents } of runs) {
      const calls = [...withEvents.anomalies];
      for (const g of withEvents.sim.groundTruth.filter((x) => x.type === 'anomaly_spike' || x.type === 'anomaly_drop')) {
        const i = calls.findIndex((c) => c.id === g.entity!.externalId && c.day === g.start && c.type === g.type);
        if (i >= 0) {
          tp++;
          calls.splice(i, 1);
        } else fn++;
      }
      fp += calls.length;
    }
    expect(tp + fn).toBeGreaterThan(40);
    expect(tp / (tp + fp)).toBeGreaterThanOrEqual(0.9);
    expect(tp / (tp + fn)).toBeGreaterThanOrEqual(0.9);
  });

  it('clean series: at most 1 false alarm per 100 entity-weeks', () => {
    let alarms = 0, weeks = 0;
    for (const { clean } of runs) {
      expect(clean.sim.groundTruth).toEqual([]);
      alarms += clean.firstFatigue.size + clean.anomalies.length;
      weeks += clean.entityWeeks;
    }
    expect(weeks).toBeGreaterThan(1500);
    expect((100 * alarms) / weeks).toBeLessThanOrEqual(1);
  });
});
