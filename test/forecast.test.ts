import { describe, expect, it } from 'vitest';
import { fitEts, forecastEts } from '../src/brain/oracle/ets.ts';
import { forecastSeries } from '../src/brain/oracle/forecast.ts';
import { Rng } from '../src/demo/random.ts';
import { forecastText, toCsv } from '../src/forecast/forecast-file.ts';

const WEEK = [1.0, 1.1, 1.15, 1.05, 0.9, 0.75, 0.8];

function series(n: number, seed: number, o: { level?: number; trend?: number; noise?: number } = {}) {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, t) => ((o.level ?? 1000) + (o.trend ?? 0) * t) * WEEK[t % 7]! * rng.lognormal(o.noise ?? 0.08));
}

const mae = (a: number[], b: ArrayLike<number>) => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;

describe('ETS', () => {
  it('recovers a clean weekly pattern exactly enough to forecast it', () => {
    const y = Float64Array.from({ length: 140 }, (_, t) => 500 * WEEK[t % 7]!);
    const fit = fitEts(y, { error: 'A', trend: 'N', season: 'A', m: 7 })!;
    const f = forecastEts(fit, 14);
    for (let k = 0; k < 14; k++) expect(f.point[k]!).toBeCloseTo(500 * WEEK[(140 + k) % 7]!, 0);
  });

  it('follows a trend that seasonal naive misses', () => {
    const y = series(182, 1, { trend: 6, noise: 0.03 });
    const truth = Array.from({ length: 14 }, (_, k) => (1000 + 6 * (182 + k)) * WEEK[(182 + k) % 7]!);
    const f = forecastSeries(y, { horizon: 14 });
    expect(f.ok).toBe(true);
    if (!f.ok) return;
    const snaive = Array.from({ length: 14 }, (_, k) => y[182 - 7 + (k % 7)]!);
    expect(mae(truth, f.point)).toBeLessThan(mae(truth, snaive) * 0.6);
  });
});

describe('forecastSeries', () => {
  it('refuses to guess on too little data, and uses seasonal naive for short series', () => {
    expect(forecastSeries(series(13, 1), { horizon: 7 })).toEqual({ ok: false, reason: 'insufficient data: 13 days of history, at least 14 needed' });
    const short = forecastSeries(series(20, 1), { horizon: 7 });
    expect(short).toMatchObject({ ok: true, model: 'seasonal naive' });
    expect(forecastSeries(series(60, 1), { horizon: 7 })).toMatchObject({ ok: true, model: expect.stringMatching(/ETS/) });
  });

  it('never forecasts below zero for a non-negative series', () => {
    const y = Array.from({ length: 90 }, (_, t) => (t % 7 === 5 ? 0 : t < 60 ? 20 : 2));
    const f = forecastSeries(y, { horizon: 14 });
    if (!f.ok) throw new Error(f.reason);
    expect(Math.min(...f.lower, ...f.point)).toBeGreaterThanOrEqual(0);
  });

  it('80 % intervals cover about 80 % of what happens next', () => {
    let hit = 0, total = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const y = series(200, seed, { noise: 0.15, trend: seed % 3 });
      const f = forecastSeries(y.slice(0, 186), { horizon: 14, level: 0.8 });
      if (!f.ok) throw new Error(f.reason);
      for (let k = 0; k < 14; k++) {
        total++;
        if (y[186 + k]! >= f.lower[k]! && y[186 + k]! <= f.upper[k]!) hit++;
      }
    }
    expect(hit / total).toBeGreaterThan(0.7);
    expect(hit / total).toBeLessThan(0.9);
  });
});

describe('forecast file', () => {
  const csv = (rows: string[]) => ['series_id,date,value', ...rows].join('\n');
  const days = (id: string, n: number, f: (t: number) => number, skip?: number) =>
    Array.from({ length: n }, (_, t) => t)
      .filter((t) => t !== skip)
      .map((t) => `${id},${new Date(Date.UTC(2026, 0, 1 + t)).toISOString().slice(0, 10)},${f(t)}`);

  it('forecasts every series, interpolating and reporting missing days', () => {
    const warnings: string[] = [];
    const out = forecastText(csv([...days('a', 60, (t) => 100 + (t % 7)), ...days('b', 60, (t) => 50 + t, 30), ...days('tiny', 5, () => 1)]), 'in.csv', { horizon: 3, season: 7, level: 80 }, warnings);
    expect(warnings).toEqual(['series b: 1 missing day(s) interpolated']);
    expect(out.map((r) => [r.seriesId, r.lastDate, r.forecast.ok])).toEqual([['a', '2026-03-01', true], ['b', '2026-03-01', true], ['tiny', '2026-01-05', false]]);
    const text = toCsv(out);
    expect(text.split('\n')[1]).toMatch(/^a,2026-03-02,1,/);
    expect(text).toContain('tiny,,,,,,"insufficient data: 5 days of history, at least 14 needed"');
  });

  it('names bad lines', () => {
    expect(() => forecastText(csv(['a,2026-01-01,1', 'a,2026-01-02,x', 'a,2026-01-02,3', 'a,someday,1']), 'in.csv', { horizon: 3, season: 7, level: 80 })).toThrow(
      /line 3: value "x" is not a number[\s\S]*line 5: date "someday" is not a date/,
    );
    expect(() => forecastText(csv(['a,2026-01-01,1', 'a,2026-01-01,2']), 'in.csv', { horizon: 3, season: 7, level: 80 })).toThrow(/line 3: series a has 2026-01-01 twice/);
    expect(() => forecastText('id,day,v\n1,2,3', 'in.csv', { horizon: 3, season: 7, level: 80 })).toThrow(/expected the columns series_id, date, value/);
  });
});
