// Forecasts of spend, revenue, conversions and clicks for accounts and campaigns
// (and ads with enough history), 14 days ahead with 80 % intervals. Each one
// carries the in-sample seasonal-naive MAE so its error can later be scored as MASE.
import { forecastSeries, MIN_HISTORY } from './forecast.ts';
import type { SeriesSet } from '../series.ts';

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
}

export interface ForecastGap {
  entityId: string;
  metric: ForecastMetric;
  reason: string;
}

const AD_MIN_DAYS = 56;

export function forecastEntities(s: SeriesSet, opts: { horizon?: number; level?: number } = {}) {
  const horizon = opts.horizon ?? HORIZON;
  const forecasts: EntityForecast[] = [];
  const gaps: ForecastGap[] = [];
  const end = s.length - 1;
  for (const e of s.byId.values()) {
    const kind = e.entity.kind;
    const eligible = kind === 'account' || kind === 'campaign' || (kind === 'ad' && e.launch >= 0 && end - e.launch + 1 >= AD_MIN_DAYS);
    if (!eligible || e.launch < 0 || e.entity.status === 'killed') continue;
    for (const metric of FORECAST_METRICS) {
      const history = e[metric].subarray(e.launch, end + 1);
      if (history.every((v) => v === 0)) continue;
      const f = forecastSeries(history, { horizon, season: 7, level: opts.level ?? 0.8 });
      if (!f.ok) {
        gaps.push({ entityId: e.entity.id, metric, reason: f.reason });
        continue;
      }
      let scale = 0;
      for (let t = 7; t < history.length; t++) scale += Math.abs(history[t]! - history[t - 7]!);
      scale = history.length > 7 ? scale / (history.length - 7) : 0;
      forecasts.push({
        entityId: e.entity.id,
        metric,
        model: f.model,
        scale,
        days: f.point.map((p, k) => ({ date: s.dayOf(end + 1 + k), point: p, lower: f.lower[k]!, upper: f.upper[k]! })),
      });
    }
  }
  return { forecasts, gaps, minHistory: MIN_HISTORY };
}
