// The detectors on a generator they were not tuned on (src/demo/scenario-field.ts:
// over-dispersed counts, drifting and edited budgets, a weekday shape in CTR and
// conversion rate, daily frequency on a saturating reach curve, ads with no
// frequency column, low-traffic ads, launches inside the window). Seeds 1–8 were
// used to tune; these (61–66) were not. Every day of the last 60 judged as of
// that day; a call on an ad not in that condition that day is a false call.
import { describe, expect, it } from 'vitest';
import { falseAlarmRate, reliability, runSeed, score } from '../src/demo/detection-score.ts';

const SEEDS = [61, 62, 63, 64, 65, 66];

describe('detection on the field generator (other noise, unseen seeds)', { timeout: 120_000 }, () => {
  const withEvents = SEEDS.map((seed) => runSeed(seed, true, 'field'));
  const clean = SEEDS.map((seed) => runSeed(seed, false, 'field'));

  it('has what it claims: ads without frequency, low-traffic ads, launches in the window, every event type', () => {
    const types = new Set(withEvents.flatMap((r) => r.truth.map((g) => g.type)));
    expect([...types].sort()).toEqual(['anomaly_drop', 'anomaly_spike', 'burning', 'creative_fatigue', 'winner']);
    const fatigued = withEvents.flatMap((r) => r.truth.filter((g) => g.type === 'creative_fatigue'));
    expect(fatigued.some((g) => g.entity!.platform === 'tiktok')).toBe(true);
    expect(fatigued.some((g) => g.entity!.platform === 'meta')).toBe(true);
  });

  it('creative fatigue: precision ≥ 0.9 (daily and per ad), recall ≥ 0.9', () => {
    const s = score(withEvents, 'creative_fatigue');
    expect(s.events).toBeGreaterThan(50);
    expect(s.recall).toBeGreaterThanOrEqual(0.9);
    expect(s.dailyPrecision).toBeGreaterThanOrEqual(0.9);
    expect(s.entityPrecision).toBeGreaterThanOrEqual(0.9);
    // Clean control: fewer than 1 fatigue call per 100 ad-weeks.
    const fa = falseAlarmRate(clean, 'creative_fatigue');
    expect(fa.calls / (fa.adDays / 7)).toBeLessThan(0.01);
  });

  it('spikes and drops: precision ≥ 0.9 (daily and per ad), recall ≥ 0.9, on the day', () => {
    for (const type of ['anomaly_spike', 'anomaly_drop']) {
      const s = score(withEvents, type, { oneDay: true });
      expect(s.events, type).toBeGreaterThan(20);
      expect(s.recall, type).toBeGreaterThanOrEqual(0.9);
      expect(s.dailyPrecision, type).toBeGreaterThanOrEqual(0.9);
      expect(s.entityPrecision, type).toBeGreaterThanOrEqual(0.9);
    }
  });

  // Burning is not here: its 90–95 % calls on quiet ads' dry spells are right 76 % of
  // the time on this generator (bench:detection prints it) — an open defect.
  for (const type of ['creative_fatigue', 'winner'] as const) {
    it(`${type} calls are right at least as often as the probability they state`, () => {
      const r = reliability([...withEvents, ...clean], type);
      expect(r.calls).toBeGreaterThan(100);
      expect(r.rows.filter((x) => !x.ok)).toEqual([]);
    });
  }
});
