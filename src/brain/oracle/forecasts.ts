// Forecasts of spend, revenue, conversions and clicks for accounts and campaigns
// (and ads with enough history), 14 days ahead with 80 % intervals. Each one
// carries the in-sample seasonal-naive MAE so its error can later be scored as MASE.
import { forecastSeries, MIN_HISTORY, type RestRange, type SeriesForecast, type TotalForecast } from './forecast.ts';
import { sumRange, type SeriesSet } from '../series.ts';

export const FORECAST_METRICS = ['spendCents', 'revenueCents', 'conversions', 'clicks'] as const;
export type ForecastMetric = (typeof FORECAST_METRICS)[number];
export const HORIZON = 14;

export interface EntityForecast {
  entityId: string;
  metric: ForecastMetric;
  model: string;
  /** Seasonal-naive in-sample MAE: the MASE denominator. */
  scale: number;
  days: { date: string; point: number; lower: number; upper: number }[];
  /** The first 7 days' total with the interval of the sum (stored as metric `<metric>:7d`, dated its last day). */
  total?: TotalForecast;
  /** An account's spend: the range of the total of the month's remaining days (pacing). */
  rest?: RestRange;
}

/** The prediction row of a 7-day total: the metric with this suffix. */
export const TOTAL_SUFFIX = ':7d';

export interface ForecastGap {
  entityId: string;
  metric: ForecastMetric;
  reason: string;
}

const AD_MIN_DAYS = 56;
/** Ads are forecast only where it pays: the biggest spenders with eight weeks of history. */
export const MAX_AD_FORECASTS = 100;

/** One series to forecast: its history (from the last unreported day on) and where it ends. */
export interface ForecastJob {
  entityId: string;
  metric: ForecastMetric;
  history: Float64Array;
  /** Days left in the month, for an account's spend (pacing projects the month's end from it). */
  restDays?: number;
}

/** What to forecast (accounts, campaigns, the biggest ads), and the series that cannot be. */
export function planForecasts(s: SeriesSet): { jobs: ForecastJob[]; gaps: ForecastGap[] } {
  const end = s.length - 1;
  const gaps: ForecastGap[] = [];
  const jobs: ForecastJob[] = [];
  const live = [...s.byId.values()].filter((e) => e.launch >= 0 && e.entity.status !== 'killed');
  const ads = live
    .filter((e) => e.entity.kind === 'ad' && end - e.launch + 1 >= AD_MIN_DAYS)
    .map((e) => ({ e, spend: sumRange(e.spendCents, end - 27, end) }))
    .filter((x) => x.spend > 0)
    .sort((a, b) => b.spend - a.spend)
    .slice(0, MAX_AD_FORECASTS)
    .map((x) => x.e);
  const targets = [...live.filter((e) => e.entity.kind === 'account' || e.entity.kind === 'campaign'), ...ads];
  for (const e of targets) {
    for (const metric of FORECAST_METRICS) {
      // Forecast from the days after the last one whose value was not reported:
      // an unknown day is neither a zero nor something to interpolate.
      let from = e.launch;
      for (let i = end; i >= e.launch; i--) {
        if (Number.isNaN(e[metric][i]!)) {
          from = i + 1;
          break;
        }
      }
      const history = e[metric].subarray(from, end + 1);
      if (history.length === 0) {
        gaps.push({ entityId: e.entity.id, metric, reason: 'not reported' });
        continue;
      }
      if (history.every((v) => v === 0)) continue;
      const restDays = e.entity.kind === 'account' && metric === 'spendCents' ? daysLeftInMonth(s.asOf) : 0;
      jobs.push({ entityId: e.entity.id, metric, history, ...(restDays > 0 ? { restDays } : {}) });
    }
  }
  return { jobs, gaps };
}

/** The jobs' forecasts (in job order) as the oracle keeps them, with the MASE scale of each. */
export function assembleForecasts(s: SeriesSet, jobs: ForecastJob[], results: SeriesForecast[], gaps: ForecastGap[]) {
  const end = s.length - 1;
  const forecasts: EntityForecast[] = [];
  jobs.forEach((job, j) => {
    const f = results[j]!;
    if (!f.ok) {
      gaps.push({ entityId: job.entityId, metric: job.metric, reason: f.reason });
      return;
    }
    const history = job.history;
    let scale = 0;
    for (let t = 7; t < history.length; t++) scale += Math.abs(history[t]! - history[t - 7]!);
    scale = history.length > 7 ? scale / (history.length - 7) : 0;
    forecasts.push({
      entityId: job.entityId,
      metric: job.metric,
      model: f.model,
      scale,
      days: f.point.map((p, k) => ({ date: s.dayOf(end + 1 + k), point: p, lower: f.lower[k]!, upper: f.upper[k]! })),
      total: f.total,
      ...(f.rest ? { rest: f.rest } : {}),
    });
  });
  return { forecasts, gaps, minHistory: MIN_HISTORY };
}

export const forecastOptions = (level?: number, restDays?: number) => ({ horizon: HORIZON, season: 7, level: level ?? 0.8, restDays });

/** Days of the month after `day` (YYYY-MM-DD). */
export function daysLeftInMonth(day: string): number {
  const y = Number(day.slice(0, 4)), m = Number(day.slice(5, 7));
  return new Date(Date.UTC(y, m, 0)).getUTCDate() - Number(day.slice(8, 10));
}

/** On this thread (tests, small clients); runBrain uses worker threads for big ones (forecast-pool.ts). */
export function forecastEntities(s: SeriesSet, opts: { level?: number; onProgress?: (done: number, total: number) => void } = {}) {
  const { jobs, gaps } = planForecasts(s);
  const results: SeriesForecast[] = [];
  for (let j = 0; j < jobs.length; j++) {
    // Every 200 series: cheap enough to call often, often enough for an ETA.
    if (opts.onProgress && j % 200 === 0) opts.onProgress(j, jobs.length);
    results.push(forecastSeries(jobs[j]!.history, forecastOptions(opts.level, jobs[j]!.restDays)));
  }
  return assembleForecasts(s, jobs, results, gaps);
}
