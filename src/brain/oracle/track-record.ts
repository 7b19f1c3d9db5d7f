// The oracle's track record: how its past forecasts fared once actuals arrived —
// or, while fewer than MIN_SCORED_WINDOWS days of real forecasts have been scored
// (a new client), a backtest on the client's own last 8 weeks, labelled as such.
import { round } from '../memory.ts';
import type { SeriesSet } from '../series.ts';
import type { ScoredPrediction } from '../types.ts';
import { backtest } from './backtest.ts';

/** Days of real forecasts (distinct days they were made) scored before they replace the backtest. */
export const MIN_SCORED_WINDOWS = 7;

export interface TrackRecord {
  predictions: number;
  /** Mean absolute scaled error (1 = as good as seasonal naive in-sample). */
  mase: number | null;
  /** Share of actuals inside the 80 % interval. */
  coverage: number | null;
  byMetric: Record<string, { predictions: number; mase: number | null; coverage: number | null }>;
  /** scored: real forecasts whose days have come; backtest: rolling origins over the last 8 weeks. */
  source: 'scored' | 'backtest';
  /** Days of real forecasts scored so far. */
  scoredWindows: number;
  /** Rolling origins of the backtest (when it is the source). */
  origins?: number;
  /** Why there is no number yet ("insufficient data: …"). */
  insufficient?: string | null;
}

export function trackRecordOf(scored: ScoredPrediction[], s?: SeriesSet): TrackRecord {
  const scoredWindows = new Set(scored.map((r) => r.madeOn)).size;
  if (s && scoredWindows < MIN_SCORED_WINDOWS) {
    const b = backtest(s);
    return { predictions: b.predictions, mase: b.mase, coverage: b.coverage, byMetric: b.byMetric, source: 'backtest', scoredWindows, origins: b.origins, insufficient: b.insufficient };
  }
  const summarize = (rows: ScoredPrediction[]) => {
    const usable = rows.filter((r) => r.scale > 0);
    return {
      predictions: rows.length,
      mase: usable.length ? round(usable.reduce((a, r) => a + Math.abs(r.actual - r.point) / r.scale, 0) / usable.length, 4) : null,
      coverage: rows.length ? round(rows.filter((r) => r.hit).length / rows.length, 4) : null,
    };
  };
  const byMetric: TrackRecord['byMetric'] = {};
  for (const m of new Set(scored.map((r) => r.metric))) byMetric[m] = summarize(scored.filter((r) => r.metric === m));
  return { ...summarize(scored), byMetric, source: 'scored', scoredWindows };
}
