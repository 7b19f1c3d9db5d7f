// Detection quality scored against the simulator's ground truth, on seeds the
// detectors were not tuned on (1–5 were). Each day of the last 60 is judged as of
// that day, seeing nothing later — the way the daily run sees it; a call on a day
// the entity was not in that condition is a false call, however many days in a row.
import { describe, expect, it } from 'vitest';
import { falseAlarmRate, runSeed, score } from '../src/demo/detection-score.ts';

const SEEDS = [11, 12, 13, 14, 15, 16];

describe('detection against ground truth (seeds 11–16)', () => {
  const withEvents = SEEDS.map((seed) => runSeed(seed, true));
  const clean = SEEDS.map((seed) => runSeed(seed, false));

  it('burning links: raised a median of ≤ 1 day after they break, daily precision ≥ 0.95, fewer false calls than the 7-day rule', () => {
    const s = score(withEvents, 'burning');
    expect(s.events).toBeGreaterThanOrEqual(25);
    expect(s.recall).toBeGreaterThanOrEqual(0.9);
    expect(s.medianLag).toBeLessThanOrEqual(1);
    expect(s.dailyPrecision).toBeGreaterThanOrEqual(0.95);
    // Clean links (some just above the burn line): no more false alarms than the fixed window — far fewer.
    const now = falseAlarmRate(clean, 'burning'), before = falseAlarmRate(clean, 'burning', true);
    expect(before.calls).toBeGreaterThan(50);
    expect(now.calls).toBeLessThanOrEqual(before.calls / 10);
  });

  it('winners: raised a median of ≤ 2 days after they take off, daily precision ≥ 0.9', () => {
    const s = score(withEvents, 'winner');
    expect(s.events).toBeGreaterThanOrEqual(25);
    expect(s.recall).toBeGreaterThanOrEqual(0.9);
    expect(s.medianLag).toBeLessThanOrEqual(2);
    expect(s.dailyPrecision).toBeGreaterThanOrEqual(0.9);
    const now = falseAlarmRate(clean, 'winner'), before = falseAlarmRate(clean, 'winner', true);
    expect(now.calls).toBeLessThanOrEqual(before.calls / 10);
  });

  it('creative fatigue: precision ≥ 0.9, recall ≥ 0.9, median lag ≤ 2 days from onset, daily precision ≥ 0.9', () => {
    const s = score(withEvents, 'creative_fatigue');
    expect(s.events).toBeGreaterThan(60);
    expect(s.entityPrecision).toBeGreaterThanOrEqual(0.9);
    expect(s.recall).toBeGreaterThanOrEqual(0.9);
    expect(s.medianLag).toBeLessThanOrEqual(2);
    expect(s.dailyPrecision).toBeGreaterThanOrEqual(0.9);
  });

  it('anomalies: daily precision ≥ 0.9 and recall ≥ 0.9, on the day and in the right direction', () => {
    for (const type of ['anomaly_spike', 'anomaly_drop']) {
      const s = score(withEvents, type, { oneDay: true });
      expect(s.events, type).toBeGreaterThan(20);
      expect(s.dailyPrecision, type).toBeGreaterThanOrEqual(0.9);
      expect(s.recall, type).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('clean series: at most 1 false alarm per 100 ad-weeks, over every detector', () => {
    let alarms = 0, adDays = 0;
    for (const r of clean) {
      expect(r.truth).toEqual([]);
      alarms += r.calls.length;
      adDays += r.ads * 60;
    }
    expect(adDays / 7).toBeGreaterThan(1500);
    expect((100 * alarms) / (adDays / 7)).toBeLessThanOrEqual(1);
  });
});
